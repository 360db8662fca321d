//! One workload, one side, a fixed number of times: for counting
//! instructions with callgrind, which (unlike timings on shared cores)
//! repeats exactly.
//!
//! ```sh
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind target/release/deps/instructions-* pgtable 20
//! valgrind --tool=callgrind target/release/deps/instructions-* raw 20
//! ```
//!
//! The difference of the two totals, over the number of runs and rows, is
//! pgtable's cost per row of `trivial_query` with 10,000 users.
//!
//! The side `raw_stream` decodes each row as it arrives (`query_raw`), as
//! pgtable does; `raw` lets `Client::query` buffer them all first.
//!
//! The sides `one_raw`, `one_pgtable` and `one_prepared` load a table of
//! one user instead (`trivial_query` at 1): the cost of a query apart from
//! its rows.
//!
//! The sides `insert_raw`, `insert_pgtable` and `insert_prepared` insert
//! one user per run (`insert` at 1); `insert100_raw` and
//! `insert100_pgtable` insert 100 in one statement (`insert` at 100).
//!
//! The sides `assoc_raw`, `assoc_raw_stream` and `assoc_pgtable` load 100
//! users with their 1,000 posts and 10,000 comments
//! (`loading_associations`); `assoc_raw_stream` decodes rows as they
//! arrive.
//!
//! The sides `bulk_raw` and `bulk_pgtable` insert 10,000 users per run by
//! binary `COPY` (`bulk_insert`): tokio-postgres's `BinaryCopyInWriter`,
//! and `User::insert_many`.
//!
//! The sides `medium_raw_stream` and `medium_pgtable` run
//! `medium_complex_query` at 1,000: users left-joined to their one post
//! each, by hair colour (500 rows), decoded as rows arrive;
//! `medium1_raw_stream` and `medium1_pgtable` run it at 1 (one row).
//!
//! The sides `build_adhoc`, `build_text`, `build_prepared` and `build_raw`
//! build the `build_sql/select_5_conditions` statement 1,000 times per run,
//! without a server: the cost of building SQL, by the same count. The side
//! `build_join` builds `medium_complex_query`'s left join instead.

use std::hint::black_box;

use futures_util::StreamExt;

use pgtable::prelude::*;
use pgtable::query::{Select, placeholder};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

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
    #[column(references = User::ID, relation(has_many = "posts"))]
    pub user_id: i32,
    pub title: String,
}

#[table(name = "comments")]
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(references = Post::ID, relation(has_many = "comments"))]
    pub post_id: i32,
    pub text: String,
}

type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "pgtable".into());
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    if let Some(build) = side.strip_prefix("build_") {
        for _ in 0..runs * 1_000 {
            build_select(build);
        }
        return;
    }
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let admin = Db::connect(&url).await.unwrap().conn().await.unwrap();
        admin
            .batch_execute("DROP DATABASE IF EXISTS pgtable_instructions WITH (FORCE)")
            .await
            .unwrap();
        admin
            .batch_execute("CREATE DATABASE pgtable_instructions")
            .await
            .unwrap();
        let mut config: tokio_postgres::Config = url.parse().unwrap();
        config.dbname("pgtable_instructions");
        // The raw baseline connects without TLS (NoTls); so does pgtable.
        let db = Db::builder_with_config(config.clone())
            .ssl_mode(pgtable::SslMode::Disable)
            .build()
            .unwrap();
        let conn = db.conn().await.unwrap();
        conn.batch_execute(User::create_table()).await.unwrap();
        // The sides with a workload of their own run it, then clean up.
        let own = if let Some(side) = side.strip_prefix("assoc_") {
            associations(&conn, &config, side, runs).await;
            true
        } else if let Some(side) = side.strip_prefix("bulk_") {
            bulk_insert(&conn, &config, side, runs).await;
            true
        } else if let Some((users, side)) = sized_side(&side, "medium", 1_000) {
            medium(&conn, &config, users, side, runs).await;
            true
        } else if let Some((rows, side)) = sized_side(&side, "insert", 1) {
            insert_rows(&conn, &config, rows, side, runs).await;
            true
        } else {
            false
        };
        if own {
            drop(conn);
            admin
                .batch_execute("DROP DATABASE pgtable_instructions WITH (FORCE)")
                .await
                .unwrap();
            return;
        }
        // The `one_*` sides load a table of one user (`trivial_query` at 1).
        let users = if side.starts_with("one_") { 1 } else { 10_000 };
        User::insert_many((0..users).map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: (i % 2 == 0).then(|| "black".to_owned()),
        }))
        .execute(&conn)
        .await
        .unwrap();
        let (raw, connection) = config.connect(NoTls).await.unwrap();
        tokio::spawn(connection);
        let statement = raw
            .prepare("SELECT id, name, hair_color FROM users")
            .await
            .unwrap();
        let prepared = User::select().prepare();
        let mut total = 0;
        for _ in 0..runs {
            total += if side.ends_with("raw") {
                let rows = raw.query(&statement, &[]).await.unwrap();
                let users: Vec<User> = rows
                    .iter()
                    .map(|r| User {
                        id: r.get(0),
                        name: r.get(1),
                        hair_color: r.get(2),
                    })
                    .collect();
                users.len()
            } else if side.ends_with("raw_stream") {
                // Decoding each row as it arrives, as pgtable does.
                let rows = raw.query_raw(&statement, NO_PARAMS).await.unwrap();
                let mut rows = std::pin::pin!(rows);
                let mut users = Vec::new();
                while let Some(row) = rows.next().await {
                    let r = row.unwrap();
                    users.push(User {
                        id: r.get(0),
                        name: r.get(1),
                        hair_color: r.get(2),
                    });
                }
                users.len()
            } else if side.ends_with("prepared") {
                prepared.fetch_all(&conn).await.unwrap().len()
            } else {
                User::select().fetch_all(&conn).await.unwrap().len()
            };
        }
        assert_eq!(total, runs * users);
        drop((conn, raw));
        admin
            .batch_execute("DROP DATABASE pgtable_instructions WITH (FORCE)")
            .await
            .unwrap();
    });
}

