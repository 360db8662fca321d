//! Filtering and counting by a relation, without loading it: Drizzle's
//! most-asked relational features.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::relations::HasMany;
//!
//! #[table(name = "users")]
//! #[derive(Debug, Clone)]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//! }
//!
//! #[table(name = "posts")]
//! #[derive(Debug, Clone)]
//! pub struct Post {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     #[column(references = User::ID)]
//!     pub author_id: i64,
//!     pub published: bool,
//! }
//!
//! impl User {
//!     pub fn posts() -> HasMany<User, Post, i64, i64> {
//!         HasMany::new(User::ID, Post::AUTHOR_ID)
//!     }
//! }
//!
//! // Users with a published post, each with how many posts they have.
//! let query = User::select()
//!     .filter(User::posts().any(Post::PUBLISHED.eq(true)))
//!     .with_count(User::posts());
//! assert_eq!(
//!     query.to_sql(),
//!     r#"SELECT "id", (SELECT count(*) FROM "posts" WHERE "posts"."author_id" = "users"."id") FROM "users" WHERE EXISTS (SELECT "id", "author_id", "published" FROM "posts" WHERE ("posts"."author_id" = "users"."id" AND "posts"."published" = $1))"#
//! );
//! ```

use tokio_postgres::Row;

use super::{BelongsTo, ForeignKey, HasMany, Key, ManyToMany};
use crate::error::Error;
use crate::query::{
    All, Built, Correlate, Correlated, Expr, Node, Select, Selection, TableQueries, ValueExpr,
    Within, count_all, exists, not_exists,
};
use crate::sql::BinaryOp;
use crate::table::Table;

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, N, L> HasMany<P, C, K, V, N, L> {
    /// The related rows of the outer query's row: a correlated select.
    fn of_outer_row<S>(&self, select: Select<C, S>) -> Select<Correlated<C, P>, Correlate<S>>
    where
        S: Selection<C>,
    {
        select.correlate::<P>().filter_node(Node::binary(
            Node::column(self.foreign_key),
            BinaryOp::Eq,
            Node::column(self.key),
        ))
    }

    /// The rows with at least one related row matching `condition`:
    /// `EXISTS (SELECT … WHERE fk = key AND condition)`.
    pub fn any<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        exists(self.of_outer_row(C::select()).filter_node(condition.node))
    }

    /// The rows with no related row matching `condition`:
    /// `NOT EXISTS (…)`.
    pub fn none<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        not_exists(self.of_outer_row(C::select()).filter_node(condition.node))
    }

    /// How many related rows each row has, as a value of the outer row:
    /// `(SELECT count(*) FROM … WHERE fk = key)`, for `select_columns`,
    /// `order_by` or a filter.
    pub fn count(&self) -> ValueExpr<P, i64> {
        let counted = self.of_outer_row(C::select_columns(count_all::<C>()));
        ValueExpr::new(Node::subquery(counted))
    }
}

impl<P: Table, C: Table, V: ForeignKey<K>, K: Key, N, L> BelongsTo<P, C, V, K, N, L> {
    /// The related row of the outer query's row: a correlated select.
    fn of_outer_row(&self) -> Select<Correlated<C, P>, Correlate<All>> {
        C::select().correlate::<P>().filter_node(Node::binary(
            Node::column(self.key),
            BinaryOp::Eq,
            Node::column(self.foreign_key),
        ))
    }

    /// The rows whose related row matches `condition`:
    /// `EXISTS (SELECT … WHERE key = fk AND condition)`, e.g. posts by an
    /// author named Ann.
    pub fn any<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        exists(self.of_outer_row().filter_node(condition.node))
    }

    /// The rows without a related row matching `condition` (including
    /// those whose foreign key is NULL): `NOT EXISTS (…)`.
    pub fn none<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        not_exists(self.of_outer_row().filter_node(condition.node))
    }
}

/// Whole rows, each with a count beside it: `.with_count(User::posts())`.
#[doc(hidden)]
pub struct WithCount<S> {
    rows: S,
    count: Node,
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key, N, S> ManyToMany<P, J, C, K, L, N, S> {
    /// The links of the outer query's row: a correlated select of `J`.
    fn links_of_outer_row<X>(&self, select: Select<J, X>) -> Select<Correlated<J, P>, Correlate<X>>
    where
        X: Selection<J>,
    {
        select.correlate::<P>().filter_node(Node::binary(
            Node::column(self.from),
            BinaryOp::Eq,
            Node::column(self.key),
        ))
    }

    /// The related rows of the outer query's row: those its links point to.
    fn of_outer_row(&self) -> Select<Correlated<C, P>, Correlate<All>> {
        let targets = self.links_of_outer_row(J::select_columns(self.to));
        C::select().correlate::<P>().filter_node(Node::binary(
            Node::column(self.target),
            BinaryOp::In,
            Node::subquery(targets),
        ))
    }

    /// The rows linked to at least one related row matching `condition`:
    /// `EXISTS (SELECT … WHERE target IN (SELECT to FROM link WHERE from =
    /// key) AND condition)`.
    pub fn any<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        exists(self.of_outer_row().filter_node(condition.node))
    }

    /// The rows linked to no related row matching `condition`:
    /// `NOT EXISTS (…)`.
    pub fn none<X, I>(&self, condition: Expr<X>) -> Expr<P>
    where
        X: Within<C, I>,
    {
        not_exists(self.of_outer_row().filter_node(condition.node))
    }

    /// How many rows each row is linked to, as a value of the outer row:
    /// `(SELECT count(*) FROM link WHERE from = key)`.
    pub fn count(&self) -> ValueExpr<P, i64> {
        let counted = self.links_of_outer_row(J::select_columns(count_all::<J>()));
        ValueExpr::new(Node::subquery(counted))
    }
}

/// A relation whose related rows can be counted per row of `P`: what
/// `with_count` takes.
pub trait Counted<P> {
    /// The count, as a value of the outer row.
    #[doc(hidden)]
    fn count_node(&self) -> Node;
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, N, S> Counted<P> for HasMany<P, C, K, V, N, S> {
    fn count_node(&self) -> Node {
        self.count().into_node()
    }
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key, N, S> Counted<P>
    for ManyToMany<P, J, C, K, L, N, S>
{
    fn count_node(&self) -> Node {
        self.count().into_node()
    }
}

impl<T: Table> Select<T> {
    /// Each row with the number of its related rows (of a `HasMany` or
    /// `ManyToMany`), counted by the server without loading them:
    /// `(User, i64)` rows.
    pub fn with_count<R: Counted<T>>(self, relation: R) -> Select<T, WithCount<All>> {
        let count = relation.count_node();
        self.map_selection(|rows| WithCount { rows, count })
    }
}

impl<T: Table, S: Selection<T>> Selection<T> for WithCount<S> {
    type Output = (S::Output, i64);

    fn width(&self) -> usize {
        self.rows.width() + 1
    }

    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
        self.rows.write(out, qualified);
        out.push(", ");
        out.node(&self.count);
    }

    fn decode_at(&self, row: &Row, offset: usize) -> Result<Self::Output, Error> {
        let rows = self.rows.decode_at(row, offset)?;
        let at = offset + self.rows.width();
        let count = row.try_get::<_, i64>(at).map_err(|source| {
            crate::error::decode_error(row, at, T::table().name, "(count)", "i64", source)
        })?;
        Ok((rows, count))
    }
}
