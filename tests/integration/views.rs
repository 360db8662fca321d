//! Views: `#[view(name, sql)]` and `materialized`, selected from like a
//! table (filters, orders, joins, column constants), created after the
//! tables by the DDL and migrations, rebuilt when what they read changes,
//! and compared by `check` as PostgreSQL stores them.

use crate::common;

use common::TestDb;
use pgtable::migrate::diff;
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;

#[table(name = "authors")]
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
}

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Author::ID)]
    pub author_id: i64,
    pub title: String,
    pub published: bool,
}

#[view(
    name = "published_posts",
    sql = "SELECT id, author_id, title AS headline FROM posts WHERE published"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPost {
    pub id: i64,
    pub author_id: i64,
    #[column(name = "headline")]
    pub title: String,
}

/// A view of a view, materialized.
#[view(
    name = "post_counts",
    schema = "reports",
    materialized,
    sql = "SELECT author_id, count(*) AS posts FROM published_posts GROUP BY author_id"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PostCount {
    pub author_id: i64,
    pub posts: i64,
}

fn schema() -> Schema {
    Schema::new()
        .table::<Author>()
        .table::<Post>()
        .view::<PublishedPost>()
        .view::<PostCount>()
}

#[test]
fn the_ddl_creates_views_after_the_tables_in_order() {
    let sql = schema().to_sql();
    let statements: Vec<&str> = sql.split("\n\n").map(str::trim).collect();
    assert_eq!(statements[0], r#"CREATE SCHEMA "reports";"#);
    assert_eq!(
        statements[statements.len() - 2..],
        [
            r#"CREATE VIEW "public"."published_posts" AS (SELECT id, author_id, title AS headline FROM posts WHERE published);"#,
            r#"CREATE MATERIALIZED VIEW "reports"."post_counts" AS (SELECT author_id, count(*) AS posts FROM published_posts GROUP BY author_id);"#,
        ]
    );
    assert_eq!(PostCount::create_table(), statements[statements.len() - 1]);
}

#[tokio::test]
async fn a_view_is_queried_like_a_table() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&schema()).await;
    let db = test.db();
    let ann = Author::insert(NewAuthor { name: "Ann".into() })
        .returning()
        .fetch_one(&db)
        .await?;
    for (title, published) in [("Rust", true), ("Draft", false), ("SQL", true)] {
        Post::insert(NewPost {
            author_id: ann.id,
            title: title.into(),
            published,
        })
        .execute(&db)
        .await?;
    }
    let titles: Vec<String> = PublishedPost::select_columns(PublishedPost::TITLE)
        .filter(PublishedPost::TITLE.ne("SQL"))
        .order_by(PublishedPost::TITLE.asc())
        .fetch_all(&db)
        .await?;
    assert_eq!(titles, ["Rust"]);
    let joined: Vec<(PublishedPost, Author)> = PublishedPost::select()
        .inner_join(Author::ID.eq(PublishedPost::AUTHOR_ID))
        .order_by(PublishedPost::ID.asc())
        .fetch_all(&db)
        .await?;
    assert_eq!(joined.len(), 2);
    assert_eq!(joined[0].1, ann);

    // A materialized view holds what it held until it is refreshed.
    let counts = |db| async move { PostCount::select().fetch_all(db).await };
    assert_eq!(counts(&db).await?, []);
    pgtable::refresh_view::<PostCount>(false)
        .execute(&db)
        .await?;
    assert_eq!(
        counts(&db).await?,
        [PostCount {
            author_id: ann.id,
            posts: 2
        }]
    );
    Ok(())
}

mod v2 {
    use pgtable::prelude::*;

    #[table(name = "posts")]
    pub struct Post {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references = super::Author::ID)]
        pub author_id: i64,
        /// Retyped: the views reading it are rebuilt around the change.
        #[column(varchar(200))]
        pub title: String,
        pub published: bool,
    }

    #[view(
        name = "published_posts",
        sql = "SELECT id, author_id, title AS headline FROM posts WHERE published AND title <> ''"
    )]
    pub struct PublishedPost {
        pub id: i64,
        pub author_id: i64,
        #[column(name = "headline")]
        pub title: String,
    }

    pub fn schema() -> Schema {
        Schema::new()
            .table::<super::Author>()
            .table::<Post>()
            .view::<PublishedPost>()
            .view::<super::PostCount>()
    }
}

#[tokio::test]
async fn migrations_rebuild_views_around_table_changes_and_check_agrees()
-> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema()).await;
    let db = test.db();
    assert_eq!(
        common::drift_descriptions(&db, &schema()).await?,
        Vec::<String>::new()
    );
    let changes = diff(&Snapshot::of(&schema()), &Snapshot::of(&v2::schema()));
    let described = common::descriptions(&changes);
    assert_eq!(
        described,
        [
            r#"drop view "reports"."post_counts""#,
            r#"drop view "public"."published_posts""#,
            r#"alter column "posts"."title": type text -> varchar(200)"#,
            r#"create view "public"."published_posts""#,
            r#"create view "reports"."post_counts""#,
        ]
    );
    // Before: check sees the changed view and the retyped column.
    let before = common::drift_descriptions(&db, &v2::schema()).await?;
    assert!(
        before.iter().any(|d| d.contains("character varying(200)")),
        "{before:#?}"
    );
    common::apply(&test.client, &changes).await?;
    let after = common::drift_descriptions(&db, &v2::schema()).await?;
    assert!(after.is_empty(), "{after:#?}");

    // A view changed behind pgtable's back is drift.
    test.client
        .batch_execute(
            "CREATE OR REPLACE VIEW published_posts AS SELECT id, author_id, title AS headline FROM posts WHERE published",
        )
        .await?;
    let drift = common::drift_descriptions(&db, &v2::schema()).await?;
    assert!(
        drift.contains(&r#"create view "public"."published_posts""#.to_owned()),
        "{drift:#?}"
    );
    Ok(())
}
