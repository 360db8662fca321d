//! Aggregates with group by and having, typed.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, count_all};

#[table(name = "sales")]
#[derive(Debug, Clone, PartialEq)]
pub struct Sale {
    #[column(primary_key, identity)]
    pub id: i64,
    pub region: String,
    pub units: i32,
    pub price: f64,
    pub big: i64,
    pub note: Option<String>,
}

/// Region, sales, units, big units, average units, top price, distinct notes.
type RegionStats = (
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<f64>,
    i64,
);

fn sale(region: &str, units: i32, price: f64, note: Option<&str>) -> NewSale {
    NewSale {
        region: region.into(),
        units,
        price,
        big: i64::from(units) * 1_000_000_000_000,
        note: note.map(str::to_owned),
    }
}

#[test]
fn aggregate_sql() {
    assert_eq!(
        Sale::select_columns((
            Sale::REGION,
            count_all::<Sale>(),
            Sale::UNITS.sum(),
            Sale::BIG.sum(),
            Sale::UNITS.avg()
        ))
        .filter(Sale::PRICE.gt(0.0))
        .group_by(Sale::REGION)
        .having(Sale::ID.count().ge(2))
        .order_by(Sale::UNITS.sum().desc())
        .to_sql(),
        r#"SELECT "region", count(*), sum("sales"."units"), CAST(sum("sales"."big") AS bigint), CAST(avg("sales"."units") AS double precision) FROM "sales" WHERE "sales"."price" > $1 GROUP BY "sales"."region" HAVING count("sales"."id") >= $2 ORDER BY sum("sales"."units") DESC"#
    );
}

#[tokio::test]
async fn grouped_aggregates_are_typed() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Sale>()).await;
    let db = test.db();
    Sale::insert_many([
        sale("north", 3, 2.5, Some("a")),
        sale("north", 5, 1.5, None),
        sale("south", 7, 4.0, Some("b")),
        sale("south", 1, 4.0, Some("b")),
        sale("west", 2, 9.0, None),
    ])
    .execute(&db)
    .await?;

    let rows: Vec<RegionStats> = Sale::select_columns((
        Sale::REGION,
        count_all::<Sale>(),
        Sale::UNITS.sum(),
        Sale::BIG.sum(),
        Sale::UNITS.avg(),
        Sale::PRICE.max(),
        Sale::NOTE.count_distinct(),
    ))
    .group_by(Sale::REGION)
    .having(Sale::ID.count().ge(2))
    .order_by(Sale::REGION)
    .fetch_all(&db)
    .await?;
    assert_eq!(
        rows,
        [
            (
                "north".into(),
                2,
                Some(8),
                Some(8_000_000_000_000),
                Some(4.0),
                Some(2.5),
                1
            ),
            (
                "south".into(),
                2,
                Some(8),
                Some(8_000_000_000_000),
                Some(4.0),
                Some(4.0),
                1
            ),
        ]
    );

    // Over no rows: count is 0, the others NULL.
    let empty: (i64, Option<i64>, Option<f64>, Option<String>) = Sale::select_columns((
        count_all::<Sale>(),
        Sale::UNITS.sum(),
        Sale::PRICE.avg(),
        Sale::REGION.min(),
    ))
    .filter(Sale::REGION.eq("nowhere"))
    .fetch_one(&db)
    .await?;
    assert_eq!(empty, (0, None, None, None));

    // Counting grouped rows counts the groups.
    assert_eq!(Sale::select().group_by(Sale::REGION).count(&db).await?, 3);
    Ok(())
}
