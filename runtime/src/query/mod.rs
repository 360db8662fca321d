//! Typed queries: values built from a table, inspected with `.to_sql()`, run
//! on any [`Executor`] by a terminal method.
//!
//! Every value is a bind parameter and every identifier is quoted, so no
//! string a user passes can change the statement.

mod aggregate;
mod alias;
mod column_kinds;
mod copy;
mod culprit;
mod dsl;
mod expr;
mod fragment;
mod group_key;
mod insert;
mod joined;
mod operand;
mod ops;
mod plan;
mod prepared;
mod prepared_insert;
mod prepared_write;
mod raw;
mod render;
mod returning;
mod select;
mod selection;
mod shape;
mod subquery;
mod union;
mod write;

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use tokio_postgres::{Row, RowStream};
use tracing::Instrument;

use crate::conn::{Access, Acquired, Executor, Prepared};
use crate::error::Error;
use crate::schema::{ColumnDef, TableDef};
use crate::sql::{Direction, SqlWriter};
use crate::table::Table;

pub use aggregate::count_all;
pub use alias::{Alias, AliasColumn};
pub use dsl::{PrimaryKey, TableQueries, WriteQueries};
pub(crate) use expr::and_into;
pub use expr::{Expr, Node, Numeric, Operand, Order, Ordered, Text, ValueExpr, not};
pub use fragment::{Raw, SqlArg, SqlFragment, Unchecked};
pub use group_key::GroupKey;
pub use insert::{COPY_THRESHOLD, ConflictTarget, DoUpdate, Insert, OnConflict};
pub use ops::{ArrayValue, Containment, JsonValue, Nullable};
pub use prepared::{Bound, Placeholder, PreparedSelect, placeholder};
pub use prepared_insert::PreparedInsert;
pub use prepared_write::{BoundReturning, BoundWrite, PreparedReturning, PreparedWrite};
pub use raw::{FromRow, RawQuery, next_value, refresh_view, sql};
pub use returning::{Returning, ReturningColumns};
pub use select::{
    All, Inner, JoinKind, JoinSelection, Joined, LeftOuter, Listed, Pick, Picks, Select,
    SelectItem, Selection,
};
pub use shape::{
    Aliased, AndAlso, Both, Here, Join, JoinOn, Joinable, Left, LeftJoin, NewLeft, NewRight, Right,
    RightOrNull, Slot, Within,
};
pub use subquery::{Correlate, Correlated, InValues, Subquery, WriteSubquery, exists, not_exists};
pub use union::Union;
pub use write::{
    __patch_set, AllRows, Delete, FilterGiven, Filtered, Mutation, Operation, Patch, Remove, Set,
    Unfiltered, Update, UpdateSet,
};

/// An SQL statement being written, with the parameters it binds: the
/// writer of the `sql` layer, with the query layer's helpers below.
#[doc(hidden)]
pub type Built<'a> = SqlWriter<'a>;

impl<'a> SqlWriter<'a> {
    /// Whether the statement may go to a read replica.
    pub(crate) fn access(&self) -> Access {
        if self.reads {
            Access::Read
        } else {
            Access::Write
        }
    }

    /// `node`, remembering `column` of `table` as its target when it is a
    /// plain value.
    pub(crate) fn node_for(
        &mut self,
        node: &'a Node,
        table: &'static TableDef,
        column: &'static str,
    ) {
        match &node.0 {
            expr::NodeKind::Param(value) => {
                // Shared, so that a prepared insert's `DO UPDATE` keeps it.
                self.shared(value);
                self.target(table.name, column);
            }
            expr::NodeKind::Placeholder { .. } => {
                self.node(node);
                self.target(table.name, column);
            }
            _ => self.node(node),
        }
    }

    /// The table as the DDL names it: `"users"` or `"app"."users"`.
    pub(crate) fn table(&mut self, table: &TableDef) {
        match &table.quoted.0 {
            Some(quoted) => self.push(quoted.table),
            None => self.table_name(table.schema.unwrap_or("public"), table.name),
        }
    }

    /// `"table"."column"`.
    pub(crate) fn qualified_column(&mut self, table: &TableDef, name: &str) {
        self.table(table);
        self.push(".");
        self.ident(name);
    }

