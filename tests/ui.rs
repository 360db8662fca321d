//! Every compile error a user of `#[table]` can hit, with the message they see
//! (`tests/ui/*.stderr`). Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
