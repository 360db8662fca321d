//! Faults on the real server: every operation cancelled after each number
//! of polls, commits that PostgreSQL answered with ROLLBACK, nested
//! transactions cancelled mid-`RELEASE`, and a cancelled or stuck `migrate`.
//!
//! The rule under test: `Ok` means committed, and a pooled connection whose
//! state is unknown is never handed out again.

use crate::common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use common::TestDb;
use futures_util::StreamExt;
use pgtable::migrate::{self, MigrateError, MigrateOptions, Migration};
use pgtable::prelude::*;
use pgtable::{Error, sql};

#[table(name = "events")]
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    pub note: String,
}

fn event(id: i64) -> NewEvent {
    NewEvent {
        id,
        note: format!("event {id}"),
    }
}

const APP: &str = "pgtable_faults";

/// A test database with `events`, and a pool of one connection on it: a
/// connection handed back in a bad state is the next one used.
async fn setup() -> (TestDb, Db) {
    let test = TestDb::with_schema(&Schema::new().table::<Event>()).await;
    let db = test
        .db_builder()
        .max_size(1)
        .application_name(APP)
        .build()
        .unwrap();
    (test, db)
}

/// Fresh ids, unique across the whole test binary.
fn next_id() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(1_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Wakes the test task when the polled future asks to be woken.
struct Woken {
    flag: AtomicBool,
    outer: Mutex<Option<Waker>>,
}

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.flag.store(true, Ordering::SeqCst);
        if let Some(waker) = self.outer.lock().unwrap().take() {
            waker.wake();
        }
    }
}

/// Polls `fut` at most `polls` times, each time only after it asked to be
/// woken (so each poll is a step of real progress), then drops it. `Some`
/// with the output if it completed within those polls.
async fn run_for_polls<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
    let woken = Arc::new(Woken {
        flag: AtomicBool::new(true),
        outer: Mutex::new(None),
    });
    let waker = Waker::from(Arc::clone(&woken));
    let mut fut = pin!(fut);
    let mut done = 0;
    std::future::poll_fn(|cx| {
        *woken.outer.lock().unwrap() = Some(cx.waker().clone());
        while woken.flag.swap(false, Ordering::SeqCst) {
            if done == polls {
                return Poll::Ready(None);
            }
            done += 1;
            if let Poll::Ready(out) = fut.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(Some(out));
            }
        }
        Poll::Pending
    })
    .await
}

