//! `Seeder`: rows for every table of a schema, from its metadata, with no
//! constraint violated, the same rows for the same seed, and `check`
//! clean afterwards. Runs on the example schema and the Drizzle blog port.

use crate::common;
#[cfg(feature = "decimal")]
use crate::pulled as drizzle_blog;
use crate::schema;
// Foreign keys over two columns, and views (which seeding leaves alone).
use crate::extras;

use std::collections::HashSet;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Error, Seeder};
use schema::{Comment, Post, Tag, User};

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

async fn assert_no_drift(db: &Db, schema: &Schema) {
    let drift = common::drift_descriptions(db, schema).await.unwrap();
    assert!(drift.is_empty(), "{drift:#?}");
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
            .default_count(10_000)
            .count::<Tag>(100)
    };
    let (a, b, c) = (
        TestDb::with_schema(&schema).await,
        TestDb::with_schema(&schema).await,
        TestDb::with_schema(&schema).await,
    );
    // The three databases are seeded at once: the server's work overlaps.
    let (db_a, db_b, db_c) = (a.db(), b.db(), c.db());
    let (seed_a, seed_b, seed_c) = (seeder(42), seeder(42), seeder(7));
    let (report, _, _) =
        tokio::try_join!(seed_a.run(&db_a), seed_b.run(&db_b), seed_c.run(&db_c),)?;
    assert_eq!(
        report,
        [
            ("users", 10_000),
            ("posts", 10_000),
            ("comments", 10_000),
            ("tags", 100),
            ("post_tags", 10_000)
        ]
    );
    let (contents_a, contents_b, contents_c) = tokio::join!(
        contents(&db_a, &schema),
        contents(&db_b, &schema),
        contents(&db_c, &schema),
    );
    assert_eq!(contents_a, contents_b);
    assert_ne!(contents_a, contents_c);
    assert_no_drift(&a.db(), &schema).await;

    // Realistic values, and children pointing at seeded parents.
    let users = User::select().fetch_all(&a.db()).await?;
    assert!(users.iter().all(|u| u.email.contains("@example.com")));
    let authors: Vec<(pgtable::uuid::Uuid,)> = pgtable::sql("SELECT author_id FROM posts")
        .fetch_all(&a.db())
        .await?;
    let user_ids: HashSet<_> = users.iter().map(|u| u.id).collect();
    assert!(authors.iter().all(|(id,)| user_ids.contains(id)));
    let _ = Post::TABLE;
    assert_eq!(count(&a.db(), "comments").await, 10_000);
    // What the issue asks for: `pg_dump --data-only` of the two equal.
    match common::pg_dump() {
        Ok(pg_dump) => {
            let data = |test| common::dump_lines(&pg_dump, test, &["--data-only"]);
            let (dump_a, dump_b) = (data(&a), data(&b));
            let differ = dump_a.iter().zip(&dump_b).find(|(x, y)| x != y);
            assert!(
                dump_a.len() == dump_b.len() && differ.is_none(),
                "{differ:?}"
            );
        }
        Err(why) => common::skip("pg_dump --data-only comparison of seeds", &why),
    }
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
async fn children_gives_each_parent_a_number_of_rows_in_its_range() -> Result<(), Error> {
    let schema = schema::schema();
    let test = TestDb::with_schema(&schema).await;
    let report = Seeder::new(&schema)
        .seed(3)
        .count::<User>(50)
        .count::<Post>(1) // not used: `children` decides
        .children(User::posts(), 1..=4)
        .children(Post::comments(), 2..=2)
        .run(&test.db())
        .await?;
    let per_user: Vec<(i64,)> = pgtable::sql(
        "SELECT count(p.id) FROM users u LEFT JOIN posts p ON p.author_id = u.id GROUP BY u.id",
    )
    .fetch_all(&test.db())
    .await?;
    assert_eq!(per_user.len(), 50);
    assert!(
        per_user.iter().all(|(n,)| (1..=4).contains(n)),
        "{per_user:?}"
    );
    let posts: i64 = per_user.iter().map(|(n,)| n).sum();
    assert!(report.contains(&("posts", posts as usize)), "{report:?}");
    let per_post: Vec<(i64,)> = pgtable::sql(
        "SELECT count(c.id) FROM posts p LEFT JOIN comments c ON c.post_id = p.id GROUP BY p.id",
    )
    .fetch_all(&test.db())
    .await?;
    assert_eq!(per_post.len() as i64, posts);
    assert!(per_post.iter().all(|(n,)| *n == 2), "{per_post:?}");
    assert_no_drift(&test.db(), &schema).await;
    Ok(())
}

#[tokio::test]
#[allow(clippy::reversed_empty_ranges)] // the mistake under test
async fn an_empty_children_range_is_refused_before_anything_is_written() {
    let schema = schema::schema();
    let test = TestDb::with_schema(&schema).await;
    let err = Seeder::new(&schema)
        .children(User::posts(), 3..=1)
        .run(&test.db())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: seeding \"posts\": `children(.., 3..=1)` is an empty range: write the smaller number first"
    );
    assert_eq!(count(&test.db(), "users").await, 0);
}

