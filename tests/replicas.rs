//! Read replicas against real servers: a private primary and a streaming
//! replica of it (`pg_basebackup -R`). Reads go to the replica, writes and
//! transactions to the primary; `db.primary()`, the read-your-writes
//! window, the lag bound and a stopped replica send reads to the primary.

mod common;

use std::time::{Duration, Instant};

use common::cluster::PrivateCluster;
use pgtable::prelude::*;
use pgtable::{Error, sql};

#[table(name = "notes")]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}

/// Held by each test that reads through a replica: the `db.replica`
/// values `replicas_recorded` collects are the whole process's, and one
/// test asserts exactly which replica served its read.
static REPLICA_READS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Pair {
    primary: PrivateCluster,
    replica: PrivateCluster,
}

fn pair(test: &str) -> Option<Pair> {
    let primary = match PrivateCluster::start() {
        Ok(primary) => primary,
        Err(why) => {
            common::skip(test, &why);
            return None;
        }
    };
    match primary.replica() {
        Ok(replica) => Some(Pair { primary, replica }),
        Err(why) => {
            common::skip(test, &why);
            None
        }
    }
}

/// Waits until the replica has replayed everything the primary wrote.
async fn caught_up(pair: &Pair) {
    let primary = Db::connect(&pair.primary.url("postgres")).await.unwrap();
    let replica = Db::connect(&pair.replica.url("postgres")).await.unwrap();
    let (lsn,): (String,) = sql("SELECT pg_current_wal_lsn()::text")
        .fetch_one(&primary)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (done,): (bool,) = sql("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
            .bind(lsn.clone())
            .fetch_one(&replica)
            .await
            .unwrap();
        if done {
            return;
        }
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A `Db` over the pair, with the notes table holding one row on both
/// servers and a second on the primary only (replay paused): which server
/// answered a read shows in its count.
async fn one_row_apart(pair: &Pair) -> Result<Db, Error> {
    let db = Db::builder(&pair.primary.url("postgres"))
        .replicas([pair.replica.url("postgres")])
        .build()?;
    sql(Note::create_table()).execute(&db).await?;
    Note::insert(note(1)).execute(&db).await?;
    caught_up(pair).await;
    replay(pair, true).await;
    Note::insert(note(2)).execute(&db).await?;
    Ok(db)
}

async fn replay(pair: &Pair, paused: bool) {
    let replica = Db::connect(&pair.replica.url("postgres")).await.unwrap();
    let call = if paused {
        "SELECT pg_wal_replay_pause()"
    } else {
        "SELECT pg_wal_replay_resume()"
    };
    sql(call).execute(&replica).await.unwrap();
}

/// The `db.replica` values recorded on pgtable's query spans, by a small
/// subscriber that tracks the current span (as real ones do) so that
/// `Span::current().record(..)` reaches it.
fn replicas_recorded() -> &'static std::sync::Mutex<Vec<String>> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Mutex, OnceLock};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};
    use tracing_core::span::Current;

    static SEEN: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    thread_local! {
        static STACK: RefCell<Vec<Id>> = const { RefCell::new(Vec::new()) };
    }
    #[derive(Default)]
    struct Recorder {
        next: AtomicU64,
        spans: Mutex<HashMap<u64, &'static Metadata<'static>>>,
    }
    struct Replica<'a>(&'a Mutex<Vec<String>>);
    impl Visit for Replica<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "db.replica" {
                self.0.lock().unwrap().push(value.to_owned());
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }
    impl Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            self.spans.lock().unwrap().insert(id, span.metadata());
            Id::from_u64(id)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            values.record(&mut Replica(SEEN.get().unwrap()));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, id: &Id) {
            STACK.with(|s| s.borrow_mut().push(id.clone()));
        }
        fn exit(&self, _: &Id) {
            STACK.with(|s| s.borrow_mut().pop());
        }
        fn current_span(&self) -> Current {
            match STACK.with(|s| s.borrow().last().cloned()) {
                Some(id) => match self.spans.lock().unwrap().get(&id.into_u64()) {
                    Some(meta) => Current::new(id, meta),
                    None => Current::none(),
                },
                None => Current::none(),
            }
        }
    }
    SEEN.get_or_init(|| {
        tracing::subscriber::set_global_default(Recorder::default())
            .expect("one subscriber in this binary");
        Mutex::new(Vec::new())
    })
}

