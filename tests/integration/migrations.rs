//! Migrations on the real server: generated from each kind of schema
//! change, applied, checked for drift; concurrent runs; refusals.

use crate::common;
use crate::schema;

use common::TestDb;
use pgtable::Error;
use pgtable::migrate::{self, MigrateError, MigrationDir, State};
use pgtable::prelude::*;

mod v1 {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
    pub enum Color {
        Red,
        Green,
    }

    #[table(name = "items")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        #[column(primary_key, identity)]
        pub id: i32,
        pub name: String,
        pub price: f64,
        pub note: Option<String>,
        pub sku: Option<String>,
        #[column(default = "new")]
        pub status: String,
        pub color: Color,
    }

    #[table(name = "tags")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        #[column(primary_key, identity)]
        pub id: i32,
        pub label: String,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Item>().table::<Tag>()
    }
}

mod v2 {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
    pub enum Color {
        Red,
        Blue,
        Green,
    }

    #[table(name = "owners")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Owner {
        #[column(primary_key, identity)]
        pub id: i32,
        pub name: String,
    }

    #[table(
        name = "items",
        index(title),
        check(name = "items_price_check", expr = "price >= 0")
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        #[column(primary_key, identity)]
        pub id: i32,
        // Renamed from `name`: the data stays.
        #[column(renamed_from = "name")]
        pub title: String,
        // double precision -> bigint.
        pub price: i64,
        // `note` is dropped.
        // Now NOT NULL and unique.
        #[column(unique)]
        pub sku: String,
        #[column(default = "old")]
        pub status: String,
        pub color: Color,
        #[column(default = 0)]
        pub stock: i32,
        #[column(references = Owner::ID, on_delete = set_null)]
        pub owner_id: Option<i32>,
    }

    // `tags` renamed to `labels`.
    #[table(name = "labels", renamed_from = "tags")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Label {
        #[column(primary_key, identity)]
        pub id: i32,
        pub label: String,
    }

    pub fn schema() -> Schema {
        Schema::new()
            .table::<Owner>()
            .table::<Item>()
            .table::<Label>()
    }
}

mod v3 {
    use super::*;

    // `green` is gone: the type is rebuilt.
    #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
    pub enum Color {
        Red,
        Blue,
    }

    #[table(name = "items")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        #[column(primary_key, identity)]
        pub id: i32,
        pub title: String,
        pub price: i64,
        pub sku: String,
        #[column(default = "old")]
        pub status: String,
        pub color: Option<Color>,
        #[column(default = 0)]
        pub stock: i32,
    }

    pub fn schema() -> Schema {
        // `owners` and `labels` are dropped, with the foreign key.
        Schema::new().table::<Item>()
    }
}

async fn apply(dir: &MigrationDir, db: &Db) -> Result<Vec<String>, MigrateError> {
    migrate::migrate(db, &dir.migrations()?, |_| {}).await
}