/// `medium_complex_query` at `users`: users with a post each, every
/// other one (the first among them) with black hair, left-joined and
/// filtered by hair colour.
async fn medium(
    conn: &pgtable::Conn,
    config: &tokio_postgres::Config,
    users: usize,
    side: &str,
    runs: usize,
) {
    conn.batch_execute(Post::create_table()).await.unwrap();
    User::insert_many((0..users).map(|i| NewUser {
        name: format!("User {i}"),
        hair_color: Some(if i % 2 == 0 { "black" } else { "brown" }.to_owned()),
    }))
    .execute(conn)
    .await
    .unwrap();
    Post::insert_many((1..=users as i32).map(|user_id| NewPost {
        user_id,
        title: format!("Post by {user_id}"),
    }))
    .execute(conn)
    .await
    .unwrap();
    let (raw, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    let statement = raw
        .prepare(
            "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title \
             FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE u.hair_color = $1",
        )
        .await
        .unwrap();
    let mut total = 0;
    for _ in 0..runs {
        let rows: Vec<(User, Option<Post>)> = if side == "raw_stream" {
            let rows = raw.query_raw(&statement, [&"black"]).await.unwrap();
            let mut rows = std::pin::pin!(rows);
            let mut out = Vec::new();
            while let Some(row) = rows.next().await {
                let r = row.unwrap();
                let user = User {
                    id: r.get(0),
                    name: r.get(1),
                    hair_color: r.get(2),
                };
                let post = r.get::<_, Option<i32>>(3).map(|id| Post {
                    id,
                    user_id: r.get(4),
                    title: r.get(5),
                });
                out.push((user, post));
            }
            out
        } else {
            User::select()
                .left_join(Post::USER_ID.eq(User::ID))
                .filter(User::HAIR_COLOR.eq("black"))
                .fetch_all(conn)
                .await
                .unwrap()
        };
        total += rows.len();
    }
    assert_eq!(total, runs * users.div_ceil(2));
}

/// The size and the side of a `<workload>_<side>` side (at `default`) or
/// a `<workload><size>_<side>` one.
fn sized_side<'s>(side: &'s str, workload: &str, default: usize) -> Option<(usize, &'s str)> {
    let (size, side) = side.strip_prefix(workload)?.split_once('_')?;
    let size = if size.is_empty() {
        default
    } else {
        size.parse().ok()?
    };
    Some((size, side))
}

