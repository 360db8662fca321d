//! The `#[table]` attribute macro of [pgtable](https://docs.rs/pgtable).
//!
//! Use it through the `pgtable` crate, which documents it and supplies the
//! runtime the generated code calls. The macro is a front end only: it
//! parses the struct and its attributes, reports mistakes on their spans,
//! and emits Rust items; SQL types and DDL come from the runtime.
//!
//! The pipeline is parse (`internals::attr`, `internals::ast`) ->
//! validate (`internals::check`) -> expand (`expand`), over one model of
//! the table.

#![forbid(unsafe_code)]
mod embed;
mod expand;
mod fragment;
mod internals;
mod pg_enum;

use proc_macro::TokenStream;

/// Turns a struct into a typed PostgreSQL table. See `pgtable::table`.
#[proc_macro_attribute]
pub fn table(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::table(args.into(), input.into()).into()
}

/// Turns a struct into a typed PostgreSQL view, selected from like a
/// table. See `pgtable::view`.
#[proc_macro_attribute]
pub fn view(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::view(args.into(), input.into()).into()
}

/// Stores a fieldless enum as a PostgreSQL enum type. See `pgtable::PgEnum`.
#[proc_macro_derive(PgEnum, attributes(pg_enum))]
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    pg_enum::derive(input.into()).into()
}

/// Bakes the migration files of a directory (relative to the crate's
/// `Cargo.toml`) into the binary. See `pgtable::embed_migrations`.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    embed::embed(input.into()).into()
}

/// SQL text with columns, expressions and values where it says `{}`. See
/// `pgtable::sql!`.
#[proc_macro]
pub fn sql(input: TokenStream) -> TokenStream {
    fragment::sql(input.into()).into()
}