#[tokio::test]
async fn every_kind_of_change_migrates_and_keeps_the_data() -> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let db = test.db();
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationDir::new(tmp.path());

    // From nothing.
    let first = dir.generate(&v1::schema(), "init")?.expect("changes");
    assert!(first.sql_path.ends_with("0001_init.sql"));
    assert_eq!(apply(&dir, &db).await?, ["0001_init"]);
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());
    assert!(
        dir.generate(&v1::schema(), "again")?.is_none(),
        "no changes, no file"
    );

    v1::Item::insert_many([
        v1::NewItem {
            name: "lamp".into(),
            price: 12.0,
            note: Some("dropped".into()),
            sku: Some("L-1".into()),
            status: None,
            color: v1::Color::Green,
        },
        v1::NewItem {
            name: "desk".into(),
            price: 99.0,
            note: None,
            sku: Some("D-1".into()),
            status: Some("used".into()),
            color: v1::Color::Red,
        },
    ])
    .execute(&db)
    .await?;
    v1::Tag::insert(v1::NewTag {
        label: "kept".into(),
    })
    .execute(&db)
    .await?;

    // Every kind of change at once.
    let second = dir.generate(&v2::schema(), "grow")?.expect("changes");
    let sql = std::fs::read_to_string(&second.sql_path).unwrap();
    for expected in [
        r#"ALTER TYPE "public"."color" ADD VALUE 'blue' BEFORE 'green';"#,
        r#"ALTER TABLE "tags" RENAME TO "labels";"#,
        r#"ALTER TABLE "items" RENAME COLUMN "name" TO "title";"#,
        r#"ALTER TABLE "items" ALTER COLUMN "price" SET DATA TYPE bigint USING "price"::bigint;"#,
        r#"ALTER TABLE "items" ALTER COLUMN "sku" SET NOT NULL;"#,
        r#"ALTER TABLE "items" ALTER COLUMN "status" SET DEFAULT 'old';"#,
        r#"ALTER TABLE "items" ADD COLUMN "stock" integer DEFAULT 0 NOT NULL;"#,
        r#"-- DESTRUCTIVE: drop column "items"."note" and its data"#,
        r#"ALTER TABLE "items" ADD CONSTRAINT "items_sku_unique" UNIQUE("sku");"#,
        r#"ALTER TABLE "items" ADD CONSTRAINT "items_price_check" CHECK (price >= 0);"#,
        r#"ALTER TABLE "items" ADD CONSTRAINT "items_owner_id_owners_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."owners"("id") ON DELETE set null ON UPDATE no action;"#,
        r#"CREATE INDEX "items_title_index" ON "items" USING btree ("title");"#,
    ] {
        assert!(sql.contains(expected), "missing {expected}\nin:\n{sql}");
    }
    assert_eq!(apply(&dir, &db).await?, ["0002_grow"]);
    assert!(migrate::drift(&db, &v2::schema()).await?.is_empty());

    let items = v2::Item::select()
        .order_by(v2::Item::ID)
        .fetch_all(&db)
        .await?;
    let kept: Vec<(i32, &str, i64, &str, &str, v2::Color, i32)> = items
        .iter()
        .map(|i| {
            (
                i.id,
                i.title.as_str(),
                i.price,
                i.sku.as_str(),
                i.status.as_str(),
                i.color,
                i.stock,
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            (1, "lamp", 12, "L-1", "new", v2::Color::Green, 0),
            (2, "desk", 99, "D-1", "used", v2::Color::Red, 0),
        ]
    );
    assert_eq!(v2::Label::select().fetch_one(&db).await?.label, "kept");

    // Drops, and an enum value removed.
    v2::Item::update()
        .set(v2::Item::COLOR, v2::Color::Blue)
        .filter(v2::Item::COLOR.eq(v2::Color::Green))
        .execute(&db)
        .await?;
    let third = dir.generate(&v3::schema(), "shrink")?.expect("changes");
    let sql = std::fs::read_to_string(&third.sql_path).unwrap();
    for expected in [
        r#"-- DESTRUCTIVE: recreate enum "public"."color""#,
        r#"ALTER TABLE "items" ALTER COLUMN "color" SET DATA TYPE "public"."color" USING "color"::text::"public"."color";"#,
        r#"ALTER TABLE "items" ALTER COLUMN "color" DROP NOT NULL;"#,
        r#"ALTER TABLE "items" DROP CONSTRAINT "items_owner_id_owners_id_fk";"#,
        r#"DROP INDEX "public"."items_title_index";"#,
        r#"-- DESTRUCTIVE: drop table "labels" and its data"#,
        r#"DROP TABLE "owners" CASCADE;"#,
    ] {
        assert!(sql.contains(expected), "missing {expected}\nin:\n{sql}");
    }
    assert_eq!(apply(&dir, &db).await?, ["0003_shrink"]);
    assert!(migrate::drift(&db, &v3::schema()).await?.is_empty());
    let items = v3::Item::select()
        .order_by(v3::Item::ID)
        .fetch_all(&db)
        .await?;
    assert_eq!(
        items
            .iter()
            .map(|i| (i.title.as_str(), i.color))
            .collect::<Vec<_>>(),
        [
            ("lamp", Some(v3::Color::Blue)),
            ("desk", Some(v3::Color::Red))
        ]
    );

    // Status lists all three as applied.
    let status = migrate::status(&db, &dir.migrations()?).await?;
    assert_eq!(status.len(), 3);
    assert!(status.iter().all(|(_, s)| matches!(s, State::Applied(_))));
    Ok(())
}

