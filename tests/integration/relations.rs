//! Relations loaded eagerly: one statement per relation, never one per
//! parent, counted from pgtable's own query spans.

use crate::common;
use crate::schema;

use common::{TestDb, count_statements};
use pgtable::Error;
use pgtable::prelude::*;
use schema::*;
use uuid::Uuid;

/// 10 users; 100 posts, post n by user n % 10 with n % 4 comments (by
/// user (n + 1) % 10); tags on every tenth post.
async fn blog() -> (TestDb, Db, Vec<Uuid>) {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db();
    let users: Vec<Uuid> = (0..10).map(|_| Uuid::new_v4()).collect();
    User::insert_many(users.iter().enumerate().map(|(i, id)| NewUser {
        id: *id,
        email: format!("user{i}@example.com"),
        created_at: None,
    }))
    .execute(&db)
    .await
    .unwrap();
    Post::insert_many((0..100).map(|n| NewPost {
        author_id: users[n % 10],
        title: format!("Post {n}"),
        status: None,
        tags: vec![format!("t{}", n % 3)],
        metadata: None,
        created_at: None,
    }))
    .execute(&db)
    .await
    .unwrap();
    let comments = (0..100).flat_map(|n: usize| {
        let users = users.clone();
        (0..n % 4).map(move |c| NewComment {
            post_id: n as i32 + 1,
            author_id: users[(n + 1) % 10],
            body: format!("comment {c} on post {n}"),
            created_at: None,
        })
    });
    Comment::insert_many(comments).execute(&db).await.unwrap();
    Tag::insert_many(["rust", "sql"].map(|name| NewTag { name: name.into() }))
        .execute(&db)
        .await
        .unwrap();
    PostTag::insert_many((0..10).flat_map(|n| {
        let post_id = n * 10 + 1;
        [
            NewPostTag { post_id, tag_id: 1 },
            NewPostTag { post_id, tag_id: 2 },
        ]
    }))
    .execute(&db)
    .await
    .unwrap();
    (test, db, users)
}

#[tokio::test]
async fn a_hundred_posts_with_comments_and_authors_take_three_statements() -> Result<(), Error> {
    let (_test, db, users) = blog().await;
    let (loaded, statements) = count_statements(
        Post::select()
            .order_by(Post::ID)
            .limit(100)
            .with((Post::author(), Post::comments()))
            .fetch_all(&db),
    )
    .await;
    let loaded = loaded?;
    assert_eq!(statements, 3, "posts, their authors, their comments");
    assert_eq!(loaded.len(), 100);
    for (n, (post, (author, comments))) in loaded.iter().enumerate() {
        assert_eq!(post.id, n as i32 + 1);
        assert_eq!(
            author.id,
            users[n % 10],
            "a NOT NULL foreign key gives the row itself"
        );
        assert_eq!(comments.len(), n % 4);
        assert!(comments.iter().all(|c| c.post_id == post.id));
    }
    Ok(())
}

#[tokio::test]
async fn nested_relations_add_one_statement_each() -> Result<(), Error> {
    let (_test, db, users) = blog().await;
    // posts -> comments -> author, and the posts' curated tags.
    let (loaded, statements) = count_statements(
        Post::select()
            .filter(Post::ID.le(40))
            .order_by(Post::ID)
            .with((
                Post::comments().with(Comment::author()),
                Post::curated_tags(),
            ))
            .fetch_all(&db),
    )
    .await;
    let loaded = loaded?;
    assert_eq!(statements, 4, "posts, comments, comment authors, tags");
    assert_eq!(loaded.len(), 40);
    let (post, (comments, tags)) = &loaded[3];
    assert_eq!(post.id, 4);
    assert_eq!(comments.len(), 3);
    for (comment, author) in comments {
        assert_eq!(comment.author_id, author.id);
        assert_eq!(author.id, users[4]);
    }
    assert!(tags.is_empty());
    let (_, (_, tags)) = &loaded[10];
    // Related rows come in the database's order: sort to compare.
    let mut names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["rust", "sql"]);

    // From the other side: users with their posts.
    let (users_posts, statements) = count_statements(
        User::select()
            .order_by(User::EMAIL)
            .with(User::posts())
            .fetch_all(&db),
    )
    .await;
    assert_eq!(statements, 2);
    let users_posts = users_posts?;
    assert!(users_posts.iter().all(|(_, posts)| posts.len() == 10));
    Ok(())
}

#[tokio::test]
async fn empty_parents_and_missing_children() -> Result<(), Error> {
    let (_test, db, _) = blog().await;
    // No parents: no further statement.
    let (none, statements) = count_statements(
        Post::select()
            .filter(Post::ID.lt(0))
            .with((Post::author(), Post::comments()))
            .fetch_all(&db),
    )
    .await;
    assert!(none?.is_empty());
    assert_eq!(statements, 1);

    // A post without comments gets an empty list; fetch_one takes the first.
    let (post, comments) = Post::select()
        .order_by(Post::ID)
        .with(Post::comments())
        .fetch_one(&db)
        .await?;
    assert_eq!((post.id, comments.len()), (1, 0));
    Ok(())
}

#[tokio::test]
async fn nested_loads_run_on_one_connection_and_survive_cancellation() -> Result<(), Error> {
    let (test, _, users) = blog().await;
    // Each level reads its rows to the end before the next level's
    // statement starts, so one connection is enough: a level still holding
    // it would wait for itself here.
    let db = test.db_builder().max_size(1).build()?;
    let load = || {
        User::select()
            .order_by(User::EMAIL)
            .with(User::posts().with((
                Post::comments().with(Comment::author()),
                Post::curated_tags(),
            )))
            .fetch_all(&db)
    };
    let loaded = tokio::time::timeout(std::time::Duration::from_secs(20), load())
        .await
        .expect("a nested load on one connection finishes")?;
    assert_eq!(loaded.len(), 10);
    let (user, posts) = &loaded[0];
    assert_eq!(posts.len(), 10);
    for (post, (comments, _tags)) in posts {
        assert_eq!(post.author_id, user.id);
        assert_eq!(comments.len(), (post.id as usize - 1) % 4);
        for (comment, author) in comments {
            assert_eq!(author.id, comment.author_id);
            assert!(users.contains(&author.id));
        }
    }
    // In a transaction, which has one connection of its own.
    let in_tx = db
        .transaction(async |tx| {
            Post::select()
                .with(Post::comments().with(Comment::author()))
                .fetch_all(tx)
                .await
        })
        .await?;
    assert_eq!(in_tx.len(), 100);

    // A load dropped at any point leaves the pool's one connection usable.
    for micros in [50, 200, 1_000, 3_000, 10_000] {
        let _ = tokio::time::timeout(std::time::Duration::from_micros(micros), load()).await;
        let again = tokio::time::timeout(std::time::Duration::from_secs(20), load())
            .await
            .expect("the pool gives a connection again")?;
        assert_eq!(again, loaded);
    }
    Ok(())
}
