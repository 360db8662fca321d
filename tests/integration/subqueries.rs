//! Subqueries: `IN (SELECT …)`, correlated `EXISTS`, and a scalar
//! subquery in a selection, run on the server.

use crate::common;

use common::blog::{Post, User, blog, emails};
use pgtable::prelude::*;
use pgtable::query::{exists, not_exists};

#[tokio::test]
async fn in_and_not_in_a_subquery() {
    let test = blog().await;
    let db = test.db();
    let published = || Post::select_columns(Post::AUTHOR_ID).filter(Post::PUBLISHED.eq(true));
    let query = User::select().filter(User::ID.is_in(published()));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "email" FROM "users" WHERE "users"."id" IN (SELECT "author_id" FROM "posts" WHERE "posts"."published" = $1)"#
    );
    assert_eq!(emails(query, &db).await, ["ann@x.io"]);
    let query = User::select().filter(User::ID.not_in(published()).and(User::ID.gt(0)));
    assert_eq!(emails(query, &db).await, ["bob@x.io", "cy@x.io"]);
    // Lists of values still work as before.
    let query = User::select().filter(User::ID.is_in([1_i64, 3]));
    assert_eq!(emails(query, &db).await, ["ann@x.io", "cy@x.io"]);
}

#[tokio::test]
async fn correlated_exists_and_not_exists() {
    let test = blog().await;
    let db = test.db();
    let posts_of_user = || {
        Post::select()
            .correlate::<User>()
            .filter(Post::AUTHOR_ID.eq(User::ID))
    };
    let query = User::select().filter(exists(posts_of_user()));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "email" FROM "users" WHERE EXISTS (SELECT "id", "author_id", "published" FROM "posts" WHERE "posts"."author_id" = "users"."id")"#
    );
    assert_eq!(emails(query, &db).await, ["ann@x.io", "bob@x.io"]);
    let query = User::select().filter(not_exists(posts_of_user()));
    assert_eq!(emails(query, &db).await, ["cy@x.io"]);
    // Parameters of the subquery and the outer query are numbered in order.
    let query = User::select()
        .filter(User::ID.gt(0))
        .filter(exists(posts_of_user().filter(Post::PUBLISHED.eq(false))))
        .filter(User::EMAIL.ne("nobody"));
    assert!(
        query
            .to_sql()
            .contains(r#""posts"."published" = $2)) AND "users"."email" <> $3"#),
        "{}",
        query.to_sql()
    );
    assert_eq!(emails(query, &db).await, ["ann@x.io", "bob@x.io"]);
}

#[tokio::test]
async fn a_scalar_subquery_in_a_selection() {
    let test = blog().await;
    let db = test.db();
    let query = User::select_columns((
        User::EMAIL,
        Post::select_columns(Post::ID.count())
            .correlate::<User>()
            .filter(Post::AUTHOR_ID.eq(User::ID))
            .scalar(),
    ))
    .order_by(User::ID);
    assert_eq!(
        query.to_sql(),
        r#"SELECT "email", (SELECT count("posts"."id") FROM "posts" WHERE "posts"."author_id" = "users"."id") FROM "users" ORDER BY "users"."id" ASC"#
    );
    let rows = query.fetch_all(&db).await.unwrap();
    assert_eq!(
        rows,
        [
            ("ann@x.io".to_owned(), Some(2)),
            ("bob@x.io".to_owned(), Some(1)),
            ("cy@x.io".to_owned(), Some(0)),
        ]
    );
    // A prepared query keeps the subquery's values too.
    let prepared = User::select()
        .filter(exists(Post::select().correlate::<User>().filter(
            Post::AUTHOR_ID.eq(User::ID).and(Post::PUBLISHED.eq(true)),
        )))
        .prepare();
    let found = prepared.fetch_all(&db).await.unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn union_and_union_all() {
    let test = blog().await;
    let db = test.db();
    let authors = || Post::select_columns(Post::AUTHOR_ID);
    let ids = || User::select_columns(User::ID).filter(User::ID.le(2));
    let query = ids().union(authors());
    assert_eq!(
        query.to_sql(),
        r#"(SELECT "id" FROM "users" WHERE "users"."id" <= $1) UNION (SELECT "author_id" FROM "posts")"#
    );
    let mut rows = query.fetch_all(&db).await.unwrap();
    rows.sort();
    assert_eq!(rows, [1, 2]);
    let mut rows = ids()
        .union_all(authors())
        .union_all(User::select_columns(User::ID).filter(User::ID.eq(3)))
        .fetch_all(&db)
        .await
        .unwrap();
    rows.sort();
    assert_eq!(rows, [1, 1, 1, 2, 2, 3]);
}
