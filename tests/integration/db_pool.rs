//! The pool's settings, observed from the server: statement caching,
//! application_name, and a tracing span per query.

use crate::common;
use crate::schema;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::query::placeholder;
use schema::{NewUser, User};

const OUR_STATEMENTS: &str =
    r#"SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT "id", "email"%'"#;

#[tokio::test]
async fn statements_are_prepared_once_per_connection() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db();
    let conn = db.conn().await?;
    for email in ["a@x.io", "b@x.io", "c@x.io"] {
        User::select()
            .filter(User::EMAIL.eq(email))
            .fetch_all(&conn)
            .await?;
    }
    let prepared: i64 = conn.query_one(OUR_STATEMENTS, &[]).await?.get(0);
    assert_eq!(prepared, 1, "three runs, one prepared statement");

    // Without the cache (PgBouncer's transaction mode), nothing stays prepared.
    let uncached = test.db_builder().statement_cache(false).build()?;
    let conn = uncached.conn().await?;
    for email in ["a@x.io", "b@x.io"] {
        User::select()
            .filter(User::EMAIL.eq(email))
            .fetch_all(&conn)
            .await?;
    }
    let prepared: i64 = conn.query_one(OUR_STATEMENTS, &[]).await?.get(0);
    assert_eq!(prepared, 0);
    Ok(())
}

/// How a test runs "the users with this email": a prepared query, or ad
/// hoc queries (two texts, which must not be taken for each other).
#[derive(Clone, Copy, Debug)]
enum Way {
    Prepared,
    AdHoc,
}

type ByEmail = pgtable::query::PreparedSelect<User>;

async fn emails_of<E: pgtable::Executor>(
    way: Way,
    prepared: &ByEmail,
    exec: &E,
    email: &str,
) -> Result<Vec<String>, pgtable::Error> {
    let emails = |users: Vec<User>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
    Ok(match way {
        Way::Prepared => emails(
            prepared
                .bind("email", email.to_owned())
                .fetch_all(exec)
                .await?,
        ),
        Way::AdHoc => {
            let found = emails(
                User::select()
                    .filter(User::EMAIL.eq(email))
                    .fetch_all(exec)
                    .await?,
            );
            let ordered = User::select()
                .filter(User::EMAIL.eq(email))
                .order_by(User::EMAIL.desc())
                .fetch_all(exec)
                .await?;
            assert_eq!(emails(ordered), found, "the second text, its own statement");
            found
        }
    })
}

/// A prepared query remembers its statement for each connection it ran on
/// (`sql::StatementMemo`), and ad hoc statements are remembered by text
/// (`sql::StatementTexts`), so a second run there skips the connection's
/// statement cache. Neither may ever hand one connection's statement to
/// another: not to a second connection of the pool, not inside a
/// transaction, not to a connection opened in place of a closed one.
#[tokio::test]
async fn a_statement_runs_on_every_connection_it_meets() -> Result<(), pgtable::Error> {
    for way in [Way::Prepared, Way::AdHoc] {
        runs_on_every_connection_it_meets(way).await?;
    }
    Ok(())
}

async fn runs_on_every_connection_it_meets(way: Way) -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db_builder().max_size(2).build()?;
    for email in ["a@x.io", "b@x.io"] {
        User::insert(NewUser {
            id: uuid::Uuid::new_v4(),
            email: email.into(),
            created_at: None,
        })
        .execute(&db)
        .await?;
    }
    let query = User::select()
        .filter(User::EMAIL.eq(placeholder::<String>("email")))
        .prepare();
    // One statement per connection for each text the way sends.
    let texts = match way {
        Way::Prepared => 1,
        Way::AdHoc => 2,
    };
    let (first, second) = (db.conn().await?, db.conn().await?);
    for conn in [&first, &second] {
        for email in ["a@x.io", "b@x.io", "a@x.io"] {
            assert_eq!(
                emails_of(way, &query, conn, email).await?,
                [email],
                "{way:?}"
            );
        }
        let prepared: i64 = conn.query_one(OUR_STATEMENTS, &[]).await?.get(0);
        assert_eq!(prepared, texts, "three runs on a connection ({way:?})");
    }
    // The first connection is closed under the pool; the one opened in
    // its place has never prepared the statement.
    let pid: i32 = first
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    second
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await?;
    // Once the client has seen its connection end, the pool drops it. A
    // statement failing is not yet that: the connection's task may still
    // be closing, and the pool would hand it out again.
    assert!(first.query_one("SELECT 1", &[]).await.is_err());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !first.is_closed() {
        assert!(
            std::time::Instant::now() < deadline,
            "the terminated connection never closed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    drop(first);
    let replaced = db.conn().await?;
    let new_pid: i32 = replaced
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    assert_ne!(new_pid, pid);
    for email in ["a@x.io", "b@x.io"] {
        assert_eq!(
            emails_of(way, &query, &replaced, email).await?,
            [email],
            "{way:?}"
        );
    }
    drop((second, replaced));
    let found = db
        .transaction(async |tx| emails_of(way, &query, tx, "b@x.io").await)
        .await?;
    assert_eq!(found, ["b@x.io"]);

    // Without the statement cache, nothing is remembered either.
    let uncached = test.db_builder().statement_cache(false).build()?;
    let conn = uncached.conn().await?;
    for _ in 0..2 {
        assert_eq!(emails_of(way, &query, &conn, "a@x.io").await?, ["a@x.io"]);
    }
    let prepared: i64 = conn.query_one(OUR_STATEMENTS, &[]).await?.get(0);
    assert_eq!(prepared, 0);
    Ok(())
}

#[tokio::test]
async fn application_name_reaches_the_server() -> Result<(), pgtable::Error> {
    let test = TestDb::new().await;
    let db = test
        .db_builder()
        .application_name("pgtable-tests")
        .build()?;
    let conn = db.conn().await?;
    let name: String = conn
        .query_one("SELECT current_setting('application_name')", &[])
        .await?
        .get(0);
    assert_eq!(name, "pgtable-tests");
    Ok(())
}

#[tokio::test]
async fn every_query_has_a_span_with_its_sql_and_row_count() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db();
    let (found, spans) = common::record_query_spans(async {
        let none = User::select()
            .filter(User::EMAIL.eq("a@x.io"))
            .fetch_all(&db)
            .await?;
        let added = User::insert(NewUser {
            id: uuid::Uuid::new_v4(),
            email: "b@x.io".into(),
            created_at: None,
        })
        .execute(&db)
        .await?;
        Ok::<_, pgtable::Error>((none.len(), added))
    })
    .await;
    assert_eq!(found?, (0, 1));
    let spans: Vec<(&str, Option<u64>)> = spans.iter().map(|s| (s.sql.as_str(), s.rows)).collect();
    assert_eq!(
        spans,
        [
            (
                r#"SELECT "id", "email", "created_at" FROM "users" WHERE "users"."email" = $1"#,
                Some(0)
            ),
            (
                r#"INSERT INTO "users" ("id", "email", "created_at") VALUES ($1, $2, DEFAULT)"#,
                Some(1)
            ),
        ]
    );
    Ok(())
}
