//! The Diesel project's benchmark workloads, in one binary: with pgtable,
//! and with the best hand-written tokio-postgres code (statements prepared
//! once, rows decoded by index; for row-returning queries both the buffered
//! `query` and the streaming `query_raw` with decoding as rows arrive).
//! Every workload runs on a current-thread runtime and again (groups
//! ending in `_mt`) on a multi-thread one, as Diesel's suite does, each
//! side over one held connection.
//!
//! ```sh
//! cargo bench --bench diesel_suite        # DATABASE_URL, else 127.0.0.1:5432
//! scripts/bench-report > BENCHMARKS.md    # medians and ratios from criterion's output
//! cargo bench --bench diesel_suite -- --paired   # ratios timed in alternation (support/paired.rs)
//! ```

/// `--paired`: the sides timed in alternation, for their ratios.
#[path = "support/paired.rs"]
mod paired;
/// The paired measurement itself, shared with `benches/peers`.
#[path = "support/pairing.rs"]
mod pairing;
#[path = "support/suite.rs"]
mod suite;
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group};
use pgtable::prelude::*;
use pgtable::query::placeholder;
use tokio_postgres::types::ToSql;

use pairing::Mode;
use suite::{
    COMMENTS_SQL, Env, Loaded, MEDIUM_SQL, POSTS_SQL, Post, TRUNCATE, USERS_SQL, User, insert_sql,
    new_users, raw_post, raw_user,
};

const SIZES: [usize; 5] = [1, 10, 100, 1_000, 10_000];
const DATABASE: &str = "pgtable_bench";

/// The sizes a workload is measured at: all of `all` under `cargo bench`;
/// under `cargo test`, which runs each benchmark once as a check, the
/// smallest (at most 100), as the paired check does. (At every size, the
/// check took 2.5 s of a debug build's time, mostly loading 10,000 rows
/// and copying in 100,000.)
fn sizes(all: &[usize]) -> Vec<usize> {
    Mode::new(pairing::benchmarking()).sizes(all)
}

fn trivial_query(c: &mut Criterion, env: &Env) {
    let mut group = c.benchmark_group(format!("trivial_query{}", env.flavour));
    let statement = env.prepare(USERS_SQL);
    for n in sizes(&SIZES) {
        env.seed_users(n, false);
        group.bench_with_input(BenchmarkId::new("raw", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                let rows = env.raw().query(&statement, &[]).await.unwrap();
                black_box(rows.iter().map(|r| raw_user(r, 0)).collect::<Vec<_>>())
            })
        });
        group.bench_with_input(BenchmarkId::new("raw_stream", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                let users = suite::stream_decoded(env.raw(), &statement, &[], |r| raw_user(r, 0));
                black_box(users.await)
            })
        });
        group.bench_with_input(BenchmarkId::new("pgtable", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(User::select().fetch_all(&env.conn).await.unwrap()) })
        });
        let prepared = User::select().prepare();
        group.bench_with_input(BenchmarkId::new("pgtable_prepared", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(prepared.fetch_all(&env.conn).await.unwrap()) })
        });
    }
    group.finish();
}

fn medium_complex_query(c: &mut Criterion, env: &Env) {
    let mut group = c.benchmark_group(format!("medium_complex_query{}", env.flavour));
    let statement = env.prepare(MEDIUM_SQL);
    for n in sizes(&SIZES) {
        env.seed_users(n, true);
        group.bench_with_input(BenchmarkId::new("raw", n), &n, |b, _| {
            b.to_async(&env.rt).iter(|| async {
                let rows = env.raw().query(&statement, &[&"black"]).await.unwrap();
                let rows: Vec<(User, Option<Post>)> = rows
                    .iter()
                    .map(|r| {
                        let post = r.get::<_, Option<i32>>(3).map(|_| raw_post(r, 3));
                        (raw_user(r, 0), post)
                    })
                    .collect();
                black_box(rows)
            })
        });
        group.bench_with_input(BenchmarkId::new("raw_stream", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(suite::medium_raw_stream(env.raw(), &statement).await) })
        });
        group.bench_with_input(BenchmarkId::new("pgtable", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(suite::medium_pgtable(&env.conn).await) })
        });
    }
    group.finish();
}

fn loading_associations(c: &mut Criterion, env: &Env) {
    env.rt.block_on(suite::seed_associations(&env.conn));
    let statements = [USERS_SQL, POSTS_SQL, COMMENTS_SQL].map(|sql| env.prepare(sql));
    let mut group = c.benchmark_group(format!("loading_associations{}", env.flavour));
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
    group.bench_function("raw", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(suite::load_raw(env.raw(), &statements).await) })
    });
    group.bench_function("raw_stream", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(suite::load_raw_stream(env.raw(), &statements).await) })
    });
    group.finish();
}

