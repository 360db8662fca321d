//! Transactions on the real server: commit, rollback on drop, on `Err` and
//! on panic, savepoints, isolation, and a pool shared by many tasks.

use crate::common;

use std::time::Duration;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, IsolationLevel, TransactionOptions};

#[table(name = "accounts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    #[column(primary_key)]
    pub name: String,
    pub balance: i64,
}

fn account(name: &str, balance: i64) -> NewAccount {
    NewAccount {
        name: name.into(),
        balance,
    }
}

async fn setup() -> (TestDb, Db) {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    // One connection: a transaction that leaked onto it would show.
    let db = test.db_builder().max_size(1).build().unwrap();
    (test, db)
}

async fn names(db: &Db) -> Vec<String> {
    Account::select_columns(Account::NAME)
        .order_by(Account::NAME)
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn commit_keeps_and_drop_rolls_back() -> Result<(), Error> {
    let (_test, db) = setup().await;

    let tx = db.begin().await?;
    Account::insert(account("kept", 1)).execute(&tx).await?;
    tx.commit().await?;

    {
        let tx = db.begin().await?;
        Account::insert(account("dropped", 1)).execute(&tx).await?;
        // Seen inside the transaction...
        assert_eq!(Account::select().count(&tx).await?, 2);
        // ...and dropped without a commit.
    }
    // The pool's only connection comes back rolled back.
    assert_eq!(names(&db).await, ["kept"]);

    let tx = db.begin().await?;
    Account::insert(account("rolled back", 1))
        .execute(&tx)
        .await?;
    tx.rollback().await?;
    assert_eq!(names(&db).await, ["kept"]);

    // Rows locked FOR UPDATE inside a transaction.
    let tx = db.begin().await?;
    let locked = Account::select()
        .filter(Account::NAME.eq("kept"))
        .limit(1)
        .for_update()
        .fetch_one(&tx)
        .await?;
    Account::update()
        .set(Account::BALANCE, locked.balance + 1)
        .filter(Account::NAME.eq("kept"))
        .execute(&tx)
        .await?;
    tx.commit().await?;
    assert_eq!(
        Account::find("kept".into()).fetch_one(&db).await?.balance,
        2
    );
    Ok(())
}

#[tokio::test]
async fn transaction_closure_commits_on_ok_and_rolls_back_on_err() -> Result<(), Error> {
    let (_test, db) = setup().await;

    let moved = db
        .transaction(async |tx| {
            Account::insert_many([account("a", 100), account("b", 0)])
                .execute(tx)
                .await?;
            Account::update()
                .set(Account::BALANCE, Account::BALANCE.sub(30))
                .filter(Account::NAME.eq("a"))
                .execute(tx)
                .await?;
            Account::update()
                .set(Account::BALANCE, Account::BALANCE.add(30))
                .filter(Account::NAME.eq("b"))
                .execute(tx)
                .await?;
            Ok::<_, Error>(30)
        })
        .await?;
    assert_eq!(moved, 30);
    assert_eq!(Account::find("b".into()).fetch_one(&db).await?.balance, 30);

    // A failing statement aborts the closure with Err: nothing it did stays.
    let err = db
        .transaction(async |tx| {
            Account::insert(account("c", 5)).execute(tx).await?;
            Account::insert(account("a", 1)).execute(tx).await?; // duplicate key
            Ok::<_, Error>(())
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(names(&db).await, ["a", "b"]);

    // An application error rolls back too.
    #[derive(Debug)]
    enum AppError {
        Db(Error),
        Overdrawn,
    }
    impl From<Error> for AppError {
        fn from(err: Error) -> Self {
            AppError::Db(err)
        }
    }
    let result = db
        .transaction(async |tx| {
            let a = Account::update()
                .set(Account::BALANCE, Account::BALANCE.sub(1_000))
                .filter(Account::NAME.eq("a"))
                .returning()
                .fetch_one(tx)
                .await?;
            if a.balance < 0 {
                return Err(AppError::Overdrawn);
            }
            Ok(())
        })
        .await;
    assert!(matches!(result, Err(AppError::Overdrawn)));
    assert_eq!(Account::find("a".into()).fetch_one(&db).await?.balance, 70);
    if let Err(AppError::Db(err)) = result {
        panic!("{err}");
    }
    Ok(())
}

#[tokio::test]
async fn transaction_closure_rolls_back_on_panic() {
    let (_test, db) = setup().await;
    let db2 = db.clone();
    let outcome = tokio::spawn(async move {
        db2.transaction(async |tx| {
            Account::insert(account("ghost", 1)).execute(tx).await?;
            panic!("boom");
            #[allow(unreachable_code)]
            Ok::<_, Error>(())
        })
        .await
    })
    .await;
    let panic = outcome.unwrap_err();
    assert!(panic.is_panic());
    assert_eq!(
        panic.into_panic().downcast_ref::<&str>(),
        Some(&"boom"),
        "the panic continues to the caller"
    );
    assert!(names(&db).await.is_empty());
}

#[tokio::test]
async fn nested_transactions_are_savepoints() -> Result<(), Error> {
    let (_test, db) = setup().await;
    let mut tx = db.begin().await?;
    Account::insert(account("outer", 1)).execute(&tx).await?;

    // A nested closure that fails rolls back to its savepoint only.
    let inner: Result<(), Error> = tx
        .transaction(async |inner| {
            assert_eq!(inner.depth(), 1);
            Account::insert(account("inner-failed", 1))
                .execute(inner)
                .await?;
            Account::insert(account("outer", 1)).execute(inner).await?; // duplicate
            Ok(())
        })
        .await;
    assert!(matches!(inner, Err(Error::UniqueViolation { .. })));

    // A nested closure that succeeds is released into the outer one.
    tx.transaction(async |inner| {
        Account::insert(account("inner-kept", 1))
            .execute(inner)
            .await?;
        // Two levels deep.
        let _ = inner
            .transaction(async |deeper| {
                Account::insert(account("deeper-failed", 1))
                    .execute(deeper)
                    .await?;
                Err::<(), _>(Error::Config("give up".into()))
            })
            .await;
        Ok::<_, Error>(())
    })
    .await?;

    // A nested transaction dropped without commit is rolled back before the
    // outer one's next statement.
    {
        let nested = tx.begin().await?;
        Account::insert(account("nested-dropped", 1))
            .execute(&nested)
            .await?;
    }
    {
        let nested = tx.begin().await?;
        Account::insert(account("nested-committed", 1))
            .execute(&nested)
            .await?;
        nested.commit().await?;
    }
    tx.commit().await?;
    assert_eq!(
        names(&db).await,
        ["inner-kept", "nested-committed", "outer"]
    );
    Ok(())
}

#[tokio::test]
async fn isolation_and_read_only() -> Result<(), Error> {
    let (_test, db) = setup().await;
    let tx = db
        .begin_with(TransactionOptions::new().isolation(IsolationLevel::Serializable))
        .await?;
    tx.batch_execute(
        "DO $$ BEGIN
           IF current_setting('transaction_isolation') <> 'serializable' THEN
             RAISE EXCEPTION 'not serializable';
           END IF;
         END $$",
    )
    .await?;
    tx.commit().await?;

    let err = db
        .transaction_with(TransactionOptions::new().read_only(true), async |tx| {
            Account::insert(account("nope", 1)).execute(tx).await
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION)
    );
    assert!(names(&db).await.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_share_one_db() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    let db = test
        .db_builder()
        .max_size(8)
        .wait_timeout(Duration::from_secs(30))
        .build()?;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let name = format!("task{i:02}");
                Account::insert(account(&name, i)).execute(&db).await?;
                db.transaction(async |tx| {
                    Account::update()
                        .set(Account::BALANCE, Account::BALANCE.add(1))
                        .filter(Account::NAME.eq(name.as_str()))
                        .execute(tx)
                        .await
                })
                .await?;
                Account::find(name).fetch_one(&db).await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let account = task.await.expect("task panicked")?;
        assert_eq!(account.balance, i as i64 + 1);
    }
    assert_eq!(Account::select().count(&db).await?, 50);
    Ok(())
}

#[tokio::test]
async fn a_cancelled_nested_transaction_is_rolled_back() -> Result<(), Error> {
    let (_test, db) = setup().await;
    let mut tx = db.begin().await?;
    Account::insert(account("before", 1)).execute(&tx).await?;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(200),
        tx.transaction(async |inner| {
            Account::insert(account("cancelled", 1))
                .execute(inner)
                .await?;
            std::future::pending::<()>().await;
            Ok::<_, Error>(())
        }),
    )
    .await;
    assert!(cancelled.is_err(), "the nested transaction timed out");
    assert_eq!(tx.depth(), 0);
    Account::insert(account("after", 1)).execute(&tx).await?;
    tx.commit().await?;
    assert_eq!(names(&db).await, ["after", "before"]);
    Ok(())
}
