//! Every compile error a user of `#[table]` can hit, with the message they see
//! (`tests/ui/*.stderr`). Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test --all-features --test ui`, then read every diff.
//!
//! rustc's messages list the types implementing a trait, and the optional
//! features add some, so the expected output is that of `--all-features`
//! (as scripts/test runs it).

#[test]
#[cfg_attr(
    not(feature = "decimal"),
    ignore = "the expected messages are those of --all-features: run scripts/test"
)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    // What must compile cleanly, warnings denied.
    t.pass("tests/ui-pass/*.rs");
}