#[tokio::test]
async fn drift_is_reported_in_words() -> Result<(), MigrateError> {
    let test = TestDb::with_schema(&v1::schema()).await;
    let db = test.db();
    assert!(migrate::drift(&db, &v1::schema()).await?.is_empty());
    test.client
        .batch_execute(r#"ALTER TABLE items ADD COLUMN stray int; ALTER TABLE items ALTER COLUMN note SET NOT NULL"#)
        .await
        .unwrap();
    let drift = common::drift_descriptions(&db, &v1::schema()).await?;
    assert_eq!(
        drift,
        [
            r#"alter column "items"."note": nullable"#,
            r#"drop column "items"."stray" and its data"#,
        ]
    );
    Ok(())
}

#[tokio::test]
async fn two_migrate_runs_at_once_apply_each_migration_once() -> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationDir::new(tmp.path());
    dir.generate(&v1::schema(), "init")?;
    dir.generate(&v2::schema(), "grow")?;
    let migrations = dir.migrations()?;
    let (a, b) = (test.db(), test.db());
    let (ra, rb) = tokio::join!(
        migrate::migrate(&a, &migrations, |_| {}),
        migrate::migrate(&b, &migrations, |_| {})
    );
    let mut applied: Vec<String> = ra?.into_iter().chain(rb?).collect();
    applied.sort();
    assert_eq!(
        applied,
        ["0001_init", "0002_grow"],
        "each applied by exactly one run"
    );
    let rows: i64 = test
        .client
        .query_one(r#"SELECT count(*) FROM "__pgtable_migrations""#, &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
    Ok(())
}

/// The catalog's tables and columns, to show a refused run changed nothing.
async fn columns(test: &TestDb) -> Vec<String> {
    test.client
        .query(
            "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
             WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn changed_missing_broken_and_out_of_order_files_are_refused() -> Result<(), Error> {
    let test = TestDb::new().await;
    let db = test.db();
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationDir::new(tmp.path());
    dir.generate(&v1::schema(), "init").unwrap();
    apply(&dir, &db).await.unwrap();
    dir.generate(&v2::schema(), "grow").unwrap();
    let before = columns(&test).await;
    let first = tmp.path().join("0001_init.sql");
    let original = std::fs::read_to_string(&first).unwrap();

    // An applied file edited.
    std::fs::write(&first, format!("{original}\n-- a harmless-looking edit\n")).unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::ChecksumMismatch { ref name, .. } if name == "0001_init"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("an applied migration must not change"),
        "{err}"
    );
    assert_eq!(columns(&test).await, before, "nothing applied");
    std::fs::write(&first, &original).unwrap();

    // An applied file deleted.
    std::fs::remove_file(&first).unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "migration 0001_init is recorded as applied, but its file is missing: restore it"
    );
    assert_eq!(columns(&test).await, before);
    std::fs::write(&first, &original).unwrap();

    // A migration with a syntax error on its third line.
    let broken = tmp.path().join("0003_broken.sql");
    std::fs::write(
        &broken,
        "CREATE TABLE ok_so_far (id int);\n\nCREATE TABLEE nope (id int);\n",
    )
    .unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    // 0002 applied, then 0003 failed and left nothing behind.
    assert!(
        matches!(&err, MigrateError::Failed { name, line: Some(3), .. } if name == "0003_broken"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("migration 0003_broken failed at line 3: syntax error"),
        "{err}"
    );
    let tables: Vec<String> = columns(&test).await;
    assert!(
        !tables.iter().any(|c| c.starts_with("ok_so_far")),
        "the failed migration left nothing"
    );
    let applied: Vec<String> = migrate::status(&db, &dir.migrations().unwrap())
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, s)| matches!(s, State::Applied(_)))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(applied, ["0001_init", "0002_grow"]);

    // Non-ASCII text before the error: lines count characters, not bytes.
    std::fs::write(
        &broken,
        "-- café, ünïcödé, 日本語\nCREATE TABLE ok_so_far (id int, note text DEFAULT 'ü');\n\nSELECT * FROM\n  ok_so_far WHERE nosuch = 1;\n",
    )
    .unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::Failed { line: Some(5), .. }),
        "{err}"
    );
    // An error raised while executing (no position): the statement's line.
    std::fs::write(
        &broken,
        "CREATE TABLE ok_so_far (id int PRIMARY KEY);\n-- ü\nINSERT INTO ok_so_far VALUES (1);\nINSERT INTO ok_so_far\n  VALUES (1);\n",
    )
    .unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "migration 0003_broken failed at line 4: duplicate key value violates unique constraint \"ok_so_far_pkey\"; nothing of it was applied"
    );
    std::fs::remove_file(&broken).unwrap();

    // A file numbered before an applied one.
    std::fs::write(tmp.path().join("0004_late.sql"), "SELECT 1;\n").unwrap();
    apply(&dir, &db).await.unwrap();
    std::fs::write(tmp.path().join("0003_early.sql"), "SELECT 1;\n").unwrap();
    let err = apply(&dir, &db).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::OutOfOrder { ref name, ref last_applied } if name == "0003_early" && last_applied == "0004_late"),
        "{err}"
    );

    // A badly named file.
    std::fs::write(tmp.path().join("oops.sql"), "SELECT 1;\n").unwrap();
    let err = dir.migrations().unwrap_err();
    assert!(
        err.to_string()
            .contains("a migration file is named NNNN_name.sql"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn embedded_migrations_build_the_example_schema() -> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let db = test.db();
    let migrations = pgtable::embed_migrations!("migrations");
    assert!(!migrations.is_empty());
    migrate::migrate(&db, &migrations, |_| {}).await?;
    assert!(migrate::drift(&db, &schema::schema()).await?.is_empty());
    Ok(())
}

#[test]
fn the_repos_migrations_match_the_example_schema() {
    let changes = MigrationDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .pending_changes(&schema::schema())
        .unwrap();
    let pending = common::descriptions(&changes);
    assert!(
        pending.is_empty(),
        "the example schema changed without a migration: run `cargo run --example db --features cli -- generate <name>`\n{pending:#?}"
    );
}

/// Every migration of the repository has its down file, and running them
/// all leaves a database with none of the example's tables or types.
#[tokio::test]
async fn the_repos_migrations_go_all_the_way_down() -> Result<(), MigrateError> {
    let test = TestDb::new().await;
    let db = test.db();
    let dir = MigrationDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"));
    let (migrations, downs) = (dir.migrations()?, dir.down_migrations()?);
    let names =
        |list: &[migrate::Migration]| list.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&downs),
        names(&migrations),
        "a migration without its .down.sql"
    );
    migrate::migrate(&db, &migrations, |_| {}).await?;
    let undone = migrate::migrate_down(&db, &migrations, &downs, Some(0), |_| {}).await?;
    assert_eq!(undone.len(), migrations.len());
    let (left,): (i64,) = pgtable::sql(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__pgtable_migrations'",
    )
    .fetch_one(&db)
    .await?;
    let (types,): (i64,) =
        pgtable::sql("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'")
            .fetch_one(&db)
            .await?;
    assert_eq!((left, types), (0, 0));
    Ok(())
}

