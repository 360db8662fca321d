//! pgtable against hand-written tokio-postgres on the Diesel suite's
//! workloads, timed in alternation so that their ratio can be read to a
//! few per cent on shared cores: `diesel_suite`'s `--paired` mode.
//!
//! Criterion (the rest of `diesel_suite`) times one side, then the next.
//! On these two shared cores a case moves by 20–80% between neighbouring
//! measurements, far more than the 3% that pgtable's goals are about.
//! Here the sides take turns run by run, in an order that rotates, for
//! about 20 ms of the slowest side's runs a round, and each side's ratio to
//! the fastest raw side is taken within the round: what slows the machine
//! for a while slows every side of that round. The report is the median of the rounds'
//! ratios, with its quartiles. (Criterion cannot pair sides: its
//! measurement is a duration, and it plans its iterations from it.)
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

use std::fmt::Write as _;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use pgtable::prelude::*;

use crate::suite::{
    self, COMMENTS_SQL, Env, Loaded, MEDIUM_SQL, POSTS_SQL, Post, TRUNCATE, USERS_SQL, User,
    insert_sql, new_users, raw_user,
};

/// How the cases are run: measured, or once each as a check.
#[derive(Clone, Copy)]
struct Mode {
    rounds: usize,
    /// About how long each side's part of a round takes: the slowest
    /// side's, whose run count every side then uses.
    batch: Duration,
    /// Whether this is `cargo test` checking that the cases run.
    check: bool,
}

/// A side of a case: runs the workload `k` times and says how long the
/// timed part took.
struct Side<'a> {
    name: &'static str,
    raw: bool,
    run: Box<dyn Fn(u64) -> Duration + 'a>,
}

/// A side whose every run is timed whole.
fn side<'a, F, Fut>(name: &'static str, env: &'a Env, f: F) -> Side<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future,
{
    timed(name, env, false, f)
}

/// A side that empties the tables before each run, outside the timing.
fn side_on_empty<'a, F, Fut>(name: &'static str, env: &'a Env, f: F) -> Side<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future,
{
    timed(name, env, true, f)
}

/// Runs `f` `k` times on the runtime, timing each run and, when
/// `empty_first`, emptying the tables before it.
fn timed<'a, F, Fut>(name: &'static str, env: &'a Env, empty_first: bool, f: F) -> Side<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future,
{
    Side {
        name,
        raw: name.starts_with("raw"),
        run: Box::new(move |k| {
            env.rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..k {
                    if empty_first {
                        env.raw().batch_execute(TRUNCATE).await.unwrap();
                    }
                    let start = Instant::now();
                    black_box(f().await);
                    total += start.elapsed();
                }
                total
            })
        }),
    }
}

