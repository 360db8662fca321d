//! Two ways to load nested relations, measured side by side in one run:
//!
//! - `pgtable`: pgtable's own, one statement per relation (`WHERE key =
//!   ANY($1)`, a `row_number()` window for a limit per parent), grouped in
//!   Rust;
//! - `raw_lateral_json`: Drizzle's, one statement with a `LEFT JOIN
//!   LATERAL` per relation, each aggregating its rows with `json_agg`,
//!   written by hand on tokio-postgres and decoded with serde_json into the
//!   same types;
//! - `raw`: hand-written tokio-postgres, one statement per relation (for
//!   the flat case, where no limit applies).
//!
//! Workloads: Diesel's `loading_associations` (100 users, 10 posts each,
//! 10 comments a post, everything loaded), and the same data with limits
//! at two levels (each user's 5 latest posts, each post's 3 latest
//! comments).
//!
//! ```sh
//! cargo bench --bench relation_strategies
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pgtable::Conn;
use pgtable::prelude::*;
use pgtable::relations::HasMany;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls, Statement};

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(references = User::ID)]
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[table(name = "comments")]
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(references = Post::ID)]
    pub post_id: i32,
    pub text: String,
}

impl User {
    fn posts() -> HasMany<User, Post, i32, i32> {
        HasMany::new(User::ID, Post::USER_ID)
    }
}

impl Post {
    fn comments() -> HasMany<Post, Comment, i32, i32> {
        HasMany::new(Post::ID, Comment::POST_ID)
    }
}

type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

const DATABASE: &str = "pgtable_bench_relations";

/// Drizzle's statement for users with their posts with their comments:
/// each level a lateral subquery aggregating its rows as JSON arrays.
/// `{posts_limit}` and `{comments_limit}` are empty or an `ORDER BY … LIMIT`.
fn lateral_sql(posts_tail: &str, comments_tail: &str) -> String {
    format!(
        r#"SELECT "users"."id", "users"."name", "users"."hair_color", "users_posts"."data" AS "posts"
FROM "users"
LEFT JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_array("users_posts"."id", "users_posts"."user_id", "users_posts"."title", "users_posts"."body", "users_posts_comments"."data")), '[]'::json) AS "data"
  FROM (SELECT * FROM "posts" "users_posts" WHERE "users_posts"."user_id" = "users"."id"{posts_tail}) "users_posts"
  LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_array("users_posts_comments"."id", "users_posts_comments"."post_id", "users_posts_comments"."text")), '[]'::json) AS "data"
    FROM (SELECT * FROM "comments" "users_posts_comments" WHERE "users_posts_comments"."post_id" = "users_posts"."id"{comments_tail}) "users_posts_comments"
  ) "users_posts_comments" ON true
) "users_posts" ON true"#
    )
}

/// A post as the lateral statement sends it: a JSON array.
type PostJson = (i32, i32, String, Option<String>, Vec<(i32, i32, String)>);

async fn load_lateral(raw: &Client, statement: &Statement) -> Loaded {
    let rows = raw.query(statement, &[]).await.unwrap();
    rows.iter()
        .map(|row| {
            let user = User {
                id: row.get(0),
                name: row.get(1),
                hair_color: row.get(2),
            };
            let posts: postgres_types::Json<Vec<PostJson>> = row.get(3);
            let posts = posts
                .0
                .into_iter()
                .map(|(id, user_id, title, body, comments)| {
                    let comments = comments
                        .into_iter()
                        .map(|(id, post_id, text)| Comment { id, post_id, text })
                        .collect();
                    (
                        Post {
                            id,
                            user_id,
                            title,
                            body,
                        },
                        comments,
                    )
                })
                .collect();
            (user, posts)
        })
        .collect()
}

/// Hand-written: three statements, grouped with hash maps.
async fn load_raw(raw: &Client, statements: &[Statement; 3]) -> Loaded {
    use std::collections::HashMap;
    let users: Vec<User> = raw
        .query(&statements[0], &[])
        .await
        .unwrap()
        .iter()
        .map(|r| User {
            id: r.get(0),
            name: r.get(1),
            hair_color: r.get(2),
        })
        .collect();
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let posts: Vec<Post> = raw
        .query(&statements[1], &[&user_ids])
        .await
        .unwrap()
        .iter()
        .map(|r| Post {
            id: r.get(0),
            user_id: r.get(1),
            title: r.get(2),
            body: r.get(3),
        })
        .collect();
    let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let mut comments_by_post: HashMap<i32, Vec<Comment>> = HashMap::new();
    for r in raw.query(&statements[2], &[&post_ids]).await.unwrap() {
        let comment = Comment {
            id: r.get(0),
            post_id: r.get(1),
            text: r.get(2),
        };
        comments_by_post
            .entry(comment.post_id)
            .or_default()
            .push(comment);
    }
    let mut posts_by_user: HashMap<i32, Vec<(Post, Vec<Comment>)>> = HashMap::new();
    for post in posts {
        let comments = comments_by_post.remove(&post.id).unwrap_or_default();
        posts_by_user
            .entry(post.user_id)
            .or_default()
            .push((post, comments));
    }
    users
        .into_iter()
        .map(|u| {
            let posts = posts_by_user.remove(&u.id).unwrap_or_default();
            (u, posts)
        })
        .collect()
}

