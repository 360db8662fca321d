//! The DDL, run on a real server, creates what it should: read back from
//! information_schema and pg_catalog.

use crate::common;
use crate::schema;

use chrono::{DateTime, NaiveDate, Utc};
use common::TestDb;
use pgtable::prelude::*;
use schema::User;
use tokio_postgres::Client;
use uuid::Uuid;

/// What drizzle-kit generate writes for the seed schema
/// (`pgTable('users', { id: uuid('id').primaryKey(), email: varchar('email',
/// { length: 255 }).notNull().unique(), createdAt: timestamp('created_at').defaultNow() })`).
const DRIZZLE_USERS: &str = r#"CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" varchar(255) NOT NULL,
	"created_at" timestamp DEFAULT now(),
	CONSTRAINT "users_email_unique" UNIQUE("email")
);"#;

/// Every column, constraint and index of the user schemas, one line each.
async fn catalog(client: &Client) -> Vec<String> {
    let mut lines = Vec::new();
    let columns = client
        .query(
            "SELECT table_schema, table_name, column_name, ordinal_position::int4, data_type,
                    udt_name, character_maximum_length, is_nullable, column_default,
                    is_identity, identity_generation
             FROM information_schema.columns
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
             ORDER BY table_schema, table_name, ordinal_position",
            &[],
        )
        .await
        .unwrap();
    for r in columns {
        lines.push(format!(
            "column {}.{}.{} #{} {} ({}) len={:?} nullable={} default={:?} identity={} {:?}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2),
            r.get::<_, i32>(3),
            r.get::<_, String>(4),
            r.get::<_, String>(5),
            r.get::<_, Option<i32>>(6),
            r.get::<_, String>(7),
            r.get::<_, Option<String>>(8),
            r.get::<_, String>(9),
            r.get::<_, Option<String>>(10),
        ));
    }
    let constraints = client
        .query(
            "SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text,
                    pg_get_constraintdef(con.oid)
             FROM pg_constraint con
             JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY 1, 2, 3",
            &[],
        )
        .await
        .unwrap();
    for r in constraints {
        lines.push(format!(
            "constraint {}.{} {} ({}) {}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2),
            r.get::<_, String>(3),
            r.get::<_, String>(4),
        ));
    }
    let enums = client
        .query(
            "SELECT n.nspname::text, t.typname::text, string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
             FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
             GROUP BY 1, 2 ORDER BY 1, 2",
            &[],
        )
        .await
        .unwrap();
    for r in enums {
        lines.push(format!(
            "enum {}.{} ({})",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2)
        ));
    }
    let sequences = client
        .query(
            "SELECT sequencename::text, data_type::text, start_value, min_value, max_value, increment_by, cache_size
             FROM pg_sequences ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    for r in sequences {
        lines.push(format!(
            "sequence {} {} start={} min={} max={} by={} cache={}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, i64>(2),
            r.get::<_, i64>(3),
            r.get::<_, i64>(4),
            r.get::<_, i64>(5),
            r.get::<_, i64>(6)
        ));
    }
    let indexes = client
        .query(
            "SELECT indexname::text, indexdef FROM pg_indexes
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY schemaname, tablename, indexname",
            &[],
        )
        .await
        .unwrap();
    for r in indexes {
        lines.push(format!(
            "index {} {}",
            r.get::<_, String>(0),
            r.get::<_, String>(1)
        ));
    }
    lines
}

#[test]
fn seed_ddl_is_drizzle_kits() {
    assert_eq!(User::create_table(), DRIZZLE_USERS);
}

#[tokio::test]
async fn seed_table_is_the_database_drizzle_creates() {
    let ours = TestDb::new().await;
    ours.client
        .batch_execute(User::create_table())
        .await
        .unwrap();
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_USERS).await.unwrap();

    let ours = catalog(&ours.client).await;
    assert_eq!(ours, catalog(&drizzle.client).await);
    assert_eq!(
        ours,
        [
            r#"column public.users.id #1 uuid (uuid) len=None nullable=NO default=None identity=NO None"#,
            r#"column public.users.email #2 character varying (varchar) len=Some(255) nullable=NO default=None identity=NO None"#,
            r#"column public.users.created_at #3 timestamp without time zone (timestamp) len=None nullable=YES default=Some("now()") identity=NO None"#,
            r#"constraint public.users users_email_unique (u) UNIQUE (email)"#,
            r#"constraint public.users users_pkey (p) PRIMARY KEY (id)"#,
            r#"index users_email_unique CREATE UNIQUE INDEX users_email_unique ON public.users USING btree (email)"#,
            r#"index users_pkey CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"#,
        ]
    );
}

