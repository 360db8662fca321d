//! A tour of pgtable: connect, create the example schema (a small blog),
//! then insert, select, update, upsert, delete, join, load relations,
//! aggregate, run a transaction and handle errors.
//!
//! ```sh
//! cargo run --example quickstart    # uses DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! It works in a database of its own, `pgtable_quickstart`, which it creates
//! at the start and drops at the end, so nothing else on the server is touched.

#[path = "schema/mod.rs"]
mod schema;

use chrono::NaiveDateTime;
use pgtable::Error;
use pgtable::prelude::*;
use schema::{Comment, NewComment, NewPost, NewUser, Post, PostStatus, User};
use uuid::Uuid;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DATABASE: &str = "pgtable_quickstart";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let admin = Db::connect(&url).await?;
    let db = fresh_database(&admin, &url).await?;
    let result = tour(&db).await;
    drop(db);
    admin
        .conn()
        .await?
        .batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        .await?;
    result
}

async fn tour(db: &Db) -> Result<(), Error> {
    // The schema is code: its DDL comes from the structs.
    let ddl = schema::schema().to_sql();
    db.transaction(async |tx| tx.batch_execute(&ddl).await)
        .await?;
    println!("created the example schema:\n{ddl}");

    // Insert one row, or many in one statement, and get them back.
    let ada = User::insert(NewUser {
        id: Uuid::new_v4(),
        email: "ada@example.com".into(),
        created_at: None,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    println!("inserted {ada:?}");

    let others: Vec<NewUser> = ["grace", "edsger", "barbara"]
        .iter()
        .map(|name| NewUser {
            id: Uuid::new_v4(),
            email: format!("{name}@example.com"),
            created_at: None,
        })
        .collect();
    let n = User::insert_many(others).execute(&db).await?;
    println!("inserted {n} more users in one statement");

    // Select with filters, ordering and paging; every value is a parameter.
    let query = User::select()
        .filter(
            User::EMAIL
                .like("%@example.com")
                .and(User::CREATED_AT.is_not_null()),
        )
        .order_by(User::EMAIL)
        .limit(2);
    println!("{}", query.to_sql());
    for user in query.fetch_all(&db).await? {
        println!("  {} {}", user.id, user.email);
    }
    let count = User::select().count(&db).await?;
    let emails: Vec<(Uuid, String)> = User::select_columns((User::ID, User::EMAIL))
        .order_by(User::EMAIL.desc())
        .fetch_all(&db)
        .await?;
    println!("{count} users; emails, last first: {emails:?}");
    let found = User::find(ada.id).fetch_optional(&db).await?;
    println!("found by primary key: {found:?}");

    // Upsert: a duplicate email updates the existing row instead.
    let earlier = NaiveDateTime::parse_from_str("2020-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").ok();
    let upserted = User::insert(NewUser {
        id: Uuid::new_v4(),
        email: "ada@example.com".into(),
        created_at: earlier,
    })
    .on_conflict(User::EMAIL)
    .do_update(|c| c.set(User::CREATED_AT, c.excluded(User::CREATED_AT)))
    .returning()
    .fetch_one(&db)
    .await?;
    println!(
        "upserted: same id {}, created_at now {:?}",
        upserted.id == ada.id,
        upserted.created_at
    );

    // Update and delete need a filter (or an explicit `.all_rows()`).
    let n = User::update()
        .set(User::EMAIL, "ada.lovelace@example.com")
        .filter(User::ID.eq(ada.id))
        .execute(&db)
        .await?;
    println!("updated {n} row");
    let deleted = User::delete()
        .filter(User::EMAIL.eq("barbara@example.com"))
        .returning()
        .fetch_all(&db)
        .await?;
    println!("deleted {deleted:?}");

    // A transaction commits with `commit`; dropped or rolled back, nothing
    // of it is written. (`db.transaction(async |tx| …)` commits when the
    // closure returns Ok and rolls back on Err.)
    let tx = db.begin().await?;
    User::delete().all_rows().execute(&tx).await?;
    let left = User::select().count(&tx).await?;
    println!("inside the transaction: {left} users");
    tx.rollback().await?;
    println!(
        "rolled back; still {} users",
        User::select().count(&db).await?
    );

    // Posts and comments: foreign keys, an enum, an array, joins and
    // relations loaded eagerly.
    let grace = User::select()
        .filter(User::EMAIL.eq("grace@example.com"))
        .fetch_one(&db)
        .await?;
    let posts = Post::insert_many((1..=3).map(|n| NewPost {
        author_id: grace.id,
        title: format!("Notes on compilers, part {n}"),
        status: (n < 3).then_some(PostStatus::Published),
        tags: vec!["compilers".into(), format!("part-{n}")],
        metadata: None,
        created_at: None,
    }))
    .returning()
    .fetch_all(&db)
    .await?;
    Comment::insert_many(posts.iter().map(|p| NewComment {
        post_id: p.id,
        author_id: ada.id,
        body: format!("Loved “{}”", p.title),
        created_at: None,
    }))
    .execute(&db)
    .await?;

    let joined: Vec<(Post, User)> = Post::select()
        .inner_join(User::ID.eq(Post::AUTHOR_ID))
        .filter(Post::STATUS.eq(PostStatus::Published))
        .order_by(Post::ID)
        .fetch_all(&db)
        .await?;
    for (post, author) in &joined {
        println!("{:?} “{}” by {}", post.status, post.title, author.email);
    }

    // Each post with its author and its comments (each with its author):
    // three statements for any number of posts.
    let loaded = Post::select()
        .order_by(Post::ID)
        .with((Post::author(), Post::comments().with(Comment::author())))
        .fetch_all(&db)
        .await?;
    for (post, (author, comments)) in &loaded {
        println!("“{}” by {}, tags {:?}", post.title, author.email, post.tags);
        for (comment, commenter) in comments {
            println!("    {} says: {}", commenter.email, comment.body);
        }
    }

    let per_author: Vec<(uuid::Uuid, i64)> =
        Post::select_columns((Post::AUTHOR_ID, Post::ID.count()))
            .group_by(Post::AUTHOR_ID)
            .fetch_all(&db)
            .await?;
    println!("posts per author: {per_author:?}");

    // Constraint violations are errors you can match on.
    let duplicate = User::insert(NewUser {
        id: Uuid::new_v4(),
        email: "grace@example.com".into(),
        created_at: None,
    })
    .execute(&db)
    .await;
    match duplicate {
        Err(err @ Error::UniqueViolation { .. }) => println!("as expected: {err}"),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}

/// Creates the quickstart's own database afresh, and connects to it.
async fn fresh_database(admin: &Db, url: &str) -> Result<Db, Error> {
    let conn = admin.conn().await?;
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        .await?;
    conn.batch_execute(&format!("CREATE DATABASE {DATABASE}"))
        .await?;
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| Error::Config(format!("invalid DATABASE_URL: {e}")))?;
    config.dbname(DATABASE);
    Db::builder_with_config(config).build()
}
