//! The errors a service maps to HTTP statuses or retries, provoked on the
//! real server: a value too long (naming its column), text a type cannot
//! read, serialization failures and deadlocks (retryable, and retried by
//! `Db::transaction_with_retry`), lock and statement time-outs.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, RetryPolicy};
use tokio::sync::Barrier;

#[table(name = "accounts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar(8))]
    pub code: String,
    pub balance: i64,
}

async fn setup() -> (TestDb, Db) {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    let db = test.db();
    Account::insert_many([account("a", 100), account("b", 100)])
        .execute(&db)
        .await
        .unwrap();
    (test, db)
}

fn account(code: &str, balance: i64) -> NewAccount {
    NewAccount {
        code: code.to_owned(),
        balance,
    }
}

fn assert_too_long(err: Error) {
    assert!(
        matches!(err, Error::ValueTooLong { limit: Some(8), .. }),
        "{err:?}"
    );
    assert_eq!(err.table(), Some("accounts"));
    assert_eq!(err.column(), Some("code"));
    assert_eq!(
        err.to_string(),
        "the value for column code of table accounts is too long: over its limit of 8 characters (shorten it, or widen the column)"
    );
}

#[tokio::test]
async fn a_value_too_long_names_its_column_and_limit() {
    let (_test, db) = setup().await;
    let long = || account("ninechars", 1);
    // A statement, with and without RETURNING, and a COPY.
    assert_too_long(Account::insert(long()).execute(&db).await.unwrap_err());
    assert_too_long(
        Account::insert(long())
            .returning()
            .fetch_one(&db)
            .await
            .unwrap_err(),
    );
    assert_too_long(
        Account::update()
            .set(Account::CODE, "ninechars".to_owned())
            .filter(Account::ID.eq(1))
            .execute(&db)
            .await
            .unwrap_err(),
    );
    let mut rows: Vec<NewAccount> = (0..1_000).map(|i| account(&i.to_string(), 0)).collect();
    rows.push(long());
    assert_too_long(Account::insert_many(rows).execute(&db).await.unwrap_err());
}

#[tokio::test]
async fn text_a_type_cannot_read_is_its_own_error() {
    let (_test, db) = setup().await;
    let err = pgtable::sql("SELECT $1::text::uuid")
        .bind("not-a-uuid")
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidTextRepresentation { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid input syntax for type uuid: \"not-a-uuid\": the value is not in the form its type reads"
    );
    assert!(!err.is_retryable());
}

/// Moves 10 from one account to the other after reading both balances,
/// waiting at `barrier` on the first attempt so that two callers overlap.
async fn transfer(
    tx: &mut Transaction,
    barrier: &Barrier,
    attempts: &AtomicU32,
) -> Result<(), Error> {
    let attempt = attempts.fetch_add(1, Ordering::SeqCst);
    let total: (i64,) = pgtable::sql("SELECT sum(balance)::bigint FROM accounts")
        .fetch_one(&*tx)
        .await?;
    assert_eq!(total.0, 200);
    if attempt < 2 {
        barrier.wait().await;
    }
    pgtable::sql("UPDATE accounts SET balance = balance - 10 WHERE code = 'a'")
        .execute(&*tx)
        .await?;
    pgtable::sql("UPDATE accounts SET balance = balance + 10 WHERE code = 'b'")
        .execute(&*tx)
        .await?;
    Ok(())
}

#[tokio::test]
async fn serialization_failures_are_retryable_and_retried() {
    let (_test, db) = setup().await;
    // Without retries, one of two overlapping SERIALIZABLE transfers fails.
    let barrier = Arc::new(Barrier::new(2));
    let attempts = Arc::new(AtomicU32::new(0));
    let once = RetryPolicy::new().attempts(1);
    let run = |policy: RetryPolicy| {
        let (db, barrier, attempts) = (db.clone(), barrier.clone(), attempts.clone());
        tokio::spawn(async move {
            db.transaction_with_retry(policy, async move |tx| {
                transfer(tx, &barrier, &attempts).await
            })
            .await
        })
    };
    let (x, y) = (run(once), run(once));
    let results = [x.await.unwrap(), y.await.unwrap()];
    let failed: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert!(
        matches!(failed[0], Error::SerializationFailure { .. }),
        "{failed:?}"
    );
    assert!(failed[0].is_retryable());

    // With the default policy both go through, one on a second attempt.
    attempts.store(0, Ordering::SeqCst);
    let (x, y) = (run(RetryPolicy::new()), run(RetryPolicy::new()));
    x.await.unwrap().unwrap();
    y.await.unwrap().unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let balances: Vec<(String, i64)> =
        pgtable::sql("SELECT code::text, balance FROM accounts ORDER BY code")
            .fetch_all(&db)
            .await
            .unwrap();
    // One transfer from the first round, two from the second.
    assert_eq!(balances, [("a".to_owned(), 70), ("b".to_owned(), 130)]);
}

