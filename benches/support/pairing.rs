//! The paired measurement: a case's sides timed in alternation, run by
//! run, so that their ratios can be read to a few per cent on shared
//! cores. Used by `diesel_suite --paired` (`paired.rs`, pgtable against
//! hand-written tokio-postgres) and by `benches/peers --paired` (the same
//! beside diesel, diesel-async and sqlx), which include this file by path.
//!
//! Criterion times one side, then the next. On two shared cores a case
//! moves by 20–80% between neighbouring measurements, far more than the 3%
//! that pgtable's goals are about. Here the sides take turns run by run,
//! in an order that rotates, for about 20 ms of the slowest side's runs a
//! round, and each side's ratio to the fastest raw side is taken within
//! the round: what slows the machine for a while slows every side of that
//! round. The report is the median of the rounds' ratios, with its
//! quartiles. (Criterion cannot pair sides: its measurement is a duration,
//! and it plans its iterations from it.)

use std::fmt::Write as _;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::suite::{Env, TRUNCATE};

/// A bench binary's `main`: criterion's benchmarks (`benches`), or with
/// `--paired` (and an optional filter on case names) the paired
/// measurement (`paired`, given whether `cargo bench` runs it and the
/// filter); under `cargo test`, which passes no `--bench`, a check run of
/// both.
pub fn main(benches: fn(), paired: fn(bool, &str)) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = benchmarking();
    if args.iter().any(|a| a == "--paired") {
        let filter = args.iter().find(|a| !a.starts_with("--"));
        paired(bench, filter.map_or("", String::as_str));
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    if !bench {
        paired(false, "");
    }
}

/// Whether `cargo bench` runs this (it passes `--bench`), rather than
/// `cargo test` checking that it runs.
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// How the cases are run: measured, or once each as a check.
#[derive(Clone, Copy)]
pub struct Mode {
    pub rounds: usize,
    /// About how long each side's part of a round takes: the slowest
    /// side's, whose run count every side then uses.
    pub batch: Duration,
    /// Whether this is `cargo test` checking that the cases run.
    pub check: bool,
}

impl Mode {
    /// Measured under `cargo bench` (`PAIRED_ROUNDS` rounds, 31 unless
    /// set), else one round of one run each, as a check.
    pub fn new(bench: bool) -> Mode {
        if !bench {
            return Mode {
                rounds: 1,
                batch: Duration::ZERO,
                check: true,
            };
        }
        let rounds = std::env::var("PAIRED_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(31);
        Mode {
            rounds,
            batch: Duration::from_millis(20),
            check: false,
        }
    }

    /// The sizes a case runs at: all of `big`, or in a check the smallest,
    /// at most 100.
    pub fn sizes(self, big: &[usize]) -> Vec<usize> {
        if self.check {
            vec![big[0].min(100)]
        } else {
            big.to_vec()
        }
    }

    /// Runs `cases` in an environment made by `new_env` for each runtime
    /// flavour (multi-thread or not): both, or in a check the
    /// current-thread one only (a check runs the cases' code once); each
    /// environment is given to `finish` afterwards.
    fn each_flavour<E>(
        self,
        new_env: impl Fn(bool) -> E,
        finish: impl Fn(E),
        mut cases: impl FnMut(&E, &mut Vec<Outcome>),
    ) -> Vec<Outcome> {
        let flavours: &[bool] = if self.check { &[false] } else { &[false, true] };
        let mut outcomes = Vec::new();
        for &multi_thread in flavours {
            let env = new_env(multi_thread);
            cases(&env, &mut outcomes);
            finish(env);
        }
        outcomes
    }
}

/// A side of a case: runs the workload `k` times and says how long the
/// timed part took.
pub struct Side<'a> {
    name: &'static str,
    /// Hand-written tokio-postgres: the sides the others are compared to.
    raw: bool,
    run: Box<dyn Fn(u64) -> Duration + 'a>,
}

/// A side whose every run is timed whole; a side named `raw…` is
/// hand-written code, a baseline.
pub fn side<'a, F, Fut>(name: &'static str, env: &'a Env, f: F) -> Side<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future,
{
    timed(name, env, false, f)
}

