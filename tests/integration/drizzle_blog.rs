//! A real Drizzle schema (`tests/fixtures/drizzle-blog/schema.ts`) ported
//! construct by construct, against the SQL drizzle-kit writes for it
//! (`0000_init.sql`, unedited): `pg_dump -s` of a database pgtable builds
//! equals that of one drizzle-kit's SQL builds, table by table, and `check`
//! finds the drizzle-kit database clean.
#![cfg(feature = "decimal")]

use crate::common;

use common::TestDb;
use pgtable::migrate;
use pgtable::prelude::*;

/// The port. Each item says which Drizzle construct it is.
pub mod blog {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use pgtable::prelude::*;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    /// `pgTable('users', …)`.
    #[table(name = "users")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct User {
        /// `uuid('id').primaryKey()`
        #[column(primary_key)]
        pub id: Uuid,
        /// `varchar('email', { length: 255 }).notNull().unique()`
        #[column(varchar(255), unique)]
        pub email: String,
        /// `timestamp('created_at').defaultNow()`
        #[column(default_now)]
        pub created_at: Option<NaiveDateTime>,
        /// `text('name')`
        pub name: Option<String>,
        /// `integer('age')`
        pub age: Option<i32>,
        /// `boolean('is_active').notNull().default(true)`
        #[column(default = true)]
        pub is_active: bool,
    }

    /// `pgEnum('post_status', ['draft', 'published', 'archived'])`
    #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
    #[pg_enum(name = "post_status")]
    pub enum PostStatus {
        Draft,
        Published,
        Archived,
    }

    /// What `metadata` holds: `jsonb('metadata').$type<{ source?: string; wordCount?: number }>()`.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct PostMetadata {
        pub source: Option<String>,
        pub word_count: Option<u32>,
    }

    /// `pgTable('posts', …, (t) => [index…, unique…, check…])`.
    #[table(
        name = "posts",
        index(name = "posts_author_idx", columns(author_id)),
        index(name = "posts_status_created_idx", columns(status, created_at desc nulls_last)),
        unique(name = "posts_author_slug_uq", columns(author_id, slug)),
        check(name = "posts_rating_check", expr = "rating >= 0 AND rating <= 10")
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Post {
        /// `integer('id').primaryKey().generatedAlwaysAsIdentity()`
        #[column(primary_key, identity)]
        pub id: i32,
        /// `uuid('author_id').notNull().references(() => users.id, { onDelete: 'cascade' })`,
        /// and `author: one(users, …)` / `posts: many(posts)`.
        #[column(
            references = User::ID,
            on_delete = cascade,
            relation(belongs_to = "author", has_many = "posts")
        )]
        pub author_id: Uuid,
        /// `varchar('title', { length: 200 }).notNull()`
        #[column(varchar(200))]
        pub title: String,
        /// `text('slug').notNull()`
        pub slug: String,
        /// `text('content')`
        pub content: Option<String>,
        /// `postStatus('status').notNull().default('draft')`
        #[column(default = PostStatus::Draft)]
        pub status: PostStatus,
        /// `jsonb('metadata').$type<…>()`
        pub metadata: Option<pgtable::Json<PostMetadata>>,
        /// `boolean('published').notNull().default(false)`
        #[column(default = false)]
        pub published: bool,
        /// ``text('tags').array().notNull().default(sql`'{}'::text[]`)``
        #[column(default_sql = "'{}'::text[]")]
        pub tags: Vec<String>,
        /// `numeric('rating', { precision: 3, scale: 1 })`
        #[column(numeric(3, 1))]
        pub rating: Option<Decimal>,
        /// `bigint('views', { mode: 'number' }).notNull().default(0)`
        #[column(default = 0)]
        pub views: i64,
        /// `timestamp('created_at', { withTimezone: true }).notNull().defaultNow()`
        #[column(default_now)]
        pub created_at: DateTime<Utc>,
    }

    /// `pgTable('categories', …)`.
    #[table(name = "categories")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Category {
        /// `serial('id').primaryKey()`
        #[column(primary_key, serial)]
        pub id: i32,
        /// `text('name').notNull().unique()`
        #[column(unique)]
        pub name: String,
    }

    /// `pgTable('posts_to_categories', …, (t) => [primaryKey({ columns: [t.postId, t.categoryId] })])`,
    /// and the `categories` / `posts` relations through it.
    #[table(name = "posts_to_categories", primary_key(post_id, category_id))]
    #[derive(Debug, Clone, PartialEq)]
    pub struct PostToCategory {
        #[column(
            references = Post::ID,
            on_delete = cascade,
            relation(many_to_many = "categories", through = category_id)
        )]
        pub post_id: i32,
        #[column(
            references = Category::ID,
            on_delete = cascade,
            relation(many_to_many = "posts", through = post_id)
        )]
        pub category_id: i32,
    }

    pub fn schema() -> Schema {
        Schema::new()
            .table::<User>()
            .table::<Post>()
            .table::<Category>()
            .table::<PostToCategory>()
    }
}