fn note(id: i64) -> NewNote {
    NewNote {
        id,
        body: format!("note {id}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_the_replica_and_writes_to_the_primary() -> Result<(), Error> {
    let _serial = REPLICA_READS.lock().await;
    let Some(pair) = pair("reads_go_to_the_replica_and_writes_to_the_primary") else {
        return Ok(());
    };
    let db = one_row_apart(&pair).await?;
    let recorded = replicas_recorded();
    recorded.lock().unwrap().clear();
    assert_eq!(
        Note::select().count(&db).await?,
        1,
        "a read went to the replica"
    );
    // The span says which replica served it.
    assert_eq!(
        *recorded.lock().unwrap(),
        [format!("127.0.0.1:{}", pair.replica.port())]
    );
    assert_eq!(
        Note::select().fetch_all(&db).await?.len(),
        1,
        "fetch_all went to the replica"
    );
    assert_eq!(
        Note::select().count(&db.primary()).await?,
        2,
        "db.primary()"
    );
    // Transactions, raw SQL and writes go to the primary.
    let tx = db.begin().await?;
    assert_eq!(Note::select().count(&tx).await?, 2);
    tx.commit().await?;
    let (port,): (i32,) = sql("SELECT inet_server_port()").fetch_one(&db).await?;
    assert_eq!(port, i32::from(pair.primary.port()));
    let status = db.status();
    assert_eq!(status.replicas.len(), 1);
    assert!(status.replicas[0].in_use);
    replay(&pair, false).await;
    caught_up(&pair).await;
    assert_eq!(Note::select().count(&db).await?, 2);

    // Read-your-writes: right after a write, reads go to the primary.
    let ryw = Db::builder(&pair.primary.url("postgres"))
        .replicas([pair.replica.url("postgres")])
        .read_your_writes(Duration::from_secs(2))
        .build()?;
    replay(&pair, true).await;
    Note::insert(note(3)).execute(&ryw).await?;
    assert_eq!(Note::select().count(&ryw).await?, 3, "read your writes");
    // A replica too far behind is skipped.
    let bounded = Db::builder(&pair.primary.url("postgres"))
        .replicas([pair.replica.url("postgres")])
        .max_replica_lag(Duration::from_millis(100))
        .build()?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        Note::select().count(&bounded).await?,
        3,
        "a lagging replica is skipped"
    );
    assert!(!bounded.status().replicas[0].in_use);
    replay(&pair, false).await;
    caught_up(&pair).await;

    // A replica connects with its own URL's TLS settings: this replica has
    // no TLS, so sslmode=require on its URL (and only there) keeps reads
    // on the primary.
    let strict = Db::builder(&pair.primary.url("postgres"))
        .replicas([format!("{}?sslmode=require", pair.replica.url("postgres"))])
        .build()?;
    assert_eq!(Note::select().count(&strict).await?, 3);
    assert!(!strict.status().replicas[0].in_use);

    // A stopped replica: reads fall back to the primary, without errors.
    pair.replica.pg_ctl(&["stop", "-m", "fast", "-w"]).unwrap();
    for _ in 0..5 {
        assert_eq!(Note::select().count(&db).await?, 3);
    }
    assert!(!db.status().replicas[0].in_use);
    Ok(())
}

/// A replica that ends its sessions (a shutdown, a restart) leaves a dead
/// connection idle in the pool, which the pool hands out again until the
/// connection's task has seen it close. A read on it runs on the primary
/// instead, without an error, and reads leave the replica for a while.
///
/// Deterministic: on a current-thread runtime, the sessions are ended from
/// another thread while this one blocks, so the pooled connection's task
/// cannot run in between and see the close first.
#[test]
fn a_read_on_a_replica_connection_that_was_ended_runs_on_the_primary() -> Result<(), Error> {
    let _serial = REPLICA_READS.blocking_lock();
    let Some(pair) = pair("a_read_on_a_replica_connection_that_was_ended_runs_on_the_primary")
    else {
        return Ok(());
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = one_row_apart(&pair).await?;
        assert_eq!(Note::select().count(&db).await?, 1, "read on the replica");

        // The replica ends every client session, the pooled one too, from
        // another thread: this one blocks meanwhile, so the pooled
        // connection's task does not run and the pool does not see it close.
        let replica = pair.replica.url("postgres");
        std::thread::spawn(move || end_client_sessions(&replica))
            .join()
            .unwrap();
        assert_eq!(
            Note::select().count(&db).await?,
            2,
            "the read ran on the primary"
        );
        assert!(!db.status().replicas[0].in_use, "the replica is left");
        Ok::<_, Error>(())
    })?;
    Ok(())
}