#[tokio::test]
async fn a_generator_gives_values_of_the_field_type_even_typed_jsonb() -> Result<(), Error> {
    use schema::{PostMeta, PostStatus};
    let schema = schema::schema();
    let test = TestDb::with_schema(&schema).await;
    Seeder::new(&schema)
        .default_count(20)
        .column(Post::METADATA, |_, i| {
            (i % 4 != 0).then_some({
                pgtable::Json(PostMeta {
                    reading_minutes: i as u32,
                    comments_open: i % 2 == 0,
                })
            })
        })
        .column(Post::STATUS, |_, i| match i % 2 {
            0 => PostStatus::Published,
            _ => PostStatus::Archived,
        })
        .run(&test.db())
        .await?;
    // Every post decodes into its struct, typed jsonb included.
    let mut posts = Post::select().fetch_all(&test.db()).await?;
    posts.sort_by_key(|p| p.id);
    assert_eq!(posts.len(), 20);
    assert_eq!(posts[0].metadata, None);
    assert_eq!(
        posts[1].metadata.as_ref().map(|m| &m.0),
        Some(&PostMeta {
            reading_minutes: 1,
            comments_open: false
        })
    );
    assert_eq!(posts[2].status, PostStatus::Published);
    assert_eq!(posts[3].status, PostStatus::Archived);
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
        .default_count(10_000)
        .run(&test.db())
        .await?;
    assert!(report.iter().all(|(_, rows)| *rows == 10_000), "{report:?}");
    assert_no_drift(&test.db(), &schema).await;
    Ok(())
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn db_seed_fills_the_schema_from_the_command_line() {
    use std::process::ExitCode;
    let schema = schema::schema();
    let test = TestDb::with_schema(&schema).await;
    let url = test.url();
    let seed = |args: &[&str]| {
        let mut argv: Vec<String> = ["db", "--database-url", &url, "seed"]
            .iter()
            .map(|a| a.to_string())
            .collect();
        argv.extend(args.iter().map(|a| a.to_string()));
        pgtable::cli::run_with(schema::schema(), argv)
    };
    let args = [
        "--seed", "3", "--count", "posts=50", "--rows", "20", "--reset",
    ];
    assert_eq!(seed(&args).await, ExitCode::SUCCESS);
    assert_eq!(
        seed(&args).await,
        ExitCode::SUCCESS,
        "--reset: again, no duplicate"
    );
    assert_eq!(count(&test.db(), "posts").await, 50);
    assert_eq!(count(&test.db(), "users").await, 20);
    // A table the schema lacks, and a count that is not one.
    assert_eq!(seed(&["--count", "nosuch=5"]).await, ExitCode::FAILURE);
    assert_eq!(seed(&["--count", "posts"]).await, ExitCode::from(2));
}

#[tokio::test]
async fn foreign_keys_over_two_columns_point_at_one_parent_row() -> Result<(), Error> {
    let schema = extras::schema();
    let test = TestDb::with_schema(&schema).await;
    Seeder::new(&schema)
        .seed(5)
        .default_count(2_000)
        .run(&test.db())
        .await?;
    let (orphans,): (i64,) = pgtable::sql(
        "SELECT count(*) FROM transfers t
         WHERE NOT EXISTS (SELECT 1 FROM teams WHERE org_id = t.org_id AND team_id = t.from_team)",
    )
    .fetch_one(&test.db())
    .await?;
    assert_eq!(orphans, 0);
    assert_eq!(count(&test.db(), "members").await, 2_000);
    assert_no_drift(&test.db(), &schema).await;
    Ok(())
}

mod cycles {
    use pgtable::prelude::*;

    #[table(name = "nodes")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Node {
        #[column(primary_key, identity)]
        pub id: i64,
        /// A key to the table itself: nothing seeded to point at yet.
        #[column(references = Self::ID)]
        pub parent_id: Option<i64>,
    }

    #[table(name = "chickens")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Chicken {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references = Egg::ID)]
        pub egg_id: i64,
    }

    #[table(name = "eggs")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Egg {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references = Chicken::ID)]
        pub chicken_id: i64,
    }
}

#[tokio::test]
async fn a_key_with_nothing_to_point_at_is_null_or_refused() {
    use cycles::{Chicken, Egg, Node};
    let nodes = Schema::new().table::<Node>();
    let test = TestDb::with_schema(&nodes).await;
    Seeder::new(&nodes).run(&test.db()).await.unwrap();
    let all = Node::select().fetch_all(&test.db()).await.unwrap();
    assert!(all.len() == 10 && all.iter().all(|n| n.parent_id.is_none()));

    let farm = Schema::new().table::<Chicken>().table::<Egg>();
    let test = TestDb::with_schema(&farm).await;
    let err = Seeder::new(&farm).run(&test.db()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("has no rows to point at (a cycle, or none seeded) and is NOT NULL"),
        "{err}"
    );
    assert_eq!(
        count(&test.db(), "chickens").await,
        0,
        "nothing is left behind"
    );
}
