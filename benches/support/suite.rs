//! The Diesel suite's schema, data and hand-written baseline code, shared by
//! `benches/diesel_suite.rs` and `benches/peers` (a workspace of its own,
//! which includes this file by path), so that both measure the same thing.

use std::collections::HashMap;

use futures_util::StreamExt;

use pgtable::Conn;
use pgtable::prelude::*;
use pgtable::relations::HasMany;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row, Statement};

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
    pub fn posts() -> HasMany<User, Post, i32, i32> {
        HasMany::new(User::ID, Post::USER_ID)
    }
}

impl Post {
    pub fn comments() -> HasMany<Post, Comment, i32, i32> {
        HasMany::new(Post::ID, Comment::POST_ID)
    }
}

/// Users with their posts with their comments: `loading_associations`'s result.
pub type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

/// A current-thread runtime, or a multi-thread one: each workload runs on
/// both, as the Diesel suite's does.
pub fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()
    .unwrap()
}

/// A bench's connections on one runtime: a fresh database with the
/// schema, a pgtable connection and a raw client to it.
pub struct Env {
    pub rt: tokio::runtime::Runtime,
    pub conn: Conn,
    /// The database's connection settings, for other clients.
    pub config: tokio_postgres::Config,
    /// Appended to each group's name: `""` on the current-thread runtime,
    /// `"_mt"` on the multi-thread one.
    pub flavour: &'static str,
}

impl Env {
    /// The database `name`, made afresh, on a current-thread runtime or a
    /// multi-thread one.
    pub fn new(name: &str, multi_thread: bool) -> Env {
        let rt = runtime(multi_thread);
        let (conn, config) = rt.block_on(async {
            let (config, db) = crate::support::fresh_database(name).await;
            let conn = db.conn().await.unwrap();
            conn.batch_execute(&schema_sql()).await.unwrap();
            (conn, config)
        });
        Env {
            rt,
            conn,
            config,
            flavour: if multi_thread { "_mt" } else { "" },
        }
    }

    /// The connection the hand-written sides run on: pgtable's own (a
    /// pooled connection is a tokio-postgres client underneath), so that
    /// every side talks to the same server process. With a process each,
    /// one-row cases on the current-thread runtime differed by up to 3x
    /// between the sides, in whichever direction the operating system had
    /// placed the two processes on the two cores, and changed between runs.
    pub fn raw(&self) -> &Client {
        &self.conn
    }

    /// Empties the tables.
    pub fn reset(&self) {
        self.rt
            .block_on(self.raw().batch_execute(TRUNCATE))
            .unwrap();
    }

    /// `n` users, every other one with black hair; with one post each when asked.
    pub fn seed_users(&self, n: usize, posts: bool) {
        self.rt.block_on(seed_users(&self.conn, n, posts));
    }

    /// `sql`, prepared on the raw client.
    pub fn prepare(&self, sql: &str) -> Statement {
        self.rt.block_on(self.raw().prepare(sql)).unwrap()
    }

    /// Closes the connection and drops the database.
    pub fn finish(self) {
        let Env {
            rt, conn, config, ..
        } = self;
        drop(conn);
        let name = config.get_dbname().expect("the bench database is named");
        rt.block_on(crate::support::drop_database(name));
    }
}

/// The schema, for `batch_execute`.
pub fn schema_sql() -> String {
    Schema::new()
        .table::<User>()
        .table::<Post>()
        .table::<Comment>()
        .to_sql()
}

pub const TRUNCATE: &str = "TRUNCATE comments, posts, users RESTART IDENTITY";
pub const USERS_SQL: &str = "SELECT id, name, hair_color FROM users";
pub const POSTS_SQL: &str = "SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)";
pub const COMMENTS_SQL: &str = "SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)";
/// `medium_complex_query`: users LEFT JOIN posts, by hair colour.
pub const MEDIUM_SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
     FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE u.hair_color = $1";

/// `n` new users, every other one with black hair.
pub fn new_users(n: usize) -> Vec<NewUser> {
    (0..n)
        .map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: Some(if i % 2 == 0 { "black" } else { "brown" }.to_owned()),
        })
        .collect()
}

/// `INSERT INTO users (name, hair_color) VALUES ($1, $2), …` for `n` rows.
pub fn insert_sql(n: usize) -> String {
    let values: Vec<String> = (0..n)
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    format!(
        "INSERT INTO users (name, hair_color) VALUES {}",
        values.join(", ")
    )
}

/// `insert` by hand: `n` new users through `statement` (of [`insert_sql`]).
pub async fn insert_raw(raw: &Client, statement: &Statement, n: usize) -> u64 {
    let rows = new_users(n);
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(2 * n);
    for row in &rows {
        params.push(&row.name);
        params.push(&row.hair_color);
    }
    raw.execute(statement, &params).await.unwrap()
}

/// `bulk_insert` by hand: `rows` by tokio-postgres's binary `COPY` writer.
pub async fn copy_raw(raw: &Client, rows: &[NewUser]) -> u64 {
    let sink = raw
        .copy_in("COPY users (name, hair_color) FROM STDIN (FORMAT binary)")
        .await
        .unwrap();
    let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT]));
    for row in rows {
        writer
            .as_mut()
            .write(&[&row.name, &row.hair_color])
            .await
            .unwrap();
    }
    writer.finish().await.unwrap()
}

