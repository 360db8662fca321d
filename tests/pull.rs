//! `pull`: the database drizzle-kit creates for the Drizzle blog schema,
//! read back into Rust source. The source is checked in
//! (`tests/fixtures/drizzle-blog/pulled.rs`, regenerated with
//! `PGTABLE_UPDATE_FIXTURES=1`), compiled here as a module, and `check`
//! of that database against it finds no drift.
#![cfg(feature = "decimal")]

mod common;

#[path = "fixtures/drizzle-blog/pulled.rs"]
mod pulled;

use common::TestDb;
use pgtable::migrate;

const DRIZZLE_KIT_SQL: &str = include_str!("fixtures/drizzle-blog/0000_init.sql");
const PULLED: &str = "tests/fixtures/drizzle-blog/pulled.rs";

#[tokio::test]
async fn pulling_drizzle_kits_database_round_trips() -> Result<(), Box<dyn std::error::Error>> {
    let drizzle = TestDb::new().await;
    for statement in DRIZZLE_KIT_SQL.split("--> statement-breakpoint") {
        drizzle.client.batch_execute(statement).await?;
    }
    let db = drizzle.db();
    let source = migrate::pull(&db).await?;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PULLED);
    if std::env::var_os("PGTABLE_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &source)?;
    }
    assert_eq!(
        source,
        std::fs::read_to_string(&path)?,
        "pull's output changed: review it, then run with PGTABLE_UPDATE_FIXTURES=1"
    );
    let drift = common::drift_descriptions(&db, &pulled::schema()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    Ok(())
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
