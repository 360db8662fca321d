//! Sequences as schema items (Drizzle's `pgSequence`): the DDL
//! (drizzle-kit's), a column drawing its default from one, `next_value`,
//! migrations that create, alter and drop them, and `check`, which leaves
//! out the sequences serial and identity columns own.

use crate::common;

use common::TestDb;
use pgtable::migrate::diff;
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;
use pgtable::{SequenceDef, next_value};

pub const ORDER_NUMBERS: SequenceDef = SequenceDef::new("order_numbers").start_with(1000);
pub const COUNTDOWN: SequenceDef = SequenceDef::new("countdown")
    .schema("extra")
    .increment_by(-1)
    .cycle();

#[table(name = "orders")]
#[derive(Debug, PartialEq)]
pub struct Order {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default_sql = "nextval('order_numbers')")]
    pub number: i64,
    #[column(serial)]
    pub line: i32,
}

fn schema() -> Schema {
    Schema::new()
        .sequence(&ORDER_NUMBERS)
        .sequence(&COUNTDOWN)
        .table::<Order>()
}

#[test]
fn the_ddl_is_drizzle_kits_and_comes_before_the_tables() {
    let sql = schema().to_sql();
    let statements: Vec<&str> = sql.split("\n\n").map(str::trim).collect();
    assert_eq!(
        statements[..3],
        [
            r#"CREATE SCHEMA "extra";"#,
            r#"CREATE SEQUENCE "public"."order_numbers" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1;"#,
            r#"CREATE SEQUENCE "extra"."countdown" INCREMENT BY -1 MINVALUE -9223372036854775808 MAXVALUE -1 START WITH -1 CACHE 1 CYCLE;"#,
        ]
    );
    assert!(statements[3].starts_with(r#"CREATE TABLE "orders""#));
}

#[tokio::test]
async fn columns_and_callers_draw_from_it() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema()).await;
    let db = test.db();
    let first = Order::insert(NewOrder {
        number: None,
        line: None,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!((first.number, first.line), (1000, 1));
    assert_eq!(next_value(&ORDER_NUMBERS, &db).await?, 1001);
    assert_eq!(next_value(&COUNTDOWN, &db).await?, -1);
    assert_eq!(next_value(&COUNTDOWN, &db).await?, -2);
    // The serial column's own sequence is not a schema item: check is clean.
    let drift = common::drift_descriptions(&db, &schema()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    Ok(())
}

#[tokio::test]
async fn sequences_migrate_and_check_sees_a_change() -> Result<(), Box<dyn std::error::Error>> {
    const FASTER: SequenceDef = SequenceDef::new("order_numbers")
        .start_with(1000)
        .increment_by(10)
        .cache(20);
    let v1 = Schema::new().sequence(&ORDER_NUMBERS).sequence(&COUNTDOWN);
    let v2 = Schema::new().sequence(&FASTER);
    let test = TestDb::with_schema(&v1).await;
    let db = test.db();
    let changes = diff(&Snapshot::of(&v1), &Snapshot::of(&v2));
    assert_eq!(
        common::statements_of(&changes),
        [
            r#"ALTER SEQUENCE "public"."order_numbers" INCREMENT BY 10 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 20 NO CYCLE;"#,
            r#"DROP SEQUENCE "extra"."countdown";"#,
        ]
    );
    assert!(changes[1].destructive, "its position is lost");
    let before = common::drift_descriptions(&db, &v2).await?;
    assert_eq!(before, [r#"alter sequence "public"."order_numbers""#]);
    common::apply(&test.client, &changes).await?;
    let after = common::drift_descriptions(&db, &v2).await?;
    assert!(after.is_empty(), "{after:#?}");
    Ok(())
}
