//! Values written through the generated insert binding and read back through
//! the generated row decoding, over a plain tokio-postgres client, for every
//! mapped type: edge values, NULLs, and decode failures.

use crate::common;
use crate::schema;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use common::{TestDb, insert_returning};
use pgtable::prelude::*;
use uuid::Uuid;

#[table(name = "scalars")]
#[derive(Debug, Clone, PartialEq)]
pub struct Scalars {
    #[column(primary_key, identity)]
    pub id: i64,
    pub flag: bool,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub real: f32,
    pub double: f64,
    pub text: String,
    pub bytes: Vec<u8>,
    pub uuid: Uuid,
    pub ts: NaiveDateTime,
    pub tstz: DateTime<Utc>,
    pub date: NaiveDate,
    pub time: NaiveTime,
}

#[table(name = "nullable_scalars")]
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NullableScalars {
    pub flag: Option<bool>,
    pub small: Option<i16>,
    pub int: Option<i32>,
    pub big: Option<i64>,
    pub real: Option<f32>,
    pub double: Option<f64>,
    pub text: Option<String>,
    pub bytes: Option<Vec<u8>>,
    pub uuid: Option<Uuid>,
    pub ts: Option<NaiveDateTime>,
    pub tstz: Option<DateTime<Utc>>,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
}

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

fn new_scalars(s: &Scalars) -> NewScalars {
    NewScalars {
        flag: s.flag,
        small: s.small,
        int: s.int,
        big: s.big,
        real: s.real,
        double: s.double,
        text: s.text.clone(),
        bytes: s.bytes.clone(),
        uuid: s.uuid,
        ts: s.ts,
        tstz: s.tstz,
        date: s.date,
        time: s.time,
    }
}

#[tokio::test]
async fn edge_values_round_trip() {
    let db = TestDb::with_schema(&Schema::new().table::<Scalars>()).await;
    let lows = Scalars {
        id: 1,
        flag: false,
        small: i16::MIN,
        int: i32::MIN,
        big: i64::MIN,
        real: f32::MIN,
        double: f64::NEG_INFINITY,
        text: String::new(),
        bytes: Vec::new(),
        uuid: Uuid::nil(),
        ts: ts("0001-01-01 00:00:00.000001"),
        tstz: DateTime::from_timestamp(-62_135_596_800, 1_000).unwrap(),
        date: NaiveDate::from_ymd_opt(-4713, 11, 24).unwrap(),
        time: NaiveTime::from_hms_micro_opt(0, 0, 0, 0).unwrap(),
    };
    let highs = Scalars {
        id: 2,
        flag: true,
        small: i16::MAX,
        int: i32::MAX,
        big: i64::MAX,
        real: f32::MAX,
        double: f64::MAX,
        text: "naïve 日本語 🐘 'quoted' \"double\" ; -- $1 \\ \t\n".repeat(100),
        bytes: (0..=255).collect(),
        uuid: Uuid::max(),
        ts: ts("2999-12-31 23:59:59.999999"),
        tstz: DateTime::from_timestamp(32_503_680_000, 999_999_000).unwrap(),
        date: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
        time: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
    };
    let fractions = Scalars {
        id: 3,
        real: 0.1,
        double: -0.1,
        small: 0,
        int: -1,
        big: 1 << 53,
        ts: ts("2024-02-29 12:34:56.789012"),
        tstz: DateTime::from_timestamp(1_709_210_096, 789_012_000).unwrap(),
        ..highs.clone()
    };
    for expected in [lows, highs, fractions] {
        let got = insert_returning(&db.client, &new_scalars(&expected))
            .await
            .unwrap();
        assert_eq!(got, expected);
    }

    // The same rows decode from a plain SELECT in declaration order.
    let rows = db
        .client
        .query("SELECT * FROM scalars ORDER BY id", &[])
        .await
        .unwrap();
    let read: Vec<Scalars> = rows.iter().map(|r| Scalars::from_row(r).unwrap()).collect();
    assert_eq!(read.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2, 3]);
}