#[tokio::test]
async fn example_schema_ddl_runs_on_an_empty_database() {
    let db = TestDb::new().await;
    db.client
        .batch_execute(&schema::schema().to_sql())
        .await
        .unwrap();
    let tables: i64 = db
        .client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables as usize, schema::schema().tables().len());
}

/// A table using every attribute of the foundation.
#[table(
    name = "memberships",
    schema = "billing",
    primary_key(org_id, user_id),
    unique(org_id, seat),
    insert = "MembershipDraft"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub org_id: i32,
    pub user_id: Uuid,
    #[column(identity)]
    pub seat: i64,
    #[column(default_random, unique)]
    pub token: Uuid,
    #[column(name = "role_name", default = "member")]
    pub role: String,
    #[column(sql_type = "varchar(16)")]
    pub plan: Option<String>,
    #[column(default_now)]
    pub joined_on: NaiveDate,
    #[column(default_now)]
    pub updated_at: Option<DateTime<Utc>>,
    #[column(name = "odd \"name\"")]
    pub r#odd: i16,
}

#[test]
fn every_attribute_renders() {
    assert_eq!(
        Membership::create_table(),
        r#"CREATE TABLE "billing"."memberships" (
	"org_id" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"seat" bigint GENERATED ALWAYS AS IDENTITY,
	"token" uuid DEFAULT gen_random_uuid() NOT NULL,
	"role_name" text DEFAULT 'member' NOT NULL,
	"plan" varchar(16),
	"joined_on" date DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now(),
	"odd ""name""" smallint NOT NULL,
	CONSTRAINT "memberships_org_id_user_id_pk" PRIMARY KEY("org_id","user_id"),
	CONSTRAINT "memberships_token_unique" UNIQUE("token"),
	CONSTRAINT "memberships_org_id_seat_unique" UNIQUE("org_id","seat")
);"#
    );
    assert_eq!(
        Schema::new().table::<Membership>().to_sql(),
        format!(
            "CREATE SCHEMA \"billing\";\n\n{}\n",
            Membership::create_table()
        )
    );
}

#[tokio::test]
async fn every_attribute_reaches_the_catalog() {
    let db = TestDb::new().await;
    db.client
        .batch_execute(&Schema::new().table::<Membership>().to_sql())
        .await
        .unwrap();
    assert_eq!(
        catalog(&db.client).await,
        [
            r#"column billing.memberships.org_id #1 integer (int4) len=None nullable=NO default=None identity=NO None"#,
            r#"column billing.memberships.user_id #2 uuid (uuid) len=None nullable=NO default=None identity=NO None"#,
            r#"column billing.memberships.seat #3 bigint (int8) len=None nullable=NO default=None identity=YES Some("ALWAYS")"#,
            r#"column billing.memberships.token #4 uuid (uuid) len=None nullable=NO default=Some("gen_random_uuid()") identity=NO None"#,
            r#"column billing.memberships.role_name #5 text (text) len=None nullable=NO default=Some("'member'::text") identity=NO None"#,
            r#"column billing.memberships.plan #6 character varying (varchar) len=Some(16) nullable=YES default=None identity=NO None"#,
            r#"column billing.memberships.joined_on #7 date (date) len=None nullable=NO default=Some("now()") identity=NO None"#,
            r#"column billing.memberships.updated_at #8 timestamp with time zone (timestamptz) len=None nullable=YES default=Some("now()") identity=NO None"#,
            r#"column billing.memberships.odd "name" #9 smallint (int2) len=None nullable=NO default=None identity=NO None"#,
            r#"constraint billing.memberships memberships_org_id_seat_unique (u) UNIQUE (org_id, seat)"#,
            r#"constraint billing.memberships memberships_org_id_user_id_pk (p) PRIMARY KEY (org_id, user_id)"#,
            r#"constraint billing.memberships memberships_token_unique (u) UNIQUE (token)"#,
            r#"sequence memberships_seat_seq bigint start=1 min=1 max=9223372036854775807 by=1 cache=1"#,
            r#"index memberships_org_id_seat_unique CREATE UNIQUE INDEX memberships_org_id_seat_unique ON billing.memberships USING btree (org_id, seat)"#,
            r#"index memberships_org_id_user_id_pk CREATE UNIQUE INDEX memberships_org_id_user_id_pk ON billing.memberships USING btree (org_id, user_id)"#,
            r#"index memberships_token_unique CREATE UNIQUE INDEX memberships_token_unique ON billing.memberships USING btree (token)"#,
        ]
    );
}

