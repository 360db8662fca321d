//! Index keys ordered and compared per column (`desc`, `nulls_first` /
//! `nulls_last`, `opclass`) and partial indexes (`where`): the DDL, the
//! database it makes (the same as drizzle-kit's), migrations and `check`;
//! and unique constraints whose NULLs collide (`nulls_not_distinct`).

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, diff};
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;
use tokio_postgres::Client;

mod v1 {
    use pgtable::prelude::*;

    #[table(
        name = "posts",
        index(name = "posts_status_created_idx", columns(status, created_at))
    )]
    pub struct Post {
        #[column(primary_key, identity)]
        pub id: i32,
        pub author_id: i32,
        pub status: String,
        pub metadata: Option<serde_json::Value>,
        pub created_at: chrono::NaiveDateTime,
        pub deleted_at: Option<chrono::NaiveDateTime>,
    }
}

mod v2 {
    use pgtable::prelude::*;

    #[table(
        name = "posts",
        index(name = "posts_status_created_idx", columns(status, created_at desc nulls_last)),
        index(name = "posts_metadata_idx", columns(metadata opclass = "jsonb_path_ops"), using = "gin"),
        index(name = "posts_live_author_idx", columns(author_id asc nulls_first), where = "deleted_at IS NULL")
    )]
    pub struct Post {
        #[column(primary_key, identity)]
        pub id: i32,
        pub author_id: i32,
        pub status: String,
        pub metadata: Option<serde_json::Value>,
        pub created_at: chrono::NaiveDateTime,
        pub deleted_at: Option<chrono::NaiveDateTime>,
    }
}

/// What drizzle-kit writes for v2's indexes (`index('…').on(t.status,
/// t.createdAt.desc())`, `.using('gin', t.metadata.op('jsonb_path_ops'))`,
/// `.on(t.authorId.asc().nullsFirst()).where(sql\`deleted_at IS NULL\`)`).
const DRIZZLE_V2: &str = r#"CREATE TABLE "posts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "posts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"author_id" integer NOT NULL,
	"status" text NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp NOT NULL,
	"deleted_at" timestamp
);
--> statement-breakpoint
CREATE INDEX "posts_status_created_idx" ON "posts" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "posts_metadata_idx" ON "posts" USING gin ("metadata" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "posts_live_author_idx" ON "posts" USING btree ("author_id" NULLS FIRST) WHERE deleted_at IS NULL;"#;

fn schema_v1() -> Schema {
    Schema::new().table::<v1::Post>()
}

fn schema_v2() -> Schema {
    Schema::new().table::<v2::Post>()
}

/// Every index of the public schema, as PostgreSQL prints it.
async fn indexes(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn options_are_written_after_each_column() {
    let sql = schema_v2().to_sql();
    for index in [
        r#"CREATE INDEX "posts_status_created_idx" ON "posts" USING btree ("status","created_at" DESC NULLS LAST);"#,
        r#"CREATE INDEX "posts_metadata_idx" ON "posts" USING gin ("metadata" jsonb_path_ops);"#,
        r#"CREATE INDEX "posts_live_author_idx" ON "posts" USING btree ("author_id" NULLS FIRST) WHERE deleted_at IS NULL;"#,
    ] {
        assert!(sql.contains(index), "{index}\nnot in\n{sql}");
    }
}

#[tokio::test]
async fn the_indexes_are_drizzles() {
    let ours = TestDb::with_schema(&schema_v2()).await;
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_V2).await.unwrap();
    let ours = indexes(&ours.client).await;
    assert_eq!(ours, indexes(&drizzle.client).await);
    assert_eq!(
        ours,
        [
            "CREATE INDEX posts_live_author_idx ON public.posts USING btree (author_id NULLS FIRST) WHERE (deleted_at IS NULL)",
            "CREATE INDEX posts_metadata_idx ON public.posts USING gin (metadata jsonb_path_ops)",
            "CREATE UNIQUE INDEX posts_pkey ON public.posts USING btree (id)",
            "CREATE INDEX posts_status_created_idx ON public.posts USING btree (status, created_at DESC NULLS LAST)",
        ]
    );
}

#[tokio::test]
async fn a_changed_order_is_migrated_and_checked() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema_v1()).await;
    let db = test.db();
    let changes = diff(&Snapshot::of(&schema_v1()), &Snapshot::of(&schema_v2()));
    let statements = common::statements_of(&changes);
    assert_eq!(
        statements,
        [
            r#"DROP INDEX "public"."posts_status_created_idx";"#,
            r#"CREATE INDEX "posts_status_created_idx" ON "posts" USING btree ("status","created_at" DESC NULLS LAST);"#,
            r#"CREATE INDEX "posts_metadata_idx" ON "posts" USING gin ("metadata" jsonb_path_ops);"#,
            r#"CREATE INDEX "posts_live_author_idx" ON "posts" USING btree ("author_id" NULLS FIRST) WHERE deleted_at IS NULL;"#,
        ]
    );
    // Before: check sees each index that differs, and only those.
    let drift = common::drift_descriptions(&db, &schema_v2()).await?;
    assert_eq!(
        drift,
        [
            r#"drop index "posts_status_created_idx" on "posts""#,
            r#"create index "posts_live_author_idx" on "posts""#,
            r#"create index "posts_metadata_idx" on "posts""#,
            r#"create index "posts_status_created_idx" on "posts""#,
        ]
    );
    common::apply(&test.client, &changes).await?;
    // After: the live database is the schema, predicate and all.
    assert!(migrate::drift(&db, &schema_v2()).await?.is_empty());
    assert!(!migrate::drift(&db, &schema_v1()).await?.is_empty());
    Ok(())
}