/// Waits (at most 10 s) until `sql`, a count, gives 0 on the test client.
async fn eventually_none(test: &TestDb, sql: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n: i64 = test.client.query_one(sql, &[]).await.unwrap().get(0);
        if n == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{n} {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// After a cancelled operation: the pool's next write is committed (another
/// session sees it), and soon no session of the pool is idle in a
/// transaction and no advisory lock is held.
async fn assert_clean(test: &TestDb, db: &Db, after: &str) {
    let id = next_id();
    Event::insert(event(id)).execute(db).await.unwrap();
    let seen = test
        .client
        .query_opt("SELECT 1 FROM events WHERE id = $1", &[&id])
        .await
        .unwrap();
    assert!(
        seen.is_some(),
        "{after}: an insert acknowledged with Ok is not visible to another session \
         (the pool handed out a connection inside a transaction)"
    );
    eventually_none(
        test,
        &format!(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APP}' \
             AND datname = current_database() AND state LIKE 'idle in transaction%'"
        ),
        &format!("{after}: sessions of the pool stay idle in a transaction"),
    )
    .await;
    eventually_none(
        test,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        &format!("{after}: advisory locks are still held"),
    )
    .await;
}

/// Runs `op` cancelled after 1, 2, 3 … polls until it completes, checking
/// the pool after each cancellation.
async fn sweep<T, F, Fut>(test: &TestDb, db: &Db, name: &str, mut op: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    for polls in 1..=500 {
        let out = run_for_polls(op(), polls).await;
        let completed = out.is_some();
        drop(out);
        assert_clean(test, db, &format!("{name} cancelled after {polls} polls")).await;
        if completed {
            return;
        }
    }
    panic!("{name} did not complete within 500 polls");
}

#[tokio::test]
async fn cancelled_transactions_never_return_their_connection_open() {
    let (test, db) = setup().await;
    sweep(&test, &db, "begin/insert/commit", || async {
        let tx = db.begin().await?;
        Event::insert(event(next_id())).execute(&tx).await?;
        tx.commit().await
    })
    .await;
    sweep(&test, &db, "begin, dropped", || async {
        let tx = db.begin().await?;
        Event::insert(event(next_id())).execute(&tx).await?;
        Ok::<_, Error>(())
    })
    .await;
    sweep(&test, &db, "transaction", || {
        db.transaction(async |tx| {
            Event::insert(event(next_id())).execute(tx).await?;
            Ok::<_, Error>(())
        })
    })
    .await;
    sweep(&test, &db, "nested transaction", || {
        db.transaction(async |tx| {
            Event::insert(event(next_id())).execute(tx).await?;
            tx.transaction(async |tx| Event::insert(event(next_id())).execute(tx).await)
                .await?;
            Ok::<_, Error>(())
        })
    })
    .await;
    sweep(&test, &db, "savepoint", || async {
        let mut tx = db.begin().await?;
        let savepoint = tx.begin().await?;
        Event::insert(event(next_id())).execute(&*savepoint).await?;
        savepoint.commit().await?;
        tx.commit().await
    })
    .await;
    sweep(&test, &db, "rollback", || async {
        let tx = db.begin().await?;
        Event::insert(event(next_id())).execute(&tx).await?;
        tx.rollback().await
    })
    .await;
}

#[tokio::test]
async fn cancelled_statements_never_return_their_connection_unknown() {
    let (test, db) = setup().await;
    for id in 1..=5 {
        Event::insert(event(id)).execute(&db).await.unwrap();
    }
    sweep(&test, &db, "insert execute", || {
        Event::insert(event(next_id())).execute(&db)
    })
    .await;
    sweep(&test, &db, "insert returning", || {
        Event::insert(event(next_id())).returning().fetch_one(&db)
    })
    .await;
    sweep(&test, &db, "select fetch_all", || {
        Event::select().fetch_all(&db)
    })
    .await;
    sweep(&test, &db, "find fetch_optional", || {
        Event::find(1).fetch_optional(&db)
    })
    .await;
    sweep(&test, &db, "select fetch_one", || {
        Event::select().filter(Event::ID.eq(2)).fetch_one(&db)
    })
    .await;
    sweep(&test, &db, "count", || Event::select().count(&db)).await;
    sweep(&test, &db, "exists", || {
        Event::select().filter(Event::ID.eq(1)).exists(&db)
    })
    .await;
    sweep(&test, &db, "select_columns", || {
        Event::select_columns((Event::ID, Event::NOTE)).fetch_all(&db)
    })
    .await;
    sweep(&test, &db, "raw execute", || {
        sql("UPDATE events SET note = $1 WHERE id = 5")
            .bind("raw")
            .execute(&db)
    })
    .await;
    sweep(&test, &db, "update", || {
        Event::update()
            .set(Event::NOTE, "changed")
            .filter(Event::ID.eq(3))
            .execute(&db)
    })
    .await;
    sweep(&test, &db, "delete returning", || {
        Event::delete()
            .filter(Event::ID.eq(4))
            .returning()
            .fetch_all(&db)
    })
    .await;
    sweep(&test, &db, "raw sql", || {
        sql("SELECT count(*) FROM events").fetch_one::<(i64,), _>(&db)
    })
    .await;
    sweep(&test, &db, "statement in a held connection", || async {
        let conn = db.conn().await?;
        Event::insert(event(next_id())).execute(&conn).await
    })
    .await;
}

#[tokio::test]
async fn cancelled_copy_and_streams_never_return_their_connection_unknown() {
    let (test, db) = setup().await;
    sweep(&test, &db, "COPY", || {
        let first = next_id() * 10_000;
        let rows: Vec<NewEvent> = (0..2_000).map(|i| event(first + i)).collect();
        let db = &db;
        async move { Event::insert_many(rows).execute(db).await }
    })
    .await;
    assert!(Event::select().count(&db).await.unwrap() >= 2_000);
    // A stream read for one row and dropped, with rows still coming.
    sweep(&test, &db, "fetch_stream dropped half-read", || async {
        let mut rows = pin!(Event::select().fetch_stream(&db));
        rows.next().await.transpose()
    })
    .await;
    sweep(&test, &db, "fetch_stream in a transaction", || async {
        let tx = db.begin().await?;
        let first = {
            let mut rows = pin!(Event::select().fetch_stream(&tx));
            rows.next().await.transpose()?
        };
        tx.commit().await?;
        Ok::<_, Error>(first)
    })
    .await;
}

/// PostgreSQL answers COMMIT with ROLLBACK when a statement in the
/// transaction failed: that is an error, never `Ok`.
#[tokio::test]
async fn a_commit_that_postgres_rolled_back_is_an_error() {
    let (test, db) = setup().await;
    let (a, b) = (next_id(), next_id());

    let tx = db.begin().await.unwrap();
    Event::insert(event(a)).execute(&tx).await.unwrap();
    let duplicate = Event::insert(event(a)).execute(&tx).await.unwrap_err();
    assert!(
        matches!(duplicate, Error::UniqueViolation { .. }),
        "{duplicate:?}"
    );
    // The caller handled the error and carries on.
    let next = Event::insert(event(b)).execute(&tx).await.unwrap_err();
    assert!(matches!(next, Error::TransactionAborted { .. }), "{next:?}");
    let err = tx.commit().await.unwrap_err();
    assert!(matches!(err, Error::TransactionAborted { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the transaction was rolled back, not committed: an earlier statement in it failed: \
         duplicate key value violates unique constraint \"events_pkey\" (SQLSTATE 23505); \
         nothing of it was written (put statements that may fail in a nested transaction, \
         `tx.transaction(..)`, to carry on after them)"
    );

    let result = db
        .transaction(async |tx| {
            Event::insert(event(a)).execute(tx).await?;
            let _ = Event::insert(event(a)).execute(tx).await;
            Ok::<_, Error>("done")
        })
        .await;
    assert!(
        matches!(result, Err(Error::TransactionAborted { .. })),
        "{result:?}"
    );

    // A failure inside a nested transaction is undone with it: the outer
    // one carries on and commits.
    db.transaction(async |tx| {
        Event::insert(event(a)).execute(tx).await?;
        let inner = tx
            .transaction(async |tx| Event::insert(event(a)).execute(tx).await)
            .await;
        assert!(matches!(inner, Err(Error::UniqueViolation { .. })));
        Event::insert(event(b)).execute(tx).await?;
        Ok::<_, Error>(())
    })
    .await
    .unwrap();

    // Releasing a savepoint whose statement failed is refused too; the
    // outer transaction is rolled back to it and goes on.
    let (c, d) = (next_id(), next_id());
    let mut tx = db.begin().await.unwrap();
    let savepoint = tx.begin().await.unwrap();
    Event::insert(event(c)).execute(&*savepoint).await.unwrap();
    let _ = Event::insert(event(c))
        .execute(&*savepoint)
        .await
        .unwrap_err();
    let err = savepoint.commit().await.unwrap_err();
    assert!(matches!(err, Error::TransactionAborted { .. }), "{err:?}");
    Event::insert(event(d)).execute(&tx).await.unwrap();
    tx.commit().await.unwrap();

    let ids: Vec<i64> = test
        .client
        .query("SELECT id FROM events ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [a, b, d]);
}

/// A nested transaction cancelled at any point (mid-`SAVEPOINT`,
/// mid-`RELEASE`) leaves its parent honest: either the parent goes on and
/// commits what it was told, or every later call on it fails and nothing
/// is committed.
#[tokio::test]
async fn a_cancelled_nested_transaction_leaves_its_parent_honest() {
    let (test, db) = setup().await;
    for polls in 1..=100 {
        let (a, b, c) = (next_id(), next_id(), next_id());
        let mut tx = db.begin().await.unwrap();
        Event::insert(event(a)).execute(&tx).await.unwrap();
        let nested = run_for_polls(
            tx.transaction(async |tx| Event::insert(event(b)).execute(tx).await),
            polls,
        )
        .await;
        let after = Event::insert(event(c)).execute(&tx).await;
        let committed = tx.commit().await;
        let present = |id: i64| {
            let client = &test.client;
            async move {
                client
                    .query_opt("SELECT 1 FROM events WHERE id = $1", &[&id])
                    .await
                    .unwrap()
                    .is_some()
            }
        };
        match &committed {
            Ok(()) => {
                assert!(after.is_ok(), "after {polls} polls: {after:?}");
                assert!(present(a).await && present(c).await, "after {polls} polls");
                if let Some(Ok(_)) = nested {
                    assert!(present(b).await, "after {polls} polls");
                }
            }
            Err(err) => {
                assert!(
                    matches!(err, Error::TransactionAborted { .. }),
                    "after {polls} polls: {err:?}"
                );
                assert!(after.is_err(), "after {polls} polls");
                assert!(
                    !present(a).await && !present(c).await,
                    "after {polls} polls"
                );
            }
        }
        assert_clean(&test, &db, &format!("nested cancelled after {polls} polls")).await;
        if nested.is_some() {
            return;
        }
    }
    panic!("the nested transaction did not complete within 100 polls");
}

fn migrations() -> Vec<Migration> {
    migrate::embedded(&[
        (
            1,
            "0001_first",
            "CREATE TABLE t1 (id int PRIMARY KEY);\nINSERT INTO t1 VALUES (1);",
        ),
        (2, "0002_second", "CREATE TABLE t2 (id int PRIMARY KEY);"),
    ])
}

/// A `migrate` cancelled at any point holds no lock afterwards: another
/// runner, on another pool, goes on at once.
#[tokio::test]
async fn a_cancelled_migrate_keeps_no_lock() {
    let (test, db) = setup().await;
    let all = migrations();
    for polls in 1..=500 {
        let out = run_for_polls(migrate::migrate(&db, &all, |_| {}), polls).await;
        assert_clean(
            &test,
            &db,
            &format!("migrate cancelled after {polls} polls"),
        )
        .await;
        let other = test.db();
        let again = tokio::time::timeout(
            Duration::from_secs(20),
            migrate::migrate_with(
                &other,
                &all,
                MigrateOptions::new().lock_timeout(Duration::from_secs(10)),
                |_| {},
            ),
        )
        .await
        .expect("a second migrate waited on the cancelled one's lock");
        again.unwrap();
        test.client
            .batch_execute(
                "DROP TABLE IF EXISTS t1, t2; DROP TABLE IF EXISTS \"__pgtable_migrations\"",
            )
            .await
            .unwrap();
        if out.is_some() {
            return;
        }
    }
    panic!("migrate did not complete within 500 polls");
}

/// Waiting for another runner's lock is bounded, and the error says who
/// holds it.
#[tokio::test]
async fn a_held_migration_lock_times_out_naming_its_holder() {
    let (test, db) = setup().await;
    let mut config = common::config_for(test.name());
    config.application_name("the_other_runner");
    let (holder, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({})",
            migrate::LOCK_KEY
        ))
        .await
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);

    let started = Instant::now();
    let err = migrate::migrate_with(
        &db,
        &migrations(),
        MigrateOptions::new().lock_timeout(Duration::from_millis(300)),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let MigrateError::LockTimeout {
        holder: Some(who), ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(who.pid, pid);
    let message = err.to_string();
    assert!(
        message.starts_with("another migrate has held the migration lock for "),
        "{message}"
    );
    assert!(
        message.ends_with(&format!(
            ": pid {pid}, application_name \"the_other_runner\"; gave up after waiting 300 ms: \
             let it finish, or end it (SELECT pg_terminate_backend(pid)) if it is stuck"
        )),
        "{message}"
    );
    // Nothing was applied, and the pool is clean.
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert_clean(&test, &db, "a lock time-out").await;
    migrate::migrate(&db, &migrations(), |_| {}).await.unwrap();
}

/// `status` creates nothing: on a database never migrated it reads no
/// records and leaves the catalog as it was.
#[tokio::test]
async fn status_reads_only() {
    let (test, db) = setup().await;
    let states = migrate::status(&db, &migrations()).await.unwrap();
    assert_eq!(states.len(), 2);
    let created: Option<String> = test
        .client
        .query_one("SELECT to_regclass('\"__pgtable_migrations\"')::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(created, None, "status created the bookkeeping table");
}

/// An error PostgreSQL answered with leaves the connection in a known
/// state: it goes back to the pool, it is not discarded.
#[tokio::test]
async fn server_errors_keep_the_connection() {
    let (_test, db) = setup().await;
    let pid = || async {
        sql("SELECT pg_backend_pid()")
            .fetch_one::<(i32,), _>(&db)
            .await
            .unwrap()
            .0
    };
    let before = pid().await;
    Event::insert(event(1)).execute(&db).await.unwrap();
    let duplicate = Event::insert(event(1)).execute(&db).await.unwrap_err();
    assert!(matches!(duplicate, Error::UniqueViolation { .. }));
    let missing = sql("SELECT * FROM nosuch").execute(&db).await.unwrap_err();
    assert_eq!(missing.code().map(|c| c.code()), Some("42P01"));
    let tx = db.begin().await.unwrap();
    let _ = sql("SELECT * FROM nosuch").execute(&tx).await.unwrap_err();
    drop(tx);
    assert_eq!(
        pid().await,
        before,
        "the pool's one connection was replaced"
    );
}
