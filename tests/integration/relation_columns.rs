//! Loaded relations that fetch only what is asked for: `columns(..)` on a
//! relation, `select_columns(..)` under `.with(..)`, and options on every
//! kind of relation; and Drizzle's relational query, as one expression.

use crate::common;

use common::{TestDb, record_statements};
use pgtable::prelude::*;

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub name: String,
}

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID, relation(belongs_to = "author", has_many = "posts"))]
    pub author_id: i64,
    pub title: String,
    pub tags: Vec<String>,
    pub body: String,
}

#[table(name = "comments")]
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Post::ID, index, relation(has_many = "comments"))]
    pub post_id: i64,
    pub text: String,
}

#[table(name = "categories")]
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
}

#[table(name = "posts_to_categories", primary_key(post_id, category_id))]
#[derive(Debug, Clone, PartialEq)]
pub struct PostToCategory {
    #[column(
        references = Post::ID,
        relation(has_many = "categories", many_to_many = "category_list", through = category_id)
    )]
    pub post_id: i64,
    #[column(references = Category::ID, relation(belongs_to = "category"))]
    pub category_id: i64,
}

/// ann (7 posts) and bob (1 post); posts in categories by id parity.
async fn blog() -> TestDb {
    let schema = Schema::new()
        .table::<User>()
        .table::<Post>()
        .table::<Comment>()
        .table::<Category>()
        .table::<PostToCategory>();
    let test = TestDb::with_schema(&schema).await;
    let db = test.db();
    User::insert_many(
        [("ann@x.io", "Ann"), ("bob@x.io", "Bob")].map(|(email, name)| NewUser {
            email: email.into(),
            name: name.into(),
        }),
    )
    .execute(&db)
    .await
    .unwrap();
    Post::insert_many((1..=8).map(|i| NewPost {
        author_id: if i == 8 { 2 } else { 1 },
        title: format!("post {i}"),
        tags: vec![format!("t{i}")],
        body: "long text".repeat(100),
    }))
    .execute(&db)
    .await
    .unwrap();
    // Three comments on each of posts 1 and 2.
    Comment::insert_many((1..=6).map(|i| NewComment {
        post_id: (i + 2) / 3,
        text: format!("comment {i}"),
    }))
    .execute(&db)
    .await
    .unwrap();
    Category::insert_many(["even", "odd", "all"].map(|name| NewCategory { name: name.into() }))
        .execute(&db)
        .await
        .unwrap();
    PostToCategory::insert_many((1..=8).flat_map(|post_id| {
        [
            NewPostToCategory {
                post_id,
                category_id: if post_id % 2 == 0 { 1 } else { 2 },
            },
            NewPostToCategory {
                post_id,
                category_id: 3,
            },
        ]
    }))
    .execute(&db)
    .await
    .unwrap();
    test
}

