//! Array, jsonb and text operators, `coalesce` and `DISTINCT`, run on the
//! server: exact SQL and the rows that come back.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use serde_json::json;

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub tags: Vec<String>,
    pub metadata: serde_json::Value,
}

async fn posts() -> TestDb {
    let test = TestDb::with_schema(&Schema::new().table::<Post>()).await;
    let rows = [
        (
            "Intro",
            None,
            vec!["intro", "rust"],
            json!({"source": "cli", "a": {"b": "deep"}}),
        ),
        (
            "50% off_sale",
            Some("Deals"),
            vec!["sale"],
            json!({"source": "web"}),
        ),
        (
            "Rust 2026",
            None,
            vec!["rust"],
            json!({"source": "cli", "draft": true}),
        ),
    ];
    Post::insert_many(rows.map(|(title, subtitle, tags, metadata)| NewPost {
        title: title.into(),
        subtitle: subtitle.map(Into::into),
        tags: tags.into_iter().map(Into::into).collect(),
        metadata,
    }))
    .execute(&test.db())
    .await
    .unwrap();
    test
}

async fn ids(query: pgtable::Select<Post>, db: &Db) -> Vec<i64> {
    query
        .order_by(Post::ID)
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn array_operators() {
    let test = posts().await;
    let db = test.db();
    let q = Post::select().filter(Post::TAGS.any_eq("intro"));
    assert_eq!(
        q.to_sql(),
        r#"SELECT "id", "title", "subtitle", "tags", "metadata" FROM "posts" WHERE $1 = ANY("posts"."tags")"#
    );
    assert_eq!(ids(q, &db).await, [1]);
    let q = Post::select().filter(Post::TAGS.contains(vec!["rust".to_owned()]));
    assert!(q.to_sql().ends_with(r#"WHERE "posts"."tags" @> $1"#));
    assert_eq!(ids(q, &db).await, [1, 3]);
    let q =
        Post::select().filter(Post::TAGS.contained_by(vec!["rust".to_owned(), "sale".to_owned()]));
    assert_eq!(ids(q, &db).await, [2, 3]);
    let q = Post::select().filter(Post::TAGS.overlaps(vec!["sale".to_owned(), "intro".to_owned()]));
    assert!(q.to_sql().ends_with(r#"WHERE "posts"."tags" && $1"#));
    assert_eq!(ids(q, &db).await, [1, 2]);
    let lengths: Vec<Option<i32>> = Post::select_columns(Post::TAGS.array_length())
        .order_by(Post::ID)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(lengths, [Some(2), Some(1), Some(1)]);
}

#[tokio::test]
async fn jsonb_operators() {
    let test = posts().await;
    let db = test.db();
    let q = Post::select().filter(Post::METADATA.get_text("source").eq("cli"));
    assert!(
        q.to_sql()
            .ends_with(r#"WHERE ("posts"."metadata" ->> $1) = $2"#)
    );
    assert_eq!(ids(q, &db).await, [1, 3]);
    let q = Post::select().filter(Post::METADATA.has_key("draft"));
    assert!(q.to_sql().ends_with(r#"WHERE "posts"."metadata" ? $1"#));
    assert_eq!(ids(q, &db).await, [3]);
    let q = Post::select().filter(Post::METADATA.contains(json!({"source": "web"})));
    assert_eq!(ids(q, &db).await, [2]);
    let deep: Vec<Option<String>> = Post::select_columns(Post::METADATA.path_text(&["a", "b"]))
        .order_by(Post::ID)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(deep, [Some("deep".to_owned()), None, None]);
    let got: Vec<Option<serde_json::Value>> = Post::select_columns(Post::METADATA.get("a"))
        .filter(Post::ID.eq(1))
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(got, [Some(json!({"b": "deep"}))]);
}

#[tokio::test]
async fn text_operators_and_coalesce() {
    let test = posts().await;
    let db = test.db();
    // A prefix holding LIKE's wildcards matches them literally.
    let q = Post::select().filter(Post::TITLE.starts_with("50%"));
    assert_eq!(ids(q, &db).await, [2]);
    let q = Post::select().filter(Post::TITLE.starts_with("5_%"));
    assert_eq!(ids(q, &db).await, Vec::<i64>::new());
    let q = Post::select().filter(Post::TITLE.ends_with("_sale"));
    assert_eq!(ids(q, &db).await, [2]);
    let q = Post::select().filter(Post::TITLE.lower().eq("intro"));
    assert!(q.to_sql().ends_with(r#"WHERE lower("posts"."title") = $1"#));
    assert_eq!(ids(q, &db).await, [1]);
    let shown: Vec<String> = Post::select_columns(Post::SUBTITLE.coalesce("none"))
        .order_by(Post::ID)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(shown, ["none", "Deals", "none"]);
    let q = Post::select().filter(Post::SUBTITLE.coalesce(Post::TITLE.upper()).eq("INTRO"));
    assert!(
        q.to_sql()
            .ends_with(r#"WHERE coalesce("posts"."subtitle", upper("posts"."title")) = $1"#)
    );
    assert_eq!(ids(q, &db).await, [1]);
    let joined: Vec<String> = Post::select_columns(Post::TITLE.concat(" | ").upper())
        .filter(Post::ID.eq(1))
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(joined, ["INTRO | "]);
}

#[tokio::test]
async fn distinct_and_distinct_on() {
    let test = posts().await;
    let db = test.db();
    let q = Post::select_columns(Post::METADATA.get_text("source")).distinct();
    assert_eq!(
        q.to_sql(),
        r#"SELECT DISTINCT "posts"."metadata" ->> $1 FROM "posts""#
    );
    let mut sources = q.fetch_all(&db).await.unwrap();
    sources.sort();
    assert_eq!(sources, [Some("cli".to_owned()), Some("web".to_owned())]);
    // The latest post per subtitle (NULL is one group).
    let q = Post::select()
        .distinct_on(Post::SUBTITLE)
        .order_by(Post::SUBTITLE)
        .order_by(Post::ID.desc());
    assert!(
        q.to_sql()
            .starts_with(r#"SELECT DISTINCT ON ("posts"."subtitle") "id""#)
    );
    let latest: Vec<i64> = q
        .fetch_all(&db)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(latest, [2, 3]);
}

#[tokio::test]
async fn hostile_strings_in_operators_are_values() {
    let test = posts().await;
    let db = test.db();
    for value in [
        "'",
        "\\",
        "%_\\%",
        "'; DROP TABLE posts; --",
        "$1",
        "? ->> '",
        "{\"a\":1}",
    ] {
        Post::insert(NewPost {
            title: value.to_owned(),
            subtitle: None,
            tags: vec![value.to_owned()],
            metadata: json!({ value: value }),
        })
        .execute(&db)
        .await
        .unwrap();
        let count = |q: pgtable::Select<Post>| {
            let db = db.clone();
            async move { q.count(&db).await.unwrap() }
        };
        assert_eq!(
            count(Post::select().filter(Post::TITLE.starts_with(value))).await,
            1,
            "{value}"
        );
        assert_eq!(
            count(Post::select().filter(Post::TITLE.ends_with(value))).await,
            1,
            "{value}"
        );
        assert_eq!(
            count(Post::select().filter(Post::TAGS.any_eq(value))).await,
            1,
            "{value}"
        );
        assert_eq!(
            count(Post::select().filter(Post::METADATA.has_key(value))).await,
            1,
            "{value}"
        );
        assert_eq!(
            count(Post::select().filter(Post::METADATA.get_text(value).eq(value))).await,
            1,
            "{value}"
        );
    }
    assert_eq!(Post::select().count(&db).await.unwrap(), 10);
}
