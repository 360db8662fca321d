//! The integration tests, in one binary: one module per area, each test in
//! a database of its own on the real server (see `common`). One binary
//! links once, where a file per area linked some forty times.
//!
//! Run one area with a filter: `cargo test --test integration -- queries::`.
//! The files directly under `tests/` are binaries of their own: the tests
//! that need the `cli` feature, and the replica tests (which install a
//! tracing subscriber of their own). The trybuild cases are a package of
//! their own, `tests/ui/`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../../examples/schema/mod.rs"]
mod schema;
// `pgtable pull`'s output for the Drizzle blog and for foreign keys over
// two columns and views, kept as pull writes it (rustfmt would lay it out
// differently); `pull` compares them with its output, `seeding` seeds them.
#[cfg(feature = "decimal")]
#[rustfmt::skip]
#[path = "../fixtures/drizzle-blog/pulled.rs"]
mod pulled;
#[rustfmt::skip]
#[path = "../fixtures/pull/extras.rs"]
mod extras;

mod aggregates;
mod check_catalog;
mod composite_foreign_keys;
mod concurrent_index;
mod constraints;
mod db_pool;
mod declared_relations;
mod design_examples;
mod docs;
mod down_migrations;
mod drizzle_blog;
mod errors;
mod expressions_prop;
mod faults;
mod fragments;
mod future_sizes;
mod generated_columns;
mod harness;
mod hostile_values;
mod index_options;
mod insert_derive;
mod join_selections;
mod joins;
mod layers;
mod metadata;
mod migrate_race;
mod migrations;
mod more_types;
mod on_update;
mod operators;
mod patches;
mod pgbouncer;
mod prepared;
mod prepared_write;
mod pull;
mod push;
mod queries;
mod relation_columns;
mod relation_filters;
mod relations;
mod restart;
mod roundtrip;
mod row_level_security;
mod schema_catalog;
mod seeding;
mod sequences;
mod serial_identity;
mod service_errors;
mod sized_types;
mod subqueries;
mod timeouts;
mod tls;
mod transactions;
mod typed_defaults;
mod types;
mod views;