mod long_names {
    use super::*;

    #[table(name = "organizations_with_a_rather_long_table_name_for_tests_x")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Organization {
        #[column(primary_key)]
        pub id: i32,
    }

    #[table(
        name = "organization_membership_invitations",
        unique(name = "invitations_email_per_org", columns(email, organization_id))
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Invitation {
        #[column(primary_key)]
        pub id: i32,
        #[column(check = "length(email) < 320")]
        pub email: String,
        #[column(unique)]
        pub invitation_token_hash_for_lookup: String,
        #[column(references = Organization::ID, index)]
        pub organization_id: i32,
        #[column(references = Organization::ID, fk_name = "invitations_inviter_fk")]
        pub inviting_organization_id: i32,
    }

    pub fn schema() -> Schema {
        Schema::new().table::<Organization>().table::<Invitation>()
    }
}

/// Derived names over 63 bytes are created cut, as PostgreSQL stores them,
/// and `check` compares the cut names: no drift right after creation.
#[tokio::test]
async fn long_derived_names_are_stored_cut_and_check_sees_no_drift() -> Result<(), MigrateError> {
    let test = TestDb::with_schema(&long_names::schema()).await;
    let db = test.db();
    assert_eq!(migrate::drift(&db, &long_names::schema()).await?, []);
    let names: Vec<String> = test
        .client
        .query(
            "SELECT conname::text FROM pg_constraint WHERE conrelid = 'organization_membership_invitations'::regclass \
             UNION ALL SELECT relname::text FROM pg_class WHERE relname LIKE 'organization_membership_invitations%' \
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for name in [
        // 77 bytes derived, 63 stored.
        "organization_membership_invitations_invitation_token_hash_for_l",
        "invitations_email_per_org",
        "invitations_inviter_fk",
        "organization_membership_invitations_organization_id_organizatio",
        "organization_membership_invitations_organization_id_index",
        "organization_membership_invitations_email_check",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    Ok(())
}
