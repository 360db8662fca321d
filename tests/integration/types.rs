//! JSON, arrays, enums and (with the `decimal` feature) numeric: DDL and a
//! round trip through the server, NULLs included.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[pg_enum(name = "mood")]
pub enum Mood {
    Happy,
    #[pg_enum(rename = "meh")]
    SoSo,
    QuiteSad,
}

#[derive(Debug, Clone, PartialEq, PgEnum)]
#[pg_enum(schema = "extra", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Low,
    VeryHigh,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub theme: String,
    pub tags: Vec<String>,
    pub limit: Option<u32>,
}

#[table(name = "documents")]
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    #[column(primary_key, identity)]
    pub id: i64,
    pub data: serde_json::Value,
    pub settings: Json<Settings>,
    pub maybe_settings: Option<Json<Settings>>,
    pub tags: Vec<String>,
    pub scores: Vec<Option<i32>>,
    pub ids: Vec<Uuid>,
    pub flags: Option<Vec<bool>>,
    #[column(default = Mood::Happy)]
    pub mood: Mood,
    pub moods: Vec<Mood>,
    pub level: Option<Level>,
}

#[test]
fn ddl_creates_enum_types_first() {
    assert_eq!(
        Schema::new().table::<Document>().to_sql(),
        r#"CREATE SCHEMA "extra";

CREATE TYPE "public"."mood" AS ENUM('happy', 'meh', 'quite_sad');

CREATE TYPE "extra"."level" AS ENUM('LOW', 'VERY_HIGH');

CREATE TABLE "documents" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"data" jsonb NOT NULL,
	"settings" jsonb NOT NULL,
	"maybe_settings" jsonb,
	"tags" text[] NOT NULL,
	"scores" integer[] NOT NULL,
	"ids" uuid[] NOT NULL,
	"flags" boolean[],
	"mood" "mood" DEFAULT 'happy' NOT NULL,
	"moods" "mood"[] NOT NULL,
	"level" "extra"."level"
);
"#
    );
}

fn settings() -> Settings {
    Settings {
        theme: "dark \"mode\" ünicode".into(),
        tags: vec!["a".into(), String::new()],
        limit: None,
    }
}

#[tokio::test]
async fn values_round_trip() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Document>()).await;
    let db = test.db();
    let full = NewDocument {
        data: serde_json::json!({"nested": {"list": [1, 2.5, null, "x"]}, "empty": {}}),
        settings: Json(settings()),
        maybe_settings: Some(Json(Settings {
            limit: Some(10),
            ..settings()
        })),
        tags: vec!["rust".into(), "postgres".into(), "".into(), "日本".into()],
        scores: vec![Some(1), None, Some(-3)],
        ids: vec![Uuid::nil(), Uuid::max()],
        flags: Some(vec![true, false]),
        mood: Some(Mood::QuiteSad),
        moods: vec![Mood::Happy, Mood::SoSo],
        level: Some(Level::VeryHigh),
    };
    let got = Document::insert(full.clone())
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(got.data, full.data);
    assert_eq!(got.settings, full.settings);
    assert_eq!(got.maybe_settings, full.maybe_settings);
    assert_eq!(got.tags, full.tags);
    assert_eq!(got.scores, full.scores);
    assert_eq!(got.ids, full.ids);
    assert_eq!(got.flags, full.flags);
    assert_eq!(got.mood, Mood::QuiteSad);
    assert_eq!(got.moods, full.moods);
    assert_eq!(got.level, Some(Level::VeryHigh));

    let empty = NewDocument {
        data: serde_json::Value::Null,
        settings: Json(settings()),
        maybe_settings: None,
        tags: Vec::new(),
        scores: Vec::new(),
        ids: Vec::new(),
        flags: None,
        mood: None,
        moods: Vec::new(),
        level: None,
    };
    let got = Document::insert(empty).returning().fetch_one(&db).await?;
    assert_eq!(got.data, serde_json::Value::Null);
    assert_eq!(
        (got.maybe_settings, got.flags, got.level),
        (None, None, None)
    );
    assert!(got.tags.is_empty() && got.scores.is_empty() && got.moods.is_empty());
    assert_eq!(got.mood, Mood::Happy, "the column default");

    // Enums compare and filter like any value; the server holds the labels.
    let sad = Document::select()
        .filter(Document::MOOD.eq(Mood::QuiteSad))
        .count(&db)
        .await?;
    assert_eq!(sad, 1);
    let labels: Vec<String> = test
        .client
        .query("SELECT mood::text FROM documents ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(labels, ["quite_sad", "happy"]);
    Ok(())
}

#[tokio::test]
async fn an_unknown_enum_label_is_a_decode_error() {
    let test = TestDb::with_schema(&Schema::new().table::<Document>()).await;
    test.client
        .batch_execute("ALTER TYPE mood ADD VALUE 'ecstatic'")
        .await
        .unwrap();
    let row = test
        .client
        .query_one("SELECT 'ecstatic'::mood", &[])
        .await
        .unwrap();
    let err = row.try_get::<_, Mood>(0).unwrap_err();
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("`ecstatic` is not a value of enum mood"),
        "{err}"
    );
}

#[cfg(feature = "decimal")]
mod decimal {
    use super::*;
    use rust_decimal::Decimal;

    #[table(name = "prices")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Price {
        #[column(primary_key, identity)]
        pub id: i64,
        pub amount: Decimal,
        pub discount: Option<Decimal>,
        pub history: Vec<Decimal>,
    }

    #[tokio::test]
    async fn numeric_round_trips() -> Result<(), Error> {
        assert!(Price::create_table().contains(r#""amount" numeric NOT NULL"#));
        let test = TestDb::with_schema(&Schema::new().table::<Price>()).await;
        let db = test.db();
        let amount: Decimal = "12345678901234567890.0123456789".parse().unwrap();
        let got = Price::insert(NewPrice {
            amount,
            discount: None,
            history: vec![Decimal::ZERO, Decimal::new(-15, 2)],
        })
        .returning()
        .fetch_one(&db)
        .await?;
        assert_eq!(got.amount, amount);
        assert_eq!(got.discount, None);
        assert_eq!(got.history, [Decimal::ZERO, Decimal::new(-15, 2)]);
        Ok(())
    }
}
