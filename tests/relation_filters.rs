//! Filtering and counting by a relation without loading it, on the server.

mod common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::relations::HasMany;

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID)]
    pub author_id: i64,
    pub published: bool,
}

impl User {
    fn posts() -> HasMany<User, Post, i64, i64> {
        HasMany::new(User::ID, Post::AUTHOR_ID)
    }
}

async fn blog() -> TestDb {
    let test = TestDb::with_schema(&Schema::new().table::<User>().table::<Post>()).await;
    let db = test.db();
    for email in ["ann@x.io", "bob@x.io", "cy@x.io"] {
        User::insert(NewUser {
            email: email.into(),
        })
        .execute(&db)
        .await
        .unwrap();
    }
    Post::insert_many(
        [(1, true), (1, false), (2, false)].map(|(author_id, published)| NewPost {
            author_id,
            published,
        }),
    )
    .execute(&db)
    .await
    .unwrap();
    test
}

async fn emails(query: pgtable::Select<User>, db: &Db) -> Vec<String> {
    let users = query.order_by(User::ID).fetch_all(db).await.unwrap();
    users.into_iter().map(|u| u.email).collect()
}

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
