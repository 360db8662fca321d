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
//! comments); each on Diesel's schema (no index on the foreign keys), then
//! again (`_indexed`) with each foreign key indexed.
//!
//! ```sh
//! cargo bench --bench relation_strategies
//! ```

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pgtable::Conn;
use pgtable::prelude::*;
use pgtable::relations::HasMany;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls, Statement};
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

struct Env {
    rt: Runtime,
    conn: Conn,
    raw: Client,
}

/// The tables, the loads and the benches over them: instantiated once
/// as Diesel's schema has it (no index on the foreign keys) and once
/// (`index`) with each foreign key indexed in the schema, which is what
/// pgtable chooses its limit-per-parent statement by.
macro_rules! workloads {
    ($($index:ident)?) => {
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
            #[column(references = User::ID $(, $index)?)]
            pub user_id: i32,
            pub title: String,
            pub body: Option<String>,
        }

        #[table(name = "comments")]
        #[derive(Debug, Clone, PartialEq)]
        pub struct Comment {
            #[column(primary_key, identity)]
            pub id: i32,
            #[column(references = Post::ID $(, $index)?)]
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

        pub fn schema() -> Schema {
            Schema::new()
                .table::<User>()
                .table::<Post>()
                .table::<Comment>()
        }

        type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;


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


        pub fn everything(c: &mut Criterion, env: &Env, flavour: &str) {
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
            let mut group = c.benchmark_group(format!("relations_everything{flavour}"));
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

        pub fn limited(c: &mut Criterion, env: &Env, flavour: &str) {
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
            let mut group = c.benchmark_group(format!("relations_limited{flavour}"));
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
            // One statement per relation, each parent's rows by a lateral
            // subquery over the parents' keys.
            let per_relation = env.rt.block_on(async {
                [
                    env.raw
                        .prepare("SELECT id, name, hair_color FROM users")
                        .await
                        .unwrap(),
                    env.raw
                        .prepare(
                            "SELECT p.id, p.user_id, p.title, p.body FROM unnest($1::int4[]) AS k(key) \
                             CROSS JOIN LATERAL (SELECT id, user_id, title, body FROM posts \
                             WHERE user_id = k.key ORDER BY id DESC LIMIT 5) AS p",
                        )
                        .await
                        .unwrap(),
                    env.raw
                        .prepare(
                            "SELECT c.id, c.post_id, c.text FROM unnest($1::int4[]) AS k(key) \
                             CROSS JOIN LATERAL (SELECT id, post_id, text FROM comments \
                             WHERE post_id = k.key ORDER BY id DESC LIMIT 3) AS c",
                        )
                        .await
                        .unwrap(),
                ]
            });
            let by_hand = env.rt.block_on(load_raw(&env.raw, &per_relation));
            assert_eq!(
                by_hand, ours,
                "the lateral statements per relation disagree"
            );
            group.bench_function("raw_lateral", |b| {
                b.to_async(&env.rt)
                    .iter(|| async { black_box(load_raw(&env.raw, &per_relation).await) })
            });
            group.finish();
        }

    };
}

mod plain {
    use super::*;
    workloads!();
}

mod indexed {
    use super::*;
    workloads!(index);
}

/// A fresh database with the tables of `schema` holding Diesel's
/// association data (100 users, 1,000 posts, 10,000 comments), a pgtable
/// connection and a raw client, on a current-thread runtime.
fn env(schema: &Schema) -> Env {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (conn, raw) = rt.block_on(async {
        let (config, db) = support::fresh_database(DATABASE).await;
        let conn = db.conn().await.unwrap();
        conn.batch_execute(&schema.to_sql()).await.unwrap();
        conn.batch_execute(
            "INSERT INTO users (name) SELECT 'User ' || i FROM generate_series(0, 99) i;
             INSERT INTO posts (user_id, title, body)
                 SELECT i / 10 + 1, 'Post ' || i, 'body' FROM generate_series(0, 999) i;
             INSERT INTO comments (post_id, text)
                 SELECT i / 10 + 1, 'Comment ' || i FROM generate_series(0, 9999) i;
             ANALYZE",
        )
        .await
        .unwrap();
        let (raw, connection) = config.connect(NoTls).await.unwrap();
        tokio::spawn(connection);
        (conn, raw)
    });
    Env { rt, conn, raw }
}

/// Drops the bench database.
fn clean_up(env: Env) {
    let Env { rt, conn, raw } = env;
    drop((conn, raw));
    rt.block_on(support::drop_database(DATABASE));
}

fn strategies(c: &mut Criterion) {
    let plain_env = env(&plain::schema());
    plain::everything(c, &plain_env, "");
    plain::limited(c, &plain_env, "");
    clean_up(plain_env);
    let indexed_env = env(&indexed::schema());
    indexed::everything(c, &indexed_env, "_indexed");
    indexed::limited(c, &indexed_env, "_indexed");
    clean_up(indexed_env);
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