fn insert(c: &mut Criterion, env: &Env) {
    let mut group = c.benchmark_group(format!("insert{}", env.flavour));
    // Every side starts on an empty table: the cost of an insert grows with
    // the table and the server's write-ahead log, so a side measured after
    // another's thousands of rows would be measured on a different server.
    for n in sizes(&[1, 10, 25, 50, 100]) {
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
        if n == 1 {
            // One row at a time, the SQL written once (`prepare_insert`).
            let prepared = User::prepare_insert();
            env.reset();
            group.bench_with_input(BenchmarkId::new("pgtable_prepared", n), &n, |b, &n| {
                b.to_async(&env.rt).iter(|| async {
                    let rows = new_users(n);
                    black_box(prepared.execute(&env.conn, &rows[0]).await.unwrap())
                })
            });
        }
    }
    group.finish();
}

fn bulk_insert(c: &mut Criterion, env: &Env) {
    // Under `cargo test`, the fewest rows that still go by `COPY`.
    let rows = if pairing::benchmarking() {
        100_000
    } else {
        pgtable::query::COPY_THRESHOLD
    };
    let mut group = c.benchmark_group(format!("bulk_insert{}", env.flavour));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(BenchmarkId::new("pgtable", rows), |b| {
        b.to_async(&env.rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                env.raw().batch_execute(TRUNCATE).await.unwrap();
                let start = Instant::now();
                let n = User::insert_many(new_users(rows))
                    .execute(&env.conn)
                    .await
                    .unwrap();
                total += start.elapsed();
                assert_eq!(n as usize, rows);
            }
            total
        })
    });
    group.bench_function(BenchmarkId::new("raw", rows), |b| {
        b.to_async(&env.rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                env.raw().batch_execute(TRUNCATE).await.unwrap();
                let start = Instant::now();
                let n = suite::copy_raw(env.raw(), &new_users(rows)).await;
                total += start.elapsed();
                assert_eq!(n as usize, rows);
            }
            total
        })
    });
    group.finish();
}

fn build_sql(c: &mut Criterion) {
    let mut group = c.benchmark_group("build_sql");
    let rows = new_users(1_000);
    let insert = User::insert_many(rows.clone());
    group.bench_function("pgtable/insert_1000", |b| {
        b.iter(|| black_box(insert.to_sql()))
    });
    group.bench_function("raw/insert_1000", |b| {
        b.iter(|| {
            let mut sql = String::from(r#"INSERT INTO "users" ("name", "hair_color") VALUES "#);
            for i in 0..rows.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
            }
            black_box(sql)
        })
    });
    group.bench_function("pgtable/select_5_conditions", |b| {
        b.iter(|| {
            let query = User::select()
                .filter(
                    User::NAME
                        .like("User 1%")
                        .and(User::HAIR_COLOR.eq("black"))
                        .and(User::ID.gt(10))
                        .and(User::ID.lt(1_000))
                        .and(User::HAIR_COLOR.is_not_null()),
                )
                .order_by(User::ID)
                .limit(10);
            black_box(query.to_sql())
        })
    });
    // The same query built once: what writing its text costs on its own
    // (the part a cache key could save), apart from building the query.
    let built = User::select()
        .filter(
            User::NAME
                .like("User 1%")
                .and(User::HAIR_COLOR.eq("black"))
                .and(User::ID.gt(10))
                .and(User::ID.lt(1_000))
                .and(User::HAIR_COLOR.is_not_null()),
        )
        .order_by(User::ID)
        .limit(10);
    group.bench_function("pgtable/select_5_conditions_text_only", |b| {
        b.iter(|| black_box(built.to_sql()))
    });
    let prepared = User::select()
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
        .prepare();
    group.bench_function("pgtable_prepared/select_5_conditions", |b| {
        b.iter(|| {
            let bound = prepared
                .bind("name", "User 1%")
                .bind("hair", "black")
                .bind("from", 10_i32)
                .bind("to", 1_000_i32);
            black_box(bound.statement_len().unwrap())
        })
    });
    group.bench_function("raw/select_5_conditions", |b| {
        b.iter(|| {
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
            black_box((sql, params))
        })
    });
    group.finish();
}

fn diesel_suite(c: &mut Criterion) {
    for multi_thread in [false, true] {
        let env = Env::new(DATABASE, multi_thread);
        trivial_query(c, &env);
        medium_complex_query(c, &env);
        loading_associations(c, &env);
        insert(c, &env);
        bulk_insert(c, &env);
        // Leave nothing behind.
        env.finish();
    }
    build_sql(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = diesel_suite
}

/// Criterion's benchmarks, or with `--paired` the paired measurement
/// (`benches/support/paired.rs`); under `cargo test`, a check run of both.
fn main() {
    pairing::main(benches, |bench, filter| {
        paired::run(DATABASE, bench, filter)
    });
}