const DRIZZLE_KIT_SQL: &str = include_str!("../fixtures/drizzle-blog/0000_init.sql");

/// drizzle-kit's file as statements (it separates them with a marker).
fn drizzle_kit_statements() -> Vec<&'static str> {
    DRIZZLE_KIT_SQL
        .split("--> statement-breakpoint")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn every_statement_is_drizzle_kits() {
    // The port compiles (above); each statement is drizzle-kit's, in the
    // order drizzle-kit writes a whole schema, but for two spellings of the
    // same thing: drizzle-kit lists an identity's sequence options, which
    // are PostgreSQL's defaults, and the schema's check names its column
    // through the table (`${t.rating}`), which a `#[table]` check need not.
    // drizzle-kit sorts tables by name, pgtable keeps the schema's order
    // (foreign keys come after all tables in both), so statements are
    // compared as sets.
    let ours = blog::schema().to_sql();
    let mut theirs: Vec<String> = drizzle_kit_statements()
        .into_iter()
        .map(|s| {
            s.trim_end_matches(';')
                .replace(
                    " (sequence name \"posts_id_seq\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1)",
                    "",
                )
                .replace("\"posts\".\"rating\"", "rating")
        })
        .collect();
    let mut ours: Vec<&str> = ours
        .split("\n\n")
        .map(|s| s.trim().trim_end_matches(';'))
        .collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
}

#[tokio::test]
async fn pg_dump_of_both_databases_is_identical() {
    let pg_dump = match common::pg_dump() {
        Ok(path) => path,
        Err(why) => return common::skip("pg_dump_of_both_databases_is_identical", &why),
    };
    let ours = TestDb::with_schema(&blog::schema()).await;
    let drizzle = TestDb::new().await;
    for statement in drizzle_kit_statements() {
        drizzle.client.batch_execute(statement).await.unwrap();
    }
    let (mine, theirs) = (
        common::schema_dump(&pg_dump, &ours),
        common::schema_dump(&pg_dump, &drizzle),
    );
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(a, b, "the dumps differ at this object");
    }
    assert_eq!(mine.len(), theirs.len(), "{mine:#?}\n\n{theirs:#?}");
    // The comparison saw what matters.
    for object in [
        "posts_status_created_idx; Type: INDEX",
        "posts_rating_check",
        "posts_author_slug_uq; Type: CONSTRAINT",
        "categories_id_seq; Type: SEQUENCE",
        "post_status; Type: TYPE",
    ] {
        assert!(
            mine.iter().any(|s| s.contains(object)),
            "no {object} in {mine:#?}"
        );
    }

    // And `check` finds drizzle-kit's database to be the schema.
    let drift = migrate::drift(&drizzle.db(), &blog::schema())
        .await
        .unwrap();
    assert!(drift.is_empty(), "{drift:#?}");
}

#[tokio::test]
async fn the_port_reads_and_writes_like_the_drizzle_app() -> Result<(), pgtable::Error> {
    use blog::*;
    let test = TestDb::with_schema(&blog::schema()).await;
    let db = test.db();
    let author = User::insert(NewUser::new(uuid::Uuid::new_v4(), "a@x.io".into()))
        .returning()
        .fetch_one(&db)
        .await?;
    assert!(author.is_active);
    let post = Post::insert(NewPost::new(author.id, "Hello".into(), "hello".into()))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(
        (post.status, post.published, post.views, post.tags.len()),
        (PostStatus::Draft, false, 0, 0)
    );
    let rust = Category::insert(NewCategory::new("rust".into()))
        .returning()
        .fetch_one(&db)
        .await?;
    PostToCategory::insert(NewPostToCategory {
        post_id: post.id,
        category_id: rust.id,
    })
    .execute(&db)
    .await?;
    // Drizzle's `findMany({ with: { posts: { with: { categories } } } })`.
    type PostWithCategories = (Post, Vec<Category>);
    let loaded: Vec<(User, Vec<PostWithCategories>)> = User::select()
        .with(User::posts().with(Post::categories()))
        .fetch_all(&db)
        .await?;
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].1[0].1, vec![rust]);
    Ok(())
}
