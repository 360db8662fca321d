//! pgtable beside its peers on the Diesel suite's workloads, in one run:
//! hand-written tokio-postgres (statements prepared once, rows streamed
//! and decoded as they arrive), pgtable, diesel (libpq, synchronous),
//! diesel-async and sqlx, each written the way its documentation teaches,
//! each over one held connection, on a current-thread runtime and again
//! (groups ending in `_mt`) on a multi-thread one.
//!
//! ```sh
//! cd benches/peers && cargo bench          # DATABASE_URL, else 127.0.0.1:5432
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pgtable::prelude::*;
use tokio::sync::Mutex;

/// pgtable's and raw's side: the schema, data and hand-written code of
/// `benches/diesel_suite.rs`.
#[path = "../../support/suite.rs"]
mod suite;
/// The server, and a database of the bench's own on it.
#[path = "../../support/mod.rs"]
mod support;

/// diesel's and diesel-async's side: the same tables, as diesel declares them.
mod ds {
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

    pub type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

    /// Diesel's association loading, as its guide writes it.
    pub fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Loaded {
        let comments = comments.grouped_by(&posts);
        let posts = posts.into_iter().zip(comments).grouped_by(&users);
        users.into_iter().zip(posts).collect()
    }
}

/// sqlx's side: rows decoded by `FromRow` (decoded and kept, not read).
#[allow(dead_code)]
mod sq {
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
}

use suite::{
    COMMENTS_SQL, Loaded, MEDIUM_SQL, POSTS_SQL, Post, USERS_SQL, User, insert_sql, new_users,
    raw_user,
};

const DATABASE: &str = "pgtable_bench_peers";

/// The bench database's URL, for the peers' own connections.
fn bench_url(config: &tokio_postgres::Config) -> String {
    let url = support::url();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let name = config.get_dbname().expect("the bench database is named");
    format!("{base}/{name}")
}

/// Every side's connection, on one runtime: pgtable's and raw's (the
/// suite's own), diesel's, diesel-async's and sqlx's.
struct Env {
    base: suite::Env,
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

fn env(multi_thread: bool) -> Env {
    use diesel::Connection as _;
    use diesel_async::AsyncConnection as _;
    use sqlx::Connection as _;

    let base = suite::Env::new(DATABASE, multi_thread);
    let url = bench_url(&base.config);
    let (diesel_async, sqlx) = base.rt.block_on(async {
        let diesel_async = diesel_async::AsyncPgConnection::establish(&url)
            .await
            .unwrap();
        let sqlx = sqlx::PgConnection::connect(&url).await.unwrap();
        (diesel_async, sqlx)
    });
    let diesel = diesel::PgConnection::establish(&url).unwrap();
    Env {
        base,
        diesel: RefCell::new(diesel),
        diesel_async: Mutex::new(diesel_async),
        sqlx: Mutex::new(sqlx),
    }
}

fn trivial_query(c: &mut Criterion, env: &Env) {
    use diesel::{QueryDsl as _, SelectableHelper as _};
    let mut group = c.benchmark_group(format!("peers_trivial_query{}", env.flavour));
    let statement = env.prepare(USERS_SQL);
    for n in [1_usize, 100, 10_000] {
        env.seed_users(n, false);
        group.bench_with_input(BenchmarkId::new("raw", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                let users = suite::stream_decoded(env.raw(), &statement, &[], |r| raw_user(r, 0));
                black_box(users.await)
            })
        });
        group.bench_with_input(BenchmarkId::new("pgtable", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(User::select().fetch_all(&env.conn).await.unwrap()) })
        });
        group.bench_with_input(BenchmarkId::new("diesel", n), &n, |b, _| {
            b.iter(|| {
                use diesel::RunQueryDsl as _;
                let conn = &mut *env.diesel.borrow_mut();
                let users: Vec<ds::User> = ds::users::table
                    .select(ds::User::as_select())
                    .load(conn)
                    .unwrap();
                black_box(users)
            })
        });
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                use diesel_async::RunQueryDsl as _;
                let conn = &mut *env.diesel_async.lock().await;
                let users: Vec<ds::User> = ds::users::table
                    .select(ds::User::as_select())
                    .load(conn)
                    .await
                    .unwrap();
                black_box(users)
            })
        });
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                let conn = &mut *env.sqlx.lock().await;
                let users: Vec<sq::User> = sqlx::query_as(USERS_SQL).fetch_all(conn).await.unwrap();
                black_box(users)
            })
        });
    }
    group.finish();
}

