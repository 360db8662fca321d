//! Filtering and counting by a relation without loading it, on the server.

use crate::common;

use common::blog::{NewPost, Post, User, blog, emails};
use common::record_statements;
use pgtable::prelude::*;

#[tokio::test]
async fn any_and_none() {
    let test = blog().await;
    let db = test.db();
    let q = User::select().filter(User::posts().any(Post::PUBLISHED.eq(true)));
    assert_eq!(emails(q, &db).await, ["ann@x.io"]);
    let q = User::select().filter(User::posts().any(Post::ID.gt(0)));
    assert_eq!(emails(q, &db).await, ["ann@x.io", "bob@x.io"]);
    let q = User::select().filter(User::posts().none(Post::PUBLISHED.eq(true)));
    assert_eq!(emails(q, &db).await, ["bob@x.io", "cy@x.io"]);
    // Combined with other conditions; the relation's values are numbered
    // in order with the outer query's.
    let q = User::select()
        .filter(
            User::EMAIL
                .ne("x")
                .and(User::posts().any(Post::PUBLISHED.eq(false))),
        )
        .filter(User::ID.lt(10));
    assert_eq!(emails(q, &db).await, ["ann@x.io", "bob@x.io"]);
}

#[tokio::test]
async fn filters_by_the_row_a_row_belongs_to() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let by_ann = Post::select()
        .filter(Post::author().any(User::EMAIL.eq("ann@x.io")))
        .order_by(Post::ID);
    assert_eq!(
        by_ann.to_sql(),
        r#"SELECT "id", "author_id", "published" FROM "posts" WHERE EXISTS (SELECT "id", "email" FROM "users" WHERE ("users"."id" = "posts"."author_id" AND "users"."email" = $1)) ORDER BY "posts"."id" ASC"#
    );
    let ids = |posts: Vec<Post>| posts.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(by_ann.fetch_all(&db).await?), [1, 2]);
    let not_by_ann = Post::select()
        .filter(Post::author().none(User::EMAIL.eq("ann@x.io")))
        .order_by(Post::ID);
    assert_eq!(ids(not_by_ann.fetch_all(&db).await?), [3]);
    Ok(())
}

#[tokio::test]
async fn counts_beside_rows_and_as_values() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let rows = User::select()
        .with_count(User::posts())
        .order_by(User::ID)
        .fetch_all(&db)
        .await?;
    let counts: Vec<(String, i64)> = rows.into_iter().map(|(u, n)| (u.email, n)).collect();
    assert_eq!(
        counts,
        [
            ("ann@x.io".to_owned(), 2),
            ("bob@x.io".to_owned(), 1),
            ("cy@x.io".to_owned(), 0)
        ]
    );
    // As a value: selected, ordered by, filtered on.
    let rows: Vec<(String, i64)> = User::select_columns((User::EMAIL, User::posts().count()))
        .filter(User::posts().count().ge(1))
        .order_by(User::posts().count().desc())
        .fetch_all(&db)
        .await?;
    assert_eq!(
        rows,
        [("ann@x.io".to_owned(), 2), ("bob@x.io".to_owned(), 1)]
    );
    Ok(())
}

#[tokio::test]
async fn loaded_children_filtered_ordered_and_limited_per_parent() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // Two more posts for bob, so that a limit per parent shows.
    Post::insert_many(
        [(2, true), (2, true)].map(|(author_id, published)| NewPost {
            author_id,
            published,
        }),
    )
    .execute(&db)
    .await?;
    // Latest two posts of each user.
    let users = User::select()
        .order_by(User::ID)
        .with(User::posts().order_by(Post::ID.desc()).limit(2))
        .fetch_all(&db)
        .await?;
    let ids: Vec<(i64, Vec<i64>)> = users
        .iter()
        .map(|(u, posts)| (u.id, posts.iter().map(|p| p.id).collect()))
        .collect();
    assert_eq!(ids, [(1, vec![2, 1]), (2, vec![5, 4]), (3, vec![])]);
    // A page of each user's posts: skip the latest, take the next one.
    let users = User::select()
        .order_by(User::ID)
        .with(User::posts().order_by(Post::ID.desc()).offset(1).limit(1))
        .fetch_all(&db)
        .await?;
    let ids: Vec<Vec<i64>> = users
        .iter()
        .map(|(_, posts)| posts.iter().map(|p| p.id).collect())
        .collect();
    assert_eq!(ids, [vec![1], vec![4], vec![]]);
    // An offset alone.
    let users = User::select()
        .order_by(User::ID)
        .with(User::posts().order_by(Post::ID).offset(1))
        .fetch_all(&db)
        .await?;
    let ids: Vec<Vec<i64>> = users
        .iter()
        .map(|(_, posts)| posts.iter().map(|p| p.id).collect())
        .collect();
    assert_eq!(ids, [vec![2], vec![4, 5], vec![]]);
    // Filtered, in order, no limit.
    let users = User::select()
        .order_by(User::ID)
        .with(
            User::posts()
                .filter(Post::PUBLISHED.eq(true))
                .order_by(Post::ID),
        )
        .fetch_all(&db)
        .await?;
    let ids: Vec<Vec<i64>> = users
        .iter()
        .map(|(_, posts)| posts.iter().map(|p| p.id).collect())
        .collect();
    assert_eq!(ids, [vec![1], vec![4, 5], vec![]]);
    Ok(())
}

#[tokio::test]
async fn a_limit_per_parent_sends_only_the_limited_rows() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    Post::insert_many((0..20).map(|_| NewPost {
        author_id: 3,
        published: true,
    }))
    .execute(&db)
    .await?;
    // No row is dropped in Rust: the 6 loaded are the 6 the server sent.
    // The server's own count, from EXPLAIN ANALYZE of the very statement
    // the load sent (taken from its tracing span), says the same.
    let (users, sent) = record_statements(
        User::select()
            .with(User::posts().order_by(Post::ID.desc()).limit(3))
            .fetch_all(&db),
    )
    .await;
    let loaded: usize = users?.iter().map(|(_, posts)| posts.len()).sum();
    assert_eq!(loaded, 2 + 1 + 3);
    let load = sent
        .iter()
        .find(|sql| sql.contains("row_number()"))
        .cloned()
        .expect("the relation load's statement");
    let conn = db.conn().await?;
    conn.batch_execute(&format!("PREPARE ranked AS {load}"))
        .await?;
    let plan: Vec<(String,)> =
        pgtable::sql("EXPLAIN (ANALYZE, FORMAT TEXT) EXECUTE ranked('{1,2,3}', 3)")
            .fetch_all(&conn)
            .await?;
    let top = &plan[0].0;
    assert!(top.contains("rows=6 "), "{top}");
    Ok(())
}