/// Drizzle's
/// `db.query.users.findFirst({ where, columns: { id, email }, with: { posts:
/// { columns: { title, tags }, orderBy: desc(posts.id), limit: 5, with: {
/// categories: { with: { category: true } } } } } })`.
#[tokio::test]
async fn drizzles_relational_query_is_one_expression() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    type Loaded = (
        (i64, String),
        Vec<((String, Vec<String>), Vec<(PostToCategory, Category)>)>,
    );
    let (found, sent) = record_statements(
        User::select_columns((User::ID, User::EMAIL))
            .filter(User::EMAIL.eq("ann@x.io"))
            .with(
                User::posts()
                    .columns((Post::TITLE, Post::TAGS))
                    .order_by(Post::ID.desc())
                    .limit(5)
                    .with(Post::categories().with(PostToCategory::category())),
            )
            .fetch_one(&db),
    )
    .await;
    let (user, posts): Loaded = found?;

    // The same data Drizzle returns.
    assert_eq!(user, (1, "ann@x.io".to_owned()));
    let titles: Vec<&str> = posts.iter().map(|((title, _), _)| title.as_str()).collect();
    assert_eq!(titles, ["post 7", "post 6", "post 5", "post 4", "post 3"]);
    assert_eq!(posts[0].0.1, ["t7"]);
    let mut categories: Vec<&str> = posts[0].1.iter().map(|(_, c)| c.name.as_str()).collect();
    categories.sort();
    assert_eq!(categories, ["all", "odd"]);
    assert!(posts[1].1.iter().all(|(link, _)| link.post_id == 6));

    // One statement per relation, each fetching only the columns asked
    // for and the keys the next load matches on.
    assert_eq!(
        sent,
        [
            r#"SELECT "id", "email" FROM "users" WHERE "users"."email" = $1 LIMIT $2"#,
            r#"SELECT "title", "tags", "author_id", "id" FROM (SELECT "posts"."title", "posts"."tags", "posts"."author_id", "posts"."id", row_number() OVER (PARTITION BY "posts"."author_id" ORDER BY "posts"."id" DESC) AS "__pgtable_rank" FROM "posts" WHERE "posts"."author_id" = ANY($1)) AS "__pgtable_ranked" WHERE "__pgtable_rank" <= $2 ORDER BY "__pgtable_rank""#,
            r#"SELECT "post_id", "category_id" FROM "posts_to_categories" WHERE "posts_to_categories"."post_id" = ANY($1)"#,
            r#"SELECT "id", "name" FROM "categories" WHERE "categories"."id" = ANY($1)"#,
        ]
    );
    Ok(())
}

#[tokio::test]
async fn parents_selected_by_columns_fetch_their_key_without_returning_it()
-> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let query = User::select_columns(User::NAME)
        .order_by(User::ID)
        .with(User::posts().columns(Post::TITLE).filter(Post::ID.lt(3)));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "name", "id" FROM "users" ORDER BY "users"."id" ASC"#
    );
    let users: Vec<(String, Vec<String>)> = query.fetch_all(&db).await?;
    let mut ann_titles = users[0].1.clone();
    ann_titles.sort();
    assert_eq!(
        users,
        [
            ("Ann".to_owned(), ann_titles.clone()),
            ("Bob".to_owned(), vec![])
        ]
    );
    assert_eq!(ann_titles, ["post 1", "post 2"]);
    Ok(())
}

#[tokio::test]
async fn a_belongs_to_fetches_only_its_columns() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let (posts, sent) = record_statements(
        Post::select_columns(Post::TITLE)
            .filter(Post::ID.ge(7))
            .order_by(Post::ID)
            .with(Post::author().columns(User::NAME))
            .fetch_all(&db),
    )
    .await;
    assert_eq!(
        posts?,
        [
            ("post 7".to_owned(), "Ann".to_owned()),
            ("post 8".to_owned(), "Bob".to_owned())
        ]
    );
    assert_eq!(
        sent[1],
        r#"SELECT "name", "id" FROM "users" WHERE "users"."id" = ANY($1)"#
    );
    Ok(())
}

#[tokio::test]
async fn many_to_many_takes_columns_filters_order_and_limits_per_parent()
-> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let (posts, sent) = record_statements(
        Post::select_columns(Post::ID)
            .filter(Post::ID.le(3))
            .order_by(Post::ID)
            .with(
                Post::category_list()
                    .columns(Category::NAME)
                    .filter(Category::NAME.ne("even"))
                    .order_by(Category::NAME.desc())
                    .limit(1),
            )
            .fetch_all(&db),
    )
    .await;
    // The link table's primary key starts with the parent key, so each
    // post's categories are cut by a lateral subquery that index serves.
    assert_eq!(
        posts?,
        [
            (1, vec!["odd".to_owned()]),
            (2, vec!["all".to_owned()]),
            (3, vec!["odd".to_owned()])
        ]
    );
    assert_eq!(
        sent[1],
        r#"SELECT "__pgtable_parent"."key", "__pgtable_related".* FROM unnest($1::bigint[]) AS "__pgtable_parent"("key") CROSS JOIN LATERAL (SELECT "categories"."name" FROM "categories" INNER JOIN "posts_to_categories" ON "posts_to_categories"."category_id" = "categories"."id" WHERE "posts_to_categories"."post_id" = "__pgtable_parent"."key" AND ("categories"."name" <> $2) ORDER BY "categories"."name" DESC LIMIT 1) AS "__pgtable_related""#
    );

    // Skipping per parent: each post's second category by name.
    let second: Vec<(i64, Vec<String>)> = Post::select_columns(Post::ID)
        .filter(Post::ID.le(2))
        .order_by(Post::ID)
        .with(
            Post::category_list()
                .columns(Category::NAME)
                .order_by(Category::NAME)
                .offset(1),
        )
        .fetch_all(&db)
        .await?;
    assert_eq!(
        second,
        [(1, vec!["odd".to_owned()]), (2, vec!["even".to_owned()])]
    );
    Ok(())
}

