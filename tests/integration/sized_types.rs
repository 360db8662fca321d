//! Sized types written as attributes: `numeric(P, S)` and `char(N)`,
//! through the DDL (drizzle-kit's), the server and `check`.
#![cfg(feature = "decimal")]

use crate::common;

use std::str::FromStr;

use common::TestDb;
use pgtable::migrate;
use pgtable::prelude::*;
use rust_decimal::Decimal;

#[table(name = "products")]
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(numeric(10, 2))]
    pub price: Decimal,
    #[column(numeric(3, 1))]
    pub rating: Option<Decimal>,
    #[column(numeric(20))]
    pub stock: Decimal,
    #[column(char(3))]
    pub currency: String,
}

/// drizzle-kit's `numeric('price', { precision: 10, scale: 2 })`,
/// `numeric('stock', { precision: 20 })` and `char('currency', { length: 3 })`.
const DRIZZLE_PRODUCTS: &str = r#"CREATE TABLE "products" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "products_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"price" numeric(10, 2) NOT NULL,
	"rating" numeric(3, 1),
	"stock" numeric(20) NOT NULL,
	"currency" char(3) NOT NULL
);"#;

#[test]
fn the_ddl_writes_the_sizes() {
    assert_eq!(
        Product::create_table(),
        "CREATE TABLE \"products\" (\n\t\"id\" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,\n\t\"price\" numeric(10, 2) NOT NULL,\n\t\"rating\" numeric(3, 1),\n\t\"stock\" numeric(20) NOT NULL,\n\t\"currency\" char(3) NOT NULL\n);"
    );
}

#[tokio::test]
async fn sized_columns_are_drizzles_and_round_trip() -> Result<(), Box<dyn std::error::Error>> {
    let schema = Schema::new().table::<Product>();
    let ours = TestDb::with_schema(&schema).await;
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_PRODUCTS).await?;
    let read = "SELECT column_name::text, format_type(atttypid, atttypmod)
                FROM information_schema.columns c
                JOIN pg_attribute a ON a.attrelid = 'products'::regclass AND a.attname = c.column_name
                WHERE c.table_name = 'products' ORDER BY ordinal_position";
    let types = |rows: Vec<tokio_postgres::Row>| -> Vec<(String, String)> {
        rows.iter().map(|r| (r.get(0), r.get(1))).collect()
    };
    let mine = types(ours.client.query(read, &[]).await?);
    assert_eq!(mine, types(drizzle.client.query(read, &[]).await?));
    assert_eq!(mine[1].1, "numeric(10,2)");
    assert_eq!(mine[4].1, "character(3)");

    let db = ours.db();
    let product = Product::insert(NewProduct {
        price: Decimal::from_str("1234.5")?,
        rating: Some(Decimal::from_str("9.9")?),
        stock: Decimal::from_str("12345678901234567890")?,
        currency: "EUR".into(),
    })
    .returning()
    .fetch_one(&db)
    .await?;
    // The server keeps the scale it was given: 1234.50.
    assert_eq!(product.price.to_string(), "1234.50");
    assert_eq!(product.rating, Some(Decimal::from_str("9.9")?));
    assert_eq!(product.stock.to_string(), "12345678901234567890");
    assert_eq!(product.currency, "EUR");
    // Too many digits for numeric(3, 1) is the server's error, typed.
    let too_big = Product::insert(NewProduct {
        price: Decimal::ONE,
        rating: Some(Decimal::from_str("100")?),
        stock: Decimal::ONE,
        currency: "EUR".into(),
    })
    .execute(&db)
    .await;
    assert!(too_big.is_err());

    let drift: Vec<String> = migrate::drift(&db, &schema)
        .await?
        .into_iter()
        .map(|change| change.description)
        .collect();
    assert!(drift.is_empty(), "{drift:?}");
    Ok(())
}