#[tokio::test]
async fn insert_type_follows_defaults_and_identity() {
    let db = TestDb::new().await;
    db.client
        .batch_execute(&Schema::new().table::<Membership>().to_sql())
        .await
        .unwrap();
    let user_id = Uuid::new_v4();
    // `seat` (identity) is not a field; `token`, `role`, `joined_on` and
    // `updated_at` have defaults, so `None` takes them.
    let draft = MembershipDraft {
        org_id: 7,
        user_id,
        token: None,
        role: None,
        plan: None,
        joined_on: None,
        updated_at: None,
        odd: -1,
    };
    let row = common::insert_returning(&db.client, &draft).await.unwrap();
    assert_eq!((row.org_id, row.user_id, row.seat), (7, user_id, 1));
    assert_ne!(row.token, Uuid::nil());
    assert_eq!(row.role, "member");
    assert_eq!(row.plan, None);
    assert_eq!(row.joined_on, Utc::now().date_naive());
    assert!(row.updated_at.is_some());

    let token = Uuid::new_v4();
    let explicit = MembershipDraft {
        org_id: 7,
        user_id: Uuid::new_v4(),
        token: Some(token),
        role: Some("owner".into()),
        plan: Some("pro".into()),
        joined_on: Some(NaiveDate::from_ymd_opt(2001, 2, 3).unwrap()),
        updated_at: Some(DateTime::from_timestamp(1_000_000_000, 123_456_000).unwrap()),
        odd: i16::MAX,
    };
    let row = common::insert_returning(&db.client, &explicit)
        .await
        .unwrap();
    assert_eq!(row.seat, 2);
    assert_eq!(row.token, token);
    assert_eq!(row.role, "owner");
    assert_eq!(row.plan.as_deref(), Some("pro"));
    assert_eq!(row.joined_on, NaiveDate::from_ymd_opt(2001, 2, 3).unwrap());
    assert_eq!(
        row.updated_at,
        Some(DateTime::from_timestamp(1_000_000_000, 123_456_000).unwrap())
    );
    assert_eq!(row.odd, i16::MAX);
}

/// What drizzle-kit generate writes for the blog schema of
/// examples/schema/mod.rs (its Drizzle equivalent is in that file).
const DRIZZLE_BLOG: &str = r#"CREATE TYPE "public"."post_status" AS ENUM('draft', 'published', 'archived');--> statement-breakpoint
CREATE TABLE "comments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "comments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"post_id" integer NOT NULL,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_tags" (
	"post_id" integer NOT NULL,
	"tag_id" integer NOT NULL,
	CONSTRAINT "post_tags_post_id_tag_id_pk" PRIMARY KEY("post_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "posts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "posts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"author_id" uuid NOT NULL,
	"title" text NOT NULL,
	"status" "post_status" DEFAULT 'draft' NOT NULL,
	"tags" text[] NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tags_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(64) NOT NULL,
	CONSTRAINT "tags_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" varchar(255) NOT NULL,
	"created_at" timestamp DEFAULT now(),
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "posts_author_id_created_at_index" ON "posts" USING btree ("author_id","created_at");"#;

#[tokio::test]
async fn blog_schema_is_the_database_drizzle_creates() {
    let ours = TestDb::with_schema(&schema::schema()).await;
    let drizzle = TestDb::new().await;
    drizzle.client.batch_execute(DRIZZLE_BLOG).await.unwrap();
    let catalog_ours = catalog(&ours.client).await;
    assert_eq!(catalog_ours, catalog(&drizzle.client).await);
    // The comparison covers what matters: spot-check that it saw it.
    for expected in [
        "enum public.post_status (draft,published,archived)",
        "constraint public.post_tags post_tags_post_id_tag_id_pk (p) PRIMARY KEY (post_id, tag_id)",
        "constraint public.posts posts_author_id_users_id_fk (f) FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE CASCADE",
        "index posts_author_id_created_at_index CREATE INDEX posts_author_id_created_at_index ON public.posts USING btree (author_id, created_at)",
        "sequence posts_id_seq integer start=1 min=1 max=2147483647 by=1 cache=1",
    ] {
        assert!(
            catalog_ours.iter().any(|l| l == expected),
            "missing {expected:?} in {catalog_ours:#?}"
        );
    }
}
