//! Relations declared once on the foreign key, with no type parameters
//! written: `relation(belongs_to = "author", has_many = "posts")`.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;

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
    #[column(references = User::ID, relation(belongs_to = "editor", has_many = "edited"))]
    pub editor_id: Option<i64>,
    pub published: bool,
}

#[tokio::test]
async fn declared_relations_load_both_ways() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>().table::<Post>()).await;
    let db = test.db();
    for email in ["ann@x.io", "bob@x.io"] {
        User::insert(NewUser {
            email: email.into(),
        })
        .execute(&db)
        .await?;
    }
    Post::insert_many(
        [(1, None, true), (1, Some(2), false), (2, Some(1), true)].map(
            |(author_id, editor_id, published)| NewPost {
                author_id,
                editor_id,
                published,
            },
        ),
    )
    .execute(&db)
    .await?;

    let users = User::select()
        .order_by(User::ID)
        .with((
            User::posts()
                .filter(Post::PUBLISHED.eq(true))
                .with(Post::editor()),
            User::edited(),
        ))
        .fetch_all(&db)
        .await?;
    let ann = &users[0];
    assert_eq!(ann.0.email, "ann@x.io");
    let (published, edited) = &ann.1;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].1, None); // ann's published post has no editor
    assert_eq!(edited.len(), 1);
    assert_eq!(edited[0].id, 3);

    let posts = Post::select()
        .order_by(Post::ID)
        .with((Post::author(), Post::editor()))
        .fetch_all(&db)
        .await?;
    let names: Vec<(String, Option<String>)> = posts
        .into_iter()
        .map(|(_, (author, editor))| (author.email, editor.map(|e| e.email)))
        .collect();
    assert_eq!(
        names,
        [
            ("ann@x.io".to_owned(), None),
            ("ann@x.io".to_owned(), Some("bob@x.io".to_owned())),
            ("bob@x.io".to_owned(), Some("ann@x.io".to_owned())),
        ]
    );
    // Relation filters work on declared relations too.
    let n = User::select()
        .filter(User::posts().any(Post::PUBLISHED.eq(false)))
        .count(&db)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}

#[tokio::test]
async fn children_of_rows_already_fetched() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>().table::<Post>()).await;
    let db = test.db();
    for email in ["ann@x.io", "bob@x.io", "cy@x.io"] {
        User::insert(NewUser {
            email: email.into(),
        })
        .execute(&db)
        .await?;
    }
    Post::insert_many([1, 2, 1].map(|author_id| NewPost {
        author_id,
        editor_id: None,
        published: true,
    }))
    .execute(&db)
    .await?;
    let users = User::select()
        .order_by(User::ID.desc())
        .fetch_all(&db)
        .await?;
    assert_eq!(
        User::EMAIL.of(&users[0]).map(String::as_str),
        Some("cy@x.io")
    );
    let posts = User::posts()
        .order_by(Post::ID)
        .load_for(&users, &db)
        .await?;
    let ids: Vec<Vec<i64>> = posts
        .iter()
        .map(|p| p.iter().map(|p| p.id).collect())
        .collect();
    // In the parents' order: cy, bob, ann.
    assert_eq!(ids, [vec![], vec![2], vec![1, 3]]);
    assert!(User::posts().load_for(&[], &db).await?.is_empty());
    Ok(())
}

#[table(name = "tags")]
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    #[column(primary_key, identity)]
    pub id: i64,
    pub label: String,
}

#[table(name = "post_tags", primary_key(post_id, tag_id))]
#[derive(Debug, Clone, PartialEq)]
pub struct PostTag {
    #[column(references = Post::ID, relation(many_to_many = "tags", through = tag_id))]
    pub post_id: i64,
    #[column(references = Tag::ID, relation(many_to_many = "posts", through = post_id))]
    pub tag_id: i64,
}

#[tokio::test]
async fn many_to_many_declared_on_the_join_table() -> Result<(), pgtable::Error> {
    let schema = Schema::new()
        .table::<User>()
        .table::<Post>()
        .table::<Tag>()
        .table::<PostTag>();
    let test = TestDb::with_schema(&schema).await;
    let db = test.db();
    User::insert(NewUser {
        email: "ann@x.io".into(),
    })
    .execute(&db)
    .await?;
    Post::insert_many([1, 1].map(|author_id| NewPost {
        author_id,
        editor_id: None,
        published: true,
    }))
    .execute(&db)
    .await?;
    Tag::insert_many(["rust", "sql"].map(|label| NewTag {
        label: label.into(),
    }))
    .execute(&db)
    .await?;
    PostTag::insert_many(
        [(1, 1), (1, 2), (2, 2)].map(|(post_id, tag_id)| NewPostTag { post_id, tag_id }),
    )
    .execute(&db)
    .await?;
    let posts = Post::select()
        .order_by(Post::ID)
        .with(Post::tags())
        .fetch_all(&db)
        .await?;
    let labels: Vec<Vec<String>> = posts
        .into_iter()
        .map(|(_, tags)| {
            let mut labels: Vec<String> = tags.into_iter().map(|t| t.label).collect();
            labels.sort();
            labels
        })
        .collect();
    assert_eq!(labels, [vec!["rust", "sql"], vec!["sql"]]);
    let tags = Tag::select()
        .order_by(Tag::ID)
        .with(Tag::posts())
        .fetch_all(&db)
        .await?;
    let counts: Vec<usize> = tags.iter().map(|(_, posts)| posts.len()).collect();
    assert_eq!(counts, [1, 2]);
    Ok(())
}