    /// `"a", "b", "c"`: the columns of `table`, qualified by the table
    /// name (`"t"."a"`) when `qualified`.
    pub(crate) fn column_list(&mut self, table: &TableDef, qualified: bool) {
        if let Some(quoted) = &table.quoted.0 {
            self.push(if qualified {
                quoted.qualified_columns
            } else {
                quoted.columns
            });
            return;
        }
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            if qualified {
                self.column(table, column);
            } else {
                self.ident(column.name);
            }
        }
    }

    /// `"table"."column"`: `column` of `table`.
    pub(crate) fn column(&mut self, table: &TableDef, column: &ColumnDef) {
        match (column.qualified.0, &table.quoted.0) {
            // Only under the table the macro wrote it for: a definition
            // that reuses the columns (or moved the table to another
            // schema, which clears `quoted`) is quoted as it is written.
            (Some(qualified), Some(_)) => self.push(qualified),
            _ => self.qualified_column(table, column.name),
        }
    }

    /// An expression.
    pub(crate) fn node(&mut self, node: &'a Node) {
        self.write(node);
    }

    /// `a ASC, b DESC`: the keys of an `ORDER BY`.
    pub(crate) fn order_list(&mut self, order: &'a [(Node, Direction)]) {
        for (i, (node, direction)) in order.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.node(node);
            self.push(direction.after_operand());
        }
    }

    /// `a, b`: expressions separated by commas.
    pub(crate) fn node_list(&mut self, nodes: &'a [Node]) {
        for (i, node) in nodes.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.node(node);
        }
    }

    pub(crate) fn filter(&mut self, filter: Option<&'a Node>) {
        if let Some(filter) = filter {
            self.push(" WHERE ");
            self.node(filter);
        }
    }

    pub(crate) fn returning(&mut self, table: &TableDef) {
        self.push(" RETURNING ");
        self.column_list(table, false);
    }
}

/// A query that can be written out as SQL.
#[doc(hidden)]
pub trait BuildSql: Send + Sync {
    /// The table whose rows `RETURNING` gives.
    type Table: Table;
    /// The statement, with or without `RETURNING`.
    fn build(&self, returning: bool) -> Built<'_>;
    /// Whether there is nothing to send (an insert of no rows).
    fn is_empty(&self) -> bool {
        false
    }
    /// Why the statement cannot run, if it cannot.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// PostgreSQL's wire protocol counts parameters in 16 bits.
const MAX_PARAMETERS: usize = u16::MAX as usize;

fn check_size(built: &Built<'_>) -> Result<(), Error> {
    if built.params.len() > MAX_PARAMETERS {
        return Err(Error::TooManyParameters {
            parameters: built.params.len(),
        });
    }
    Ok(())
}

/// The tracing span of one statement: its SQL, its row count once known,
/// and the replica that served it, if one did.
fn query_span(sql: &str) -> tracing::Span {
    tracing::debug_span!(
        "pgtable.query",
        sql = %sql,
        rows = tracing::field::Empty,
        db.replica = tracing::field::Empty,
    )
}

/// The start of every statement: a connection for it (a replica's for a
/// read, where there is one) and the statement prepared. On a connection
/// it ran on before, a statement is taken from what the connection
/// remembers (by its memo when it was written once, a prepared query's;
/// else by its text) and not looked up in the connection's statement cache
/// again. The look-up's future, which is large, is made (and boxed) only
/// when that is needed, so this future stays small and cheap to move on
/// the path taken on every run but the first. In PgBouncer mode, or
/// without the statement cache, nothing is remembered and the look-up is
/// boxed on every run: an allocation, where those modes send the
/// statement's text on every run anyway.
async fn start<'e, E: Executor + ?Sized>(
    exec: &'e E,
    built: &Built<'_>,
) -> Result<(Acquired<'e>, Prepared), Error> {
    check_size(built)?;
    loop {
        let conn = exec.acquire(built.access()).await?;
        let prepared = match conn.remembered(built.sql(), built.memo) {
            Some(prepared) => prepared,
            None => match Box::pin(conn.prepare(built.sql(), built.params.len(), built.memo)).await
            {
                Ok(prepared) => prepared,
                Err(err) => match conn.replica_lost(&err) {
                    Some(i) => {
                        exec.replica_lost(i);
                        continue;
                    }
                    None => return Err(err),
                },
            },
        };
        return Ok((conn, prepared));
    }
}