/// A side that empties the tables before each run, outside the timing.
#[allow(
    dead_code,
    reason = "benches/peers has no bulk case, which alone uses it"
)]
pub fn side_on_empty<'a, F, Fut>(name: &'static str, env: &'a Env, f: F) -> Side<'a>
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
/// of each other side's per-round ratio to the fastest raw side.
pub struct Outcome {
    case: String,
    medians: Vec<(&'static str, Duration)>,
    /// Per side that is not raw: the median ratio and its quartiles.
    ratios: Vec<(&'static str, [f64; 3])>,
    fastest_raw: &'static str,
}

fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}

/// Runs `sides` in rounds, rotating their order each round.
pub fn measure(case: String, sides: &[Side<'_>], mode: Mode) -> Outcome {
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

/// A Markdown section: `heading`, how it was run (`command`), and a row per
/// case with the fastest raw side's median and every other side's ratio
/// to it.
fn render(heading: &str, command: &str, outcomes: &[Outcome], mode: Mode) -> String {
    let about = if mode.check {
        "A check that every case runs (one round each, under `cargo test`): not a measurement."
            .to_owned()
    } else {
        format!(
            "`{command}`{}: {} rounds, in each of which the sides take turns run by run, in an \
             order that rotates, for about {} ms of the slowest side's runs; the ratio is \
             taken within each round. Ratio: median of the rounds [first quartile, third \
             quartile].",
            placement(),
            mode.rounds,
            mode.batch.as_millis()
        )
    };
    // Every side that is not raw, in the order the cases name them.
    let mut others: Vec<&str> = Vec::new();
    for (name, _) in outcomes.iter().flat_map(|o| &o.ratios) {
        if !others.contains(name) {
            others.push(name);
        }
    }
    let mut md = format!(
        "## {heading}\n\n{about}\n\n| case | fastest raw | raw median | {} |\n|---|---|---:|{}\n",
        others
            .iter()
            .map(|name| format!("{name} ratio"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---:|".repeat(others.len()),
    );
    for o in outcomes {
        let raw_median = o
            .medians
            .iter()
            .find(|(n, _)| *n == o.fastest_raw)
            .map(|(_, t)| format!("{t:.1?}"))
            .unwrap_or_default();
        write!(md, "| {} | {} | {raw_median} |", o.case, o.fastest_raw).unwrap();
        for name in &others {
            let ratio = o
                .ratios
                .iter()
                .find(|(n, _)| n == name)
                .map_or("-".to_owned(), |(_, [q1, m, q3])| {
                    format!("{m:.3} [{q1:.3}, {q3:.3}]")
                });
            write!(md, " {ratio} |").unwrap();
        }
        md.push('\n');
    }
    md
}

/// Where the bench ran, when it was held to one core (`scripts/pinned`
/// runs it on the first core and the server on the last).
fn placement() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let allowed = status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
        .map(str::trim);
    match allowed {
        Some(core) if core.parse::<usize>().is_ok() => {
            format!(" on core {core} alone (under `scripts/pinned`, the server on another)")
        }
        _ => String::new(),
    }
}

/// Where a bench's paired report goes: its heading, the command that
/// makes it, and the file a run of every case writes it to.
pub struct Report {
    pub heading: &'static str,
    pub command: &'static str,
    pub path: &'static str,
}

/// Runs the cases whose name holds `filter`, measured after `cargo
/// bench`'s `--bench`, else once each as a check: `cases` in an
/// environment made by `new_env` for each runtime flavour (multi-thread or
/// not), given to `finish` afterwards. Prints the report and, for a
/// measured run of every case, writes it to `report.path` too: a filtered
/// run would leave the file with a few cases.
pub fn run<E>(
    report: &Report,
    (bench, filter): (bool, &str),
    new_env: impl Fn(bool) -> E,
    finish: impl Fn(E),
    cases: impl Fn(&E, Mode, &str, &mut Vec<Outcome>),
) {
    let mode = Mode::new(bench);
    let outcomes = mode.each_flavour(new_env, finish, |env, out| cases(env, mode, filter, out));
    let md = render(report.heading, report.command, &outcomes, mode);
    print!("{md}");
    if !mode.check && filter.is_empty() {
        std::fs::write(report.path, md).unwrap();
    }
}