#[tokio::test]
async fn a_deadlock_is_retryable() {
    let (_test, db) = setup().await;
    let barrier = Arc::new(Barrier::new(2));
    let lock_both = |first: &'static str, second: &'static str| {
        let (db, barrier) = (db.clone(), barrier.clone());
        tokio::spawn(async move {
            let tx = db.begin().await?;
            let lock = |code: &str| {
                pgtable::sql("UPDATE accounts SET balance = balance + 1 WHERE code = $1")
                    .bind(code.to_owned())
            };
            lock(first).execute(&tx).await?;
            barrier.wait().await;
            lock(second).execute(&tx).await?;
            tx.commit().await
        })
    };
    let (x, y) = (lock_both("a", "b"), lock_both("b", "a"));
    let results = [x.await.unwrap(), y.await.unwrap()];
    let failed: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert!(matches!(failed[0], Error::Deadlock { .. }), "{failed:?}");
    assert!(failed[0].is_retryable());
}

#[tokio::test]
async fn lock_and_statement_time_outs_are_their_own_errors() {
    let (_test, db) = setup().await;
    let holder = db.begin().await.unwrap();
    pgtable::sql("SELECT * FROM accounts WHERE code = 'a' FOR UPDATE")
        .execute(&holder)
        .await
        .unwrap();
    let waiter = db.begin().await.unwrap();
    waiter.set_local("lock_timeout", "50ms").await.unwrap();
    let err = pgtable::sql("UPDATE accounts SET balance = 0 WHERE code = 'a'")
        .execute(&waiter)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err:?}");
    assert!(!err.is_retryable());
    drop(waiter);
    holder.rollback().await.unwrap();

    let tx = db.begin().await.unwrap();
    tx.set_local("statement_timeout", "50ms").await.unwrap();
    let err = pgtable::sql("SELECT pg_sleep(5)")
        .execute(&tx)
        .await
        .unwrap_err();
    match &err {
        Error::QueryCanceled { reason, .. } => {
            assert_eq!(reason, "canceling statement due to statement timeout")
        }
        other => panic!("{other:?}"),
    }
    drop(tx);
    // The pool is fine afterwards.
    tokio::time::timeout(Duration::from_secs(5), Account::select().fetch_all(&db))
        .await
        .unwrap()
        .unwrap();
}

/// Errors as HTTP responses (feature `axum`): the status, and a JSON body
/// that names the constraint or column but holds no SQL.
#[cfg(feature = "axum")]
mod http_responses {
    use super::*;
    use axum_core::response::IntoResponse;
    use http_body_util::BodyExt;

    async fn response(err: Error) -> (u16, pgtable::serde_json::Value) {
        let response = err.into_response();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, pgtable::serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn each_error_gets_the_status_a_service_would_choose() {
        let (_test, db) = setup().await;
        #[table(name = "members")]
        pub struct Member {
            #[column(primary_key)]
            pub email: String,
        }
        pgtable::sql("CREATE TABLE members (email text PRIMARY KEY)")
            .execute(&db)
            .await
            .unwrap();
        let member = || NewMember {
            email: "a@x.io".into(),
        };
        Member::insert(member()).execute(&db).await.unwrap();
        let duplicate = Member::insert(member()).execute(&db).await.unwrap_err();
        let (status, body) = response(duplicate).await;
        assert_eq!(status, 409);
        assert_eq!(body["code"], "unique_violation");
        assert_eq!(body["constraint"], "members_pkey");
        assert_eq!(body["column"], "email");
        assert!(
            !body["error"].as_str().unwrap().contains("a@x.io"),
            "{body}"
        );

        let too_long = Account::insert(account("ninechars", 1))
            .execute(&db)
            .await
            .unwrap_err();
        let (status, body) = response(too_long).await;
        assert_eq!((status, &body["column"]), (422, &"code".into()), "{body}");

        let missing = Account::select()
            .filter(Account::ID.eq(999))
            .fetch_one(&db)
            .await
            .unwrap_err();
        assert_eq!(response(missing).await.0, 404);

        let broken = pgtable::sql("SELECT * FROM no_such_table")
            .execute(&db)
            .await
            .unwrap_err();
        let (status, body) = response(broken).await;
        assert_eq!(status, 500);
        assert_eq!(
            body,
            pgtable::serde_json::json!({"error": "internal error", "code": "internal"})
        );

        let timeout = Error::PoolTimeout {
            kind: pgtable::error::PoolTimeout::Wait,
            after: None,
        };
        assert_eq!(response(timeout).await.0, 503);
    }
}
