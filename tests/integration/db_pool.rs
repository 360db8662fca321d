//! The pool's settings, observed from the server: statement caching,
//! application_name, and a tracing span per query.

use crate::common;
use crate::schema;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::TestDb;
use pgtable::prelude::*;
use schema::User;

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

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_query_has_a_span_with_its_sql_and_row_count() -> Result<(), pgtable::Error> {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db();
    User::select()
        .filter(User::EMAIL.eq("a@x.io"))
        .fetch_all(&db)
        .await?;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("pgtable.query"))
        .unwrap_or_else(|| panic!("no query span in:\n{log}"));
    assert!(
        line.contains(
            r#"sql=SELECT "id", "email", "created_at" FROM "users" WHERE "users"."email" = $1"#
        ),
        "{line}"
    );
    assert!(line.contains("rows=0"), "{line}");
    Ok(())
}
