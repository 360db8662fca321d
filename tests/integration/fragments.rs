//! `sql!` fragments wherever an expression goes, run on the server: exact
//! SQL and the rows that come back.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::sql;

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
    pub tags: Vec<String>,
    pub metadata: serde_json::Value,
}

async fn blog() -> TestDb {
    let test = TestDb::with_schema(&Schema::new().table::<User>().table::<Post>()).await;
    let db = test.db();
    for email in ["Ann@x.io", "bob@x.io", "Cy@x.io"] {
        User::insert(NewUser {
            email: email.into(),
        })
        .execute(&db)
        .await
        .unwrap();
    }
    Post::insert_many([
        NewPost {
            author_id: 1,
            tags: vec!["intro".into()],
            metadata: serde_json::json!({"source": "cli"}),
        },
        NewPost {
            author_id: 2,
            tags: vec!["rust".into()],
            metadata: serde_json::json!({"source": "web"}),
        },
    ])
    .execute(&db)
    .await
    .unwrap();
    test
}

#[tokio::test]
async fn a_typed_fragment_is_selected_and_decoded() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // select lower(email) as e from users
    let query = User::select_columns((User::ID, sql!("lower({})", User::EMAIL).typed::<String>()))
        .order_by(User::ID);
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", lower("users"."email") FROM "users" ORDER BY "users"."id" ASC"#
    );
    let rows = query.fetch_all(&db).await?;
    assert_eq!(rows[0], (1, "ann@x.io".to_owned()));
    // A typed fragment compares with values of its type.
    let n = User::select()
        .filter(
            sql!("lower({})", User::EMAIL)
                .typed::<String>()
                .eq("cy@x.io"),
        )
        .count(&db)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}

#[tokio::test]
async fn fragments_filter_and_order() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // where email ~ '^b'
    let query = User::select().filter(sql!("{} ~ {}", User::EMAIL, "^b"));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "email" FROM "users" WHERE "users"."email" ~ $1"#
    );
    let found = query.fetch_all(&db).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].email, "bob@x.io");

    // where metadata->>'source' = 'cli'
    let query = Post::select().filter(sql!("{} ->> 'source' = {}", Post::METADATA, "cli"));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "author_id", "tags", "metadata" FROM "posts" WHERE "posts"."metadata" ->> 'source' = $1"#
    );
    assert_eq!(query.fetch_all(&db).await?[0].id, 1);

    // where 'intro' = any(tags)
    let found = Post::select()
        .filter(sql!("{} = ANY({})", "intro", Post::TAGS))
        .fetch_all(&db)
        .await?;
    assert_eq!(found.len(), 1);

    // Beside other conditions, a fragment is kept apart in parentheses:
    // its own precedence is unknown.
    let query = User::select()
        .filter(
            User::ID
                .gt(0)
                .and(sql!("{} = 1 OR {} = 3", User::ID, User::ID)),
        )
        .order_by(sql!("length({})", User::EMAIL).desc())
        .order_by(User::ID);
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "email" FROM "users" WHERE ("users"."id" > $1 AND ("users"."id" = 1 OR "users"."id" = 3)) ORDER BY length("users"."email") DESC, "users"."id" ASC"#
    );
    let ids: Vec<i64> = query.fetch_all(&db).await?.iter().map(|u| u.id).collect();
    assert_eq!(ids, [1, 3]);

    // An expression inside a fragment is parenthesized unless atomic.
    let query = User::select().filter(sql!("NOT {}", User::ID.eq(2)));
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "email" FROM "users" WHERE NOT ("users"."id" = $1)"#
    );
    assert_eq!(query.fetch_all(&db).await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn fragments_set_values() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // update posts set tags = array_append(tags, 'x'), metadata = metadata || '{"k":1}'
    let update = Post::update()
        .set(Post::TAGS, sql!("array_append({}, {})", Post::TAGS, "x"))
        .set(Post::METADATA, sql!("{} || '{{\"k\":1}}'", Post::METADATA))
        .filter(Post::ID.eq(1));
    assert_eq!(
        update.to_sql(),
        r#"UPDATE "posts" SET "tags" = array_append("posts"."tags", $1), "metadata" = "posts"."metadata" || '{"k":1}' WHERE "posts"."id" = $2"#
    );
    assert_eq!(update.execute(&db).await?, 1);
    let post = Post::find(1).fetch_one(&db).await?;
    assert_eq!(post.tags, ["intro", "x"]);
    assert_eq!(post.metadata, serde_json::json!({"source": "cli", "k": 1}));
    Ok(())
}

#[tokio::test]
async fn optional_filters_are_skipped_when_absent() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let search = |email: Option<&str>, min_id: Option<i64>| {
        User::select()
            .filter_opt(email.map(|e| User::EMAIL.eq(e)))
            .filter_opt(min_id.map(|id| User::ID.ge(id)))
    };
    assert_eq!(search(None, None).count(&db).await?, 3);
    assert_eq!(search(None, Some(2)).count(&db).await?, 2);
    assert_eq!(search(Some("bob@x.io"), Some(2)).count(&db).await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_fragment_groups_rows() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let source = || sql!("{} ->> 'source'", Post::METADATA);
    let query = Post::select_columns((source().typed::<Option<String>>(), Post::ID.count()))
        .group_by(source())
        .order_by(source());
    assert_eq!(
        query.to_sql(),
        r#"SELECT "posts"."metadata" ->> 'source', count("posts"."id") FROM "posts" GROUP BY "posts"."metadata" ->> 'source' ORDER BY "posts"."metadata" ->> 'source' ASC"#
    );
    let rows = query.fetch_all(&db).await?;
    assert_eq!(
        rows,
        [(Some("cli".to_owned()), 1), (Some("web".to_owned()), 1)]
    );
    Ok(())
}

#[table(name = "counters")]
#[derive(Debug, Clone, PartialEq)]
pub struct Counter {
    #[column(primary_key)]
    pub name: String,
    pub hits: i32,
}

#[tokio::test]
async fn a_fragment_in_an_upsert() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Counter>()).await;
    let db = test.db();
    let hit = || {
        Counter::insert(NewCounter {
            name: "home".into(),
            hits: 1,
        })
        .on_conflict(Counter::NAME)
        .do_update(|c| c.set(Counter::HITS, sql!("{} + {}", Counter::HITS, 10)))
    };
    assert_eq!(
        hit().to_sql(),
        r#"INSERT INTO "counters" ("name", "hits") VALUES ($1, $2) ON CONFLICT ("name") DO UPDATE SET "hits" = "counters"."hits" + $3"#
    );
    for _ in 0..3 {
        hit().execute(&db).await?;
    }
    let counter = Counter::find("home".to_owned()).fetch_one(&db).await?;
    assert_eq!(counter.hits, 21);
    Ok(())
}
