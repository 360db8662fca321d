//! The README's migration section, followed as a newcomer would, through
//! the command line a binary gets from `pgtable::cli::run`: create the
//! database, generate the first migration, change the schema, generate,
//! lint, migrate, go down, migrate again, and pull the database back into
//! Rust. Each step's exit code and files are checked, and `check` after
//! each step that changes the database.

mod common;

use std::path::Path;
use std::process::ExitCode;

use common::TestDb;
use pgtable::prelude::*;

/// The first version of the schema.
mod v1 {
    use pgtable::prelude::*;

    #[table(name = "notes")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar(200))]
        pub title: String,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>()
    }
}

/// The change: a nullable column (safe on a table with rows) and a
/// second table referencing the first.
mod v2 {
    use pgtable::prelude::*;

    #[table(name = "notes")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar(200))]
        pub title: String,
        pub body: Option<String>,
    }

    #[table(name = "labels")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Label {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references = Note::ID, on_delete = cascade)]
        pub note_id: i64,
        pub name: String,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>().table::<Label>()
    }
}

async fn db(schema: Schema, dir: &Path, url: &str, args: &[&str]) -> ExitCode {
    let mut argv = vec!["db", "--dir", dir.to_str().unwrap(), "--database-url", url];
    argv.extend_from_slice(args);
    pgtable::cli::run_with(schema, argv).await
}

#[tokio::test]
async fn init_change_generate_lint_migrate_down_migrate_pull() {
    // The database the walkthrough creates, dropped at the end by TestDb.
    let test = TestDb::new().await;
    let url = test.url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ok = ExitCode::SUCCESS;

    // `db create` on a database that exists says so and succeeds.
    assert_eq!(db(v1::schema(), dir, &url, &["create"]).await, ok);

    // init: the first migration needs no database (a wrong URL is fine).
    let nowhere = "postgres://nobody@127.0.0.1:1/nowhere";
    assert_eq!(
        db(v1::schema(), dir, nowhere, &["generate", "init"]).await,
        ok
    );
    assert_eq!(db(v1::schema(), dir, &url, &["migrate"]).await, ok);
    assert_eq!(db(v1::schema(), dir, &url, &["check"]).await, ok);

    // change the schema, generate, lint.
    assert_eq!(
        db(
            v2::schema(),
            dir,
            nowhere,
            &["generate", "add_body_and_labels"]
        )
        .await,
        ok
    );
    for file in [
        "0002_add_body_and_labels.sql",
        "0002_add_body_and_labels.down.sql",
        "meta/0002_snapshot.json",
    ] {
        assert!(dir.join(file).exists(), "no {file}");
    }
    // Adding a nullable column and a new table is safe on a live table.
    assert_eq!(db(v2::schema(), dir, nowhere, &["lint"]).await, ok);

    // migrate: the database now has drift from v1 and none from v2.
    assert_eq!(db(v2::schema(), dir, &url, &["migrate"]).await, ok);
    assert_eq!(db(v2::schema(), dir, &url, &["check"]).await, ok);
    assert_eq!(
        db(v1::schema(), dir, &url, &["check"]).await,
        ExitCode::FAILURE
    );
    let db_pool = test.db();
    v2::Note::insert(v2::NewNote::new("kept".into()))
        .execute(&db_pool)
        .await
        .unwrap();

    // down: back to v1 (`tests/down_migrations.rs` compares `pg_dump -s`
    // too); the migration is pending again.
    assert_eq!(db(v2::schema(), dir, &url, &["migrate", "down"]).await, ok);
    assert_eq!(db(v1::schema(), dir, &url, &["check"]).await, ok);
    let kept = v1::Note::select().fetch_all(&db_pool).await.unwrap();
    assert_eq!(kept.len(), 1, "down drops what 0002 added, not the rows");

    // migrate again.
    assert_eq!(db(v2::schema(), dir, &url, &["migrate"]).await, ok);
    assert_eq!(db(v2::schema(), dir, &url, &["check"]).await, ok);
    assert_eq!(db(v2::schema(), dir, &url, &["status"]).await, ok);

    // pull: the database as Rust source, written to a new file only.
    let out = dir.join("pulled.rs");
    let out_arg = out.to_str().unwrap();
    assert_eq!(
        db(v2::schema(), dir, &url, &["pull", "--out", out_arg]).await,
        ok
    );
    let source = std::fs::read_to_string(&out).unwrap();
    for expected in [
        "pub struct Note {",
        "pub body: Option<String>,",
        "#[column(references = Note::ID, on_delete = cascade)]",
        "pub struct Label {",
    ] {
        assert!(source.contains(expected), "no {expected} in\n{source}");
    }
    // The bookkeeping table is pgtable's own, not the application's.
    assert!(!source.contains("__pgtable_migrations"), "{source}");
    assert_eq!(
        db(v2::schema(), dir, &url, &["pull", "--out", out_arg]).await,
        ExitCode::FAILURE,
        "pull never overwrites a file"
    );
}
