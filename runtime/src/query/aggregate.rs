//! Aggregates: `count`, `sum`, `avg`, `min`, `max`, for `select_columns`
//! with `group_by` and `having`.

use super::expr::Node;
use super::expr::{Numeric, Ordered, ValueExpr, call};
use crate::table::{Column, Table};

/// Aggregates, for `select_columns` with `group_by` and `having`.
impl<T: Table, V> Column<T, V> {
    /// `count(column)`: the rows where the column is not NULL.
    pub fn count(self) -> ValueExpr<T, i64> {
        ValueExpr::new(call("count", false, Some(Node::column(self)), None))
    }

    /// `count(DISTINCT column)`.
    pub fn count_distinct(self) -> ValueExpr<T, i64> {
        ValueExpr::new(call("count", true, Some(Node::column(self)), None))
    }

    /// `sum(column)`; `None` when there are no rows.
    pub fn sum(self) -> ValueExpr<T, Option<V::Sum>>
    where
        V: Numeric,
    {
        ValueExpr::new(call("sum", false, Some(Node::column(self)), V::SUM_CAST))
    }

    /// `avg(column)`; `None` when there are no rows.
    pub fn avg(self) -> ValueExpr<T, Option<V::Avg>>
    where
        V: Numeric,
    {
        ValueExpr::new(call("avg", false, Some(Node::column(self)), V::AVG_CAST))
    }

    /// `min(column)`; `None` when there are no rows.
    pub fn min(self) -> ValueExpr<T, V::Nullable>
    where
        V: Ordered,
    {
        ValueExpr::new(call("min", false, Some(Node::column(self)), None))
    }

    /// `max(column)`; `None` when there are no rows.
    pub fn max(self) -> ValueExpr<T, V::Nullable>
    where
        V: Ordered,
    {
        ValueExpr::new(call("max", false, Some(Node::column(self)), None))
    }
}

/// `count(*)` over the rows of table `T`: `pgtable::count_all::<Post>()`.
pub fn count_all<T: Table>() -> ValueExpr<T, i64> {
    ValueExpr::new(call("count", false, None, None))
}
