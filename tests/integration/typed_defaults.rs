//! Typed defaults (`default = true`, `0`, `-2.5`, `"text"`, an enum variant)
//! and SQL defaults (`default_sql = "…"`): the DDL pgtable writes, the
//! values the server fills in, migrations between defaults, and a `check`
//! that finds the migrated database clean.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, diff};
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
#[pg_enum(name = "ticket_state")]
pub enum TicketState {
    Open,
    #[pg_enum(rename = "won't fix")]
    WontFix,
}

mod v1 {
    use pgtable::prelude::*;

    #[table(name = "tickets")]
    #[derive(Debug, PartialEq)]
    pub struct Ticket {
        #[column(primary_key, identity)]
        pub id: i64,
        pub title: String,
        pub urgent: bool,
    }
}

mod v2 {
    use super::TicketState;
    use pgtable::prelude::*;

    #[table(name = "tickets")]
    #[derive(Debug, PartialEq)]
    pub struct Ticket {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(default = "it's new")]
        pub title: String,
        #[column(default = false)]
        pub urgent: bool,
        #[column(default = -3)]
        pub priority: i16,
        #[column(default = 9_000_000_000)]
        pub budget: i64,
        #[column(default = 0)]
        pub score: f64,
        #[column(default = -2.5)]
        pub weight: f32,
        #[column(default = TicketState::WontFix)]
        pub state: TicketState,
        #[column(default = TicketState::Open)]
        pub previous: Option<TicketState>,
        #[column(default = true)]
        pub visible: Option<bool>,
        #[column(default_sql = "'{}'::text[]")]
        pub labels: Vec<String>,
    }
}

fn schema_v1() -> Schema {
    Schema::new().table::<v1::Ticket>()
}

fn schema_v2() -> Schema {
    Schema::new().table::<v2::Ticket>()
}

#[test]
fn typed_defaults_render_as_sql_literals() {
    assert_eq!(
        v2::Ticket::create_table(),
        r#"CREATE TABLE "tickets" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"title" text DEFAULT 'it''s new' NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"priority" smallint DEFAULT -3 NOT NULL,
	"budget" bigint DEFAULT 9000000000 NOT NULL,
	"score" double precision DEFAULT 0 NOT NULL,
	"weight" real DEFAULT -2.5 NOT NULL,
	"state" "ticket_state" DEFAULT 'won''t fix' NOT NULL,
	"previous" "ticket_state" DEFAULT 'open',
	"visible" boolean DEFAULT true,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL
);"#
    );
}

#[tokio::test]
async fn the_server_fills_in_each_default() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema_v2()).await;
    let db = test.db();
    let row = v2::Ticket::insert(v2::NewTicket {
        title: None,
        urgent: None,
        priority: None,
        budget: None,
        score: None,
        weight: None,
        state: None,
        previous: None,
        visible: None,
        labels: None,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!(
        row,
        v2::Ticket {
            id: row.id,
            title: "it's new".into(),
            urgent: false,
            priority: -3,
            budget: 9_000_000_000,
            score: 0.0,
            weight: -2.5,
            state: TicketState::WontFix,
            // A nullable column with a default: `None` is the default.
            previous: Some(TicketState::Open),
            visible: Some(true),
            labels: Vec::new(),
        }
    );
    assert!(migrate::drift(&db, &schema_v2()).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn defaults_migrate_in_and_out_and_check_stays_clean()
-> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema_v1()).await;
    let db = test.db();
    test.client
        .batch_execute("INSERT INTO tickets (title, urgent) VALUES ('kept', true)")
        .await?;
    let changes = diff(&Snapshot::of(&schema_v1()), &Snapshot::of(&schema_v2()));
    let statements = common::statements_of(&changes);
    assert!(
        statements
            .contains(&r#"ALTER TABLE "tickets" ALTER COLUMN "title" SET DEFAULT 'it''s new';"#),
        "{statements:#?}"
    );
    assert!(
        statements.contains(&r#"ALTER TABLE "tickets" ALTER COLUMN "urgent" SET DEFAULT false;"#),
        "{statements:#?}"
    );
    common::apply(&test.client, &changes).await?;
    let drift = migrate::drift(&db, &schema_v2()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    let kept = v2::Ticket::select().fetch_one(&db).await?;
    assert_eq!((kept.title.as_str(), kept.urgent), ("kept", true));

    let back = diff(&Snapshot::of(&schema_v2()), &Snapshot::of(&schema_v1()));
    common::apply(&test.client, &back).await?;
    let drift = migrate::drift(&db, &schema_v1()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    Ok(())
}

#[tokio::test]
async fn check_sees_a_changed_default() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema_v2()).await;
    let db = test.db();
    test.client
        .batch_execute(
            "ALTER TABLE tickets ALTER COLUMN priority SET DEFAULT 4;
             ALTER TABLE tickets ALTER COLUMN state SET DEFAULT 'open'",
        )
        .await
        .unwrap();
    let drift: Vec<String> = migrate::drift(&db, &schema_v2())
        .await?
        .iter()
        .map(|c| c.description.clone())
        .collect();
    assert_eq!(drift.len(), 2, "{drift:#?}");
    assert!(drift.iter().any(|d| d.contains("priority")), "{drift:#?}");
    assert!(drift.iter().any(|d| d.contains("state")), "{drift:#?}");
    Ok(())
}
