//! Down migrations: `generate` writes `NNNN_name.down.sql` from the
//! reverse diff, `migrate down` undoes the last migration (or every one
//! after `--to NNNN`) and leaves the catalog as it was (`pg_dump -s`
//! equal), renames are turned back with their data, and a custom
//! migration's down file must be written before it runs.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, MigrateError, MigrationDir};
use pgtable::prelude::*;

mod v1 {
    use pgtable::prelude::*;

    #[table(name = "notes")]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        pub title: String,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>()
    }
}

mod v2 {
    use pgtable::prelude::*;

    #[table(name = "notes", index(name = "notes_heading_idx", columns(heading)))]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(renamed_from = "title")]
        pub heading: String,
        #[column(default = false)]
        pub pinned: bool,
    }

    #[table(name = "tags")]
    pub struct Tag {
        #[column(primary_key, identity)]
        pub id: i64,
        pub name: String,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>().table::<Tag>()
    }
}

async fn apply(dir: &MigrationDir, db: &Db) -> Result<Vec<String>, MigrateError> {
    migrate::migrate(db, &dir.migrations()?, |_| {}).await
}

async fn undo(dir: &MigrationDir, db: &Db, to: Option<u32>) -> Result<Vec<String>, MigrateError> {
    migrate::migrate_down(db, &dir.migrations()?, &dir.down_migrations()?, to, |_| {}).await
}

#[tokio::test]
async fn down_restores_the_previous_catalog_and_keeps_renamed_data()
-> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::new().await;
    let db = test.db();
    let tmp = tempfile::tempdir()?;
    let dir = MigrationDir::new(tmp.path());
    dir.generate(&v1::schema(), "init")?;
    assert!(tmp.path().join("0001_init.down.sql").exists());
    apply(&dir, &db).await?;
    test.client
        .batch_execute("INSERT INTO notes (title) VALUES ('kept')")
        .await?;
    let dump = common::pg_dump().ok();
    let before = dump.as_ref().map(|d| common::schema_dump(d, &test));

    let generated = dir.generate(&v2::schema(), "headings")?.unwrap();
    let down = std::fs::read_to_string(tmp.path().join("0002_headings.down.sql"))?;
    assert!(
        down.contains(r#"ALTER TABLE "notes" RENAME COLUMN "heading" TO "title";"#),
        "{down}"
    );
    assert!(
        down.contains("-- DESTRUCTIVE: drop table \"tags\""),
        "{down}"
    );
    assert!(!generated.changes.is_empty());
    apply(&dir, &db).await?;
    assert!(migrate::drift(&db, &v2::schema()).await?.is_empty());

    assert_eq!(undo(&dir, &db, None).await?, ["0002_headings"]);
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());
    let title: String = test
        .client
        .query_one("SELECT title FROM notes", &[])
        .await?
        .get(0);
    assert_eq!(title, "kept");
    match (&dump, before) {
        (Some(pg_dump), Some(before)) => assert_eq!(common::schema_dump(pg_dump, &test), before),
        _ => common::skip("pg_dump comparison of down migrations", "no pg_dump"),
    }
    // The undone migration is pending again; up and down again to 0001.
    assert_eq!(apply(&dir, &db).await?, ["0002_headings"]);
    assert_eq!(undo(&dir, &db, Some(1)).await?, ["0002_headings"]);
    assert!(undo(&dir, &db, Some(1)).await?.is_empty());
    Ok(())
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn a_custom_migrations_down_must_be_written_first() -> Result<(), Box<dyn std::error::Error>>
{
    let test = TestDb::new().await;
    let db = test.db();
    let tmp = tempfile::tempdir()?;
    let dir = MigrationDir::new(tmp.path());
    dir.generate(&v1::schema(), "init")?;
    let custom = dir.generate_custom("seed")?;
    std::fs::write(
        &custom.sql_path,
        "INSERT INTO notes (title) VALUES ('seeded');\n",
    )?;
    apply(&dir, &db).await?;
    let err = undo(&dir, &db, None).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::NoDown { name } if name == "0002_seed"),
        "{err}"
    );
    assert!(err.to_string().contains("0002_seed.down.sql"), "{err}");
    // `?` in a function returning pgtable::Error keeps the message.
    let converted = pgtable::Error::from(err);
    assert!(
        matches!(&converted, pgtable::Error::Migration(_))
            && converted.to_string().contains("0002_seed.down.sql"),
        "{converted}"
    );
    let seeded: i64 = test
        .client
        .query_one("SELECT count(*) FROM notes", &[])
        .await?
        .get(0);
    assert_eq!(seeded, 1, "nothing was undone");

    let down = tmp.path().join("0002_seed.down.sql");
    let text = std::fs::read_to_string(&down)?;
    std::fs::write(&down, text + "DELETE FROM notes WHERE title = 'seeded';\n")?;
    // Through the command line, as a user would.
    let url = test.url();
    let argv = [
        "db",
        "--dir",
        tmp.path().to_str().unwrap(),
        "--database-url",
        &url,
        "migrate",
        "down",
    ];
    assert_eq!(
        pgtable::cli::run_with(v1::schema(), argv).await,
        std::process::ExitCode::SUCCESS
    );
    let left: i64 = test
        .client
        .query_one("SELECT count(*) FROM notes", &[])
        .await?
        .get(0);
    assert_eq!(left, 0);
    Ok(())
}
