//! What can stand on the right of an operator: `Operand`, implemented for
//! values, columns and computed values.

use crate::schema::{ColumnDef, TableDef};
use crate::sql::{BinaryOp, SharedText, SharedValue};
use crate::table::{Column, Table};
use crate::types::SqlType;

use super::expr::{Node, NodeKind, ValueExpr};

/// A value that can stand where a column of Rust type `V` is expected, in
/// an expression of shape `T` (see [`Within`](super::Within)): a value of
/// type `V` (or of its inner type when `V` is an `Option`), a `&str` for a
/// text column, a column of the same type (of any table; the shape records
/// it), or a computed [`ValueExpr`].
#[diagnostic::on_unimplemented(
    message = "a `{V}` column cannot be compared with or set to `{Self}`",
    label = "expected a value of the column's type `{V}`",
    note = "pass a value of the column's Rust type (an `Option` column also takes its inner type, a `String` column takes `&str`), or a column of the same type"
)]
pub trait Operand<T, V> {
    /// The tables the expression uses once this operand is added.
    type Shape;

    /// The expression node.
    #[doc(hidden)]
    fn into_node(self) -> Node;

    /// `"table"."column" <op> self`, as one node: a value or a column
    /// written straight into the node that compares it, without the
    /// operand's own node first.
    #[doc(hidden)]
    fn after_column(
        self,
        table: &'static TableDef,
        column: &'static ColumnDef,
        op: BinaryOp,
    ) -> Node
    where
        Self: Sized,
    {
        Node::binary(
            Node(NodeKind::Column { table, column }),
            op,
            self.into_node(),
        )
    }
}

macro_rules! value_operand {
    ($([$($gen:tt)*] $self_ty:ty => $v:ty, |$value:ident| $node:expr;)*) => {
        $(
            impl<$($gen)*> Operand<T, $v> for $self_ty {
                type Shape = T;

                fn into_node(self) -> Node {
                    let $value = self;
                    Node::param($node)
                }

                fn after_column(
                    self,
                    table: &'static TableDef,
                    column: &'static ColumnDef,
                    op: BinaryOp,
                ) -> Node {
                    let $value = self;
                    Node(NodeKind::ColumnValue { table, column, op, value: SharedValue::new($node) })
                }
            }
        )*
    };
}

value_operand! {
    [T, V: SqlType + 'static] V => V, |v| v;
    [T, V: SqlType + 'static] V => Option<V>, |v| v;
    ['a, T, V: SqlType + 'static] &'a V => V, |v| v.clone();
    ['a, T, V: SqlType + 'static] &'a V => Option<V>, |v| v.clone();
    ['a, T] &'a str => String, |v| SharedText::from(v);
    ['a, T] &'a str => Option<String>, |v| SharedText::from(v);
}

macro_rules! column_operand {
    ($($col:ty => $v:ty;)*) => {
        $(
            impl<T, U: Table, V> Operand<T, $v> for Column<U, $col> {
                type Shape = (T, U);

                fn into_node(self) -> Node {
                    Node::column(self)
                }

                fn after_column(
                    self,
                    table: &'static TableDef,
                    column: &'static ColumnDef,
                    op: BinaryOp,
                ) -> Node {
                    Node(NodeKind::ColumnColumn {
                        lhs: (table, column),
                        op,
                        rhs: (U::table(), self.def()),
                    })
                }
            }
        )*
    };
}

// A column compares with a column of the same type, of this table or
// another (a join condition); a nullable one with a non-null one either way.
column_operand! {
    V => V;
    V => Option<V>;
    Option<V> => V;
}

impl<T, S, V> Operand<T, V> for ValueExpr<S, V> {
    type Shape = (T, S);

    fn into_node(self) -> Node {
        self.into_node()
    }
}
