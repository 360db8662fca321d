//! `Seeder`: rows for every table of a schema, from its metadata, with no
//! constraint violated, the same rows for the same seed, and `check`
//! clean afterwards. Runs on the example schema and the Drizzle blog port.

mod common;
#[path = "../examples/schema/mod.rs"]
mod schema;
#[cfg(feature = "decimal")]
#[rustfmt::skip]
#[path = "fixtures/drizzle-blog/pulled.rs"]
mod drizzle_blog;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, Seeder};
use schema::{Comment, Post, PostTag, Tag, User};

/// Every row of every table of `schema`, as text, in a stable order.
async fn contents(db: &Db, schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for table in schema.tables() {
        let (rows,): (String,) = pgtable::sql(format!(
            "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM \"{}\" t",
            table.name
        ))
        .fetch_one(db)
        .await
        .unwrap();
        out.push(format!("{}:\n{rows}", table.name));
    }
    out
}

async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = pgtable::sql(format!("SELECT count(*) FROM \"{table}\""))
        .fetch_one(db)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_example_schema_seeds_the_same_rows_for_the_same_seed() -> Result<(), Error> {
    let schema = schema::schema();
    let seeder = |s| {
        Seeder::new(&schema)
            .seed(s)
            .default_count(200)
            .count::<Tag>(20)
            .count::<PostTag>(300)
    };
    let (a, b, c) = (
        TestDb::with_schema(&schema).await,
        TestDb::with_schema(&schema).await,
        TestDb::with_schema(&schema).await,
    );
    let report = seeder(42).run(&a.db()).await?;
    seeder(42).run(&b.db()).await?;
    seeder(7).run(&c.db()).await?;
    assert_eq!(
        report,
        [
            ("users", 200),
            ("posts", 200),
            ("comments", 200),
            ("tags", 20),
            ("post_tags", 300)
        ]
    );
    assert_eq!(
        contents(&a.db(), &schema).await,
        contents(&b.db(), &schema).await
    );
    assert_ne!(
        contents(&a.db(), &schema).await,
        contents(&c.db(), &schema).await
    );
    assert!(
        common::drift_descriptions(&a.db(), &schema)
            .await
            .unwrap()
            .is_empty()
    );

    // Realistic values, and children pointing at seeded parents.
    let users = User::select().fetch_all(&a.db()).await?;
    assert!(users.iter().all(|u| u.email.contains("@example.com")));
    // (Posts are not decoded: their typed jsonb field does not take the
    // generic objects seeded there.)
    let authors: Vec<(pgtable::uuid::Uuid,)> = pgtable::sql("SELECT author_id FROM posts")
        .fetch_all(&a.db())
        .await?;
    assert!(
        authors
            .iter()
            .all(|(id,)| users.iter().any(|u| u.id == *id))
    );
    let _ = Post::TABLE;
    assert_eq!(count(&a.db(), "comments").await, 200);
    let _ = Comment::TABLE;

    // reset empties the tables, identities restarted.
    seeder(42).reset(&a.db()).await?;
    assert_eq!(count(&a.db(), "users").await, 0);
    seeder(42).run(&a.db()).await?;
    assert_eq!(
        contents(&a.db(), &schema).await,
        contents(&b.db(), &schema).await
    );
    Ok(())
}

#[tokio::test]
async fn a_column_generator_given_by_hand_is_used() -> Result<(), Error> {
    let schema = schema::schema();
    let test = TestDb::with_schema(&schema).await;
    Seeder::new(&schema)
        .default_count(5)
        .column(User::EMAIL, |_, i| format!("user{i}@test.io"))
        .run(&test.db())
        .await?;
    let mut emails: Vec<String> = User::select()
        .fetch_all(&test.db())
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    emails.sort();
    assert_eq!(emails[0], "user0@test.io");
    Ok(())
}

#[tokio::test]
async fn an_unknown_check_asks_for_a_generator_before_inserting() {
    #[table(
        name = "events",
        check(name = "events_order", expr = "starts_at < ends_at")
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Event {
        #[column(primary_key, identity)]
        pub id: i64,
        pub starts_at: i32,
        pub ends_at: i32,
        #[column(check = "rating BETWEEN 1 AND 5")]
        pub rating: i32,
    }
    let schema = Schema::new().table::<Event>();
    let test = TestDb::with_schema(&schema).await;
    let err = Seeder::new(&schema).run(&test.db()).await.unwrap_err();
    assert!(
        err.to_string().contains(
            "no generator for column \"starts_at\" (check `starts_at < ends_at` is not one seeding understands): set one with `.column(YourStruct::STARTS_AT"
        ),
        "{err}"
    );
    assert_eq!(count(&test.db(), "events").await, 0);

    // With generators for both, the range check on `rating` is honoured.
    Seeder::new(&schema)
        .default_count(100)
        .column(Event::STARTS_AT, |_, i| i as i32)
        .column(Event::ENDS_AT, |_, i| i as i32 + 1)
        .run(&test.db())
        .await
        .unwrap();
    let events = Event::select().fetch_all(&test.db()).await.unwrap();
    assert_eq!(events.len(), 100);
    assert!(events.iter().all(|e| (1..=5).contains(&e.rating)));
}

#[cfg(feature = "decimal")]
#[tokio::test]
async fn the_drizzle_blog_schema_seeds_without_a_violation() -> Result<(), Error> {
    let schema = drizzle_blog::schema();
    let test = TestDb::with_schema(&schema).await;
    let report = Seeder::new(&schema)
        .seed(1)
        .default_count(1_000)
        .run(&test.db())
        .await?;
    assert!(report.iter().all(|(_, rows)| *rows == 1_000), "{report:?}");
    assert!(
        common::drift_descriptions(&test.db(), &schema)
            .await
            .unwrap()
            .is_empty()
    );
    Ok(())
}
