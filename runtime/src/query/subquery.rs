//! Subqueries: `IN (SELECT …)`, `EXISTS (SELECT …)` and a scalar
//! `(SELECT …)` in a selection, uncorrelated or correlated with the outer
//! query.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::query::exists;
//!
//! #[table(name = "users")]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub email: String,
//! }
//!
//! #[table(name = "posts")]
//! pub struct Post {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     #[column(references = User::ID)]
//!     pub author_id: i64,
//!     pub published: bool,
//! }
//!
//! // Authors of a published post, two ways.
//! let a = User::select().filter(User::ID.is_in(
//!     Post::select_columns(Post::AUTHOR_ID).filter(Post::PUBLISHED.eq(true)),
//! ));
//! let b = User::select().filter(exists(
//!     Post::select()
//!         .correlate::<User>()
//!         .filter(Post::AUTHOR_ID.eq(User::ID).and(Post::PUBLISHED.eq(true))),
//! ));
//! assert_eq!(
//!     b.to_sql(),
//!     r#"SELECT "id", "email" FROM "users" WHERE EXISTS (SELECT "id", "author_id", "published" FROM "posts" WHERE ("posts"."author_id" = "users"."id" AND "posts"."published" = $1))"#
//! );
//! ```

use std::marker::PhantomData;

use tokio_postgres::Row;

use super::Built;
use postgres_types::ToSql;

use super::expr::{Expr, Node, NodeKind, Operand, ValueExpr};
use super::fragment::Raw;
use super::select::{Select, Selection};
use super::shape::{Left, Right, Within};
use crate::error::Error;
use crate::sql::BinaryOp;
use crate::table::Table;

/// The source of a correlated subquery: table `T`, whose conditions may
/// also use the columns of `Outer`, a table of the enclosing query.
pub struct Correlated<T, Outer>(PhantomData<fn() -> (T, Outer)>);

impl<T, Outer, X, I> Within<Correlated<T, Outer>, Left<I>> for X where X: Table + Within<T, I> {}

impl<T, Outer> Within<Correlated<T, Outer>, Right> for Outer {}

/// The selection of a correlated subquery: that of the inner table.
#[doc(hidden)]
pub struct Correlate<S>(S);

impl<T, Outer, S: Selection<T>> Selection<Correlated<T, Outer>> for Correlate<S> {
    type Output = S::Output;

    fn width(&self) -> usize {
        self.0.width()
    }

    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
        self.0.write(out, qualified);
    }

    fn decode_at(&self, row: &Row, offset: usize) -> Result<S::Output, Error> {
        self.0.decode_at(row, offset)
    }
}

impl<T: Table, S: Selection<T>> Select<T, S> {
    /// Lets this query's conditions use the columns of `Outer`, the table
    /// of the query it will be a subquery of: `Post::AUTHOR_ID.eq(User::ID)`.
    pub fn correlate<Outer: Table>(self) -> Select<Correlated<T, Outer>, Correlate<S>> {
        self.map_selection(Correlate)
    }
}

/// How a subquery writes itself: `(SELECT …)`.
#[doc(hidden)]
pub trait WriteSubquery: Send + Sync {
    /// Writes it, in parentheses.
    fn write_subquery<'a>(&'a self, out: &mut Built<'a>);
}

impl<Src: 'static, S: Selection<Src> + 'static> WriteSubquery for Select<Src, S> {
    fn write_subquery<'a>(&'a self, out: &mut Built<'a>) {
        out.push("(");
        self.write_select(out);
        out.push(")");
    }
}

/// A select used inside another statement, and the outer table it is
/// correlated with ([`Raw`] when it stands alone).
pub trait Subquery: WriteSubquery + 'static {
    /// The outer query's table it uses, or [`Raw`].
    type Outer;
    /// The Rust value of its rows.
    type Output;
}

impl<T: Table, S: Selection<T> + 'static> Subquery for Select<T, S> {
    type Outer = Raw;
    type Output = S::Output;
}

impl<T: Table, Outer: Table, S: Selection<T> + 'static> Subquery
    for Select<Correlated<T, Outer>, Correlate<S>>
{
    type Outer = Outer;
    type Output = S::Output;
}

fn node(query: impl Subquery) -> Node {
    Node(NodeKind::Subquery(Box::new(query)))
}

/// `EXISTS (query)`: the query finds a row.
pub fn exists<Q: Subquery>(query: Q) -> Expr<Q::Outer> {
    Expr::new(Node(NodeKind::Exists(false, Box::new(query))))
}

/// `NOT EXISTS (query)`: the query finds no row.
pub fn not_exists<Q: Subquery>(query: Q) -> Expr<Q::Outer> {
    Expr::new(Node(NodeKind::Exists(true, Box::new(query))))
}

impl<T: Table, S: Selection<T> + 'static> Select<T, S> {
    /// `(SELECT …)` as a value: a query of one column and at most one row
    /// (NULL when there is none), for a selection or a comparison.
    pub fn scalar(self) -> ValueExpr<Raw, Option<S::Output>> {
        ValueExpr::new(node(self))
    }
}

impl<T: Table, Outer: Table, S: Selection<T> + 'static> Select<Correlated<T, Outer>, Correlate<S>> {
    /// `(SELECT …)` as a value of the outer table's rows: one column, at
    /// most one row (NULL when there is none).
    pub fn scalar(self) -> ValueExpr<Outer, Option<S::Output>> {
        ValueExpr::new(node(self))
    }
}

/// What `is_in` and `not_in` take: values (sent as one array parameter,
/// `= ANY($1)`), or a subquery of one column of the same type
/// (`IN (SELECT …)`).
#[diagnostic::on_unimplemented(
    message = "`is_in` takes values of the column's type `{V}`, or a subquery selecting one column of that type",
    label = "not a list of `{V}` values or a subquery",
    note = "pass a Vec or array of values, or `Other::select_columns(Other::COLUMN)`"
)]
pub trait InValues<S, V> {
    /// The tables the condition uses.
    type Shape;

    /// The operator and the right-hand side.
    #[doc(hidden)]
    fn into_in(self, negated: bool) -> (BinaryOp, Node);
}

impl<S, V, I> InValues<S, V> for I
where
    I: IntoIterator,
    I::Item: Operand<S, V> + ToSql + Send + Sync + 'static,
{
    type Shape = S;

    fn into_in(self, negated: bool) -> (BinaryOp, Node) {
        let values: Vec<I::Item> = self.into_iter().collect();
        let op = if negated {
            BinaryOp::NeAll
        } else {
            BinaryOp::EqAny
        };
        (op, Node::param(values))
    }
}

impl<S, V, Src, Sel> InValues<S, V> for Select<Src, Sel>
where
    Select<Src, Sel>: Subquery<Output = V>,
{
    type Shape = (S, <Select<Src, Sel> as Subquery>::Outer);

    fn into_in(self, negated: bool) -> (BinaryOp, Node) {
        let op = if negated {
            BinaryOp::NotIn
        } else {
            BinaryOp::In
        };
        (op, node(self))
    }
}
