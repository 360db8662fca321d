//! pgtable beside its peers on the Diesel suite's workloads, in one run:
//! hand-written tokio-postgres (statements prepared once, rows streamed
//! and decoded as they arrive), pgtable, diesel (libpq, synchronous),
//! diesel-async and sqlx, each written the way its documentation teaches,
//! each over one held connection, on a current-thread runtime and again
//! (groups ending in `_mt`) on a multi-thread one.
//!
//! ```sh
//! cd benches/peers && cargo bench                  # criterion; DATABASE_URL, else 127.0.0.1:5432
//! cd benches/peers && cargo bench --bench peers -- --paired      # ratios timed in alternation (paired.rs)
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group};
use pgtable::prelude::*;

/// pgtable's and raw's side: the schema, data and hand-written code of
/// `benches/diesel_suite.rs`.
#[path = "../../../support/suite.rs"]
mod suite;
/// The server, and a database of the bench's own on it.
#[path = "../../../support/mod.rs"]
mod support;

/// Each peer's code for each workload.
mod libs;
/// `--paired`: the sides timed in alternation, for their ratios.
mod paired;
/// The paired measurement itself, shared with `benches/diesel_suite.rs`.
#[path = "../../../support/pairing.rs"]
mod pairing;

use libs::Env;
use suite::{Loaded, MEDIUM_SQL, Post, USERS_SQL, User, insert_sql, new_users, raw_user};

const DATABASE: &str = "pgtable_bench_peers";

fn trivial_query(c: &mut Criterion, env: &Env) {
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
            b.iter(|| black_box(libs::diesel_users(env)))
        });
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::diesel_async_users(env).await) })
        });
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::sqlx_users(env).await) })
        });
    }
    group.finish();
}

fn medium_complex_query(c: &mut Criterion, env: &Env) {
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
        group.bench_with_input(BenchmarkId::new("diesel", n), &n, |b, _| {
            b.iter(|| black_box(libs::diesel_medium(env)))
        });
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::diesel_async_medium(env).await) })
        });
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, _| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::sqlx_medium(env).await) })
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
        env.reset();
        group.bench_with_input(BenchmarkId::new("diesel", n), &n, |b, &n| {
            b.iter(|| black_box(libs::diesel_insert(env, n)))
        });
        env.reset();
        group.bench_with_input(BenchmarkId::new("diesel_async", n), &n, |b, &n| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::diesel_async_insert(env, n).await) })
        });
        env.reset();
        group.bench_with_input(BenchmarkId::new("sqlx", n), &n, |b, &n| {
            b.to_async(&env.rt)
                .iter(|| async { black_box(libs::sqlx_insert(env, n).await) })
        });
    }
    group.finish();
}

fn loading_associations(c: &mut Criterion, env: &Env) {
    env.rt.block_on(suite::seed_associations(&env.conn));
    let statements = paired::association_statements(env);
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
    group.bench_function("diesel", |b| b.iter(|| black_box(libs::diesel_load(env))));
    group.bench_function("diesel_async", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(libs::diesel_async_load(env).await) })
    });
    group.bench_function("sqlx", |b| {
        b.to_async(&env.rt)
            .iter(|| async { black_box(libs::sqlx_load(env).await) })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for multi_thread in [false, true] {
        let env = Env::new(DATABASE, multi_thread);
        trivial_query(c, &env);
        medium_complex_query(c, &env);
        insert(c, &env);
        loading_associations(c, &env);
        // Leave nothing behind.
        env.finish();
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

/// Criterion's benchmarks, or with `--paired` the paired measurement
/// (`paired.rs`); under `cargo test`, a check run of both.
fn main() {
    pairing::main(peers, |bench, filter| paired::run(DATABASE, bench, filter));
}
