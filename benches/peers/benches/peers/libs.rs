//! Each peer's code for each workload, written the way its documentation
//! teaches, over one held connection: diesel (libpq, synchronous) and
//! diesel-async with `table!`, `Selectable` and `belonging_to` +
//! `grouped_by`; sqlx with `query_as` and `FromRow`. Criterion's groups
//! (`main.rs`) and the paired cases (`paired.rs`) both run these.

use std::cell::RefCell;
use std::collections::HashMap;

use tokio::sync::Mutex;

use crate::suite::{self, COMMENTS_SQL, MEDIUM_SQL, POSTS_SQL, USERS_SQL, new_users};

/// diesel's and diesel-async's side: the same tables, as diesel declares them.
pub mod ds {
    use diesel::prelude::*;

    diesel::table! {
        users (id) {
            id -> Int4,
            name -> Text,
            hair_color -> Nullable<Text>,
        }
    }

    diesel::table! {
        posts (id) {
            id -> Int4,
            user_id -> Int4,
            title -> Text,
            body -> Nullable<Text>,
        }
    }

    diesel::table! {
        comments (id) {
            id -> Int4,
            post_id -> Int4,
            text -> Text,
        }
    }

    diesel::joinable!(posts -> users (user_id));
    diesel::joinable!(comments -> posts (post_id));
    diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

    #[derive(Debug, Queryable, Selectable, Identifiable)]
    #[diesel(table_name = users)]
    pub struct User {
        pub id: i32,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Debug, Queryable, Selectable, Identifiable, Associations)]
    #[diesel(table_name = posts, belongs_to(User))]
    pub struct Post {
        pub id: i32,
        pub user_id: i32,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Debug, Queryable, Selectable, Identifiable, Associations)]
    #[diesel(table_name = comments, belongs_to(Post))]
    pub struct Comment {
        pub id: i32,
        pub post_id: i32,
        pub text: String,
    }

    #[derive(Insertable)]
    #[diesel(table_name = users)]
    pub struct NewUser {
        pub name: String,
        pub hair_color: Option<String>,
    }

    /// A new user for `copy_from`, which needs `None` written as `NULL`
    /// rather than `DEFAULT` (diesel's documentation of `from_insertable`).
    #[derive(Insertable)]
    #[diesel(table_name = users, treat_none_as_default_value = false)]
    pub struct CopyUser {
        pub name: String,
        pub hair_color: Option<String>,
    }

    pub type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

    /// Diesel's association loading, as its guide writes it.
    pub fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Loaded {
        let comments = comments.grouped_by(&posts);
        let posts = posts.into_iter().zip(comments).grouped_by(&users);
        users.into_iter().zip(posts).collect()
    }

    /// The suite's new users, as diesel inserts them.
    pub fn new_users(n: usize) -> Vec<NewUser> {
        crate::suite::new_users(n)
            .into_iter()
            .map(|u| NewUser {
                name: u.name,
                hair_color: u.hair_color,
            })
            .collect()
    }

    /// The suite's new users, as diesel copies them in.
    pub fn copy_users(n: usize) -> Vec<CopyUser> {
        crate::suite::new_users(n)
            .into_iter()
            .map(|u| CopyUser {
                name: u.name,
                hair_color: u.hair_color,
            })
            .collect()
    }
}

/// sqlx's side: rows decoded by `FromRow` (decoded and kept, not read).
#[allow(dead_code)]
pub mod sq {
    #[derive(Debug, sqlx::FromRow)]
    pub struct User {
        pub id: i32,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Debug, sqlx::FromRow)]
    pub struct Post {
        pub id: i32,
        pub user_id: i32,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Debug, sqlx::FromRow)]
    pub struct Comment {
        pub id: i32,
        pub post_id: i32,
        pub text: String,
    }

    pub type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;
}

/// Every side's connection, on one runtime: pgtable's and raw's (the
/// suite's own), diesel's, diesel-async's and sqlx's, and a second raw
/// tokio-postgres client.
pub struct Env {
    base: suite::Env,
    /// Hand-written tokio-postgres over a connection of its own, as each
    /// peer has one (pgtable and raw share theirs): what a side's own
    /// server process alone changes.
    pub own_raw: tokio_postgres::Client,
    diesel: RefCell<diesel::PgConnection>,
    diesel_async: Mutex<diesel_async::AsyncPgConnection>,
    sqlx: Mutex<sqlx::PgConnection>,
}

impl std::ops::Deref for Env {
    type Target = suite::Env;

    fn deref(&self) -> &suite::Env {
        &self.base
    }
}

/// The bench database's URL, for the peers' own connections.
fn bench_url(config: &tokio_postgres::Config) -> String {
    let url = crate::support::url();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let name = config.get_dbname().expect("the bench database is named");
    format!("{base}/{name}")
}

