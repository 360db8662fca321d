//! No query hangs forever: the statement time-out, on the server and in
//! pgtable, and what it does to the connection.

use crate::common;

use std::time::{Duration, Instant};

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, sql};

async fn backend_pid(db: &Db) -> i32 {
    sql("SELECT pg_backend_pid()")
        .fetch_one::<(i32,), _>(db)
        .await
        .unwrap()
        .0
}

/// A pool of one connection with a 200 ms statement time-out, and the
/// server process behind that connection.
async fn timed_pool() -> (TestDb, Db, i32) {
    let test = TestDb::new().await;
    let db = test
        .db_builder()
        .max_size(1)
        .statement_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let pid = backend_pid(&db).await;
    (test, db, pid)
}

#[tokio::test]
async fn the_server_cancels_a_statement_past_the_time_out_and_the_connection_stays() {
    let (_test, db, pid) = timed_pool().await;
    let started = Instant::now();
    let err = sql("SELECT pg_sleep(5)").execute(&db).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
    assert_eq!(backend_pid(&db).await, pid, "the connection was kept");
}

#[tokio::test]
async fn pgtable_gives_up_on_a_statement_the_server_does_not_cancel() {
    let (_test, db, pid) = timed_pool().await;
    let started = Instant::now();
    let result = db
        .transaction(async |tx| {
            // The server's own time-out is switched off here, so only
            // pgtable's is left.
            tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
            sql("SELECT pg_sleep(30)").execute(tx).await
        })
        .await;
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(Error::StatementTimeout { .. })),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(
        result.unwrap_err().to_string(),
        "the statement did not finish within the statement time-out of 1.2s: pgtable closed its connection, so whether a write was applied is unknown"
    );
    // Its connection was closed, not reused.
    assert_ne!(backend_pid(&db).await, pid);
    assert_eq!(db.status().primary.size, 1);
}
