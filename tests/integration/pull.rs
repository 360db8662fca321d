//! `pull`: the database drizzle-kit creates for the Drizzle blog schema,
//! read back into Rust source. The source is checked in
//! (`tests/fixtures/drizzle-blog/pulled.rs`, regenerated with
//! `PGTABLE_UPDATE_FIXTURES=1`), compiled here as a module, and `check`
//! of that database against it finds no drift. The same is done for what
//! the blog schema lacks (`fixtures/pull/extras.sql`: foreign keys over
//! two columns, views).

use crate::common;

use crate::extras;
#[cfg(feature = "decimal")]
use crate::pulled;

use common::TestDb;
use pgtable::migrate;

/// Pulls the database `sql` creates (statements split as drizzle-kit
/// splits them), compares the source with the fixture at `fixture`, and
/// checks that the database has no drift from `schema`, the compiled
/// fixture.
async fn round_trip(
    sql: &str,
    fixture: &str,
    schema: fn() -> pgtable::Schema,
) -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::new().await;
    for statement in sql.split("--> statement-breakpoint") {
        test.client.batch_execute(statement).await?;
    }
    let db = test.db();
    let source = migrate::pull(&db).await?;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    if std::env::var_os("PGTABLE_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &source)?;
    }
    assert_eq!(
        source,
        std::fs::read_to_string(&path)?,
        "pull's output changed: review it, then run with PGTABLE_UPDATE_FIXTURES=1"
    );
    let drift = common::drift_descriptions(&db, &schema()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    Ok(())
}

#[cfg(feature = "decimal")]
#[tokio::test]
async fn pulling_drizzle_kits_database_round_trips() -> Result<(), Box<dyn std::error::Error>> {
    round_trip(
        include_str!("../fixtures/drizzle-blog/0000_init.sql"),
        "tests/fixtures/drizzle-blog/pulled.rs",
        pulled::schema,
    )
    .await
}

#[tokio::test]
async fn foreign_keys_over_two_columns_and_views_round_trip()
-> Result<(), Box<dyn std::error::Error>> {
    round_trip(
        include_str!("../fixtures/pull/extras.sql"),
        "tests/fixtures/pull/extras.rs",
        extras::schema,
    )
    .await
}

#[tokio::test]
async fn policies_and_sequences_are_pulled() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::new().await;
    test.client
        .batch_execute(
            "CREATE SEQUENCE order_numbers START WITH 1000 INCREMENT BY 5 CACHE 10;
             CREATE TABLE orders (id bigint PRIMARY KEY, number bigint DEFAULT nextval('order_numbers') NOT NULL, owner text NOT NULL);
             ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
             CREATE POLICY own ON orders AS RESTRICTIVE FOR SELECT TO public USING (owner = current_user);",
        )
        .await?;
    let source = migrate::pull(&test.db()).await?;
    for expected in [
        r#"pub const ORDER_NUMBERS: pgtable::SequenceDef = pgtable::SequenceDef::new("order_numbers").increment_by(5).start_with(1000).cache(10);"#,
        r#"policy(name = "own", as = "restrictive", for = "select", using = "(owner = CURRENT_USER)")"#,
        r#"#[column(default_sql = "nextval('order_numbers'::regclass)")]"#,
        ".sequence(&ORDER_NUMBERS)",
    ] {
        assert!(source.contains(expected), "no {expected} in\n{source}");
    }
    Ok(())
}