impl Env {
    /// The bench database `name`, made afresh, and a connection of each
    /// library to it, on a current-thread runtime or a multi-thread one.
    pub fn new(name: &str, multi_thread: bool) -> Env {
        use diesel::Connection as _;
        use diesel_async::AsyncConnection as _;
        use sqlx::Connection as _;

        let base = suite::Env::new(name, multi_thread);
        let url = bench_url(&base.config);
        let (own_raw, diesel_async, sqlx) = base.rt.block_on(async {
            let (own_raw, connection) = base.config.connect(tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            let diesel_async = diesel_async::AsyncPgConnection::establish(&url)
                .await
                .unwrap();
            let sqlx = sqlx::PgConnection::connect(&url).await.unwrap();
            (own_raw, diesel_async, sqlx)
        });
        let diesel = diesel::PgConnection::establish(&url).unwrap();
        Env {
            base,
            own_raw,
            diesel: RefCell::new(diesel),
            diesel_async: Mutex::new(diesel_async),
            sqlx: Mutex::new(sqlx),
        }
    }

    /// Closes every connection and drops the database, leaving nothing behind.
    pub fn finish(self) {
        let Env {
            base,
            own_raw,
            diesel,
            diesel_async,
            sqlx,
        } = self;
        drop((own_raw, diesel, diesel_async, sqlx));
        base.finish();
    }
}

// trivial_query: every user.

pub fn diesel_users(env: &Env) -> Vec<ds::User> {
    use diesel::{QueryDsl as _, RunQueryDsl as _, SelectableHelper as _};
    let conn = &mut *env.diesel.borrow_mut();
    ds::users::table
        .select(ds::User::as_select())
        .load(conn)
        .unwrap()
}

pub async fn diesel_async_users(env: &Env) -> Vec<ds::User> {
    use diesel::{QueryDsl as _, SelectableHelper as _};
    use diesel_async::RunQueryDsl as _;
    let conn = &mut *env.diesel_async.lock().await;
    ds::users::table
        .select(ds::User::as_select())
        .load(conn)
        .await
        .unwrap()
}

pub async fn sqlx_users(env: &Env) -> Vec<sq::User> {
    let conn = &mut *env.sqlx.lock().await;
    sqlx::query_as(USERS_SQL).fetch_all(conn).await.unwrap()
}

// medium_complex_query: users with black hair, left-joined to their posts.

/// The diesel query of `medium_complex_query`, for both diesel crates.
macro_rules! medium_query {
    () => {{
        use diesel::{ExpressionMethods as _, QueryDsl as _, SelectableHelper as _};
        ds::users::table
            .left_join(ds::posts::table)
            .filter(ds::users::hair_color.eq("black"))
            .select((ds::User::as_select(), Option::<ds::Post>::as_select()))
    }};
}

type DsMedium = Vec<(ds::User, Option<ds::Post>)>;

pub fn diesel_medium(env: &Env) -> DsMedium {
    use diesel::RunQueryDsl as _;
    let conn = &mut *env.diesel.borrow_mut();
    medium_query!().load(conn).unwrap()
}

pub async fn diesel_async_medium(env: &Env) -> DsMedium {
    use diesel_async::RunQueryDsl as _;
    let conn = &mut *env.diesel_async.lock().await;
    medium_query!().load(conn).await.unwrap()
}

pub async fn sqlx_medium(env: &Env) -> Vec<(sq::User, Option<sq::Post>)> {
    use sqlx::Row as _;
    let conn = &mut *env.sqlx.lock().await;
    let rows = sqlx::query(MEDIUM_SQL)
        .bind("black")
        .fetch_all(conn)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let user = sq::User {
                id: r.get(0),
                name: r.get(1),
                hair_color: r.get(2),
            };
            let post = r.get::<Option<i32>, _>(3).map(|id| sq::Post {
                id,
                user_id: r.get(4),
                title: r.get(5),
                body: r.get(6),
            });
            (user, post)
        })
        .collect()
}

// insert: `n` users in one statement.

pub fn diesel_insert(env: &Env, n: usize) -> usize {
    use diesel::RunQueryDsl as _;
    let conn = &mut *env.diesel.borrow_mut();
    diesel::insert_into(ds::users::table)
        .values(ds::new_users(n))
        .execute(conn)
        .unwrap()
}

pub async fn diesel_async_insert(env: &Env, n: usize) -> usize {
    use diesel_async::RunQueryDsl as _;
    let conn = &mut *env.diesel_async.lock().await;
    diesel::insert_into(ds::users::table)
        .values(ds::new_users(n))
        .execute(conn)
        .await
        .unwrap()
}

