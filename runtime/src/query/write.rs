//! `UPDATE` and `DELETE`. Both need a filter, or an explicit `.all_rows()`,
//! before they run: nobody empties a table by forgetting a `.filter(...)`.

use std::marker::PhantomData;

use futures_util::future::BoxFuture;

use super::expr::{Expr, Node, Operand, and_into};
use super::select::Selection;
use super::shape::Within;
use super::{BuildSql, Built, Returning, ReturningColumns, execute};
use crate::conn::Executor;
use crate::error::Error;
use crate::schema::TableDef;
use crate::table::{Column, Table};
use crate::types::SqlType;

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
        Mutation {
            op: Set(vec![(column.name(), value.into_node())]),
            filter: None,
            _marker: PhantomData,
        }
    }
}

/// A partial update of table `T`: the patch type `#[table]` generates
/// (`UserPatch`), whose `Some` fields are set.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a patch of table `{T}`",
    label = "a patch of another table",
    note = "use the patch type generated for this table (`{T}Patch`)"
)]
pub trait Patch<T>: Send {
    /// The assignments: each `Some` field's column and value.
    #[doc(hidden)]
    fn __sets(self) -> Vec<(&'static str, Node)>;
}

/// One assignment of a patch (what `#[table]` generates).
#[doc(hidden)]
pub fn __patch_set<T: Table, V: SqlType + 'static>(
    column: Column<T, V>,
    value: V,
) -> (&'static str, Node) {
    (column.name(), Node::param(value))
}

impl<T: Table> UpdateSet<T> {
    /// `SET` the columns of `patch` that are `Some` (Drizzle's
    /// `.set({ name })`). A patch with no field set cannot run: its
    /// `execute` is an [`Error::Statement`], not an empty `SET`.
    ///
    /// ```
    /// use pgtable::prelude::*;
    ///
    /// #[table(name = "users")]
    /// pub struct User {
    ///     #[column(primary_key, identity)]
    ///     pub id: i64,
    ///     pub email: String,
    ///     pub bio: Option<String>,
    /// }
    ///
    /// let patch = UserPatch { bio: Some(None), ..Default::default() };
    /// let update = User::update().set_patch(patch).filter(User::ID.eq(7));
    /// assert_eq!(
    ///     update.to_sql(),
    ///     r#"UPDATE "users" SET "bio" = $1 WHERE "users"."id" = $2"#
    /// );
    /// ```
    pub fn set_patch(self, patch: impl Patch<T>) -> Update<T, Unfiltered> {
        Mutation {
            op: Set(patch.__sets()),
            filter: None,
            _marker: PhantomData,
        }
    }
}

/// What a [`Mutation`] does to the rows it picks.
#[doc(hidden)]
pub trait Operation: Send + Sync {
    /// `UPDATE "t" SET …` or `DELETE FROM "t"`.
    fn write_head<'a>(&'a self, out: &mut Built<'a>, table: &'static TableDef);

    /// Why it cannot run, if it cannot.
    fn check(&self, _table: &'static TableDef) -> Result<(), Error> {
        Ok(())
    }
}