fn medium_complex_query(c: &mut Criterion, env: &Env) {
    use diesel::{ExpressionMethods as _, QueryDsl as _, SelectableHelper as _};
    let mut group = c.benchmark_group(format!("peers_medium_complex_query{}", env.flavour));
    let statement = env.prepare(MEDIUM_SQL);
    for n in [1_usize, 100, 1_000] {
        env.seed_users(n, true);
        group.bench_with_input(BenchmarkId::new("raw", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(suite::medium_raw_stream(env.raw(), &statement).await) })
        });
        group.bench_with_input(BenchmarkId::new("pgtable", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(suite::medium_pgtable(&env.conn).await) })
        });
        let diesel_query = || {
            ds::users::table
                .left_join(ds::posts::table)
                .filter(ds::users::hair_color.eq("black"))
                .select((ds::User::as_select(), Option::<ds::Post>::as_select()))
        };
        group.bench_with_input(BenchmarkId::new("diesel", n), &n, |b, _| {
            b.iter(|| {
                use diesel::RunQueryDsl as _;
                let conn = &mut *env.diesel.borrow_mut();
                let rows: Vec<(ds::User, Option<ds::Post>)> = diesel_query().load(conn).unwrap();
                black_box(rows)
            })
        });
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                use diesel_async::RunQueryDsl as _;
                let conn = &mut *env.diesel_async.lock().await;
                let rows: Vec<(ds::User, Option<ds::Post>)> =
                    diesel_query().load(conn).await.unwrap();
                black_box(rows)
            })
        });
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                use sqlx::Row as _;
                let conn = &mut *env.sqlx.lock().await;
                let rows = sqlx::query(MEDIUM_SQL)
                    .bind("black")
                    .fetch_all(conn)
                    .await
                    .unwrap();
                let rows: Vec<(sq::User, Option<sq::Post>)> = rows
                    .iter()
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
                    .collect();
                black_box(rows)
            })
        });
    }
    group.finish();
}

fn insert(c: &mut Criterion, env: &Env) {
    let mut group = c.benchmark_group(format!("peers_insert{}", env.flavour));
    // Every side starts on an empty table: the cost of an insert grows with
    // the table and the server's write-ahead log, so a side measured after
    // another's thousands of rows would be measured on a different server.
    for n in [1_usize, 10, 100] {
        let statement = env.prepare(&insert_sql(n));
        env.reset();
        group.bench_with_input(BenchmarkId::new("raw", n), &n, |b, &n| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(suite::insert_raw(env.raw(), &statement, n).await) })
        });
        env.reset();
        group.bench_with_input(BenchmarkId::new("pgtable", n), &n, |b, &n| {
            b.to_async(&env.rt).iter(|| async {
                black_box(
                    User::insert_many(new_users(n))
                        .execute(&env.conn)
                        .await
                        .unwrap(),
                )
            })
        });
        let diesel_rows = |n: usize| -> Vec<ds::NewUser> {
            new_users(n)
                .into_iter()
                .map(|u| ds::NewUser {
                    name: u.name,
                    hair_color: u.hair_color,
                })
                .collect()
        };
        env.reset();
        group.bench_with_input(BenchmarkId::new("diesel", n), &n, |b, &n| {
            b.iter(|| {
                use diesel::RunQueryDsl as _;
                let conn = &mut *env.diesel.borrow_mut();
                black_box(
                    diesel::insert_into(ds::users::table)
                        .values(diesel_rows(n))
                        .execute(conn)
                        .unwrap(),
                )
            })
        });
        env.reset();
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, &n| {
            b.to_async(&env.rt).iter(|| async {
                use diesel_async::RunQueryDsl as _;
                let conn = &mut *env.diesel_async.lock().await;
                black_box(
                    diesel::insert_into(ds::users::table)
                        .values(diesel_rows(n))
                        .execute(conn)
                        .await
                        .unwrap(),
                )
            })
        });
        env.reset();
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, &n| {
            b.to_async(&env.rt).iter(|| async {
                let conn = &mut *env.sqlx.lock().await;
                let rows = new_users(n);
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO users (name, hair_color) ");
                insert.push_values(&rows, |mut b, row| {
                    b.push_bind(&row.name).push_bind(&row.hair_color);
                });
                black_box(insert.build().execute(conn).await.unwrap())
            })
        });
    }
    group.finish();
}

type SqLoaded = Vec<(sq::User, Vec<(sq::Post, Vec<sq::Comment>)>)>;

fn loading_associations(c: &mut Criterion, env: &Env) {
    use diesel::{BelongingToDsl as _, QueryDsl as _, SelectableHelper as _};
    env.rt.block_on(suite::seed_associations(&env.conn));
    let statements = [USERS_SQL, POSTS_SQL, COMMENTS_SQL].map(|sql| env.prepare(sql));
    let mut group = c.benchmark_group(format!("peers_loading_associations{}", env.flavour));
    group.bench_function("raw", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(suite::load_raw(env.raw(), &statements).await) })
    });
    group.bench_function("raw_stream", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(suite::load_raw_stream(env.raw(), &statements).await) })
    });
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
    group.bench_function("diesel", |b| {
        b.iter(|| {
            use diesel::RunQueryDsl as _;
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
            black_box(ds::group(users, posts, comments))
        })
    });
    group.bench_function("diesel_async", |b| {
        b.to_async(&env.rt).iter(|| async {
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
            black_box(ds::group(users, posts, comments))
        })
    });
    group.bench_function("sqlx", |b| {
        b.to_async(&env.rt).iter(|| async {
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
            let loaded: SqLoaded = users
                .into_iter()
                .map(|u| {
                    let posts = posts_by_user.remove(&u.id).unwrap_or_default();
                    (u, posts)
                })
                .collect();
            black_box(loaded)
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for multi_thread in [false, true] {
        let env = env(multi_thread);
        trivial_query(c, &env);
        medium_complex_query(c, &env);
        insert(c, &env);
        loading_associations(c, &env);
        // Leave nothing behind.
        let Env {
            base,
            diesel,
            diesel_async,
            sqlx,
        } = env;
        drop((diesel, diesel_async, sqlx));
        base.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = peers;
    config = config();
    targets = benches
}
criterion_main!(peers);