/// `insert` at `rows`: that many users inserted in one statement, `runs`
/// times, by a prepared-once statement (`raw`), `User::insert_many`
/// (`pgtable`) or, for one row, `User::prepare_insert` (`prepared`).
async fn insert_rows(
    conn: &pgtable::Conn,
    config: &tokio_postgres::Config,
    rows: usize,
    side: &str,
    runs: usize,
) {
    let (raw, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    let values: Vec<String> = (0..rows)
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let statement = raw
        .prepare(&format!(
            "INSERT INTO users (name, hair_color) VALUES {}",
            values.join(", ")
        ))
        .await
        .unwrap();
    let prepared = User::prepare_insert();
    let mut total = 0;
    for run in 0..runs {
        let mut new: Vec<NewUser> = (0..rows)
            .map(|i| NewUser {
                name: format!("User {}", run * rows + i),
                hair_color: Some("black".to_owned()),
            })
            .collect();
        // One row goes as `insert` at 1 is written: its two parameters
        // in place, `User::insert`.
        total += match (side, &new[..]) {
            ("raw", [row]) => raw
                .execute(&statement, &[&row.name, &row.hair_color])
                .await
                .unwrap(),
            ("raw", _) => {
                let params: Vec<&(dyn ToSql + Sync)> = new
                    .iter()
                    .flat_map(|row| [&row.name as _, &row.hair_color as _])
                    .collect();
                raw.execute(&statement, &params).await.unwrap()
            }
            ("prepared", _) => prepared.execute(conn, &new[0]).await.unwrap(),
            (_, [_]) => User::insert(new.swap_remove(0))
                .execute(conn)
                .await
                .unwrap(),
            _ => User::insert_many(new).execute(conn).await.unwrap(),
        };
    }
    assert_eq!(total as usize, runs * rows);
}

/// `bulk_insert`, smaller: 10,000 users inserted by binary `COPY`, `runs`
/// times, by tokio-postgres's writer (`raw`) or `User::insert_many`.
async fn bulk_insert(
    conn: &pgtable::Conn,
    config: &tokio_postgres::Config,
    side: &str,
    runs: usize,
) {
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;
    const ROWS: usize = 10_000;
    let new_users = || -> Vec<NewUser> {
        (0..ROWS)
            .map(|i| NewUser {
                name: format!("User {i}"),
                hair_color: (i % 2 == 0).then(|| "black".to_owned()),
            })
            .collect()
    };
    let (raw, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    for _ in 0..runs {
        raw.batch_execute("TRUNCATE users").await.unwrap();
        let rows = new_users();
        let n = if side == "raw" {
            let sink = raw
                .copy_in("COPY users (name, hair_color) FROM STDIN (FORMAT binary)")
                .await
                .unwrap();
            let mut writer =
                std::pin::pin!(BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT]));
            for row in &rows {
                writer
                    .as_mut()
                    .write(&[&row.name, &row.hair_color])
                    .await
                    .unwrap();
            }
            writer.finish().await.unwrap()
        } else {
            User::insert_many(rows).execute(conn).await.unwrap()
        };
        assert_eq!(n as usize, ROWS);
    }
}

