//! SQL fragments (`sql!`, Drizzle's `` sql`…` ``): text written by the
//! user, with columns, expressions and values put in where it says `{}`.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::sql;
//!
//! #[table(name = "posts")]
//! pub struct Post {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub title: String,
//!     pub metadata: serde_json::Value,
//! }
//!
//! let query = Post::select()
//!     .filter(sql!("{} ->> 'source' = {}", Post::METADATA, "cli"))
//!     .order_by(sql!("length({})", Post::TITLE).desc());
//! assert_eq!(
//!     query.to_sql(),
//!     r#"SELECT "id", "title", "metadata" FROM "posts" WHERE "posts"."metadata" ->> 'source' = $1 ORDER BY length("posts"."title") DESC"#
//! );
//! ```
//!
//! A column is written as its quoted, table-qualified name; an expression
//! or another fragment inline (parenthesized unless it is a single term);
//! any other value is a bind parameter, so no value can change the
//! statement. A fragment is not checked against the tables a query reads:
//! a column of a table the query does not read is an error from the
//! server, as in Drizzle.

use super::expr::{Expr, Node, NodeKind, Order, ValueExpr};
use super::shape::Within;
use crate::sql::Direction;
use crate::table::{Column, Table};
use crate::types::SqlType;

/// The shape of a fragment: it may stand in a query over any tables.
pub struct Raw;

/// How a fragment is found in a query's tables (inferred, never written).
#[doc(hidden)]
pub struct Unchecked;

impl<Source> Within<Source, Unchecked> for Raw {}

/// SQL text with columns, expressions and values in it, made by `sql!`:
/// a condition over any tables ([`Raw`]).
///
/// Untyped, it is a condition where one is expected (`filter`, `having`),
/// an ordering key (`order_by`), and a value of any type (`set`,
/// comparisons). [`typed`](Expr::typed) gives it a Rust type, for a
/// selection or a typed comparison.
pub type SqlFragment = Expr<Raw>;

impl Expr<Raw> {
    /// The fragment with `pieces` of text, to be followed by one argument
    /// between each two (what `sql!` writes).
    #[doc(hidden)]
    pub fn __new(pieces: &'static [&'static str]) -> Self {
        Expr::new(Node(NodeKind::Fragment {
            pieces,
            args: Vec::with_capacity(pieces.len().saturating_sub(1)),
        }))
    }

    /// Adds the next argument (what `sql!` writes).
    #[doc(hidden)]
    pub fn __arg(mut self, arg: impl SqlArg) -> Self {
        if let NodeKind::Fragment { args, .. } = &mut self.node.0 {
            args.push(arg.into_arg());
        }
        self
    }

    /// The fragment as a value of Rust type `V`: it decodes as `V` in
    /// `select_columns` and compares with `V` values.
    pub fn typed<V: SqlType>(self) -> ValueExpr<Raw, V> {
        ValueExpr::new(self.node)
    }

    /// Ascending order on this fragment.
    pub fn asc(self) -> Order<Raw> {
        Order::new(self.node, Direction::Asc)
    }

    /// Descending order on this fragment.
    pub fn desc(self) -> Order<Raw> {
        Order::new(self.node, Direction::Desc)
    }
}

impl From<SqlFragment> for Order<Raw> {
    fn from(fragment: SqlFragment) -> Self {
        fragment.asc()
    }
}

/// What `sql!` puts where its text says `{}`: a column, an expression, a
/// fragment, a placeholder, or a value (bound as a parameter).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be put in an `sql!` fragment",
    label = "not a column, expression, fragment or value",
    note = "pass a column (`User::EMAIL`), an expression, another `sql!` fragment, or a value of a type pgtable binds (a `SqlType`, or `&str`)"
)]
pub trait SqlArg {
    /// The node it writes.
    #[doc(hidden)]
    fn into_arg(self) -> Node;
}

impl<T: Table, V> SqlArg for Column<T, V> {
    fn into_arg(self) -> Node {
        Node::column(self)
    }
}

impl<S> SqlArg for Expr<S> {
    fn into_arg(self) -> Node {
        self.node
    }
}

impl<S, V> SqlArg for ValueExpr<S, V> {
    fn into_arg(self) -> Node {
        self.into_node()
    }
}

impl<V: SqlType + 'static> SqlArg for V {
    fn into_arg(self) -> Node {
        Node::param(self)
    }
}

impl SqlArg for &str {
    fn into_arg(self) -> Node {
        Node::param(crate::sql::SharedText::from(self))
    }
}

impl SqlArg for &String {
    fn into_arg(self) -> Node {
        Node::param(self.clone())
    }
}

/// A fragment stands for a value of any column type (an untyped `sql!`
/// is what Drizzle's `sql` is: unknown to the type checker).
impl<T, V> super::expr::Operand<T, V> for SqlFragment {
    type Shape = Raw;

    fn into_node(self) -> Node {
        self.node
    }
}
