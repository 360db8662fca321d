//! pgtable: Drizzle-style typed tables for PostgreSQL.
//!
//! The schema is plain Rust structs. `#[table]` turns each into a typed table
//! and derives everything else from it: the insert type, typed column
//! constants, static metadata and the `CREATE TABLE` statement.
//!
//! ```
//! use pgtable::prelude::*;
//! use chrono::NaiveDateTime;
//! use uuid::Uuid;
//!
//! #[table(name = "users")]
//! #[derive(Debug, Clone, PartialEq)]
//! pub struct User {
//!     #[column(primary_key)]
//!     pub id: Uuid,
//!     #[column(varchar(255), unique)]
//!     pub email: String,
//!     #[column(default_now)]
//!     pub created_at: Option<NaiveDateTime>,
//! }
//!
//! // The insert type: a column with a default is optional.
//! let new = NewUser { id: Uuid::nil(), email: "ada@example.com".into(), created_at: None };
//!
//! // Typed columns know their table, SQL name and Rust type.
//! let email: Column<User, String> = User::EMAIL;
//! assert_eq!(email.name(), "email");
//!
//! // The DDL, as drizzle-kit would write it for the same `pgTable`.
//! assert_eq!(
//!     User::create_table(),
//!     "CREATE TABLE \"users\" (\n\
//!      \t\"id\" uuid PRIMARY KEY NOT NULL,\n\
//!      \t\"email\" varchar(255) NOT NULL,\n\
//!      \t\"created_at\" timestamp DEFAULT now(),\n\
//!      \tCONSTRAINT \"users_email_unique\" UNIQUE(\"email\")\n\
//!      );"
//! );
//! # let _ = new;
//! ```
//!
//! # Queries
//!
//! Queries are values built from the table, inspected with `.to_sql()`,
//! and run by a terminal method on a [`Db`] (a pool), a [`Transaction`] or
//! a pooled [`Conn`]. Every value is a bind parameter; every identifier is
//! quoted.
//!
//! ```no_run
//! # use pgtable::prelude::*;
//! # use uuid::Uuid;
//! # #[table(name = "users")]
//! # #[derive(Debug, Clone, PartialEq)]
//! # pub struct User {
//! #     #[column(primary_key)]
//! #     pub id: Uuid,
//! #     #[column(varchar(255), unique)]
//! #     pub email: String,
//! #     #[column(default_now)]
//! #     pub created_at: Option<chrono::NaiveDateTime>,
//! # }
//! # async fn run() -> Result<(), pgtable::Error> {
//! let db = Db::connect("postgres://postgres@127.0.0.1:5432/app").await?;
//! let id = Uuid::new_v4();
//! User::insert(NewUser { id, email: "a@x.io".into(), created_at: None })
//!     .execute(&db)
//!     .await?;
//! let recent: Vec<User> = User::select()
//!     .filter(User::EMAIL.like("%@x.io"))
//!     .order_by(User::CREATED_AT.desc())
//!     .limit(10)
//!     .fetch_all(&db)
//!     .await?;
//! User::update().set(User::EMAIL, "b@x.io").filter(User::ID.eq(id)).execute(&db).await?;
//! db.transaction(async |tx| {
//!     User::delete().filter(User::ID.eq(id)).execute(tx).await?;
//!     Ok::<_, pgtable::Error>(())
//! })
//! .await?;
//! # Ok(()) }
//! ```
//!
//! See [`Select`], [`query::Insert`], [`query::Update`], [`query::Delete`],
//! [`Transaction`] and [`Error`]; joins are [`Select::inner_join`] and
//! [`Select::left_join`], eager loading is [`relations`], raw SQL is [`sql()`].
//! An SQL fragment ([`sql!`]) goes wherever an expression does; partial
//! updates are the generated patch type ([`query::UpdateSet::set_patch`]);
//! subqueries are [`Select::correlate`], [`query::exists`] and `is_in`
//! with a select; `union` and `union_all` combine selects.
//!
//! # `#[table]`
//!
//! Table attributes, in `#[table(...)]`:
//!
//! | attribute | meaning |
//! |---|---|
//! | `name = "users"` | the SQL table name (required) |
//! | `schema = "app"` | the PostgreSQL schema the table lives in |
//! | `insert = "UserDraft"` | the insert type's name (default `New<Struct>`) |
//! | `insert_derive(serde::Deserialize, …)` | derives for the insert type and the patch |
//! | `primary_key(a, b)` | a primary key over several fields (`<table>_a_b_pk`) |
//! | `unique(a, b)` | a unique constraint over several fields (`<table>_a_b_unique`) |
//! | `unique(name = "…", columns(a, b))` | a unique constraint, named |
//! | `unique(columns(a, b), nulls_not_distinct)` | NULLs collide like other values (PostgreSQL 15+) |
//! | `index(a, b)` | an index (`<table>_a_b_index`) |
//! | `index(name = "…", columns(a, b), unique, using = "gin")` | an index, spelled out |
//! | `index(columns(a desc nulls_last, b opclass = "jsonb_path_ops"))` | keys ordered (`asc`, `desc`, `nulls_first`, `nulls_last`) and compared (`opclass`) per column |
//! | `index(columns(a), where = "deleted_at IS NULL")` | a partial index |
//! | `check(name = "…", expr = "…")` | a CHECK constraint |
//! | `rls` | row-level security enabled (implied by a policy) |
//! | `policy(name = "…", as = "…", for = "…", to = "…", using = "…", with_check = "…")` | a row-level security policy (`CREATE POLICY`) |
//! | `renamed_from = "old"` | the table's previous name, so a migration renames it |
//!
//! Column attributes, in `#[column(...)]` on a field:
//!
//! | attribute | meaning |
//! |---|---|
//! | `primary_key` | the column is the primary key |
//! | `unique` | a unique constraint `<table>_<column>_unique` |
//! | `name = "sql_name"` | the SQL column name (default: the field name) |
//! | `varchar(N)` | `varchar(N)` instead of `text` (String fields) |
//! | `char(N)` | `char(N)`, padded to N by PostgreSQL (String fields) |
//! | `numeric(P, S)`, `numeric(P)` | `numeric` with a precision and scale (`rust_decimal::Decimal`, feature `decimal`) |
//! | `timestamp(P)`, `timestamptz(P)` | a timestamp with P fractional digits (NaiveDateTime, `DateTime<Utc>`) |
//! | `json` | `json` instead of `jsonb` (`serde_json::Value`, `Json<T>`) |
//! | `sql_type = "citext"` | any SQL type, written verbatim |
//! | `default = <value>` | a typed default: `true`, `0`, `-2.5`, `"text"` or an enum variant (`Status::Draft`), checked against the field's type |
//! | `default_sql = "sql expr"` | a default, as an SQL expression |
//! | `default_now` | `DEFAULT now()` (date and time fields) |
//! | `default_random` | `DEFAULT gen_random_uuid()` (Uuid fields) |
//! | `identity` | `GENERATED ALWAYS AS IDENTITY` (i16/i32/i64); absent from the insert type |
//! | `identity(by_default)` | `GENERATED BY DEFAULT AS IDENTITY`; an `Option` in the insert type, `None` generated |
//! | `generated = "sql expr"` | `GENERATED ALWAYS AS (expr) STORED`; absent from the insert type and the patch |
//! | `on_update_now`, `on_update_sql = "sql expr"` | set by every `update()` that does not set the column itself (Drizzle's `$onUpdate`) |
//! | `serial` | `smallserial` / `serial` / `bigserial` by the integer type; an `Option` in the insert type, `None` from the sequence |
//! | `references = Other::COL` | a foreign key (`<table>_<col>_<other>_<col>_fk`); its type must be the referenced column's |
//! | `fk_name = "…"` | names the foreign key `references` makes |
//! | `on_delete = …`, `on_update = …` | `cascade`, `set_null`, `set_default`, `restrict` or `no_action` |
//! | `relation(belongs_to = "author", has_many = "posts")` | with `references`: generates `Post::author()` and `User::posts()` ([`relations`]) |
//! | `relation(many_to_many = "tags", through = tag_id)` | on a join table's foreign key: generates `Post::tags()` through the other one |
//! | `index` | an index on the column (`<table>_<col>_index`) |
//! | `check = "sql expr"` | a CHECK constraint (`<table>_<col>_check`) |
//! | `renamed_from = "old"` | the column's previous name, so a migration renames it |
//!
//! PostgreSQL keeps the first 63 bytes of a name. Derived names longer than
//! that are created as PostgreSQL stores them, and two names of a table that
//! would be stored the same are a compile error saying which to name.
//!
//! A field's Rust type gives the SQL type (see [`types`]); `Option<T>` makes
//! the column nullable. In the insert type a column with a default becomes
//! `Option<T>` (`None` takes the default), a nullable column stays `Option<T>`
//! (`None` is NULL), an identity column is left out and every other column is
//! required, so forgetting one is a compile error. `NewUser::new(required
//! fields…)` builds one from the required fields alone, with a setter for
//! each other field (`.nickname(…)`), so adding a nullable column later
//! breaks no call.
//!
//! Mistakes are compile errors on the offending span, saying what to write
//! instead: unknown attributes, duplicate columns, two primary keys,
//! `default_now` on a non-time field, a type with no SQL mapping, and so on.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

