//! Typed SQL expressions: conditions (`Expr<T>`), values (`ValueExpr<T, V>`)
//! and orderings, built from column constants.
//!
//! The table `T` and the Rust type `V` are carried in the types, so a
//! condition on another table's column, or a comparison with a value of
//! another type, does not compile. Every value becomes a bind parameter.

use std::marker::PhantomData;

use postgres_types::ToSql;

use super::alias::AliasColumn;
use super::subquery::InValues;
use crate::schema::{ColumnDef, TableDef};
use crate::sql::{BinaryOp, Direction, Logic, PostfixOp, SharedValue};
use crate::table::{Column, Table};

pub use super::column_kinds::{Numeric, Ordered, Text};
pub use super::operand::Operand;

/// One node of an expression tree. Opaque; built through the typed API.
#[doc(hidden)]
pub struct Node(pub(crate) NodeKind);

pub(crate) enum NodeKind {
    /// `"table"."column"`.
    Column {
        table: &'static TableDef,
        column: &'static ColumnDef,
    },
    /// `"alias"."column"`: a column of an aliased table.
    AliasColumn {
        alias: &'static str,
        name: &'static str,
    },
    /// `excluded."column"`, in `ON CONFLICT … DO UPDATE`.
    Excluded(&'static str),
    Param(SharedValue),
    /// `lhs <op> rhs`, parenthesized when nested.
    Binary(Box<[Node; 2]>, BinaryOp),
    /// `"table"."column" <op> $n`: the commonest `Binary`, a column and a
    /// value, held without the allocation of its two operands.
    ColumnValue {
        table: &'static TableDef,
        column: &'static ColumnDef,
        op: BinaryOp,
        value: SharedValue,
    },
    /// `"a"."x" <op> "b"."y"`: two columns, as a join's condition compares
    /// them, held without the allocation of its two operands.
    ColumnColumn {
        lhs: (&'static TableDef, &'static ColumnDef),
        op: BinaryOp,
        rhs: (&'static TableDef, &'static ColumnDef),
    },
    /// `"table"."column" IS NULL` and the like: the commonest `Postfix`,
    /// held without the allocation of its operand.
    ColumnPostfix {
        table: &'static TableDef,
        column: &'static ColumnDef,
        op: PostfixOp,
    },
    /// Conditions joined by `AND` or `OR`.
    Group(Logic, Vec<Node>),
    Not(Box<Node>),
    /// `expr IS NULL` and the like.
    Postfix(Box<Node>, PostfixOp),
    Between(Box<Node>, Box<Node>, Box<Node>),
    /// A fixed SQL keyword such as `TRUE`.
    Literal(&'static str),
    /// `name(arg, …)`: a function call.
    Func {
        name: &'static str,
        args: Vec<Node>,
    },
    /// `(SELECT …)`.
    Subquery(Box<dyn super::subquery::WriteSubquery>),
    /// `EXISTS (SELECT …)`, or `NOT EXISTS` when negated.
    Exists(bool, Box<dyn super::subquery::WriteSubquery>),
    /// SQL text with arguments between its pieces: `sql!`.
    Fragment {
        pieces: &'static [&'static str],
        args: Vec<Node>,
    },
    /// A named value given when a prepared query runs.
    Placeholder {
        name: &'static str,
        /// The Rust type it takes, as a function rather than its `TypeId`
        /// and name, which would make every node larger.
        value_type: fn() -> (std::any::TypeId, &'static str),
    },
    /// `name([DISTINCT] args)`, optionally cast: `CAST(sum(x) AS bigint)`.
    Call {
        name: &'static str,
        distinct: bool,
        arg: Option<Box<Node>>,
        cast: Option<&'static str>,
    },
}

impl Node {
    pub(crate) fn column<T: Table, V>(column: Column<T, V>) -> Node {
        Node(NodeKind::Column {
            table: T::table(),
            column: column.def(),
        })
    }

    /// `(SELECT …)`.
    pub(crate) fn subquery(query: impl super::subquery::WriteSubquery + 'static) -> Node {
        Node(NodeKind::Subquery(Box::new(query)))
    }

    pub(crate) fn param<P: ToSql + Send + Sync + 'static>(value: P) -> Node {
        Node(NodeKind::Param(SharedValue::new(value)))
    }

    pub(crate) fn binary(lhs: Node, op: BinaryOp, rhs: Node) -> Node {
        Node(match (lhs.0, rhs.0) {
            (NodeKind::Column { table, column }, NodeKind::Param(value)) => NodeKind::ColumnValue {
                table,
                column,
                op,
                value,
            },
            (
                NodeKind::Column { table, column },
                NodeKind::Column {
                    table: rhs_table,
                    column: rhs_column,
                },
            ) => NodeKind::ColumnColumn {
                lhs: (table, column),
                op,
                rhs: (rhs_table, rhs_column),
            },
            (lhs, rhs) => NodeKind::Binary(Box::new([Node(lhs), Node(rhs)]), op),
        })
    }

    pub(crate) fn postfix(operand: Node, op: PostfixOp) -> Node {
        Node(match operand.0 {
            NodeKind::Column { table, column } => NodeKind::ColumnPostfix { table, column, op },
            operand => NodeKind::Postfix(Box::new(Node(operand)), op),
        })
    }
}

/// A condition over the tables of shape `S` (one table `T` for
/// `User::EMAIL.eq(..)`), for `filter` and join conditions.
#[must_use = "a condition does nothing until passed to `.filter(...)`"]
pub struct Expr<S> {
    pub(crate) node: Node,
    _shape: PhantomData<fn() -> S>,
}

impl<S> Expr<S> {
    pub(crate) fn new(node: Node) -> Self {
        Expr {
            node,
            _shape: PhantomData,
        }
    }

