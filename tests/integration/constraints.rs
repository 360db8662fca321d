//! Foreign keys, indexes and checks: the DDL (in drizzle-kit's order), what
//! the server makes of it, and what the constraints do.

use crate::common;

use common::TestDb;
use pgtable::Error;
use pgtable::prelude::*;

#[table(name = "authors")]
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
    /// A cycle: authors reference posts, posts reference authors.
    #[column(references = Post::ID, on_delete = set_null)]
    pub featured_post_id: Option<i64>,
}

#[table(
    name = "posts",
    index(author_id, rating),
    index(name = "posts_title_hash", columns(title), using = "hash"),
    index(name = "posts_slug_key", columns(author_id, slug), unique),
    check(name = "posts_slug_check", expr = "slug <> ''")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Author::ID, on_delete = cascade, on_update = restrict)]
    pub author_id: i64,
    /// A reference to the same table.
    #[column(references = Self::ID, on_delete = set_null)]
    pub parent_id: Option<i64>,
    #[column(index)]
    pub title: String,
    pub slug: String,
    #[column(check = "rating >= 0")]
    pub rating: i32,
}

fn schema() -> Schema {
    // Authors and posts reference each other, so neither can come first:
    // the order given stands, and the foreign keys follow the tables.
    Schema::new().table::<Post>().table::<Author>()
}

#[test]
fn schema_ddl_is_in_drizzle_kits_order() {
    assert_eq!(
        schema().to_sql(),
        r#"CREATE TABLE "posts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"author_id" bigint NOT NULL,
	"parent_id" bigint,
	"title" text NOT NULL,
	"slug" text NOT NULL,
	"rating" integer NOT NULL,
	CONSTRAINT "posts_rating_check" CHECK (rating >= 0),
	CONSTRAINT "posts_slug_check" CHECK (slug <> '')
);

CREATE TABLE "authors" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"name" text NOT NULL,
	"featured_post_id" bigint
);

ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_authors_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."authors"("id") ON DELETE cascade ON UPDATE restrict;

ALTER TABLE "posts" ADD CONSTRAINT "posts_parent_id_posts_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."posts"("id") ON DELETE set null ON UPDATE no action;

ALTER TABLE "authors" ADD CONSTRAINT "authors_featured_post_id_posts_id_fk" FOREIGN KEY ("featured_post_id") REFERENCES "public"."posts"("id") ON DELETE set null ON UPDATE no action;

CREATE INDEX "posts_title_index" ON "posts" USING btree ("title");

CREATE INDEX "posts_author_id_rating_index" ON "posts" USING btree ("author_id","rating");

CREATE INDEX "posts_title_hash" ON "posts" USING hash ("title");

CREATE UNIQUE INDEX "posts_slug_key" ON "posts" USING btree ("author_id","slug");
"#
    );
}

#[tokio::test]
async fn constraints_reach_the_catalog() {
    let test = TestDb::with_schema(&schema()).await;
    let constraints: Vec<(String, String)> = test
        .client
        .query(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid IN ('posts'::regclass, 'authors'::regclass) ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected = [
        (
            "authors_featured_post_id_posts_id_fk",
            "FOREIGN KEY (featured_post_id) REFERENCES posts(id) ON DELETE SET NULL",
        ),
        ("authors_pkey", "PRIMARY KEY (id)"),
        (
            "posts_author_id_authors_id_fk",
            "FOREIGN KEY (author_id) REFERENCES authors(id) ON UPDATE RESTRICT ON DELETE CASCADE",
        ),
        (
            "posts_parent_id_posts_id_fk",
            "FOREIGN KEY (parent_id) REFERENCES posts(id) ON DELETE SET NULL",
        ),
        ("posts_pkey", "PRIMARY KEY (id)"),
        ("posts_rating_check", "CHECK ((rating >= 0))"),
        ("posts_slug_check", "CHECK ((slug <> ''::text))"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(constraints, expected);

    let indexes: Vec<String> = test
        .client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'posts' ORDER BY indexname",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        indexes,
        [
            "CREATE INDEX posts_author_id_rating_index ON public.posts USING btree (author_id, rating)",
            "CREATE UNIQUE INDEX posts_pkey ON public.posts USING btree (id)",
            "CREATE UNIQUE INDEX posts_slug_key ON public.posts USING btree (author_id, slug)",
            "CREATE INDEX posts_title_hash ON public.posts USING hash (title)",
            "CREATE INDEX posts_title_index ON public.posts USING btree (title)",
        ]
    );
}

#[tokio::test]
async fn foreign_key_actions_and_checks_apply() -> Result<(), Error> {
    let test = TestDb::with_schema(&schema()).await;
    let db = test.db();
    let author = Author::insert(NewAuthor {
        name: "Ursula".into(),
        featured_post_id: None,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    let post = |slug: &str, parent_id| NewPost {
        author_id: author.id,
        parent_id,
        title: "T".into(),
        slug: slug.into(),
        rating: 1,
    };
    let first = Post::insert(post("first", None))
        .returning()
        .fetch_one(&db)
        .await?;
    let reply = Post::insert(post("reply", Some(first.id)))
        .returning()
        .fetch_one(&db)
        .await?;
    Author::update()
        .set(Author::FEATURED_POST_ID, first.id)
        .filter(Author::ID.eq(author.id))
        .execute(&db)
        .await?;

    let err = Post::insert(NewPost {
        rating: -1,
        ..post("bad", None)
    })
    .execute(&db)
    .await
    .unwrap_err();
    assert_eq!(err.constraint(), Some("posts_rating_check"));
    let err = Post::insert(post("first", None))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("posts_slug_key"));

    // Deleting a post sets the references to it to NULL...
    Post::delete()
        .filter(Post::ID.eq(first.id))
        .execute(&db)
        .await?;
    assert_eq!(Post::find(reply.id).fetch_one(&db).await?.parent_id, None);
    assert_eq!(
        Author::find(author.id)
            .fetch_one(&db)
            .await?
            .featured_post_id,
        None
    );
    // ...and deleting the author deletes their posts.
    Author::delete()
        .filter(Author::ID.eq(author.id))
        .execute(&db)
        .await?;
    assert_eq!(Post::select().count(&db).await?, 0);
    Ok(())
}
