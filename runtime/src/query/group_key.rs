//! What `group_by` takes: a column, a computed value, an aliased column or
//! an `sql!` fragment of the tables a query reads.

use super::alias::AliasColumn;
use super::expr::{Expr, Node, ValueExpr};
use super::fragment::{Raw, SqlArg};
use super::shape::Within;
use crate::table::{Column, Table};

/// What `group_by` takes: a column, a computed value, an aliased column
/// or an `sql!` fragment, of the tables the query reads.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot group a query over `{Src}`",
    label = "not a column or value of a table this query reads",
    note = "group by a column (`User::EMAIL`), a computed value or an `sql!` fragment of the queried or joined tables"
)]
pub trait GroupKey<Src, I> {
    /// The key's node.
    #[doc(hidden)]
    fn into_key(self) -> Node;
}

impl<Src, T: Table + Within<Src, I>, V, I> GroupKey<Src, I> for Column<T, V> {
    fn into_key(self) -> Node {
        Node::column(self)
    }
}

impl<Src, S: Within<Src, I>, V, I> GroupKey<Src, I> for ValueExpr<S, V> {
    fn into_key(self) -> Node {
        self.into_node()
    }
}

impl<Src, S: Within<Src, I>, V, I> GroupKey<Src, I> for AliasColumn<S, V> {
    fn into_key(self) -> Node {
        SqlArg::into_arg(self)
    }
}

impl<Src, I> GroupKey<Src, I> for Expr<Raw>
where
    Raw: Within<Src, I>,
{
    fn into_key(self) -> Node {
        self.node
    }
}
