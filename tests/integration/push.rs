//! `push` (drizzle-kit push): the compiled schema applied directly, the
//! plan first; a second push changes nothing; a change that can lose data
//! is refused without `force`, leaving the database as it was; renames
//! declared with `renamed_from` keep the data.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, MigrateError};

mod v1 {
    use pgtable::prelude::*;

    #[table(name = "notes", index(name = "notes_title_idx", columns(title desc)))]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar(80), check = "length(title) > 0")]
        pub title: String,
        pub body: Option<String>,
        #[column(default = false)]
        pub pinned: bool,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>()
    }
}

mod v2 {
    use pgtable::prelude::*;

    /// `title` renamed to `heading`, `body` dropped.
    #[table(name = "notes", index(name = "notes_title_idx", columns(heading desc)))]
    pub struct Note {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar(80), check = "length(heading) > 0", renamed_from = "title")]
        pub heading: String,
        #[column(default = false)]
        pub pinned: bool,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Note>()
    }
}

#[tokio::test]
async fn push_creates_then_has_nothing_to_do() -> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let db = test.db();
    let done = migrate::push(&db, &v1::schema(), false).await?;
    assert!(!done.is_empty());
    assert!(migrate::push_plan(&db, &v1::schema()).await?.is_empty());
    assert!(migrate::push(&db, &v1::schema(), false).await?.is_empty());
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn data_loss_needs_force_and_renames_keep_data() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&v1::schema()).await;
    let db = test.db();
    test.client
        .batch_execute("INSERT INTO notes (title, body) VALUES ('kept', 'dropped')")
        .await?;
    let plan = common::descriptions(&migrate::push_plan(&db, &v2::schema()).await?)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert!(
        plan.contains(&r#"rename column "notes"."title" to "heading""#.to_owned()),
        "{plan:#?}"
    );
    let refused = migrate::push(&db, &v2::schema(), false).await.unwrap_err();
    let MigrateError::Destructive { changes } = &refused else {
        panic!("{refused}")
    };
    assert_eq!(changes, &[r#"drop column "notes"."body" and its data"#]);
    assert!(refused.to_string().contains("--force"), "{refused}");
    // Nothing was changed.
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());

    migrate::push(&db, &v2::schema(), true).await?;
    let drift = common::drift_descriptions(&db, &v2::schema()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    let heading: String = test
        .client
        .query_one("SELECT heading FROM notes", &[])
        .await?
        .get(0);
    assert_eq!(heading, "kept");
    Ok(())
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn the_cli_prints_the_plan_and_refuses_without_force() {
    use std::process::ExitCode;
    let test = TestDb::with_schema(&v1::schema()).await;
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &'static [&'static str]| {
        let mut argv = vec![
            "db".to_owned(),
            "--dir".to_owned(),
            tmp.path().display().to_string(),
            "--database-url".to_owned(),
            test.url(),
        ];
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        pgtable::cli::run_with(v2::schema(), argv)
    };
    assert_eq!(run(&["push"]).await, ExitCode::FAILURE);
    assert_eq!(run(&["push", "--force"]).await, ExitCode::SUCCESS);
    assert_eq!(run(&["push"]).await, ExitCode::SUCCESS);
    assert_eq!(run(&["check"]).await, ExitCode::SUCCESS);
}

mod everything {
    use pgtable::prelude::*;

    #[derive(Debug, Clone, Copy, PgEnum)]
    #[pg_enum(schema = "extra")]
    pub enum Level {
        Low,
        High,
    }

    pub const TICKETS: pgtable::SequenceDef = pgtable::SequenceDef::new("ticket_numbers");

    #[table(
        name = "issues",
        index(name = "issues_open_idx", columns(level, opened desc nulls_last), where = "closed is null"),
        policy(name = "visible", for = "select", using = "not hidden")
    )]
    pub struct Issue {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(default_sql = "nextval('ticket_numbers')", unique)]
        pub number: i64,
        #[column(default = Level::Low)]
        pub level: Level,
        #[column(default_now)]
        pub opened: chrono::NaiveDateTime,
        pub closed: Option<chrono::NaiveDateTime>,
        #[column(default = false)]
        pub hidden: bool,
        #[column(generated = "number * 2")]
        pub twice: i64,
        #[column(check = "score between 0 and 10")]
        pub score: i16,
    }

    #[view(
        name = "open_issues",
        sql = "SELECT id, number FROM issues WHERE closed IS NULL"
    )]
    pub struct OpenIssue {
        pub id: i64,
        pub number: i64,
    }

    pub fn schema() -> Schema {
        Schema::new()
            .sequence(&TICKETS)
            .table::<Issue>()
            .view::<OpenIssue>()
    }
}

#[tokio::test]
async fn pushing_every_kind_of_item_twice_changes_nothing_the_second_time()
-> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let db = test.db();
    migrate::push(&db, &everything::schema(), false).await?;
    let again = migrate::push_plan(&db, &everything::schema()).await?;
    assert!(again.is_empty(), "{again:#?}");
    Ok(())
}