#[tokio::test]
async fn nulls_and_values_round_trip() {
    let db = TestDb::with_schema(&Schema::new().table::<NullableScalars>()).await;
    let nulls = NullableScalars::default();
    let got = insert_returning(&db.client, &NewNullableScalars::default())
        .await
        .unwrap();
    assert_eq!(got, nulls);

    let values = NullableScalars {
        flag: Some(true),
        small: Some(-7),
        int: Some(0),
        big: Some(i64::MIN),
        real: Some(f32::INFINITY),
        double: Some(1e-300),
        text: Some(String::new()),
        bytes: Some(vec![0]),
        uuid: Some(Uuid::new_v4()),
        ts: Some(ts("1970-01-01 00:00:00.000001")),
        tstz: Some(DateTime::from_timestamp(0, 1_000).unwrap()),
        date: Some(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
        time: Some(NaiveTime::from_hms_micro_opt(12, 0, 0, 1).unwrap()),
    };
    let insert = NewNullableScalars {
        flag: values.flag,
        small: values.small,
        int: values.int,
        big: values.big,
        real: values.real,
        double: values.double,
        text: values.text.clone(),
        bytes: values.bytes.clone(),
        uuid: values.uuid,
        ts: values.ts,
        tstz: values.tstz,
        date: values.date,
        time: values.time,
    };
    assert_eq!(insert_returning(&db.client, &insert).await.unwrap(), values);
}

#[tokio::test]
async fn seed_users_round_trip() {
    let db = TestDb::with_schema(&schema::schema()).await;
    let id = Uuid::new_v4();
    let user = insert_returning(
        &db.client,
        &schema::NewUser {
            id,
            email: "ada@example.com".into(),
            created_at: None,
        },
    )
    .await
    .unwrap();
    assert_eq!((user.id, user.email.as_str()), (id, "ada@example.com"));
    let now: NaiveDateTime = db
        .client
        .query_one("SELECT now()::timestamp", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        user.created_at.is_some_and(|t| t <= now),
        "created_at defaults to now()"
    );

    let at = ts("2020-05-06 07:08:09.123456");
    let user = insert_returning(
        &db.client,
        &schema::NewUser {
            id: Uuid::new_v4(),
            email: "grace@example.com".into(),
            created_at: Some(at),
        },
    )
    .await
    .unwrap();
    assert_eq!(user.created_at, Some(at));
}

#[tokio::test]
async fn rows_decode_at_an_offset() {
    let db = TestDb::with_schema(&schema::schema()).await;
    let id = Uuid::new_v4();
    let row = db
        .client
        .query_one(
            "SELECT 42::int4, $1::uuid, 'x@example.com'::varchar, NULL::timestamp",
            &[&id],
        )
        .await
        .unwrap();
    let user = schema::User::from_row_at(&row, 1).unwrap();
    assert_eq!(
        user,
        schema::User {
            id,
            email: "x@example.com".into(),
            created_at: None
        }
    );
}

#[tokio::test]
async fn decode_errors_name_the_column_and_both_types() {
    let db = TestDb::new().await;
    let row = db
        .client
        .query_one("SELECT 'not a uuid'::text, 'a'::text, NULL::timestamp", &[])
        .await
        .unwrap();
    let err = schema::User::from_row(&row).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            pgtable::Error::Decode {
                column: "id",
                table: "users",
                rust_type: "Uuid",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.starts_with("cannot read column id of table users (text) into Rust type `Uuid`"),
        "{msg}"
    );

    let row = db
        .client
        .query_one("SELECT gen_random_uuid(), NULL::text, NULL::timestamp", &[])
        .await
        .unwrap();
    let msg = schema::User::from_row(&row).unwrap_err().to_string();
    assert!(
        msg.starts_with("cannot read column email of table users (text) into Rust type `String`"),
        "{msg}"
    );
    assert!(
        msg.contains("NULL"),
        "a NULL in a non-Option field says so: {msg}"
    );

    let row = db
        .client
        .query_one("SELECT gen_random_uuid()", &[])
        .await
        .unwrap();
    let msg = schema::User::from_row(&row).unwrap_err().to_string();
    assert!(
        msg.starts_with("cannot read column email of table users (no such column in the row)"),
        "{msg}"
    );
}

/// A type of the application's own, mapped by implementing `SqlType`.
#[derive(Debug, Clone, Copy, PartialEq, postgres_types::ToSql, postgres_types::FromSql)]
#[postgres(transparent)]
pub struct Cents(i64);

impl pgtable::SqlType for Cents {
    const SQL_TYPE: pgtable::SqlTypeName = pgtable::SqlTypeName::builtin("bigint");
}

#[table(name = "invoices")]
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    #[column(primary_key, identity)]
    pub id: i32,
    pub total: Cents,
    #[column(default_sql = "0")]
    pub refunded: Cents,
    pub tip: Option<Cents>,
}

#[tokio::test]
async fn user_mapped_types_round_trip() {
    assert!(Invoice::create_table().contains("\"total\" bigint NOT NULL"));
    let db = TestDb::with_schema(&Schema::new().table::<Invoice>()).await;
    let draft = NewInvoice {
        total: Cents(1999),
        refunded: None,
        tip: Some(Cents(-5)),
    };
    let got = insert_returning(&db.client, &draft).await.unwrap();
    assert_eq!(
        got,
        Invoice {
            id: 1,
            total: Cents(1999),
            refunded: Cents(0),
            tip: Some(Cents(-5))
        }
    );
}