/// Ends every client session on the server at `url` but its own, and
/// waits until they have ended; on a runtime of its own.
fn end_client_sessions(url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        const OTHERS: &str = "FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
        client
            .execute(&format!("SELECT pg_terminate_backend(pid) {OTHERS}"), &[])
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let row = client
                .query_one(&format!("SELECT count(*) {OTHERS}"), &[])
                .await
                .unwrap();
            if row.get::<_, i64>(0) == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "the sessions did not end");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
}

/// Read throughput with 20 tasks: primary only, then primary + replica.
/// A measurement for BENCHMARKS.md, not a test: run it with
/// `cargo test --test replicas -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test --test replicas -- --ignored --nocapture"]
async fn read_throughput_with_and_without_a_replica() -> Result<(), Error> {
    let Some(pair) = pair("read_throughput_with_and_without_a_replica") else {
        return Ok(());
    };
    let primary_only = Db::builder(&pair.primary.url("postgres"))
        .max_size(10)
        .build()?;
    sql(Note::create_table()).execute(&primary_only).await?;
    Note::insert_many((0..100).map(note))
        .execute(&primary_only)
        .await?;
    caught_up(&pair).await;
    let with_replica = Db::builder(&pair.primary.url("postgres"))
        .max_size(10)
        .replicas([pair.replica.url("postgres")])
        .build()?;
    for (name, db) in [
        ("primary only", primary_only),
        ("primary + replica", with_replica),
    ] {
        let started = Instant::now();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut reads = 0u64;
                    while started.elapsed() < Duration::from_secs(3) {
                        Note::select()
                            .filter(Note::ID.lt(50))
                            .fetch_all(&db)
                            .await
                            .unwrap();
                        reads += 1;
                    }
                    reads
                })
            })
            .collect();
        let mut reads = 0;
        for task in tasks {
            reads += task.await.unwrap();
        }
        let per_second = reads as f64 / started.elapsed().as_secs_f64();
        eprintln!("replica throughput: {name}: {per_second:.0} reads/s (20 tasks, 3 s)");
    }
    Ok(())
}

/// `Db::from_env` reads the replicas from `DATABASE_REPLICA_URLS`
/// (comma-separated). Run in a child process, so that the variables are
/// set before anything else in it runs.
#[test]
#[ignore = "a child process of from_env_reads_the_replica_urls"]
fn from_env_child() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = Db::from_env().await.unwrap();
        let status = db.status();
        assert_eq!(status.replicas.len(), 2, "{status:?}");
        assert_eq!(Note::select().count(&db).await.unwrap(), 0);
    });
}

#[tokio::test]
async fn from_env_reads_the_replica_urls() {
    let test = common::TestDb::with_schema(&Schema::new().table::<Note>()).await;
    // Two "replicas" that are the primary itself: enough to see them read.
    let url = test.url();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["from_env_child", "--exact", "--ignored", "--test-threads=1"])
        .env("DATABASE_URL", &url)
        .env("DATABASE_REPLICA_URLS", format!(" {url} , {url},"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
