//! Every compile error a user of `#[table]`, `#[view]`, `#[derive(PgEnum)]`
//! and the query builder can hit, with the message they see: one
//! `tests/ui/<topic>/<case>.rs` per error, its `.stderr` beside it.
//! Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p pgtable-ui-tests --all-features`, then read
//! every diff.

/// The folders of cases whose messages are the same with or without the
/// optional features.
const TOPICS: &[&str] = &[
    "schema",
    "types",
    "defaults",
    "constraints",
    "enums",
    "queries",
    "relations",
    "views",
    "policies",
];

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for topic in TOPICS {
        t.compile_fail(format!("{topic}/*.rs"));
    }
    // rustc lists the types that implement a trait, and the optional
    // features add some: these cases expect `--all-features` (as
    // scripts/test runs them).
    if cfg!(all(
        feature = "decimal",
        feature = "cidr",
        feature = "macaddr",
        feature = "bit"
    )) {
        t.compile_fail("features/*.rs");
    }
}
