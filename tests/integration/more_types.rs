//! Types beyond the basic ones: `timestamp(P)` / `timestamptz(P)`, `json`,
//! `interval`, `inet` (std's `IpAddr`), and with their features `cidr`,
//! `macaddr` and `varbit`: the DDL (drizzle-kit's spelling), values round
//! tripped through the server, migrations between them and `check`.
#![cfg(all(feature = "cidr", feature = "macaddr", feature = "bit"))]

use crate::common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use bit_vec::BitVec;
use chrono::{DateTime, NaiveDateTime, Utc};
use cidr::{IpCidr, IpInet};
use common::TestDb;
use eui48::MacAddress;
use pgtable::migrate::{self, diff};
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;
use pgtable::{Interval, Json};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Payload {
    pub kind: String,
    pub count: u32,
}

#[table(name = "samples")]
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(timestamp(3))]
    pub seen_at: NaiveDateTime,
    #[column(timestamptz(0), default_now)]
    pub logged_at: DateTime<Utc>,
    #[column(json)]
    pub raw: serde_json::Value,
    #[column(json)]
    pub payload: Option<Json<Payload>>,
    pub every: Interval,
    pub spans: Vec<Interval>,
    pub client: IpAddr,
    pub peers: Vec<IpAddr>,
    pub network: IpCidr,
    pub host: Option<IpInet>,
    pub mac: MacAddress,
    pub bits: BitVec,
    #[column(sql_type = "bit(4)")]
    pub nibble: BitVec,
}

#[test]
fn the_ddl_spells_them_as_drizzle_kit_does() {
    assert_eq!(
        Sample::create_table(),
        r#"CREATE TABLE "samples" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"seen_at" timestamp (3) NOT NULL,
	"logged_at" timestamp (0) with time zone DEFAULT now() NOT NULL,
	"raw" json NOT NULL,
	"payload" json,
	"every" interval NOT NULL,
	"spans" interval[] NOT NULL,
	"client" inet NOT NULL,
	"peers" inet[] NOT NULL,
	"network" cidr NOT NULL,
	"host" inet,
	"mac" macaddr NOT NULL,
	"bits" varbit NOT NULL,
	"nibble" bit(4) NOT NULL
);"#
    );
}

fn bits(text: &str) -> BitVec {
    text.chars().map(|c| c == '1').collect()
}

#[tokio::test]
async fn values_round_trip_through_the_server() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&Schema::new().table::<Sample>()).await;
    let db = test.db();
    let seen_at = DateTime::from_timestamp(1_700_000_000, 123_456_789)
        .unwrap()
        .naive_utc();
    let new = NewSample {
        seen_at,
        logged_at: Some(DateTime::from_timestamp(1_700_000_000, 600_000_000).unwrap()),
        raw: serde_json::json!({"b": 1, "a": [true, null]}),
        payload: Some(Json(Payload {
            kind: "ping".into(),
            count: 3,
        })),
        every: Interval::new(14, -3, 1_500_000),
        spans: vec![Interval::months(1), Interval::days(2), Interval::default()],
        client: IpAddr::V4(Ipv4Addr::new(192, 168, 0, 7)),
        peers: vec![
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ],
        network: IpCidr::from_str("10.1.0.0/16")?,
        host: Some(IpInet::from_str("2001:db8::1/64")?),
        mac: MacAddress::parse_str("08:00:2b:01:02:03")?,
        bits: bits("1011001"),
        nibble: bits("0110"),
    };
    let row = Sample::insert(new.clone())
        .returning()
        .fetch_one(&db)
        .await?;
    // timestamp(3) keeps milliseconds, timestamptz(0) whole seconds
    // (rounded, as PostgreSQL does).
    assert_eq!(
        row.seen_at,
        DateTime::from_timestamp(1_700_000_000, 123_000_000)
            .unwrap()
            .naive_utc()
    );
    assert_eq!(
        row.logged_at,
        DateTime::from_timestamp(1_700_000_001, 0).unwrap()
    );
    // json keeps the text as sent; jsonb would have respaced it.
    let (text, as_jsonb): (String, String) = {
        let row = test
            .client
            .query_one("SELECT raw::text, raw::jsonb::text FROM samples", &[])
            .await?;
        (row.get(0), row.get(1))
    };
    assert_eq!(text, r#"{"a":[true,null],"b":1}"#);
    assert_eq!(as_jsonb, r#"{"a": [true, null], "b": 1}"#);
    assert_eq!(row.raw, new.raw);
    assert_eq!(row.payload, new.payload);
    assert_eq!((row.every, &row.spans), (new.every, &new.spans));
    let shown: String = test
        .client
        .query_one("SELECT every::text FROM samples", &[])
        .await?
        .get(0);
    assert_eq!(shown, "1 year 2 mons -3 days +00:00:01.5");
    assert_eq!((row.client, &row.peers), (new.client, &new.peers));
    assert_eq!((row.network, row.host), (new.network, new.host));
    assert_eq!(row.mac, new.mac);
    assert_eq!((&row.bits, &row.nibble), (&new.bits, &new.nibble));

    // Filters bind them too.
    let found = Sample::select()
        .filter(
            Sample::CLIENT
                .eq(new.client)
                .and(Sample::EVERY.eq(new.every))
                .and(Sample::MAC.eq(new.mac)),
        )
        .count(&db)
        .await?;
    assert_eq!(found, 1);
    assert!(
        migrate::drift(&db, &Schema::new().table::<Sample>())
            .await?
            .is_empty()
    );
    Ok(())
}

mod v1 {
    use pgtable::prelude::*;

    #[table(name = "events")]
    pub struct Event {
        #[column(primary_key)]
        pub id: i32,
        pub at: chrono::NaiveDateTime,
        pub body: serde_json::Value,
    }
}

mod v2 {
    use pgtable::prelude::*;

    #[table(name = "events")]
    pub struct Event {
        #[column(primary_key)]
        pub id: i32,
        #[column(timestamp(0))]
        pub at: chrono::NaiveDateTime,
        #[column(json)]
        pub body: serde_json::Value,
    }
}

#[tokio::test]
async fn precision_and_json_migrate_and_check() -> Result<(), Box<dyn std::error::Error>> {
    let v1 = Schema::new().table::<v1::Event>();
    let v2 = Schema::new().table::<v2::Event>();
    let test = TestDb::with_schema(&v1).await;
    let db = test.db();
    let changes = diff(&Snapshot::of(&v1), &Snapshot::of(&v2));
    assert_eq!(
        common::statements_of(&changes),
        [
            r#"ALTER TABLE "events" ALTER COLUMN "at" SET DATA TYPE timestamp (0) USING "at"::timestamp (0);"#,
            r#"ALTER TABLE "events" ALTER COLUMN "body" SET DATA TYPE json USING "body"::json;"#,
        ]
    );
    let before = common::drift_descriptions(&db, &v2).await?;
    assert_eq!(before.len(), 2, "{before:#?}");
    common::apply(&test.client, &changes).await?;
    assert!(migrate::drift(&db, &v2).await?.is_empty());
    Ok(())
}