// Everything the runtime offers, at the top level: `pgtable::Db`,
// `pgtable::Error`, `pgtable::query::Select`, …
pub use pgtable_runtime::*;

#[cfg(feature = "cli")]
pub mod cli;

/// Bakes the migration files of a directory (relative to the crate's
/// `Cargo.toml`) into the binary, as a `Vec<pgtable::migrate::Migration>`
/// that [`migrate::migrate`] applies like files read at run time.
///
/// ```ignore
/// let migrations = pgtable::embed_migrations!("migrations");
/// pgtable::migrate::migrate(&db, &migrations, |_| {}).await?;
/// ```
///
/// The files are checked when the binary is built: a file not named
/// `NNNN_name.sql` or two with one number are compile errors. An edited
/// file rebuilds the binary; after adding one, touch the crate (or
/// `cargo clean -p`) so the macro lists the directory again.
pub use pgtable_macros::embed_migrations;

/// An SQL fragment, Drizzle's `` sql`…` ``: text with a column, an
/// expression, another fragment or a value wherever it says `{}` (write
/// `{{` and `}}` for literal braces). A column is written as its quoted,
/// table-qualified name, an expression inline, and a value as a bind
/// parameter, never as text. Usable where an expression goes: `filter`,
/// `having`, `order_by`, `set`, `on_conflict(..).do_update(..)`, and, made
/// [`typed`](Expr::typed), in `select_columns` and
/// comparisons. A count of `{}` that differs from the arguments does not
/// compile.
///
/// ```
/// use pgtable::prelude::*;
/// use pgtable::sql;
///
/// #[table(name = "users")]
/// pub struct User {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub email: String,
/// }
///
/// let query = User::select_columns((User::ID, sql!("lower({})", User::EMAIL).typed::<String>()))
///     .filter(sql!("{} ~ {}", User::EMAIL, "^b"));
/// assert_eq!(
///     query.to_sql(),
///     r#"SELECT "id", lower("users"."email") FROM "users" WHERE "users"."email" ~ $1"#
/// );
/// ```
///
/// The function [`sql()`] of the same name runs a whole statement of raw SQL.
pub use pgtable_macros::sql;