    /// Both conditions: `(a AND b)`.
    pub fn and<S2>(mut self, other: Expr<S2>) -> Expr<(S, S2)> {
        join_into(&mut self.node, Logic::And, other.node);
        Expr::new(self.node)
    }

    /// Either condition: `(a OR b)`.
    pub fn or<S2>(mut self, other: Expr<S2>) -> Expr<(S, S2)> {
        join_into(&mut self.node, Logic::Or, other.node);
        Expr::new(self.node)
    }

    /// Every condition: `(a AND b AND …)`, for filters built at run time.
    /// No condition at all is `TRUE`.
    pub fn all(conditions: impl IntoIterator<Item = Expr<S>>) -> Expr<S> {
        Expr::group(Logic::And, conditions)
    }

    /// Any of the conditions: `(a OR b OR …)`. No condition at all is `FALSE`.
    pub fn any(conditions: impl IntoIterator<Item = Expr<S>>) -> Expr<S> {
        Expr::group(Logic::Or, conditions)
    }

    fn group(op: Logic, conditions: impl IntoIterator<Item = Expr<S>>) -> Expr<S> {
        let nodes: Vec<Node> = conditions.into_iter().map(|c| c.node).collect();
        if nodes.is_empty() {
            return Expr::new(Node(NodeKind::Literal(op.empty())));
        }
        let mut nodes = nodes.into_iter();
        let mut all = nodes.next().expect("not empty");
        for node in nodes {
            join_into(&mut all, op, node);
        }
        Expr::new(all)
    }
}

/// `into <op> b`, in place, flattening nested groups of the same
/// operator: a group is extended where it lies rather than moved out and
/// rebuilt, which (timed, not counted) is the cheaper of the two, as a
/// node moved just after it is written makes the processor wait.
fn join_into(into: &mut Node, op: Logic, b: Node) {
    let items = match &mut into.0 {
        NodeKind::Group(o, items) if *o == op => items,
        _ => {
            // Room for the common chains of conditions: growing past 4
            // (a filter of 5 conditions) cost more than the 4 it adds.
            let group = Node(NodeKind::Group(op, Vec::with_capacity(8)));
            let first = std::mem::replace(into, group);
            let NodeKind::Group(_, items) = &mut into.0 else {
                unreachable!("a group was just put there")
            };
            items.push(first);
            items
        }
    };
    match b.0 {
        NodeKind::Group(o, more) if o == op => items.extend(more),
        node => items.push(Node(node)),
    }
}

/// Adds `condition` to a filter slot, AND-ed with what is there.
pub(crate) fn and_into(slot: &mut Option<Node>, condition: Node) {
    match slot {
        Some(existing) => join_into(existing, Logic::And, condition),
        None => *slot = Some(condition),
    }
}

/// The negated condition: `NOT (cond)`. Also written `!cond`.
pub fn not<S>(condition: Expr<S>) -> Expr<S> {
    Expr::new(Node(NodeKind::Not(Box::new(condition.node))))
}

impl<S> std::ops::Not for Expr<S> {
    type Output = Expr<S>;

