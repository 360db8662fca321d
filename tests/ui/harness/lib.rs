//! pgtable's compile-error cases: `tests/ui/<topic>/<case>.rs`, each
//! with the `.stderr` a user sees, checked by trybuild in `harness/ui.rs`
//! (`cargo test -p pgtable-ui-tests --all-features`). A package of its own
//! so that trybuild builds pgtable and nothing else; it has no code.
