//! The command line a binary gets from `pgtable::cli::run`, driven in
//! process: generate, migrate, status, check and ddl, with their exit codes.

mod common;
#[path = "../examples/schema/mod.rs"]
mod schema;

use std::process::ExitCode;

use common::TestDb;

async fn run(dir: &std::path::Path, url: &str, args: &[&str]) -> ExitCode {
    let mut argv = vec!["db", "--dir", dir.to_str().unwrap(), "--database-url", url];
    argv.extend_from_slice(args);
    pgtable::cli::run_with(schema::schema(), argv).await
}

#[tokio::test]
async fn the_workflow_and_its_exit_codes() {
    let test = TestDb::new().await;
    let url = test.url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    assert_eq!(
        run(dir, &url, &["generate", "init"]).await,
        ExitCode::SUCCESS
    );
    assert!(dir.join("0001_init.sql").exists() && dir.join("meta/0001_snapshot.json").exists());
    // No change, no new file.
    assert_eq!(
        run(dir, &url, &["generate", "again"]).await,
        ExitCode::SUCCESS
    );
    assert!(!dir.join("0002_again.sql").exists());

    // Before migrating, the database lacks the schema: drift.
    assert_eq!(run(dir, &url, &["check"]).await, ExitCode::FAILURE);
    assert_eq!(run(dir, &url, &["migrate"]).await, ExitCode::SUCCESS);
    assert_eq!(run(dir, &url, &["status"]).await, ExitCode::SUCCESS);
    assert_eq!(run(dir, &url, &["check"]).await, ExitCode::SUCCESS);
    assert_eq!(run(dir, &url, &["ddl"]).await, ExitCode::SUCCESS);

    // An edited applied file: status and migrate fail.
    let file = dir.join("0001_init.sql");
    let sql = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, sql + "\n-- edited\n").unwrap();
    assert_eq!(run(dir, &url, &["status"]).await, ExitCode::FAILURE);
    assert_eq!(run(dir, &url, &["migrate"]).await, ExitCode::FAILURE);

    // Usage and configuration errors.
    assert_eq!(run(dir, &url, &["frobnicate"]).await, ExitCode::from(2));
    assert_eq!(
        run(dir, "postgres://nobody@127.0.0.1:1/x", &["migrate"]).await,
        ExitCode::FAILURE
    );
}