    fn not(self) -> Expr<S> {
        not(self)
    }
}

/// A computed value of Rust type `V` over the tables of shape `S`, such as
/// `Post::VIEWS.add(1)`.
pub struct ValueExpr<S, V> {
    node: Node,
    _marker: PhantomData<fn() -> (S, V)>,
}

impl<S, V> ValueExpr<S, V> {
    /// Ascending order on this value (an aggregate, say).
    pub fn asc(self) -> Order<S> {
        Order::new(self.node, Direction::Asc)
    }

    /// Descending order on this value.
    pub fn desc(self) -> Order<S> {
        Order::new(self.node, Direction::Desc)
    }

    pub(crate) fn node(&self) -> &Node {
        &self.node
    }

    pub(crate) fn into_node(self) -> Node {
        self.node
    }

    pub(crate) fn new(node: Node) -> Self {
        ValueExpr {
            node,
            _marker: PhantomData,
        }
    }
}

/// The node of the left-hand side of an operator.
pub(crate) trait Lhs: Sized {
    fn lhs(self) -> Node;

    /// `self <op> rhs`.
    fn binary<T, V, R: Operand<T, V>>(self, op: BinaryOp, rhs: R) -> Node {
        Node::binary(self.lhs(), op, rhs.into_node())
    }
}

impl<T: Table, V> Lhs for Column<T, V> {
    fn lhs(self) -> Node {
        Node::column(self)
    }

