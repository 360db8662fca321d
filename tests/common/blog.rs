//! A small blog shared by the query tests that need the same data: three
//! users (ann with one published post and one draft, bob with one draft,
//! cy with none).

use pgtable::prelude::*;

use super::TestDb;

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
    #[column(references = User::ID, relation(belongs_to = "author", has_many = "posts"))]
    pub author_id: i64,
    pub published: bool,
}

/// A fresh database holding the blog.
pub async fn blog() -> TestDb {
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

/// The emails of the users `query` finds, in id order.
pub async fn emails(query: pgtable::Select<User>, db: &Db) -> Vec<String> {
    let users = query.order_by(User::ID).fetch_all(db).await.unwrap();
    users.into_iter().map(|u| u.email).collect()
}
