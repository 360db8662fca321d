//! The queries every table has, and finding a row by its primary key: the
//! traits behind `User::select()` and `User::find(id)`, in the prelude.

use super::{Alias, All, Delete, Expr, Insert, Listed, PreparedInsert, Select, UpdateSet};
use crate::table::{Table, Writable};

/// The queries that read a table or a view: `User::select()`, …
/// Implemented for every [`Table`].
pub trait TableQueries: Table {
    /// `SELECT` every column: `User::select().filter(...).fetch_all(&db)`.
    fn select() -> Select<Self> {
        Select::new(All)
    }

    /// `SELECT` chosen columns and values: one or a tuple of them, such as
    /// `User::select_columns((User::ID, User::EMAIL))`, giving `(Uuid, String)`
    /// rows. Items may come from tables joined afterwards:
    /// `User::select_columns((User::EMAIL, Post::ID.count())).left_join(..)`;
    /// a column of a left-joined table decodes as an `Option`.
    fn select_columns<S>(columns: S) -> Select<Self, Listed<S>> {
        Select::new(Listed(columns))
    }

    /// The table under another name, for joining it with itself:
    /// `let manager = User::alias("manager");` then `manager.col(User::ID)`.
    fn alias(name: &'static str) -> Alias<Self> {
        Alias::new(name)
    }
}

impl<T: Table> TableQueries for T {}

/// The statements that write rows, for tables (not views): `User::insert`,
/// `User::update`, `User::delete`.
pub trait WriteQueries: Writable {
    /// `INSERT` one row.
    fn insert(row: Self::Insert) -> Insert<Self> {
        Insert::new(vec![row])
    }

    /// `INSERT` many rows in one statement.
    fn insert_many(rows: impl IntoIterator<Item = Self::Insert>) -> Insert<Self> {
        Insert::new(rows.into_iter().collect())
    }

    /// An `INSERT` of one row at a time whose SQL is written once, run as
    /// `insert.execute(&db, &row)`: see [`PreparedInsert`].
    fn prepare_insert() -> PreparedInsert<Self> {
        PreparedInsert::new()
    }

    /// `UPDATE`: start with `.set(column, value)`.
    fn update() -> UpdateSet<Self> {
        UpdateSet::new()
    }

    /// `DELETE`: add `.filter(...)`, or `.all_rows()` to empty the table.
    fn delete() -> Delete<Self> {
        Delete::new()
    }
}

impl<T: Writable> WriteQueries for T {}

/// A table with a primary key: rows can be found by it.
///
/// Implemented by `#[table]` for tables with a `primary_key` column (the key
/// is that column's type) or a `primary_key(a, b)` (the key is a tuple).
pub trait PrimaryKey: Table {
    /// The key's Rust type.
    type Key: Send + Sync;

    /// The condition `primary key = key`.
    fn key_filter(key: Self::Key) -> Expr<Self>;

    /// `SELECT` the row with this key: `User::find(id).fetch_optional(&db)`.
    fn find(key: Self::Key) -> Select<Self> {
        Self::select().filter(Self::key_filter(key))
    }
}
