//! The pool's settings, observed from the server: statement caching,
//! application_name, and a tracing span per query.

use crate::common;
use crate::schema;

use common::TestDb;
use pgtable::prelude::*;
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