/// sqlx's insert of several rows: `QueryBuilder::push_values`.
pub async fn sqlx_insert(env: &Env, n: usize) -> u64 {
    let conn = &mut *env.sqlx.lock().await;
    let rows = new_users(n);
    let mut insert = sqlx::QueryBuilder::new("INSERT INTO users (name, hair_color) ");
    insert.push_values(&rows, |mut b, row| {
        b.push_bind(&row.name).push_bind(&row.hair_color);
    });
    insert.build().execute(conn).await.unwrap().rows_affected()
}

// loading_associations: users, their posts, the posts' comments.

pub fn diesel_load(env: &Env) -> ds::Loaded {
    use diesel::{BelongingToDsl as _, QueryDsl as _, RunQueryDsl as _, SelectableHelper as _};
    let conn = &mut *env.diesel.borrow_mut();
    let users = ds::users::table
        .select(ds::User::as_select())
        .load(conn)
        .unwrap();
    let posts = ds::Post::belonging_to(&users)
        .select(ds::Post::as_select())
        .load(conn)
        .unwrap();
    let comments = ds::Comment::belonging_to(&posts)
        .select(ds::Comment::as_select())
        .load(conn)
        .unwrap();
    ds::group(users, posts, comments)
}

pub async fn diesel_async_load(env: &Env) -> ds::Loaded {
    use diesel::{BelongingToDsl as _, QueryDsl as _, SelectableHelper as _};
    use diesel_async::RunQueryDsl as _;
    let conn = &mut *env.diesel_async.lock().await;
    let users = ds::users::table
        .select(ds::User::as_select())
        .load(conn)
        .await
        .unwrap();
    let posts = ds::Post::belonging_to(&users)
        .select(ds::Post::as_select())
        .load(conn)
        .await
        .unwrap();
    let comments = ds::Comment::belonging_to(&posts)
        .select(ds::Comment::as_select())
        .load(conn)
        .await
        .unwrap();
    ds::group(users, posts, comments)
}

/// sqlx has no relation loading: three `query_as` with `= ANY($1)`,
/// grouped by hand.
pub async fn sqlx_load(env: &Env) -> sq::Loaded {
    let conn = &mut *env.sqlx.lock().await;
    let users: Vec<sq::User> = sqlx::query_as(USERS_SQL)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let posts: Vec<sq::Post> = sqlx::query_as(POSTS_SQL)
        .bind(&user_ids)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let comments: Vec<sq::Comment> = sqlx::query_as(COMMENTS_SQL)
        .bind(&post_ids)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let mut comments_by_post: HashMap<i32, Vec<sq::Comment>> = HashMap::new();
    for comment in comments {
        comments_by_post
            .entry(comment.post_id)
            .or_default()
            .push(comment);
    }
    let mut posts_by_user: HashMap<i32, Vec<(sq::Post, Vec<sq::Comment>)>> = HashMap::new();
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

// bulk_insert: `n` users, each library's fastest documented way.

/// diesel: binary `COPY` from `Insertable` rows (`copy_from`).
pub fn diesel_bulk(env: &Env, n: usize) -> usize {
    use diesel::ExecuteCopyFromDsl as _;
    let conn = &mut *env.diesel.borrow_mut();
    diesel::copy_from(ds::users::table)
        .from_insertable(ds::copy_users(n))
        .execute(conn)
        .unwrap()
}

/// The most rows one `INSERT` of users can carry: PostgreSQL takes at most
/// 65,535 parameters a statement, two a user here.
const ROWS_PER_INSERT: usize = 65_535 / 2;

/// diesel-async has no `COPY`: multi-row inserts of as many rows as a
/// statement can carry.
pub async fn diesel_async_bulk(env: &Env, n: usize) -> usize {
    use diesel_async::RunQueryDsl as _;
    let conn = &mut *env.diesel_async.lock().await;
    let mut rows = ds::new_users(n);
    let mut inserted = 0;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_INSERT));
        inserted += diesel::insert_into(ds::users::table)
            .values(rows)
            .execute(conn)
            .await
            .unwrap();
        rows = rest;
    }
    inserted
}

/// sqlx: `copy_in_raw` with the rows as CSV, which its documentation
/// points to (it writes no `COPY` format itself).
pub async fn sqlx_bulk(env: &Env, n: usize) -> u64 {
    let conn = &mut *env.sqlx.lock().await;
    let mut csv = String::new();
    for row in new_users(n) {
        csv_field(&mut csv, Some(&row.name));
        csv.push(',');
        csv_field(&mut csv, row.hair_color.as_deref());
        csv.push('\n');
    }
    let mut copy = conn
        .copy_in_raw("COPY users (name, hair_color) FROM STDIN (FORMAT csv)")
        .await
        .unwrap();
    copy.send(csv.into_bytes()).await.unwrap();
    copy.finish().await.unwrap()
}

/// A CSV field as `COPY … (FORMAT csv)` reads it: quoted, with quotes
/// doubled; `NULL` unquoted and empty.
fn csv_field(out: &mut String, value: Option<&str>) {
    if let Some(value) = value {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    }
}