/// `loading_associations`: 100 users, their 1,000 posts and those posts'
/// 10,000 comments, loaded `runs` times by pgtable's relations or by
/// hand-written code (three prepared statements, grouped by key).
async fn associations(
    conn: &pgtable::Conn,
    config: &tokio_postgres::Config,
    side: &str,
    runs: usize,
) {
    conn.batch_execute(Post::create_table()).await.unwrap();
    conn.batch_execute(Comment::create_table()).await.unwrap();
    User::insert_many((0..100).map(|i| NewUser {
        name: format!("User {i}"),
        hair_color: None,
    }))
    .execute(conn)
    .await
    .unwrap();
    Post::insert_many((0..1_000).map(|i| NewPost {
        user_id: i / 10 + 1,
        title: format!("Post {i}"),
    }))
    .execute(conn)
    .await
    .unwrap();
    Comment::insert_many((0..10_000).map(|i| NewComment {
        post_id: i / 10 + 1,
        text: format!("Comment {i}"),
    }))
    .execute(conn)
    .await
    .unwrap();
    let (raw, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    let users_sql = raw
        .prepare("SELECT id, name, hair_color FROM users")
        .await
        .unwrap();
    let posts_sql = raw
        .prepare("SELECT id, user_id, title FROM posts WHERE user_id = ANY($1)")
        .await
        .unwrap();
    let comments_sql = raw
        .prepare("SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)")
        .await
        .unwrap();
    for _ in 0..runs {
        let loaded: Loaded = if let Some(stream) = match side {
            "raw" => Some(false),
            "raw_stream" => Some(true),
            _ => None,
        } {
            let mut users = Vec::new();
            each_row(&raw, &users_sql, &[], stream, |r| {
                users.push(User {
                    id: r.get(0),
                    name: r.get(1),
                    hair_color: r.get(2),
                })
            })
            .await;
            let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
            let mut posts = Vec::new();
            each_row(&raw, &posts_sql, &[&user_ids], stream, |r| {
                posts.push(Post {
                    id: r.get(0),
                    user_id: r.get(1),
                    title: r.get(2),
                })
            })
            .await;
            let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
            let mut comments_by_post: std::collections::HashMap<i32, Vec<Comment>> =
                std::collections::HashMap::new();
            each_row(&raw, &comments_sql, &[&post_ids], stream, |r| {
                let comment = Comment {
                    id: r.get(0),
                    post_id: r.get(1),
                    text: r.get(2),
                };
                comments_by_post
                    .entry(comment.post_id)
                    .or_default()
                    .push(comment);
            })
            .await;
            let mut posts_by_user: std::collections::HashMap<i32, Vec<(Post, Vec<Comment>)>> =
                std::collections::HashMap::new();
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
        } else {
            User::select()
                .with(User::posts().with(Post::comments()))
                .fetch_all(conn)
                .await
                .unwrap()
        };
        assert_eq!(loaded.len(), 100);
        black_box(loaded);
    }
}

/// Hands each row of `statement` to `visit`: buffered by `Client::query`
/// first, or (`stream`) as it arrives (`query_raw`).
async fn each_row(
    raw: &tokio_postgres::Client,
    statement: &tokio_postgres::Statement,
    params: &[&(dyn ToSql + Sync)],
    stream: bool,
    mut visit: impl FnMut(&tokio_postgres::Row),
) {
    if stream {
        let rows = raw
            .query_raw(statement, params.iter().copied())
            .await
            .unwrap();
        let mut rows = std::pin::pin!(rows);
        while let Some(row) = rows.next().await {
            visit(&row.unwrap());
        }
    } else {
        raw.query(statement, params)
            .await
            .unwrap()
            .iter()
            .for_each(visit);
    }
}

/// No parameters, for `query_raw`.
const NO_PARAMS: [&(dyn ToSql + Sync); 0] = [];

/// The 5-condition select of `build_sql`, built the way `side` says.
fn build_select(side: &str) {
    match side {
        "adhoc" => {
            black_box(five_conditions(User::select()).to_sql());
        }
        "join" => {
            black_box(
                User::select()
                    .left_join(Post::USER_ID.eq(User::ID))
                    .filter(User::HAIR_COLOR.eq("black"))
                    .to_sql(),
            );
        }
        "text" => {
            static QUERY: std::sync::OnceLock<Select<User>> = std::sync::OnceLock::new();
            let query = QUERY.get_or_init(|| five_conditions(User::select()));
            black_box(query.to_sql());
        }
        "prepared" => {
            static PREPARED: std::sync::OnceLock<pgtable::query::PreparedSelect<User>> =
                std::sync::OnceLock::new();
            let prepared = PREPARED.get_or_init(|| {
                User::select()
                    .filter(
                        User::NAME
                            .like(placeholder::<String>("name"))
                            .and(User::HAIR_COLOR.eq(placeholder::<String>("hair")))
                            .and(User::ID.gt(placeholder::<i32>("from")))
                            .and(User::ID.lt(placeholder::<i32>("to")))
                            .and(User::HAIR_COLOR.is_not_null()),
                    )
                    .order_by(User::ID)
                    .limit(10)
                    .prepare()
            });
            let bound = prepared
                .bind("name", "User 1%")
                .bind("hair", "black")
                .bind("from", 10_i32)
                .bind("to", 1_000_i32);
            black_box(bound.statement_len().unwrap());
        }
        _ => {
            let sql = String::from(
                r#"SELECT "id", "name", "hair_color" FROM "users" WHERE ("users"."name" LIKE $1 AND "users"."hair_color" = $2 AND "users"."id" > $3 AND "users"."id" < $4 AND "users"."hair_color" IS NOT NULL) ORDER BY "users"."id" ASC LIMIT $5"#,
            );
            let params: Vec<Box<dyn ToSql + Sync + Send>> = vec![
                Box::new("User 1%".to_owned()),
                Box::new("black".to_owned()),
                Box::new(10_i32),
                Box::new(1_000_i32),
                Box::new(10_i64),
            ];
            black_box((sql, params));
        }
    }
}

fn five_conditions(select: Select<User>) -> Select<User> {
    select
        .filter(
            User::NAME
                .like("User 1%")
                .and(User::HAIR_COLOR.eq("black"))
                .and(User::ID.gt(10))
                .and(User::ID.lt(1_000))
                .and(User::HAIR_COLOR.is_not_null()),
        )
        .order_by(User::ID)
        .limit(10)
}