#[tokio::test]
async fn custom_and_hand_written_migrations_keep_the_snapshot_chain() {
    let test = TestDb::new().await;
    let url = test.url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(
        run(dir, &url, &["generate", "init"]).await,
        ExitCode::SUCCESS
    );

    // A file written by hand, with no snapshot beside it: generate goes on
    // from the latest snapshot there is.
    std::fs::write(
        dir.join("0002_helpers.sql"),
        "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
    )
    .unwrap();
    assert_eq!(
        run(dir, &url, &["generate", "again"]).await,
        ExitCode::SUCCESS
    );
    assert!(!dir.join("0003_again.sql").exists());

    // `generate --custom` writes a file to fill in, and the schema's
    // snapshot unchanged.
    assert_eq!(
        run(dir, &url, &["generate", "--custom", "seed tags"]).await,
        ExitCode::SUCCESS
    );
    let custom = dir.join("0003_seed_tags.sql");
    let text = std::fs::read_to_string(&custom).unwrap();
    assert!(
        text.starts_with("-- 0003_seed_tags\n-- A custom migration"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("meta/0003_snapshot.json")).unwrap(),
        std::fs::read_to_string(dir.join("meta/0001_snapshot.json")).unwrap()
    );
    std::fs::write(&custom, text + "INSERT INTO tags (name) VALUES ('rust');\n").unwrap();

    assert_eq!(run(dir, &url, &["migrate"]).await, ExitCode::SUCCESS);
    assert_eq!(run(dir, &url, &["check"]).await, ExitCode::SUCCESS);
    let (tags, one): (i64, i32) = {
        let row = test
            .client
            .query_one("SELECT (SELECT count(*) FROM tags), one()", &[])
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!((tags, one), (1, 1));
}

#[tokio::test]
async fn create_drop_and_reset_the_database_the_url_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A database name of this test's own, on the test server.
    let name = format!("pgtable_cli_{}", uuid::Uuid::new_v4().simple());
    let admin = TestDb::new().await;
    let url = admin.url().replace(admin.name(), &name);
    let exists = |name: String| {
        let client = &admin.client;
        async move {
            client
                .query_one(
                    "SELECT count(*) FROM pg_database WHERE datname = $1",
                    &[&name],
                )
                .await
                .unwrap()
                .get::<_, i64>(0)
                == 1
        }
    };
    assert_eq!(run(dir, &url, &["create"]).await, ExitCode::SUCCESS);
    assert!(exists(name.clone()).await);
    // Again: it exists, which is fine.
    assert_eq!(run(dir, &url, &["create"]).await, ExitCode::SUCCESS);

    assert_eq!(
        run(dir, &url, &["generate", "init"]).await,
        ExitCode::SUCCESS
    );
    assert_eq!(
        run(dir, &url, &["reset"]).await,
        ExitCode::FAILURE,
        "needs --force"
    );
    assert_eq!(
        run(dir, &url, &["reset", "--force"]).await,
        ExitCode::SUCCESS
    );
    assert_eq!(run(dir, &url, &["check"]).await, ExitCode::SUCCESS);

    assert_eq!(
        run(dir, &url, &["drop"]).await,
        ExitCode::FAILURE,
        "needs --force"
    );
    assert!(exists(name.clone()).await);
    assert_eq!(
        run(dir, &url, &["drop", "--force"]).await,
        ExitCode::SUCCESS
    );
    assert!(!exists(name).await);
}

#[tokio::test]
async fn status_refuses_a_migration_that_sorts_before_applied_ones() {
    let test = TestDb::new().await;
    let url = test.url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("0002_second.sql"), "SELECT 1;\n").unwrap();
    assert_eq!(run(dir, &url, &["migrate"]).await, ExitCode::SUCCESS);
    assert_eq!(run(dir, &url, &["status"]).await, ExitCode::SUCCESS);
    std::fs::write(dir.join("0001_first.sql"), "SELECT 1;\n").unwrap();
    assert_eq!(run(dir, &url, &["status"]).await, ExitCode::FAILURE);
    assert_eq!(run(dir, &url, &["migrate"]).await, ExitCode::FAILURE);
}

#[tokio::test]
async fn lint_fails_on_risky_statements_until_each_is_accepted() {
    let test = TestDb::new().await;
    let url = test.url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(
        run(dir, &url, &["generate", "init"]).await,
        ExitCode::SUCCESS
    );
    // A new schema's tables have no rows: nothing to report.
    assert_eq!(run(dir, &url, &["lint"]).await, ExitCode::SUCCESS);

    let risky = "ALTER TABLE \"users\" ALTER COLUMN \"email\" SET NOT NULL;\nALTER TABLE \"users\" DROP COLUMN \"email\";\n";
    std::fs::write(dir.join("0002_by_hand.sql"), risky).unwrap();
    let findings: Vec<&str> = pgtable::migrate::lint(
        risky,
        Some(&pgtable::snapshot::Snapshot::of(&schema::schema())),
    )
    .iter()
    .map(|f| f.id)
    .collect();
    assert_eq!(findings, ["set-not-null", "drop-used"]);
    assert_eq!(run(dir, &url, &["lint"]).await, ExitCode::FAILURE);

    let accepted = "-- pgtable-lint: allow set-not-null\nALTER TABLE \"users\" ALTER COLUMN \"email\" SET NOT NULL;\n-- pgtable-lint: allow drop-used\nALTER TABLE \"users\" DROP COLUMN \"email\";\n";
    std::fs::write(dir.join("0002_by_hand.sql"), accepted).unwrap();
    assert_eq!(run(dir, &url, &["lint"]).await, ExitCode::SUCCESS);
}