/// Runs `statement` on a connection `start` gives: again on another if a
/// read found its replica's connection closed (the statement did not
/// reach the server; the replica is left for a while, so this ends).
macro_rules! with_start {
    ($exec:expr, $built:expr, |$conn:ident, $prepared:ident| $statement:expr) => {{
        let built: &Built<'_> = $built;
        loop {
            let ($conn, $prepared) = start($exec, built).await?;
            match $statement.await {
                Ok(out) => break ($conn, $prepared, out),
                Err(err) => match $conn.replica_lost(&err) {
                    Some(i) => $exec.replica_lost(i),
                    None => return Err(culprit::name_target(err, built, $prepared.param_types())),
                },
            }
        }
    }};
}

/// Starts one statement whose rows are read as they arrive, within the
/// calling future: `(conn, prepared, rows)`, the statement's parameter
/// types naming a value the server rejects midway; an error is returned
/// from the caller with `?`. The rows are still to come, so the
/// connection is armed again until the last one: dropped half-read, it is
/// discarded. A macro rather than an `async fn`: a future of its own,
/// moved out of and then moving the rows again, cost 300–450
/// instructions a statement.
macro_rules! start_rows {
    ($exec:expr, $built:expr) => {{
        let built: &Built<'_> = $built;
        let (mut conn, prepared, rows) = with_start!($exec, built, |conn, prepared| conn
            .query_raw(built.sql(), &prepared, &built.params));
        conn.rearm();
        (conn, prepared, rows)
    }};
}

/// Runs one statement and collects its rows, in a tracing span carrying the SQL.
pub(crate) async fn fetch_rows<E: Executor + ?Sized>(
    exec: &E,
    built: &Built<'_>,
) -> Result<Vec<Row>, Error> {
    let span = query_span(built.sql());
    let counted = span.clone();
    async move {
        let (_, _, rows) = with_start!(exec, built, |conn, prepared| conn.query(
            built.sql(),
            &prepared,
            &built.params
        ));
        counted.record("rows", rows.len());
        Ok(rows)
    }
    .instrument(span)
    .await
}

