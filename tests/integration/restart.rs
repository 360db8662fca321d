//! Restarts: 50 tasks write through one pool while a private server is
//! restarted (`-m fast`) and then killed (`-m immediate`) and started again.
//! The pool recovers by itself, and every id acknowledged with `Ok` is in
//! the table afterwards.

use crate::common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cluster::PrivateCluster;
use pgtable::Error;
use pgtable::prelude::*;

#[table(name = "acked")]
#[derive(Debug, Clone, PartialEq)]
pub struct Acked {
    #[column(primary_key)]
    pub id: i64,
}

/// A short name for what went wrong, to count errors by kind.
fn kind(err: &Error) -> String {
    match err {
        Error::Connect { .. } => "connect".into(),
        Error::OutcomeUnknown { .. } => "outcome unknown".into(),
        Error::PoolTimeout { .. } => "pool time-out".into(),
        other => match other.code() {
            Some(code) => format!("SQLSTATE {}", code.code()),
            None => format!("other: {other}"),
        },
    }
}

struct Load {
    acked: Mutex<Vec<i64>>,
    errors: Mutex<BTreeMap<String, usize>>,
    stop: AtomicBool,
    next: AtomicI64,
}

impl Load {
    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    /// Waits until a write is acknowledged after `since` acknowledgements,
    /// and returns how long that took.
    async fn recovered(&self, since: usize, started: Instant) -> Duration {
        while self.acked() <= since {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the pool did not recover within 30 s; errors so far: {:?}",
                self.errors.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        started.elapsed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_restarts_and_crashes() {
    let cluster = match PrivateCluster::start() {
        Ok(cluster) => cluster,
        Err(why) => return common::skip("acknowledged_writes_survive_restarts_and_crashes", &why),
    };
    let url = cluster.url("postgres");
    let db = Db::builder(&url)
        .max_size(10)
        .create_timeout(Duration::from_secs(2))
        .wait_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    pgtable::sql(Acked::create_table())
        .execute(&db)
        .await
        .unwrap();

    let load = Arc::new(Load {
        acked: Mutex::new(Vec::new()),
        errors: Mutex::new(BTreeMap::new()),
        stop: AtomicBool::new(false),
        next: AtomicI64::new(1),
    });
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (db, load) = (db.clone(), Arc::clone(&load));
            tokio::spawn(async move {
                while !load.stop.load(Ordering::Relaxed) {
                    let id = load.next.fetch_add(1, Ordering::Relaxed);
                    match Acked::insert(NewAcked { id }).execute(&db).await {
                        Ok(1) => load.acked.lock().unwrap().push(id),
                        Ok(n) => panic!("an insert of one row reported {n} rows"),
                        Err(err) => {
                            *load.errors.lock().unwrap().entry(kind(&err)).or_default() += 1;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut report = Vec::new();
    for (phase, steps) in [
        (
            "restart -m fast",
            &[&["restart", "-m", "fast", "-w"][..]][..],
        ),
        (
            "stop -m immediate, start",
            &[
                &["stop", "-m", "immediate", "-w"][..],
                &["start", "-w", "-t", "60"][..],
            ][..],
        ),
    ] {
        let before = load.acked();
        assert!(before > 0, "no write was acknowledged before {phase}");
        let started = Instant::now();
        for args in steps {
            cluster.pg_ctl(args).unwrap();
        }
        let recovered = load.recovered(load.acked(), started).await;
        report.push(format!(
            "{phase}: writes acknowledged again after {recovered:?}"
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    load.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }

    let stored: std::collections::HashSet<i64> = Acked::select_columns(Acked::ID)
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let acked = load.acked.lock().unwrap().clone();
    let lost: Vec<i64> = acked
        .iter()
        .copied()
        .filter(|id| !stored.contains(id))
        .collect();
    eprintln!(
        "restart test: {} writes acknowledged, {} lost; {}; errors by kind: {:?}",
        acked.len(),
        lost.len(),
        report.join("; "),
        load.errors.lock().unwrap()
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged writes were lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(20)]
    );
}
