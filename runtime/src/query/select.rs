//! `SELECT`: whole rows, chosen columns, counts and existence.

use std::marker::PhantomData;

use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use tokio_postgres::Row;

use super::expr::{Expr, Node, Order, and_into};
use super::{Built, fetch_rows, one, stream_rows};
use crate::db::Executor;
use crate::error::Error;
use crate::table::{Column, Table};
use crate::types::SqlType;

/// What a select returns per row: the whole row ([`All`]), one column, or
/// a tuple of columns.
pub trait Selection<T>: Send + Sync {
    /// The Rust value of one row.
    type Output: Send;

    /// Writes the select list.
    #[doc(hidden)]
    fn write(&self, out: &mut Built<'_>);

    /// Decodes one row.
    #[doc(hidden)]
    fn decode(&self, row: &Row) -> Result<Self::Output, Error>;
}

/// Every column of the table, decoded into the table's struct.
#[derive(Clone, Copy, Debug, Default)]
pub struct All;

impl<T: Table> Selection<T> for All {
    type Output = T;

    fn write(&self, out: &mut Built<'_>) {
        out.column_list(T::table());
    }

    fn decode(&self, row: &Row) -> Result<T, Error> {
        T::from_row(row)
    }
}

fn decode_column<T: Table, V: SqlType>(
    column: &Column<T, V>,
    row: &Row,
    at: usize,
) -> Result<V, Error> {
    V::__decode(
        row,
        at,
        T::table(),
        column.index(),
        std::any::type_name::<V>(),
    )
}

impl<T: Table, V: SqlType> Selection<T> for Column<T, V> {
    type Output = V;

    fn write(&self, out: &mut Built<'_>) {
        out.ident(self.name());
    }

    fn decode(&self, row: &Row) -> Result<V, Error> {
        decode_column(self, row, 0)
    }
}

macro_rules! tuple_selection {
    ($($v:ident $i:tt),+) => {
        impl<T: Table, $($v: SqlType),+> Selection<T> for ($(Column<T, $v>,)+) {
            type Output = ($($v,)+);

            fn write(&self, out: &mut Built<'_>) {
                $(
                    if $i > 0 {
                        out.push(", ");
                    }
                    out.ident(self.$i.name());
                )+
            }

            fn decode(&self, row: &Row) -> Result<Self::Output, Error> {
                Ok(($(decode_column(&self.$i, row, $i)?,)+))
            }
        }
    };
}

tuple_selection!(A 0);
tuple_selection!(A 0, B 1);
tuple_selection!(A 0, B 1, C 2);
tuple_selection!(A 0, B 1, C 2, D 3);
tuple_selection!(A 0, B 1, C 2, D 3, E 4);
tuple_selection!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_selection!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_selection!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A `SELECT` on table `T`, returning `S` per row.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "users")]
/// pub struct User {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub email: String,
///     pub age: Option<i32>,
/// }
///
/// let query = User::select()
///     .filter(User::EMAIL.like("%@x.io").and(User::AGE.ge(18)))
///     .order_by(User::ID.desc())
///     .limit(10);
/// assert_eq!(
///     query.to_sql(),
///     r#"SELECT "id", "email", "age" FROM "users" WHERE ("users"."email" LIKE $1 AND "users"."age" >= $2) ORDER BY "users"."id" DESC LIMIT $3"#
/// );
/// ```
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Select<T, S = All> {
    selection: S,
    filter: Option<Node>,
    order: Vec<Order<T>>,
    limit: Option<i64>,
    offset: Option<i64>,
    for_update: bool,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table, S: Selection<T>> Select<T, S> {
    pub(crate) fn new(selection: S) -> Self {
        Select {
            selection,
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            for_update: false,
            _table: PhantomData,
        }
    }

    /// Keeps the rows matching `condition`; called again, both must match.
    pub fn filter(mut self, condition: Expr<T>) -> Self {
        and_into(&mut self.filter, condition);
        self
    }

    /// Orders by a column (ascending) or `column.asc()` / `.desc()`; called
    /// again, adds a further key.
    pub fn order_by(mut self, order: impl Into<Order<T>>) -> Self {
        self.order.push(order.into());
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: i64) -> Self {
        self.offset = Some(n);
        self
    }

    /// Locks the selected rows until the transaction ends (`FOR UPDATE`).
    pub fn for_update(mut self) -> Self {
        self.for_update = true;
        self
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.build().sql
    }

    fn build(&self) -> Built<'_> {
        let mut out = Built::new();
        out.push("SELECT ");
        self.selection.write(&mut out);
        self.write_from(&mut out, true);
        out
    }

    /// ` FROM … WHERE … ORDER BY … LIMIT … OFFSET … FOR UPDATE`.
    fn write_from<'a>(&'a self, out: &mut Built<'a>, ordered: bool) {
        out.push(" FROM ");
        out.table(T::table());
        out.filter(self.filter.as_ref());
        if ordered && !self.order.is_empty() {
            out.push(" ORDER BY ");
            for (i, order) in self.order.iter().enumerate() {
                if i > 0 {
                    out.push(", ");
                }
                out.node(&order.node);
                out.push(" ");
                out.push(order.direction);
            }
        }
        if let Some(limit) = &self.limit {
            out.push(" LIMIT ");
            out.param(limit);
        }
        if let Some(offset) = &self.offset {
            out.push(" OFFSET ");
            out.param(offset);
        }
        if self.for_update {
            out.push(" FOR UPDATE");
        }
    }

    /// Every matching row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        let rows = fetch_rows(exec, &self.build()).await?;
        rows.iter().map(|row| self.selection.decode(row)).collect()
    }

    /// The first matching row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let rows = fetch_rows(exec, &self.build()).await?;
        self.selection.decode(&one(rows, T::table())?)
    }

    /// The first matching row, if any.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        let rows = fetch_rows(exec, &self.build()).await?;
        rows.first()
            .map(|row| self.selection.decode(row))
            .transpose()
    }

    /// The matching rows as a stream, decoded as they arrive: for results
    /// too large to hold at once. The connection is held until the stream
    /// ends or is dropped.
    pub fn fetch_stream<'e, E: Executor + ?Sized>(
        self,
        exec: &'e E,
    ) -> impl Stream<Item = Result<S::Output, Error>> + Send + 'e
    where
        S: 'e,
        T: 'e,
    {
        let selection_query = self;
        stream::once(async move {
            let rows = stream_rows(exec, selection_query.build()).await?;
            Ok::<_, Error>(
                rows.map(move |row| row.and_then(|row| selection_query.selection.decode(&row))),
            )
        })
        .try_flatten()
    }

    /// How many rows match (ignoring the order; within the limit and offset, if set).
    pub async fn count<E: Executor + ?Sized>(self, exec: &E) -> Result<i64, Error> {
        let mut out = Built::new();
        if self.limit.is_some() || self.offset.is_some() {
            out.push("SELECT count(*) FROM (SELECT 1");
            self.write_from(&mut out, true);
            out.push(") AS \"counted\"");
        } else {
            out.push("SELECT count(*)");
            self.write_from(&mut out, false);
        }
        let rows = fetch_rows(exec, &out).await?;
        Ok(one(rows, T::table())?.try_get(0)?)
    }

    /// Whether any row matches.
    pub async fn exists<E: Executor + ?Sized>(self, exec: &E) -> Result<bool, Error> {
        let mut out = Built::new();
        out.push("SELECT EXISTS (SELECT 1");
        self.write_from(&mut out, false);
        out.push(")");
        let rows = fetch_rows(exec, &out).await?;
        Ok(one(rows, T::table())?.try_get(0)?)
    }
}