/// Runs one statement and hands each row to `each` as it arrives, while
/// the connection reads the next, dropping it then: nothing is buffered.
/// A row the server rejects midway names its value's column, as the
/// statement's `built` shows.
///
/// The rows are read where they arrive, pinned in this future, rather
/// than through [`Rows`] (whose stream is boxed so that it can be handed
/// out): no allocation, and nothing large moved, per statement. As with
/// `Rows`, the connection is armed until the last row: `each` failing, or
/// this future dropped, before then discards it.
pub(crate) async fn each_row<E: Executor + ?Sized>(
    exec: &E,
    built: &Built<'_>,
    mut each: impl FnMut(&Row) -> Result<(), Error>,
) -> Result<(), Error> {
    let span = query_span(built.sql());
    let counted = span.clone();
    async move {
        let (conn, prepared, rows) = start_rows!(exec, built);
        let mut rows = std::pin::pin!(rows);
        let mut count = 0_usize;
        loop {
            match rows.next().await {
                Some(Ok(row)) => {
                    count += 1;
                    each(&row)?;
                }
                Some(Err(err)) => {
                    conn.done();
                    let err = conn.failed(err);
                    return Err(culprit::name_target(err, built, prepared.param_types()));
                }
                None => {
                    conn.done();
                    counted.record("rows", count);
                    return Ok(());
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// Runs one statement and decodes each row as it arrives, instead of after
/// all of them are buffered.
pub(crate) async fn fetch_decoded<E: Executor + ?Sized, T>(
    exec: &E,
    built: Built<'_>,
    decode: impl Fn(&Row) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let mut out = Vec::new();
    each_row(exec, &built, |row| {
        out.push(decode(row)?);
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Runs one statement and decodes its first row, if any. The statement
/// runs to its end: the other rows are read past as they arrive, which
/// gives the connection back in a known state.
pub(crate) async fn fetch_first<E: Executor + ?Sized, T>(
    exec: &E,
    built: Built<'_>,
    decode: impl FnOnce(&Row) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    let mut decode = Some(decode);
    let mut first = None;
    each_row(exec, &built, |row| {
        if let Some(decode) = decode.take() {
            first = Some(decode(row)?);
        }
        Ok(())
    })
    .await?;
    Ok(first)
}

/// Runs one statement and returns how many rows it affected.
pub(crate) async fn execute<E: Executor + ?Sized>(
    exec: &E,
    built: &Built<'_>,
) -> Result<u64, Error> {
    let span = query_span(built.sql());
    let counted = span.clone();
    async move {
        let (conn, prepared) = start(exec, built).await?;
        let n = conn.execute(built.sql(), &prepared, &built.params).await;
        let n = n.map_err(|err| culprit::name_target(err, built, prepared.param_types()))?;
        counted.record("rows", n);
        Ok(n)
    }
    .instrument(span)
    .await
}

/// Starts one statement and returns its rows as they arrive. The
/// connection is held until the stream is dropped; the statement's span
/// stays open until then too, and gets the row count at the end.
pub(crate) async fn stream_rows<'e, E: Executor + ?Sized>(
    exec: &'e E,
    built: &Built<'_>,
) -> Result<Rows<'e>, Error> {
    let span = query_span(built.sql());
    // The span the rows keep, taken here rather than asked of the
    // dispatcher (`Span::current`) once inside it.
    let rows_span = span.clone();
    async move {
        let (conn, _, rows) = start_rows!(exec, built);
        Ok(Rows {
            conn,
            rows: Box::pin(rows),
            ended: false,
            count: 0,
            span: rows_span,
        })
    }
    .instrument(span)
    .await
}

/// Rows arriving from the server, holding the connection they come on.
pub(crate) struct Rows<'a> {
    conn: Acquired<'a>,
    rows: Pin<Box<RowStream>>,
    /// The last row came (or an error): the stream ends for good.
    ended: bool,
    count: usize,
    /// The statement's span, which records the row count at the end.
    span: tracing::Span,
}

impl Rows<'_> {
    /// The stream failed: the statement is over, the connection's state
    /// known again.
    fn failed(&mut self, err: tokio_postgres::Error) -> Error {
        self.ended = true;
        self.conn.done();
        self.conn.failed(err)
    }

    /// The last row came: the statement is over, the connection's state
    /// known again.
    fn finished(&mut self) {
        self.ended = true;
        self.conn.done();
        self.span.record("rows", self.count);
    }
}

impl Stream for Rows<'_> {
    type Item = Result<Row, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        match this.rows.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(row))) => {
                this.count += 1;
                Poll::Ready(Some(Ok(row)))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(this.failed(err)))),
            Poll::Ready(None) => {
                this.finished();
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The first row, or [`Error::NotFound`].
pub(crate) fn one(rows: Vec<Row>, table: &'static TableDef) -> Result<Row, Error> {
    rows.into_iter()
        .next()
        .ok_or(Error::NotFound { table: table.name })
}

#[cfg(test)]
mod tests {
    use super::Built;
    use crate::schema::{ColumnDef, TableDef};
    use crate::typename::SqlTypeName;

    const COLUMNS: [ColumnDef; 1] =
        [
            ColumnDef::new("id", "id", SqlTypeName::builtin("integer"), false)
                .qualified("\"users\".\"id\""),
        ];
    /// As the macro writes a table: its names quoted once.
    const USERS: TableDef =
        TableDef::new("users", &COLUMNS).quoted("\"users\"", "\"id\"", "\"users\".\"id\"");
    /// The same columns under a table moved to another schema.
    const MOVED: TableDef = USERS.schema("elsewhere");

    fn written(write: impl FnOnce(&mut Built<'_>)) -> String {
        let mut w = Built::new();
        write(&mut w);
        w.sql().to_owned()
    }

    #[test]
    fn quoted_names_are_copied_only_under_the_table_they_were_written_for() {
        assert_eq!(written(|w| w.table(&USERS)), "\"users\"");
        assert_eq!(
            written(|w| w.column(&USERS, &COLUMNS[0])),
            "\"users\".\"id\""
        );
        assert_eq!(written(|w| w.table(&MOVED)), "\"elsewhere\".\"users\"");
        assert_eq!(
            written(|w| w.column(&MOVED, &COLUMNS[0])),
            "\"elsewhere\".\"users\".\"id\""
        );
        assert_eq!(written(|w| w.column_list(&USERS, true)), "\"users\".\"id\"");
        assert_eq!(written(|w| w.column_list(&MOVED, false)), "\"id\"");
        assert_eq!(
            written(|w| w.column_list(&MOVED, true)),
            "\"elsewhere\".\"users\".\"id\""
        );
    }
}