    fn binary<U, W, R: Operand<U, W>>(self, op: BinaryOp, rhs: R) -> Node {
        rhs.after_column(T::table(), self.def(), op)
    }
}

impl<S, V> Lhs for ValueExpr<S, V> {
    fn lhs(self) -> Node {
        self.node
    }
}

/// The operators shared by columns and computed values. `$s` is the shape
/// of the left-hand side.
macro_rules! value_operators {
    ($ty:ident < $s:ident $(: $bound:path)? >) => {
        impl<$s $(: $bound)?, V> $ty<$s, V> {
            value_operators!(@compare $s;
                eq => Eq, "`self = rhs`";
                ne => Ne, "`self <> rhs`";
                gt => Gt, "`self > rhs`";
                ge => Ge, "`self >= rhs`";
                lt => Lt, "`self < rhs`";
                le => Le, "`self <= rhs`";
            );

            value_operators!(@arithmetic $s;
                add => Add, "`self + rhs`";
                sub => Sub, "`self - rhs`";
                mul => Mul, "`self * rhs`";
                div => Div, "`self / rhs`";
            );

            /// `self BETWEEN low AND high`.
            pub fn between<L, H>(self, low: L, high: H) -> Expr<(L::Shape, H::Shape)>
            where
                L: Operand<$s, V>,
                H: Operand<$s, V>,
            {
                Expr::new(Node(NodeKind::Between(
                    Box::new(self.lhs()),
                    Box::new(low.into_node()),
                    Box::new(high.into_node()),
                )))
            }

            /// `self IS NULL`.
            pub fn is_null(self) -> Expr<$s> {
                Expr::new(Node::postfix(self.lhs(), PostfixOp::IsNull))
            }

            /// `self IS NOT NULL`.
            pub fn is_not_null(self) -> Expr<$s> {
                Expr::new(Node::postfix(self.lhs(), PostfixOp::IsNotNull))
            }

            /// `self = ANY($1)` for values (one array parameter, so the
            /// statement is the same whatever their number; an empty list
            /// matches no row, NULLs included), or `self IN (SELECT …)` for
            /// a subquery of one column of the same type.
            pub fn is_in<X>(self, values: X) -> Expr<X::Shape>
            where
                X: InValues<$s, V>,
            {
                let (op, rhs) = values.into_in(false);
                Expr::new(Node::binary(self.lhs(), op, rhs))
            }

            /// The negation of [`is_in`](Self::is_in): `self <> ALL($1)`
            /// (an empty list matches every row, NULLs included: SQL's
            /// `ALL` over an empty array is true), or `self NOT IN (SELECT …)`.
            pub fn not_in<X>(self, values: X) -> Expr<X::Shape>
            where
                X: InValues<$s, V>,
            {
                let (op, rhs) = values.into_in(true);
                Expr::new(Node::binary(self.lhs(), op, rhs))
            }

            /// `self LIKE pattern` (text columns).
            pub fn like<P: Operand<$s, String>>(self, pattern: P) -> Expr<P::Shape>
            where
                V: Text,
            {
                Expr::new(self.binary(BinaryOp::Like, pattern))
            }

            /// `self ILIKE pattern`: case-insensitive LIKE (text columns).
            pub fn ilike<P: Operand<$s, String>>(self, pattern: P) -> Expr<P::Shape>
            where
                V: Text,
            {
                Expr::new(self.binary(BinaryOp::ILike, pattern))
            }
        }
    };
    (@compare $s:ident; $($name:ident => $op:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            pub fn $name<R: Operand<$s, V>>(self, rhs: R) -> Expr<R::Shape> {
                Expr::new(self.binary(BinaryOp::$op, rhs))
            }
        )*
    };
    (@arithmetic $s:ident; $($name:ident => $op:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            // The names are the public contract (`Post::VIEWS.add(1)`); the
            // std::ops traits would need an import at every use.
            #[allow(clippy::should_implement_trait)]
            pub fn $name<R: Operand<$s, V>>(self, rhs: R) -> ValueExpr<R::Shape, V>
            where
                V: Numeric,
            {
                ValueExpr::new(self.binary(BinaryOp::$op, rhs))
            }
        )*
    };
}

value_operators!(Column<T: Table>);
value_operators!(ValueExpr<S>);
value_operators!(AliasColumn<S>);

impl Node {
    /// The alias of the first aliased column in this expression: how a
    /// join of an aliased table learns the alias's name from its condition.
    pub(crate) fn alias_of(&self) -> Option<&'static str> {
        use NodeKind::*;
        match &self.0 {
            AliasColumn { alias, .. } => Some(alias),
            Binary(operands, _) => operands.iter().find_map(Node::alias_of),
            Group(_, items) => items.iter().find_map(Node::alias_of),
            Not(inner) | Postfix(inner, _) => inner.alias_of(),
            Between(a, b, c) => [a, b, c].into_iter().find_map(|n| n.alias_of()),
            Call { arg, .. } => arg.as_deref().and_then(Node::alias_of),
            Func { args, .. } | Fragment { args, .. } => args.iter().find_map(Node::alias_of),
            Column { .. }
            | ColumnValue { .. }
            | ColumnColumn { .. }
            | ColumnPostfix { .. }
            | Excluded(_)
            | Param(_)
            | Literal(_)
            | Placeholder { .. }
            | Subquery(_)
            | Exists(..) => None,
        }
    }
}

pub(crate) fn call(
    name: &'static str,
    distinct: bool,
    arg: Option<Node>,
    cast: Option<&'static str>,
) -> Node {
    Node(NodeKind::Call {
        name,
        distinct,
        arg: arg.map(Box::new),
        cast,
    })
}

impl<T: Table, V> Column<T, V> {
    /// Ascending order on this column.
    pub fn asc(self) -> Order<T> {
        Order::new(Node::column(self), Direction::Asc)
    }

    /// Descending order on this column.
    pub fn desc(self) -> Order<T> {
        Order::new(Node::column(self), Direction::Desc)
    }
}

/// An `ORDER BY` key on the tables of shape `S`.
pub struct Order<S> {
    pub(crate) node: Node,
    pub(crate) direction: Direction,
    _shape: PhantomData<fn() -> S>,
}

impl<S> Order<S> {
    pub(crate) fn new(node: Node, direction: Direction) -> Self {
        Order {
            node,
            direction,
            _shape: PhantomData,
        }
    }
}

impl<T: Table, V> From<Column<T, V>> for Order<T> {
    /// A bare column orders ascending.
    fn from(column: Column<T, V>) -> Self {
        column.asc()
    }
}