/// A user decoded by hand from `row`'s columns from `at` on.
pub fn raw_user(row: &Row, at: usize) -> User {
    User {
        id: row.get(at),
        name: row.get(at + 1),
        hair_color: row.get(at + 2),
    }
}

/// A post decoded by hand from `row`'s columns from `at` on.
pub fn raw_post(row: &Row, at: usize) -> Post {
    Post {
        id: row.get(at),
        user_id: row.get(at + 1),
        title: row.get(at + 2),
        body: row.get(at + 3),
    }
}

/// `n` users (after a truncate), with one post each when asked.
pub async fn seed_users(conn: &Conn, n: usize, posts: bool) {
    conn.batch_execute(TRUNCATE).await.unwrap();
    User::insert_many(new_users(n)).execute(conn).await.unwrap();
    if posts {
        Post::insert_many((1..=n as i32).map(|user_id| NewPost {
            user_id,
            title: format!("Post by {user_id}"),
            body: None,
        }))
        .execute(conn)
        .await
        .unwrap();
    }
}

/// Diesel's shape for `loading_associations` (after a truncate): 100
/// users, 10 posts each, 10 comments a post.
pub async fn seed_associations(conn: &Conn) {
    conn.batch_execute(TRUNCATE).await.unwrap();
    User::insert_many(new_users(100))
        .execute(conn)
        .await
        .unwrap();
    Post::insert_many((0..1_000).map(|i| NewPost {
        user_id: i / 10 + 1,
        title: format!("Post {i}"),
        body: Some("body".into()),
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
}

/// `loading_associations` by hand: the statements of [`USERS_SQL`],
/// [`POSTS_SQL`] and [`COMMENTS_SQL`], prepared once, each one's rows
/// buffered by `Client::query` before they are decoded; grouped with hash
/// maps.
pub async fn load_raw(raw: &Client, statements: &[Statement; 3]) -> Loaded {
    let users: Vec<User> = raw
        .query(&statements[0], &[])
        .await
        .unwrap()
        .iter()
        .map(|r| raw_user(r, 0))
        .collect();
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let posts: Vec<Post> = raw
        .query(&statements[1], &[&user_ids])
        .await
        .unwrap()
        .iter()
        .map(|r| raw_post(r, 0))
        .collect();
    let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let comments = raw
        .query(&statements[2], &[&post_ids])
        .await
        .unwrap()
        .iter()
        .map(raw_comment)
        .collect();
    group(users, posts, comments)
}

/// [`load_raw`] with each row decoded as it arrives (`query_raw`), as
/// pgtable does, instead of after all of a statement's rows are buffered.
pub async fn load_raw_stream(raw: &Client, statements: &[Statement; 3]) -> Loaded {
    let users = stream_decoded(raw, &statements[0], &[], |r| raw_user(r, 0)).await;
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let posts = stream_decoded(raw, &statements[1], &[&user_ids], |r| raw_post(r, 0)).await;
    let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let comments = stream_decoded(raw, &statements[2], &[&post_ids], raw_comment).await;
    group(users, posts, comments)
}

/// Runs `statement` and decodes each row as it arrives (`query_raw`),
/// instead of after `Client::query` has buffered them all.
pub async fn stream_decoded<T>(
    raw: &Client,
    statement: &Statement,
    params: &[&(dyn ToSql + Sync)],
    decode: impl Fn(&Row) -> T,
) -> Vec<T> {
    let rows = raw
        .query_raw(statement, params.iter().copied())
        .await
        .unwrap();
    let mut rows = std::pin::pin!(rows);
    let mut out = Vec::new();
    while let Some(row) = rows.next().await {
        out.push(decode(&row.unwrap()));
    }
    out
}

/// `medium_complex_query` by hand: [`MEDIUM_SQL`]'s rows decoded as they
/// arrive, a post where the left join found one.
pub async fn medium_raw_stream(raw: &Client, statement: &Statement) -> Vec<(User, Option<Post>)> {
    stream_decoded(raw, statement, &[&"black"], |r| {
        let post = r.get::<_, Option<i32>>(3).map(|_| raw_post(r, 3));
        (raw_user(r, 0), post)
    })
    .await
}

/// `medium_complex_query` with pgtable.
pub async fn medium_pgtable(conn: &Conn) -> Vec<(User, Option<Post>)> {
    User::select()
        .left_join(Post::USER_ID.eq(User::ID))
        .filter(User::HAIR_COLOR.eq("black"))
        .fetch_all(conn)
        .await
        .unwrap()
}

fn raw_comment(row: &Row) -> Comment {
    Comment {
        id: row.get(0),
        post_id: row.get(1),
        text: row.get(2),
    }
}

/// Posts under their users and comments under their posts, in the order
/// the statements gave them, grouped with hash maps.
fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Loaded {
    let mut comments_by_post: HashMap<i32, Vec<Comment>> = HashMap::new();
    for comment in comments {
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