/// One case's result: each side's median time per run, and the quartiles
/// of each pgtable side's per-round ratio to the fastest raw side.
struct Outcome {
    case: String,
    medians: Vec<(&'static str, Duration)>,
    /// Per pgtable side: the median ratio and its quartiles.
    ratios: Vec<(&'static str, [f64; 3])>,
    fastest_raw: &'static str,
}

fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}

/// Runs `sides` in rounds, rotating their order each round.
fn measure(case: String, sides: &[Side<'_>], mode: Mode) -> Outcome {
    // Warm up, and find how many runs make a batch of `mode.batch`.
    let mut k = 1;
    if !mode.check {
        let slowest = sides
            .iter()
            .map(|s| {
                (s.run)(3);
                (s.run)(3) / 3
            })
            .max()
            .unwrap();
        k = (mode.batch.as_nanos() / slowest.as_nanos().max(1)).max(1) as u64;
    }
    let mut per_run: Vec<Vec<f64>> = vec![Vec::with_capacity(mode.rounds); sides.len()];
    for round in 0..mode.rounds {
        // The sides take turns run by run, not batch by batch: a state of
        // the machine that lasts a few milliseconds (the server's process
        // waking on the client's core or on the other one) then falls on
        // every side alike.
        let mut totals = vec![Duration::ZERO; sides.len()];
        for step in 0..k as usize {
            for i in 0..sides.len() {
                let s = (round + step + i) % sides.len();
                totals[s] += (sides[s].run)(1);
            }
        }
        for (s, total) in totals.iter().enumerate() {
            per_run[s].push(total.as_secs_f64() / k as f64);
        }
    }
    let median = |times: &Vec<f64>| quartiles(times.clone())[1];
    let fastest_raw = (0..sides.len())
        .filter(|&s| sides[s].raw)
        .min_by(|&a, &b| median(&per_run[a]).total_cmp(&median(&per_run[b])))
        .expect("every case has a raw side");
    let ratios = (0..sides.len())
        .filter(|&s| !sides[s].raw)
        .map(|s| {
            let r = per_run[s]
                .iter()
                .zip(&per_run[fastest_raw])
                .map(|(p, r)| p / r)
                .collect();
            (sides[s].name, quartiles(r))
        })
        .collect();
    Outcome {
        case,
        medians: sides
            .iter()
            .zip(&per_run)
            .map(|(s, t)| (s.name, Duration::from_secs_f64(median(t))))
            .collect(),
        ratios,
        fastest_raw: sides[fastest_raw].name,
    }
}

/// The cases of one runtime flavour whose name holds `filter`.
fn run_cases(env: &Env, mode: Mode, filter: &str, out: &mut Vec<Outcome>) {
    let wanted = |case: &str| case.contains(filter);
    let sizes = |big: &[usize]| -> Vec<usize> {
        if mode.check {
            vec![big[0].min(100)]
        } else {
            big.to_vec()
        }
    };

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

    for n in sizes(&[1_000, 100_000]) {
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

fn report(outcomes: &[Outcome], mode: Mode) -> String {
    let about = if mode.check {
        "A check that every case runs (one round each, under `cargo test`): not a measurement."
            .to_owned()
    } else {
        format!(
            "`cargo bench --bench diesel_suite -- --paired`: {} rounds, in each of which \
             the sides take turns run by run, in an order that rotates, for about {} ms \
             of the slowest side's runs; the ratio is taken within each round. Ratio: \
             median of the rounds [first quartile, third quartile].",
            mode.rounds,
            mode.batch.as_millis()
        )
    };
    let mut md = format!(
        "## Paired: each side's ratio to the fastest raw side, measured in alternation\n\n\
         {about}\n\n\
         | case | fastest raw | raw median | pgtable median | pgtable ratio | pgtable_prepared ratio |\n\
         |---|---|---:|---:|---:|---:|\n"
    );
    for o in outcomes {
        let time = |name: &str| {
            o.medians
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("-".to_owned(), |(_, t)| format!("{t:.1?}"))
        };
        let ratio = |name: &str| {
            o.ratios
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("-".to_owned(), |(_, [q1, m, q3])| {
                    format!("{m:.3} [{q1:.3}, {q3:.3}]")
                })
        };
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            o.case,
            o.fastest_raw,
            time(o.fastest_raw),
            time("pgtable"),
            ratio("pgtable"),
            ratio("pgtable_prepared"),
        )
        .unwrap();
    }
    md
}

/// Runs the cases whose name holds `filter` on the database `database`:
/// measured after `cargo bench`'s `--bench`, else once each as a check.
pub fn run(database: &str, bench: bool, filter: &str) {
    let check = !bench;
    let rounds = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(31);
    let mode = if check {
        Mode {
            rounds: 1,
            batch: Duration::ZERO,
            check: true,
        }
    } else {
        Mode {
            rounds,
            batch: Duration::from_millis(20),
            check: false,
        }
    };
    let mut outcomes = Vec::new();
    // A check runs the cases' code once: on one runtime flavour.
    let flavours: &[bool] = if check { &[false] } else { &[false, true] };
    for &multi_thread in flavours {
        let env = Env::new(database, multi_thread);
        run_cases(&env, mode, filter, &mut outcomes);
        env.finish();
    }
    let md = report(&outcomes, mode);
    print!("{md}");
    // Only a full run replaces the table `scripts/bench-report` includes:
    // a filtered one would leave it with a few cases.
    if !check && filter.is_empty() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/paired.md");
        std::fs::write(path, &md).unwrap();
    }
}
