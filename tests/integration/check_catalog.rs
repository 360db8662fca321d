//! `check` compares the live database with the compiled schema as
//! PostgreSQL spells both: checks, defaults, index predicates and types
//! written in ways the server rewrites are clean right after pgtable's own
//! migration, and a change made behind pgtable's back is reported as
//! exactly that change.

use crate::common;

use common::TestDb;
use pgtable::migrate;
use pgtable::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[pg_enum(schema = "extra", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Low,
    VeryHigh,
}

#[table(
    name = "reviews",
    index(name = "reviews_recent_idx", columns(product, created_at desc nulls_last), where = "rating between 1 and 5 and body is not null"),
    check(name = "reviews_body_check", expr = "length(body) > 0 or body is null")
)]
pub struct Review {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar(80))]
    pub product: String,
    #[column(check = "rating between 1 and 5")]
    pub rating: i16,
    pub body: Option<String>,
    #[column(default = 9_000_000_000)]
    pub helpful: i64,
    #[column(default = -0.5)]
    pub weight: f64,
    #[column(default_sql = "now() - interval '1 day'")]
    pub created_at: chrono::NaiveDateTime,
    #[column(generated = "rating * 2")]
    pub double_rating: i16,
}

#[table(name = "alerts", schema = "extra")]
pub struct Alert {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(default = Level::VeryHigh)]
    pub level: Level,
    #[column(default = "it's \"quoted\"")]
    pub note: String,
    #[column(references = Review::ID, on_delete = cascade)]
    pub review_id: Option<i64>,
}

fn schema() -> Schema {
    Schema::new().table::<Review>().table::<Alert>()
}

async fn drift_of(test: &TestDb) -> Vec<String> {
    common::drift_descriptions(&test.db(), &schema())
        .await
        .unwrap()
}

#[tokio::test]
async fn clean_right_after_pgtables_own_ddl() {
    let test = TestDb::with_schema(&schema()).await;
    assert_eq!(drift_of(&test).await, Vec::<String>::new());
    // The scratch schemas went with the rolled-back transaction.
    let left: i64 = test
        .client
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgtable_check_%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn changes_behind_pgtables_back_are_reported_as_what_they_are() {
    for (change, expected) in [
        (
            "DROP INDEX reviews_recent_idx; CREATE INDEX reviews_recent_idx ON reviews (product, created_at) WHERE rating between 1 and 5 and body is not null",
            r#"drop index "reviews_recent_idx""#,
        ),
        (
            "DROP INDEX reviews_recent_idx; CREATE INDEX reviews_recent_idx ON reviews (product, created_at DESC NULLS LAST) WHERE rating between 1 and 4 and body is not null",
            r#"drop index "reviews_recent_idx""#,
        ),
        (
            "ALTER TABLE reviews DROP CONSTRAINT reviews_rating_check, ADD CONSTRAINT reviews_rating_check CHECK (rating between 0 and 5)",
            r#"drop check "reviews_rating_check" on "reviews""#,
        ),
        (
            "ALTER TABLE reviews ALTER COLUMN weight SET DEFAULT -0.25",
            r#"alter column "reviews"."weight": default"#,
        ),
        (
            "ALTER TABLE extra.alerts ALTER COLUMN level SET DEFAULT 'LOW'",
            r#"alter column "extra"."alerts"."level": default"#,
        ),
        (
            "ALTER TABLE reviews ALTER COLUMN product TYPE varchar(81)",
            r#"alter column "reviews"."product": type"#,
        ),
    ] {
        let test = TestDb::with_schema(&schema()).await;
        test.client.batch_execute(change).await.unwrap();
        let drift = drift_of(&test).await;
        // The change, and what a migration must redo around it (an index
        // on a retyped column is dropped and created again).
        assert!(
            drift.iter().any(|d| d.starts_with(expected)),
            "after {change:?}: {drift:#?}"
        );
        assert!(drift.len() <= 3, "after {change:?}: {drift:#?}");
    }
}

#[tokio::test]
async fn a_role_without_create_gets_told_what_check_needs() {
    let test = TestDb::with_schema(&schema()).await;
    let role = format!("{}_reader", test.name());
    test.client
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public, extra TO {role};
             REVOKE CREATE ON DATABASE {db} FROM PUBLIC; REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            db = test.name()
        ))
        .await
        .unwrap();
    let url = test.url().replacen("postgres@", &format!("{role}@"), 1);
    let db = Db::connect(&url).await.unwrap();
    let err = migrate::drift(&db, &schema())
        .await
        .unwrap_err()
        .to_string();
    drop(db);
    test.client
        .batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public, extra FROM {role}; DROP ROLE {role}"
        ))
        .await
        .unwrap();
    assert!(err.contains("CREATE privilege"), "{err}");
}
