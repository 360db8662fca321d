//! `index(…, concurrently)`: on an existing table, `generate` puts the
//! index in a migration of its own marked `-- pgtable: no-transaction`,
//! `migrate` builds it with `CREATE INDEX CONCURRENTLY` outside a
//! transaction, the linter is satisfied, and `migrate down` drops it.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, MigrationDir};

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

    #[table(
        name = "notes",
        index(name = "notes_title_idx", columns(title), concurrently)
    )]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        pub title: String,
        pub body: Option<String>,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>()
    }
}

#[tokio::test]
async fn the_index_is_built_concurrently_in_a_migration_of_its_own()
-> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::new().await;
    let db = test.db();
    let tmp = tempfile::tempdir()?;
    let dir = MigrationDir::new(tmp.path());
    dir.generate(&v1::schema(), "init")?;
    migrate::migrate(&db, &dir.migrations()?, |_| {}).await?;
    test.client
        .batch_execute("INSERT INTO notes (title) SELECT 'n' || g FROM generate_series(1, 1000) g")
        .await?;

    let generated = dir.generate(&v2::schema(), "title index")?.unwrap();
    let main = std::fs::read_to_string(&generated.sql_path)?;
    assert!(main.contains(r#"ADD COLUMN "body" text"#), "{main}");
    assert!(!main.contains("CREATE INDEX"), "{main}");
    let concurrent_path = generated.concurrent_path.expect("a second migration");
    assert!(concurrent_path.ends_with("0003_title_index_concurrently.sql"));
    let concurrent = std::fs::read_to_string(&concurrent_path)?;
    assert!(
        concurrent.starts_with("-- pgtable: no-transaction\n")
            && concurrent.contains(
                r#"CREATE INDEX CONCURRENTLY IF NOT EXISTS "notes_title_idx" ON "notes" USING btree ("title");"#
            ),
        "{concurrent}"
    );
    assert!(migrate::lint(&concurrent, None).is_empty());
    let down = std::fs::read_to_string(tmp.path().join("0003_title_index_concurrently.down.sql"))?;
    assert!(
        down.contains(r#"DROP INDEX "public"."notes_title_idx";"#),
        "{down}"
    );

    let applied = migrate::migrate(&db, &dir.migrations()?, |_| {}).await?;
    assert_eq!(
        applied,
        ["0002_title_index", "0003_title_index_concurrently"]
    );
    let (valid,): (bool,) = pgtable::sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'notes_title_idx'::regclass",
    )
    .fetch_one(&db)
    .await?;
    assert!(valid);
    assert!(migrate::drift(&db, &v2::schema()).await?.is_empty());
    // Nothing left to apply; and down undoes both, last first.
    assert!(
        migrate::migrate(&db, &dir.migrations()?, |_| {})
            .await?
            .is_empty()
    );
    let undone = migrate::migrate_down(
        &db,
        &dir.migrations()?,
        &dir.down_migrations()?,
        Some(1),
        |_| {},
    )
    .await?;
    assert_eq!(
        undone,
        ["0003_title_index_concurrently", "0002_title_index"]
    );
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());
    Ok(())
}