#[test]
fn snapshots_keep_the_options_and_read_older_ones() {
    let snapshot = Snapshot::of(&schema_v2());
    let json = snapshot.to_json();
    assert!(json.contains(r#""desc": true"#), "{json}");
    assert!(json.contains(r#""nulls": "last""#), "{json}");
    assert!(json.contains(r#""opclass": "jsonb_path_ops""#), "{json}");
    assert!(json.contains(r#""where": "deleted_at IS NULL""#), "{json}");
    assert_eq!(Snapshot::from_json(&json).unwrap(), snapshot);
    // An index without options is written as before, without the new keys.
    let plain = Snapshot::of(&schema_v1()).to_json();
    assert!(!plain.contains("\"keys\"") && !plain.contains("\"where\""));
}

mod handles {
    use pgtable::prelude::*;

    #[table(
        name = "handles",
        unique(
            name = "handles_org_handle_uq",
            columns(org_id, handle),
            nulls_not_distinct
        )
    )]
    pub struct Handle {
        #[column(primary_key, identity)]
        pub id: i32,
        pub org_id: Option<i32>,
        pub handle: String,
    }

    /// The same table with NULLs distinct, as before.
    pub mod plain {
        use pgtable::prelude::*;

        #[table(
            name = "handles",
            unique(name = "handles_org_handle_uq", columns(org_id, handle))
        )]
        pub struct Handle {
            #[column(primary_key, identity)]
            pub id: i32,
            pub org_id: Option<i32>,
            pub handle: String,
        }
    }
}

/// drizzle-kit's `unique('handles_org_handle_uq').on(t.orgId, t.handle).nullsNotDistinct()`.
const DRIZZLE_HANDLES: &str = r#"CREATE TABLE "handles" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "handles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"org_id" integer,
	"handle" text NOT NULL,
	CONSTRAINT "handles_org_handle_uq" UNIQUE NULLS NOT DISTINCT("org_id","handle")
);"#;

#[tokio::test]
async fn a_unique_with_nulls_not_distinct_makes_nulls_collide()
-> Result<(), Box<dyn std::error::Error>> {
    let schema = Schema::new().table::<handles::Handle>();
    assert!(
        handles::Handle::create_table().contains(
            r#"CONSTRAINT "handles_org_handle_uq" UNIQUE NULLS NOT DISTINCT("org_id","handle")"#
        ),
        "{}",
        handles::Handle::create_table()
    );
    let ours = TestDb::with_schema(&schema).await;
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_HANDLES).await?;
    let definition = "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'handles_org_handle_uq'";
    let theirs: String = drizzle.client.query_one(definition, &[]).await?.get(0);
    let mine: String = ours.client.query_one(definition, &[]).await?.get(0);
    assert_eq!(mine, theirs);
    assert_eq!(mine, "UNIQUE NULLS NOT DISTINCT (org_id, handle)");

    // Two rows without an org and with the same handle collide.
    let db = ours.db();
    let insert = |handle: &str| handles::NewHandle {
        org_id: None,
        handle: handle.into(),
    };
    handles::Handle::insert(insert("ann")).execute(&db).await?;
    let again = handles::Handle::insert(insert("ann")).execute(&db).await;
    assert!(
        matches!(&again, Err(e) if e.constraint() == Some("handles_org_handle_uq")),
        "{again:?}"
    );

    // check: clean against this schema, a drop and add against the plain one.
    assert!(migrate::drift(&db, &schema).await?.is_empty());
    let plain = Schema::new().table::<handles::plain::Handle>();
    let drift = common::drift_descriptions(&db, &plain).await?;
    assert_eq!(
        drift,
        [
            r#"drop unique constraint "handles_org_handle_uq" on "handles""#,
            r#"add unique constraint "handles_org_handle_uq" on "handles""#,
        ]
    );
    Ok(())
}
