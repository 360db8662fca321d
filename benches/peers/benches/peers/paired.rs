//! pgtable, diesel, diesel-async and sqlx against hand-written
//! tokio-postgres on the Diesel suite's workloads, timed in alternation
//! (`pairing.rs`): each library's ratio to the fastest raw side is taken
//! round by round, so that the libraries can be ranked to a few per cent
//! on shared cores, which criterion's one-after-another timing cannot do.
//!
//! ```sh
//! cd benches/peers && cargo bench --bench peers -- --paired                 # every case, both runtime flavours
//! cd benches/peers && cargo bench --bench peers -- --paired trivial_query   # the cases whose name holds it
//! ```
//!
//! Each peer has a connection of its own, and with it a server process of
//! its own, while pgtable and the raw sides share one: the side
//! `own_conn_raw`, the raw code over a connection of its own, shows what
//! that alone changes (on two cores, where the operating system places the
//! server processes moves one-row cases by up to a third).
//!
//! A run of every case also writes its table to `target/peers-paired.md`
//! at the repository's root, which `scripts/bench-report` includes. Under
//! `cargo test`, each case runs once, as a check.

use pgtable::prelude::*;
use tokio_postgres::Statement;

use crate::libs::{self, Env};
use crate::pairing::{self, Mode, Outcome, measure, side, side_on_empty};
use crate::suite::{
    self, COMMENTS_SQL, Loaded, MEDIUM_SQL, POSTS_SQL, Post, USERS_SQL, User, insert_sql,
    new_users, raw_user,
};

/// The three statements of `loading_associations`, prepared on the raw client.
pub fn association_statements(env: &Env) -> [Statement; 3] {
    [USERS_SQL, POSTS_SQL, COMMENTS_SQL].map(|sql| env.prepare(sql))
}

