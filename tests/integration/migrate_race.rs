//! `status` and `migrate` started at once from separate OS processes on a
//! fresh database: every process succeeds and each migration is applied
//! once. (Before, `status` created the bookkeeping table without the lock
//! and collided with `migrate`: `duplicate key value … pg_type`.)

use crate::common;

use std::process::{Command, Stdio};

use common::TestDb;
use pgtable::Db;
use pgtable::migrate::{self, Migration};

const ROLE: &str = "PGTABLE_RACE_ROLE";
const URL: &str = "PGTABLE_RACE_URL";
/// The advisory lock the parent holds until every racer waits on it.
const BARRIER: i64 = 4242;

fn migrations() -> Vec<Migration> {
    migrate::embedded(&[
        (1, "0001_a", "CREATE TABLE a (id int PRIMARY KEY);"),
        (2, "0002_b", "CREATE TABLE b (id int PRIMARY KEY);"),
    ])
}

/// One racer: runs `status` or `migrate` and fails the process on error.
/// Started by `status_and_migrate_race_in_separate_processes` only.
#[test]
#[ignore = "a child process of status_and_migrate_race_in_separate_processes"]
fn racer() {
    let (Ok(role), Ok(url)) = (std::env::var(ROLE), std::env::var(URL)) else {
        panic!("run by status_and_migrate_race_in_separate_processes, with {ROLE} and {URL}");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = Db::connect(&url).await.unwrap();
        // The start line: wait until the parent lets every racer go at once.
        pgtable::sql("SELECT pg_advisory_lock_shared($1), pg_advisory_unlock_shared($1)")
            .bind(BARRIER)
            .execute(&db)
            .await
            .unwrap();
        match role.as_str() {
            "status" => drop(migrate::status(&db, &migrations()).await.unwrap()),
            "migrate" => drop(migrate::migrate(&db, &migrations(), |_| {}).await.unwrap()),
            other => panic!("unknown role {other}"),
        }
    });
}

#[tokio::test]
async fn status_and_migrate_race_in_separate_processes() {
    let me = std::env::current_exe().unwrap();
    for round in 0..5 {
        let test = TestDb::new().await;
        test.client
            .execute("SELECT pg_advisory_lock($1)", &[&BARRIER])
            .await
            .unwrap();
        let children: Vec<_> = ["status", "migrate"]
            .iter()
            .cycle()
            .take(10)
            .map(|role| {
                let child = Command::new(&me)
                    .args([
                        "migrate_race::racer",
                        "--exact",
                        "--ignored",
                        "--test-threads=1",
                    ])
                    .env(ROLE, role)
                    .env(URL, test.url())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (role, child)
            })
            .collect();
        // Every racer is connected and waiting: let them go together.
        loop {
            let waiting: i64 = test
                .client
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting == 10 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        test.client
            .execute("SELECT pg_advisory_unlock($1)", &[&BARRIER])
            .await
            .unwrap();
        let mut failed = Vec::new();
        for (role, child) in children {
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                failed.push(format!(
                    "{role}: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        assert!(
            failed.is_empty(),
            "round {round}: {} of 10 processes failed:\n{}",
            failed.len(),
            failed.join("\n")
        );
        let applied: i64 = test
            .client
            .query_one(r#"SELECT count(*) FROM "__pgtable_migrations""#, &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(applied, 2, "round {round}: each migration applied once");
    }
}