struct Env {
    rt: Runtime,
    conn: Conn,
    raw: Client,
}

fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database with Diesel's association data, a pgtable connection
/// and a raw client, on a current-thread runtime.
fn env() -> Env {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (conn, raw) = rt.block_on(async {
        let admin = Db::connect(&url())
            .await
            .expect("PostgreSQL must answer at DATABASE_URL");
        let admin = admin.conn().await.unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .await
            .unwrap();
        let mut config: tokio_postgres::Config = url().parse().unwrap();
        config.dbname(DATABASE);
        let db = Db::builder_with_config(config.clone())
            .ssl_mode(pgtable::SslMode::Disable)
            .max_size(2)
            .build()
            .unwrap();
        let conn = db.conn().await.unwrap();
        let schema = Schema::new()
            .table::<User>()
            .table::<Post>()
            .table::<Comment>();
        conn.batch_execute(&schema.to_sql()).await.unwrap();
        User::insert_many((0..100).map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: None,
        }))
        .execute(&conn)
        .await
        .unwrap();
        Post::insert_many((0..1_000).map(|i| NewPost {
            user_id: i / 10 + 1,
            title: format!("Post {i}"),
            body: Some("body".into()),
        }))
        .execute(&conn)
        .await
        .unwrap();
        Comment::insert_many((0..10_000).map(|i| NewComment {
            post_id: i / 10 + 1,
            text: format!("Comment {i}"),
        }))
        .execute(&conn)
        .await
        .unwrap();
        conn.batch_execute("ANALYZE").await.unwrap();
        let (raw, connection) = config.connect(NoTls).await.unwrap();
        tokio::spawn(connection);
        (conn, raw)
    });
    Env { rt, conn, raw }
}

fn everything(c: &mut Criterion, env: &Env) {
    let lateral = env
        .rt
        .block_on(env.raw.prepare(&lateral_sql("", "")))
        .unwrap();
    let statements = env.rt.block_on(async {
        [
            env.raw
                .prepare("SELECT id, name, hair_color FROM users")
                .await
                .unwrap(),
            env.raw
                .prepare("SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)")
                .await
                .unwrap(),
            env.raw
                .prepare("SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)")
                .await
                .unwrap(),
        ]
    });
    let mut group = c.benchmark_group("relations_everything");
    group.bench_function("pgtable", |b| {
        b.to_async(&env.rt).iter(|| async {
            let loaded: Loaded = User::select()
                .with(User::posts().with(Post::comments()))
                .fetch_all(&env.conn)
                .await
                .unwrap();
            black_box(loaded)
        })
    });
    group.bench_function("raw_lateral_json", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(load_lateral(&env.raw, &lateral).await) })
    });
    group.bench_function("raw", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(load_raw(&env.raw, &statements).await) })
    });
    group.finish();
}

fn limited(c: &mut Criterion, env: &Env) {
    let lateral = env
        .rt
        .block_on(env.raw.prepare(&lateral_sql(
            r#" ORDER BY "users_posts"."id" DESC LIMIT 5"#,
            r#" ORDER BY "users_posts_comments"."id" DESC LIMIT 3"#,
        )))
        .unwrap();
    let query = || {
        User::select().with(
            User::posts()
                .order_by(Post::ID.desc())
                .limit(5)
                .with(Post::comments().order_by(Comment::ID.desc()).limit(3)),
        )
    };
    // Both sides give the same data.
    let (ours, theirs) = env.rt.block_on(async {
        let ours: Loaded = query().fetch_all(&env.conn).await.unwrap();
        (ours, load_lateral(&env.raw, &lateral).await)
    });
    assert_eq!(ours, theirs, "the two strategies disagree");
    let mut group = c.benchmark_group("relations_limited");
    group.bench_function("pgtable", |b| {
        b.to_async(&env.rt).iter(|| async {
            let loaded: Loaded = query().fetch_all(&env.conn).await.unwrap();
            black_box(loaded)
        })
    });
    group.bench_function("raw_lateral_json", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(load_lateral(&env.raw, &lateral).await) })
    });
    group.finish();
}

fn strategies(c: &mut Criterion) {
    let env = env();
    everything(c, &env);
    limited(c, &env);
    let Env { rt, conn, raw } = env;
    drop((conn, raw));
    rt.block_on(async {
        let admin = Db::connect(&url()).await.unwrap().conn().await.unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            .await
            .unwrap();
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = strategies
}
criterion_main!(benches);
