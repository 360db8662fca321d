//! Stored generated columns (`generated = "price * quantity"`): the DDL,
//! absent from the insert type and patches, computed by the server, and
//! migrated when the expression changes.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, diff};
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;

mod v1 {
    use pgtable::prelude::*;

    #[table(name = "line_items")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct LineItem {
        #[column(primary_key, identity)]
        pub id: i32,
        pub price: i32,
        pub quantity: i32,
        #[column(generated = "price * quantity")]
        pub total: i32,
    }
}

mod v2 {
    use pgtable::prelude::*;

    #[table(name = "line_items")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct LineItem {
        #[column(primary_key, identity)]
        pub id: i32,
        pub price: i32,
        pub quantity: i32,
        #[column(generated = "price * quantity + 1")]
        pub total: i32,
    }
}

/// drizzle-kit's `integer('total').notNull().generatedAlwaysAs(sql\`price * quantity\`)`.
const DRIZZLE_LINE_ITEMS: &str = r#"CREATE TABLE "line_items" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "line_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"price" integer NOT NULL,
	"quantity" integer NOT NULL,
	"total" integer GENERATED ALWAYS AS (price * quantity) STORED NOT NULL
);"#;

#[test]
fn the_ddl_writes_the_expression() {
    assert_eq!(
        v1::LineItem::create_table(),
        "CREATE TABLE \"line_items\" (\n\t\"id\" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,\n\t\"price\" integer NOT NULL,\n\t\"quantity\" integer NOT NULL,\n\t\"total\" integer GENERATED ALWAYS AS (price * quantity) STORED NOT NULL\n);"
    );
}

#[tokio::test]
async fn the_server_computes_it() -> Result<(), Box<dyn std::error::Error>> {
    let schema = Schema::new().table::<v1::LineItem>();
    let test = TestDb::with_schema(&schema).await;
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_LINE_ITEMS).await?;
    let read = "SELECT column_name::text, is_nullable::text, is_generated::text, generation_expression::text
                FROM information_schema.columns WHERE table_name = 'line_items' ORDER BY ordinal_position";
    let columns =
        |rows: Vec<tokio_postgres::Row>| -> Vec<(String, String, String, Option<String>)> {
            rows.iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect()
        };
    let mine = columns(test.client.query(read, &[]).await?);
    assert_eq!(mine, columns(drizzle.client.query(read, &[]).await?));

    let db = test.db();
    // The insert type has no `total`: the server computes it.
    let item = v1::LineItem::insert(v1::NewLineItem {
        price: 250,
        quantity: 3,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!(item.total, 750);
    // Nor does the patch: changing a source column recomputes it.
    let updated = v1::LineItem::update()
        .set_patch(v1::LineItemPatch {
            quantity: Some(4),
            ..Default::default()
        })
        .filter(v1::LineItem::ID.eq(item.id))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(updated.total, 1_000);
    assert!(migrate::drift(&db, &schema).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_changed_expression_regenerates_the_column() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&Schema::new().table::<v1::LineItem>()).await;
    let db = test.db();
    v1::LineItem::insert(v1::NewLineItem {
        price: 2,
        quantity: 5,
    })
    .execute(&db)
    .await?;
    let v2_schema = Schema::new().table::<v2::LineItem>();
    let drift: Vec<String> = migrate::drift(&db, &v2_schema)
        .await?
        .into_iter()
        .map(|change| change.description)
        .collect();
    assert_eq!(drift, [r#"regenerate column "line_items"."total""#]);
    let changes = diff(
        &Snapshot::of(&Schema::new().table::<v1::LineItem>()),
        &Snapshot::of(&v2_schema),
    );
    assert_eq!(
        changes[0].statements,
        [
            r#"ALTER TABLE "line_items" DROP COLUMN "total";"#,
            r#"ALTER TABLE "line_items" ADD COLUMN "total" integer GENERATED ALWAYS AS (price * quantity + 1) STORED NOT NULL;"#,
        ]
    );
    assert!(!changes[0].destructive, "the values are computed again");
    for statement in &changes[0].statements {
        test.client.batch_execute(statement).await?;
    }
    let items = v2::LineItem::select().fetch_all(&db).await?;
    assert_eq!(items[0].total, 11);
    assert!(migrate::drift(&db, &v2_schema).await?.is_empty());
    Ok(())
}