#[tokio::test]
async fn an_indexed_foreign_key_cuts_each_parents_rows_with_a_lateral_subquery()
-> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let (posts, sent) = record_statements(
        Post::select_columns(Post::ID)
            .filter(Post::ID.le(3))
            .order_by(Post::ID)
            .with(
                Post::comments()
                    .columns(Comment::TEXT)
                    .order_by(Comment::ID.desc())
                    .limit(2),
            )
            .fetch_all(&db),
    )
    .await;
    assert_eq!(
        posts?,
        [
            (1, vec!["comment 3".to_owned(), "comment 2".to_owned()]),
            (2, vec!["comment 6".to_owned(), "comment 5".to_owned()]),
            (3, vec![])
        ]
    );
    let load = &sent[1];
    assert_eq!(
        load,
        r#"SELECT "__pgtable_related".* FROM unnest($1::bigint[]) AS "__pgtable_parent"("key") CROSS JOIN LATERAL (SELECT "comments"."text", "comments"."post_id" FROM "comments" WHERE "comments"."post_id" = "__pgtable_parent"."key" ORDER BY "comments"."id" DESC LIMIT 2) AS "__pgtable_related""#
    );
    // The server sent the 4 rows kept, no more: its own count, from
    // EXPLAIN ANALYZE of the very statement the load sent (in one
    // transaction, so that a pooler keeps one server session for both).
    let tx = db.begin().await?;
    tx.batch_execute(&format!("PREPARE lateral_load AS {load}"))
        .await?;
    let plan: Vec<(String,)> =
        pgtable::sql("EXPLAIN (ANALYZE, FORMAT TEXT) EXECUTE lateral_load('{1,2,3}')")
            .fetch_all(&tx)
            .await?;
    assert!(plan[0].0.contains("rows=4 "), "{}", plan[0].0);
    tx.rollback().await?;
    Ok(())
}

#[tokio::test]
async fn many_to_many_filters_and_counts_without_loading() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // Posts in the "even" category: 2, 4, 6, 8.
    let even = Post::select_columns(Post::ID)
        .filter(Post::category_list().any(Category::NAME.eq("even")))
        .order_by(Post::ID);
    assert_eq!(
        even.to_sql(),
        r#"SELECT "id" FROM "posts" WHERE EXISTS (SELECT "id", "name" FROM "categories" WHERE ("categories"."id" IN (SELECT "category_id" FROM "posts_to_categories" WHERE "posts_to_categories"."post_id" = "posts"."id") AND "categories"."name" = $1)) ORDER BY "posts"."id" ASC"#
    );
    assert_eq!(even.fetch_all(&db).await?, [2, 4, 6, 8]);
    let not_odd: Vec<i64> = Post::select_columns(Post::ID)
        .filter(Post::category_list().none(Category::NAME.eq("odd")))
        .order_by(Post::ID)
        .fetch_all(&db)
        .await?;
    assert_eq!(not_odd, [2, 4, 6, 8]);
    // Each post is in two categories, counted by the server.
    let counted: Vec<(Post, i64)> = Post::select()
        .filter(Post::ID.le(2))
        .order_by(Post::ID)
        .with_count(Post::category_list())
        .fetch_all(&db)
        .await?;
    let counts: Vec<(i64, i64)> = counted.iter().map(|(p, n)| (p.id, *n)).collect();
    assert_eq!(counts, [(1, 2), (2, 2)]);
    Ok(())
}