/// The assignments of an `UPDATE`.
#[doc(hidden)]
pub struct Set(Vec<(&'static str, Node)>);

/// A `DELETE`.
#[doc(hidden)]
pub struct Remove;

impl Operation for Set {
    fn check(&self, table: &'static TableDef) -> Result<(), Error> {
        if self.0.is_empty() {
            return Err(Error::Statement(format!(
                "the update of table {} sets no column: its patch has no field set; give one a value (Some(..)), or skip the update",
                table.name
            )));
        }
        Ok(())
    }

    fn write_head<'a>(&'a self, out: &mut Built<'a>, table: &'static TableDef) {
        out.push("UPDATE ");
        out.table(table);
        out.push(" SET ");
        for (i, (column, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.ident(column);
            out.push(" = ");
            out.node_for(value, table, column);
        }
        // Columns set on every update (`on_update_now`, `on_update_sql`),
        // unless this one sets them.
        for column in table.columns {
            if let Some(expr) = column.on_update
                && !self.0.iter().any(|(name, _)| *name == column.name)
            {
                out.push(", ");
                out.ident(column.name);
                out.push(" = ");
                out.push(expr);
            }
        }
    }
}

impl Operation for Remove {
    fn write_head<'a>(&'a self, out: &mut Built<'a>, table: &'static TableDef) {
        out.push("DELETE FROM ");
        out.table(table);
    }
}

/// An `UPDATE` or `DELETE` of table `T` in filter state `F` (see
/// [`Update`] and [`Delete`]).
#[must_use = "a query does nothing until a terminal method such as `.execute(&db)` runs it"]
pub struct Mutation<T, F, Op> {
    op: Op,
    filter: Option<Node>,
    _marker: PhantomData<fn() -> (T, F)>,
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
pub type Update<T, F = Unfiltered> = Mutation<T, F, Set>;

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
pub type Delete<T, F = Unfiltered> = Mutation<T, F, Remove>;

impl<T: Table> Delete<T, Unfiltered> {
    pub(crate) fn new() -> Self {
        Mutation {
            op: Remove,
            filter: None,
            _marker: PhantomData,
        }
    }
}

impl<T: Table, F> Update<T, F> {
    /// The `Some` fields of `patch` too (see [`UpdateSet::set_patch`]).
    pub fn set_patch(mut self, patch: impl Patch<T>) -> Self {
        self.op.0.extend(patch.__sets());
        self
    }

    /// Another `column = value`.
    pub fn set<V, R, I>(mut self, column: Column<T, V>, value: R) -> Self
    where
        R: Operand<T, V>,
        R::Shape: Within<T, I>,
    {
        self.op.0.push((column.name(), value.into_node()));
        self
    }
}

impl<T: Table, F, Op: Operation> Mutation<T, F, Op> {
    /// Changes only the rows matching `condition` (an [`Expr`] or an
    /// `sql!` fragment); called again, both must match.
    pub fn filter<C, I>(mut self, condition: Expr<C>) -> Mutation<T, Filtered, Op>
    where
        C: Within<T, I>,
    {
        and_into(&mut self.filter, condition.node);
        self.with_state()
    }

    /// Changes every row of the table, on purpose.
    pub fn all_rows(self) -> Mutation<T, AllRows, Op> {
        self.with_state()
    }

    fn with_state<G>(self) -> Mutation<T, G, Op> {
        Mutation {
            op: self.op,
            filter: self.filter,
            _marker: PhantomData,
        }
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.write(false).into_sql()
    }

    /// Returns the changed (or deleted) rows.
    pub fn returning(self) -> Returning<Self>
    where
        F: FilterGiven,
    {
        Returning(self)
    }

    /// Returns the chosen columns of each changed (or deleted) row, as
    /// tuples: `.returning_columns((User::ID, User::EMAIL))`.
    pub fn returning_columns<S: Selection<T>>(self, columns: S) -> ReturningColumns<Self, S>
    where
        F: FilterGiven,
    {
        ReturningColumns {
            query: self,
            columns,
        }
    }

    /// Runs the statement; returns how many rows it changed or removed.
    // A boxed future rather than an `async fn`: a missing filter is then
    // reported once, at this call, not again on the future and its `.await`.
    pub fn execute<'e, E: Executor + ?Sized>(self, exec: &'e E) -> BoxFuture<'e, Result<u64, Error>>
    where
        F: FilterGiven + 'e,
        T: 'e,
        Op: 'e,
    {
        Box::pin(async move {
            self.op.check(T::table())?;
            execute(exec, &self.write(false)).await
        })
    }

    fn write(&self, returning: bool) -> Built<'_> {
        let mut out = Built::new();
        self.write_into(&mut out);
        if returning {
            out.returning(T::table());
        }
        out
    }

    /// `UPDATE …`/`DELETE …` with its filter, into `out`.
    pub(crate) fn write_into<'a>(&'a self, out: &mut Built<'a>) {
        self.op.write_head(out, T::table());
        out.filter(self.filter.as_ref());
    }

    /// Why the statement cannot run, if it cannot: checked when it runs,
    /// and when it is prepared.
    pub(crate) fn problem(&self) -> Result<(), Error> {
        self.op.check(T::table())
    }
}

impl<T: Table, F: FilterGiven, Op: Operation> BuildSql for Mutation<T, F, Op> {
    type Table = T;

    fn build(&self, returning: bool) -> Built<'_> {
        self.write(returning)
    }

    fn check(&self) -> Result<(), Error> {
        self.op.check(T::table())
    }
}
