//! pgtable against hand-written tokio-postgres on the Diesel suite's
//! workloads, timed in alternation (`pairing.rs`): `diesel_suite`'s
//! `--paired` mode.
//!
//! ```sh
//! cargo bench --bench diesel_suite -- --paired            # every case, both runtime flavours
//! cargo bench --bench diesel_suite -- --paired insert     # the cases whose name holds "insert"
//! PAIRED_ROUNDS=101 cargo bench --bench diesel_suite -- --paired
//! ```
//!
//! It prints a Markdown table; a run of every case also writes it to
//! `target/paired.md`, which `scripts/bench-report` includes. Under
//! `cargo test` (no `--bench` argument), each case runs once, at its
//! smallest size and on the current-thread runtime only, as a check that
//! it works.

use pgtable::prelude::*;

use crate::pairing::{self, Mode, Outcome, measure, side, side_on_empty};
use crate::suite::{
    self, COMMENTS_SQL, Env, Loaded, MEDIUM_SQL, POSTS_SQL, Post, USERS_SQL, User, insert_sql,
    new_users, raw_user,
};

/// The cases of one runtime flavour whose name holds `filter`.
fn run_cases(env: &Env, mode: Mode, filter: &str, out: &mut Vec<Outcome>) {
    let wanted = |case: &str| case.contains(filter);
    let sizes = |big: &[usize]| mode.sizes(big);

    let users = env.prepare(USERS_SQL);
    for n in sizes(&[1, 100, 10_000]) {
        let case = format!("trivial_query{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        env.seed_users(n, false);
        let prepared = User::select().prepare();
        let sides = [
            side("raw", env, || async {
                let rows = env.raw().query(&users, &[]).await.unwrap();
                rows.iter().map(|r| raw_user(r, 0)).collect::<Vec<_>>()
            }),
            side("raw_stream", env, || {
                suite::stream_decoded(env.raw(), &users, &[], |r| raw_user(r, 0))
            }),
            side("pgtable", env, || async {
                User::select().fetch_all(&env.conn).await.unwrap()
            }),
            side("pgtable_prepared", env, || async {
                prepared.fetch_all(&env.conn).await.unwrap()
            }),
        ];
        out.push(measure(case, &sides, mode));
    }

    let medium = env.prepare(MEDIUM_SQL);
    for n in sizes(&[1, 100, 1_000]) {
        let case = format!("medium_complex_query{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        env.seed_users(n, true);
        let sides = [
            side("raw_stream", env, || {
                suite::medium_raw_stream(env.raw(), &medium)
            }),
            side("pgtable", env, || suite::medium_pgtable(&env.conn)),
        ];
        out.push(measure(case, &sides, mode));
    }

    let case = format!("loading_associations{}", env.flavour);
    if wanted(&case) {
        env.rt.block_on(suite::seed_associations(&env.conn));
        let statements = [USERS_SQL, POSTS_SQL, COMMENTS_SQL].map(|sql| env.prepare(sql));
        let sides = [
            side("raw", env, || suite::load_raw(env.raw(), &statements)),
            side("raw_stream", env, || {
                suite::load_raw_stream(env.raw(), &statements)
            }),
            side("pgtable", env, || async {
                let loaded: Loaded = User::select()
                    .with(User::posts().with(Post::comments()))
                    .fetch_all(&env.conn)
                    .await
                    .unwrap();
                loaded
            }),
        ];
        out.push(measure(case, &sides, mode));
    }

    for n in sizes(&[1, 10, 100]) {
        let case = format!("insert{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        // Both sides insert into the same growing table, in turn.
        env.reset();
        let statement = env.prepare(&insert_sql(n));
        // One row can be inserted by a prepared insert (`prepare_insert`),
        // the statement written once.
        let prepared = User::prepare_insert();
        let mut sides = vec![
            side("raw", env, || suite::insert_raw(env.raw(), &statement, n)),
            side("pgtable", env, || async {
                User::insert_many(new_users(n))
                    .execute(&env.conn)
                    .await
                    .unwrap()
            }),
        ];
        if n == 1 {
            sides.push(side("pgtable_prepared", env, || async {
                let rows = new_users(1);
                prepared.execute(&env.conn, &rows[0]).await.unwrap()
            }));
        }
        out.push(measure(case, &sides, mode));
    }

    // A check runs the fewest rows that still go by `COPY`.
    for n in sizes(&[1_000, 100_000]) {
        let n = n.max(pgtable::query::COPY_THRESHOLD);
        let case = format!("bulk_insert{}/{n}", env.flavour);
        if !wanted(&case) {
            continue;
        }
        let sides = [
            side_on_empty("raw", env, || async {
                suite::copy_raw(env.raw(), &new_users(n)).await
            }),
            side_on_empty("pgtable", env, || async {
                User::insert_many(new_users(n))
                    .execute(&env.conn)
                    .await
                    .unwrap()
            }),
        ];
        out.push(measure(case, &sides, mode));
    }
}

/// The report of a run, and where it goes.
const REPORT: pairing::Report = pairing::Report {
    heading: "Paired: each side's ratio to the fastest raw side, measured in alternation",
    command: "cargo bench --bench diesel_suite -- --paired",
    path: concat!(env!("CARGO_MANIFEST_DIR"), "/target/paired.md"),
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