/// Turns a struct into a typed PostgreSQL table; see the [crate documentation](crate).
pub use pgtable_macros::table;

/// Turns a struct into a typed PostgreSQL view: `#[view(name = "…", sql =
/// "SELECT …")]`, and `materialized` for a materialized view. Its fields
/// are the query's columns, in order (`#[column(name = "…")]` when a name
/// differs). It is selected from like a table (filters, joins, column
/// constants) and never written to; `Schema::view::<V>()` puts it in the
/// DDL and migrations, after the tables.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "posts")]
/// pub struct Post {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub title: String,
///     pub published: bool,
/// }
///
/// #[view(name = "published_posts", sql = "SELECT id, title FROM posts WHERE published")]
/// pub struct PublishedPost {
///     pub id: i64,
///     pub title: String,
/// }
///
/// let schema = Schema::new().table::<Post>().view::<PublishedPost>();
/// assert!(schema.to_sql().ends_with(
///     "CREATE VIEW \"public\".\"published_posts\" AS (SELECT id, title FROM posts WHERE published);\n"
/// ));
/// assert_eq!(
///     PublishedPost::select().filter(PublishedPost::TITLE.like("R%")).to_sql(),
///     r#"SELECT "id", "title" FROM "published_posts" WHERE "published_posts"."title" LIKE $1"#
/// );
/// ```
pub use pgtable_macros::view;

/// Stores a fieldless enum as a PostgreSQL enum type.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[derive(Debug, Clone, Copy, PartialEq, PgEnum)]
/// #[pg_enum(name = "post_status")]
/// pub enum Status {
///     Draft,
///     #[pg_enum(rename = "live")]
///     Published,
///     InReview,
/// }
///
/// assert_eq!(
///     pgtable::ddl::create_enum(<Status as pgtable::PgEnum>::DEF),
///     r#"CREATE TYPE "public"."post_status" AS ENUM('draft', 'live', 'in_review');"#
/// );
/// ```
///
/// The type is named after the enum in snake_case unless `name = "…"`
/// says otherwise (`schema = "…"` puts it in a schema); values are the
/// variants in snake_case, or as `rename_all = "…"` (`lowercase`,
/// `UPPERCASE`, `SCREAMING_SNAKE_CASE`, `kebab-case`, `camelCase`,
/// `PascalCase`) or a variant's `rename = "…"` says. The enum must also be
/// `Debug` and `Clone`. A table using it creates the type first in its
/// schema's DDL.
pub use pgtable_macros::PgEnum;

/// The crates whose types appear in pgtable's API.
pub use {chrono, postgres_types, serde_json, tokio_postgres, uuid};

/// The names almost every user of pgtable needs: `use pgtable::prelude::*;`.
pub mod prelude {
    pub use crate::relations::{BelongsTo, HasMany, ManyToMany};
    pub use crate::{
        Column, Db, Executor, Insertable, PgEnum, PrimaryKey, Schema, SqlType, Table, TableQueries,
        Transaction, View, Writable, WriteQueries, sql, table, view,
    };
}

#[doc(hidden)]
pub use pgtable_runtime::private as __private;

/// The README's Rust examples, compiled (and the runnable ones run) as doc
/// tests, so that the README stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// `docs/coming-from-drizzle.md`'s Rust, compiled as a doc test.
#[doc = include_str!("../docs/coming-from-drizzle.md")]
#[cfg(doctest)]
pub struct ComingFromDrizzleDoctests;
