//! `UPDATE` and `DELETE`. Both need a filter, or an explicit `.all_rows()`,
//! before they run: nobody empties a table by forgetting a `.filter(...)`.

use std::marker::PhantomData;

use futures_util::future::BoxFuture;

use super::expr::{Expr, Node, Operand, and_into};
use super::shape::Within;
use super::{BuildSql, Built, Returning, execute};
use crate::db::Executor;
use crate::error::Error;
use crate::table::{Column, Table};

/// Filter state: no `.filter(...)` yet. Such a query cannot run.
#[derive(Debug)]
pub struct Unfiltered;
/// Filter state: `.filter(...)` was called.
#[derive(Debug)]
pub struct Filtered;
/// Filter state: `.all_rows()` was called, meaning every row on purpose.
#[derive(Debug)]
pub struct AllRows;

/// The filter states an update or delete may run in.
#[diagnostic::on_unimplemented(
    message = "this update or delete has no filter, so it would change every row of the table",
    label = "no `.filter(...)` before this",
    note = "add `.filter(Table::COLUMN.eq(value))` to choose the rows, or `.all_rows()` if every row is meant"
)]
pub trait FilterGiven {}
impl FilterGiven for Filtered {}
impl FilterGiven for AllRows {}

/// `User::update()`: an update waiting for its first `.set(...)`.
#[must_use = "an update needs `.set(column, value)`"]
pub struct UpdateSet<T>(PhantomData<fn() -> T>);

impl<T: Table> UpdateSet<T> {
    pub(crate) fn new() -> Self {
        UpdateSet(PhantomData)
    }

    /// `SET column = value`; the value may be an expression such as
    /// `User::VIEWS.add(1)`.
    pub fn set<V, R, I>(self, column: Column<T, V>, value: R) -> Update<T, Unfiltered>
    where
        R: Operand<T, V>,
        R::Shape: Within<T, I>,
    {
        Update {
            sets: vec![(column.name(), value.into_node())],
            filter: None,
            _marker: PhantomData,
        }
    }
}

/// An `UPDATE` of table `T`.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "posts")]
/// pub struct Post {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub title: String,
///     pub views: i64,
/// }
///
/// let query = Post::update()
///     .set(Post::VIEWS, Post::VIEWS.add(1))
///     .set(Post::TITLE, "Hello")
///     .filter(Post::ID.eq(7));
/// assert_eq!(
///     query.to_sql(),
///     r#"UPDATE "posts" SET "views" = "posts"."views" + $1, "title" = $2 WHERE "posts"."id" = $3"#
/// );
/// ```
#[must_use = "a query does nothing until a terminal method such as `.execute(&db)` runs it"]
pub struct Update<T, F = Unfiltered> {
    sets: Vec<(&'static str, Node)>,
    filter: Option<Node>,
    _marker: PhantomData<fn() -> (T, F)>,
}

impl<T: Table, F> Update<T, F> {
    /// Another `column = value`.
    pub fn set<V, R, I>(mut self, column: Column<T, V>, value: R) -> Self
    where
        R: Operand<T, V>,
        R::Shape: Within<T, I>,
    {
        self.sets.push((column.name(), value.into_node()));
        self
    }

    /// Updates only the rows matching `condition`; called again, both must match.
    pub fn filter<C, I>(mut self, condition: Expr<C>) -> Update<T, Filtered>
    where
        C: Within<T, I>,
    {
        and_into(&mut self.filter, condition.node);
        self.with_state()
    }

    /// Updates every row of the table, on purpose.
    pub fn all_rows(self) -> Update<T, AllRows> {
        self.with_state()
    }

    fn with_state<G>(self) -> Update<T, G> {
        Update {
            sets: self.sets,
            filter: self.filter,
            _marker: PhantomData,
        }
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.write(false).sql
    }

    /// Returns the updated rows.
    pub fn returning(self) -> Returning<Self>
    where
        F: FilterGiven,
    {
        Returning(self)
    }

    /// Runs the update; returns how many rows it changed.
    // A boxed future rather than an `async fn`: a missing filter is then
    // reported once, at this call, not again on the future and its `.await`.
    pub fn execute<'e, E: Executor + ?Sized>(self, exec: &'e E) -> BoxFuture<'e, Result<u64, Error>>
    where
        F: FilterGiven + 'e,
        T: 'e,
    {
        Box::pin(async move { execute(exec, &self.write(false)).await })
    }

    fn write(&self, returning: bool) -> Built<'_> {
        let mut out = Built::new();
        out.push("UPDATE ");
        out.table(T::table());
        out.push(" SET ");
        for (i, (column, value)) in self.sets.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.ident(column);
            out.push(" = ");
            out.node(value);
        }
        out.filter(self.filter.as_ref());
        if returning {
            out.returning(T::table());
        }
        out
    }
}

impl<T: Table, F: FilterGiven> BuildSql for Update<T, F> {
    type Table = T;

    fn build(&self, returning: bool) -> Built<'_> {
        self.write(returning)
    }
}

/// A `DELETE` from table `T`.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "sessions")]
/// pub struct Session {
///     #[column(primary_key)]
///     pub token: String,
///     pub expired: bool,
/// }
///
/// let query = Session::delete().filter(Session::EXPIRED.eq(true));
/// assert_eq!(query.to_sql(), r#"DELETE FROM "sessions" WHERE "sessions"."expired" = $1"#);
/// ```
#[must_use = "a query does nothing until a terminal method such as `.execute(&db)` runs it"]
pub struct Delete<T, F = Unfiltered> {
    filter: Option<Node>,
    _marker: PhantomData<fn() -> (T, F)>,
}

impl<T: Table> Delete<T, Unfiltered> {
    pub(crate) fn new() -> Self {
        Delete {
            filter: None,
            _marker: PhantomData,
        }
    }
}

impl<T: Table, F> Delete<T, F> {
    /// Deletes only the rows matching `condition`; called again, both must match.
    pub fn filter<C, I>(mut self, condition: Expr<C>) -> Delete<T, Filtered>
    where
        C: Within<T, I>,
    {
        and_into(&mut self.filter, condition.node);
        self.with_state()
    }

    /// Deletes every row of the table, on purpose.
    pub fn all_rows(self) -> Delete<T, AllRows> {
        self.with_state()
    }

    fn with_state<G>(self) -> Delete<T, G> {
        Delete {
            filter: self.filter,
            _marker: PhantomData,
        }
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.write(false).sql
    }

    /// Returns the deleted rows.
    pub fn returning(self) -> Returning<Self>
    where
        F: FilterGiven,
    {
        Returning(self)
    }

    /// Runs the delete; returns how many rows it removed.
    // A boxed future rather than an `async fn`: a missing filter is then
    // reported once, at this call, not again on the future and its `.await`.
    pub fn execute<'e, E: Executor + ?Sized>(self, exec: &'e E) -> BoxFuture<'e, Result<u64, Error>>
    where
        F: FilterGiven + 'e,
        T: 'e,
    {
        Box::pin(async move { execute(exec, &self.write(false)).await })
    }

    fn write(&self, returning: bool) -> Built<'_> {
        let mut out = Built::new();
        out.push("DELETE FROM ");
        out.table(T::table());
        out.filter(self.filter.as_ref());
        if returning {
            out.returning(T::table());
        }
        out
    }
}

impl<T: Table, F: FilterGiven> BuildSql for Delete<T, F> {
    type Table = T;

    fn build(&self, returning: bool) -> Built<'_> {
        self.write(returning)
    }
}