/// The cases of one runtime flavour whose name holds `filter`.
fn run_cases(env: &Env, mode: Mode, filter: &str, out: &mut Vec<Outcome>) {
    let wanted = |case: &str| case.contains(filter);

    // The control side's statements, prepared on its own connection.
    let own = |sql: &str| env.rt.block_on(env.own_raw.prepare(sql)).unwrap();
    let users = env.prepare(USERS_SQL);
    let own_users = own(USERS_SQL);
    for n in mode.sizes(&[1, 100, 10_000]) {
        let case = format!("trivial_query{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        env.seed_users(n, false);
        let sides = [
            side("raw", env, || async {
                let rows = env.raw().query(&users, &[]).await.unwrap();
                rows.iter().map(|r| raw_user(r, 0)).collect::<Vec<_>>()
            }),
            side("raw_stream", env, || {
                suite::stream_decoded(env.raw(), &users, &[], |r| raw_user(r, 0))
            }),
            side("own_conn_raw", env, || {
                suite::stream_decoded(&env.own_raw, &own_users, &[], |r| raw_user(r, 0))
            }),
            side("pgtable", env, || async {
                User::select().fetch_all(&env.conn).await.unwrap()
            }),
            side("diesel", env, || async { libs::diesel_users(env) }),
            side("diesel_async", env, || libs::diesel_async_users(env)),
            side("sqlx", env, || libs::sqlx_users(env)),
        ];
        out.push(measure(case, &sides, mode));
    }

    let medium = env.prepare(MEDIUM_SQL);
    let own_medium = own(MEDIUM_SQL);
    for n in mode.sizes(&[1, 100, 1_000]) {
        let case = format!("medium_complex_query{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        env.seed_users(n, true);
        let sides = [
            side("raw_stream", env, || {
                suite::medium_raw_stream(env.raw(), &medium)
            }),
            side("own_conn_raw", env, || {
                suite::medium_raw_stream(&env.own_raw, &own_medium)
            }),
            side("pgtable", env, || suite::medium_pgtable(&env.conn)),
            side("diesel", env, || async { libs::diesel_medium(env) }),
            side("diesel_async", env, || libs::diesel_async_medium(env)),
            side("sqlx", env, || libs::sqlx_medium(env)),
        ];
        out.push(measure(case, &sides, mode));
    }

    let case = format!("loading_associations{}", env.flavour);
    if wanted(&case) {
        env.rt.block_on(suite::seed_associations(&env.conn));
        let statements = association_statements(env);
        let own_statements = [USERS_SQL, POSTS_SQL, COMMENTS_SQL].map(own);
        let sides = [
            side("raw", env, || suite::load_raw(env.raw(), &statements)),
            side("raw_stream", env, || {
                suite::load_raw_stream(env.raw(), &statements)
            }),
            side("own_conn_raw", env, || {
                suite::load_raw_stream(&env.own_raw, &own_statements)
            }),
            side("pgtable", env, || async {
                let loaded: Loaded = User::select()
                    .with(User::posts().with(Post::comments()))
                    .fetch_all(&env.conn)
                    .await
                    .unwrap();
                loaded
            }),
            side("diesel", env, || async { libs::diesel_load(env) }),
            side("diesel_async", env, || libs::diesel_async_load(env)),
            side("sqlx", env, || libs::sqlx_load(env)),
        ];
        out.push(measure(case, &sides, mode));
    }

    for n in mode.sizes(&[1, 10, 100]) {
        let case = format!("insert{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        // Every side inserts into the same growing table, in turn.
        env.reset();
        let statement = env.prepare(&insert_sql(n));
        let own_statement = own(&insert_sql(n));
        let sides = [
            side("raw", env, || suite::insert_raw(env.raw(), &statement, n)),
            side("own_conn_raw", env, || {
                suite::insert_raw(&env.own_raw, &own_statement, n)
            }),
            side("pgtable", env, || async {
                User::insert_many(new_users(n))
                    .execute(&env.conn)
                    .await
                    .unwrap()
            }),
            side("diesel", env, || async { libs::diesel_insert(env, n) }),
            side("diesel_async", env, || libs::diesel_async_insert(env, n)),
            side("sqlx", env, || libs::sqlx_insert(env, n)),
        ];
        out.push(measure(case, &sides, mode));
    }

    // A check runs the fewest rows that still go by `COPY`.
    for n in mode.sizes(&[1_000, 100_000]) {
        let n = n.max(pgtable::query::COPY_THRESHOLD);
        let case = format!("bulk_insert{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        // Every run starts on empty tables, outside the timing.
        let sides = [
            side_on_empty("raw", env, || async {
                suite::copy_raw(env.raw(), &new_users(n)).await
            }),
            side_on_empty("own_conn_raw", env, || async {
                suite::copy_raw(&env.own_raw, &new_users(n)).await
            }),
            side_on_empty("pgtable", env, || async {
                User::insert_many(new_users(n))
                    .execute(&env.conn)
                    .await
                    .unwrap()
            }),
            side_on_empty("diesel", env, || async { libs::diesel_bulk(env, n) }),
            side_on_empty("diesel_async", env, || libs::diesel_async_bulk(env, n)),
            side_on_empty("sqlx", env, || libs::sqlx_bulk(env, n)),
        ];
        out.push(measure(case, &sides, mode));
    }
}

/// The report of a run, and where it goes.
const REPORT: pairing::Report = pairing::Report {
    heading: "Peers, paired: each library's ratio to the fastest raw side, measured in alternation",
    command: "cd benches/peers && cargo bench --bench peers -- --paired",
    path: concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/peers-paired.md"),
};

/// Runs the cases whose name holds `filter` on the database `database`:
/// measured after `cargo bench`'s `--bench`, else once each as a check.
pub fn run(database: &str, bench: bool, filter: &str) {
    pairing::run(
        &REPORT,
        (bench, filter),
        |multi_thread| Env::new(database, multi_thread),
        Env::finish,
        run_cases,
    );
}
