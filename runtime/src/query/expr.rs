//! Typed SQL expressions: conditions (`Expr<T>`), values (`ValueExpr<T, V>`)
//! and orderings, built from column constants.
//!
//! The table `T` and the Rust type `V` are carried in the types, so a
//! condition on another table's column, or a comparison with a value of
//! another type, does not compile. Every value becomes a bind parameter.

use std::marker::PhantomData;

use postgres_types::ToSql;

use crate::schema::TableDef;
use crate::table::{Column, Table};
use crate::types::SqlType;

/// One node of an expression tree. Opaque; built through the typed API.
#[doc(hidden)]
pub struct Node(pub(crate) NodeKind);

pub(crate) enum NodeKind {
    /// `"table"."column"`.
    Column {
        table: &'static TableDef,
        name: &'static str,
    },
    /// `excluded."column"`, in `ON CONFLICT … DO UPDATE`.
    Excluded(&'static str),
    Param(Box<dyn ToSql + Send + Sync>),
    /// `lhs <op> rhs`, parenthesized when nested.
    Binary(Box<Node>, &'static str, Box<Node>),
    /// Conditions joined by `AND` or `OR`.
    Group(&'static str, Vec<Node>),
    Not(Box<Node>),
    /// `expr IS NULL` and the like.
    Postfix(Box<Node>, &'static str),
    Between(Box<Node>, Box<Node>, Box<Node>),
}

impl Node {
    pub(crate) fn column<T: Table, V>(column: Column<T, V>) -> Node {
        Node(NodeKind::Column {
            table: T::table(),
            name: column.name(),
        })
    }

    pub(crate) fn param<P: ToSql + Send + Sync + 'static>(value: P) -> Node {
        Node(NodeKind::Param(Box::new(value)))
    }

    fn binary(lhs: Node, op: &'static str, rhs: Node) -> Node {
        Node(NodeKind::Binary(Box::new(lhs), op, Box::new(rhs)))
    }
}

/// A value that can stand where a column of Rust type `V` in table `T` is
/// expected: a value of type `V` (or of its inner type when `V` is an
/// `Option`), a `&str` for a text column, another column of the same type,
/// or a computed [`ValueExpr`].
#[diagnostic::on_unimplemented(
    message = "a `{V}` column cannot be compared with or set to `{Self}`",
    label = "expected a value of the column's type `{V}`",
    note = "pass a value of the column's Rust type (an `Option` column also takes its inner type, a `String` column takes `&str`), or a column of the same table and type"
)]
pub trait Operand<T, V> {
    /// The expression node.
    #[doc(hidden)]
    fn into_node(self) -> Node;
}

impl<T, V: SqlType + 'static> Operand<T, V> for V {
    fn into_node(self) -> Node {
        Node::param(self)
    }
}

impl<T, V: SqlType + 'static> Operand<T, Option<V>> for V {
    fn into_node(self) -> Node {
        Node::param(self)
    }
}

impl<T, V: SqlType + 'static> Operand<T, V> for &V {
    fn into_node(self) -> Node {
        Node::param(self.clone())
    }
}

impl<T, V: SqlType + 'static> Operand<T, Option<V>> for &V {
    fn into_node(self) -> Node {
        Node::param(self.clone())
    }
}

impl<T> Operand<T, String> for &str {
    fn into_node(self) -> Node {
        Node::param(self.to_owned())
    }
}

impl<T> Operand<T, Option<String>> for &str {
    fn into_node(self) -> Node {
        Node::param(self.to_owned())
    }
}

impl<T: Table, V> Operand<T, V> for Column<T, V> {
    fn into_node(self) -> Node {
        Node::column(self)
    }
}

impl<T, V> Operand<T, V> for ValueExpr<T, V> {
    fn into_node(self) -> Node {
        self.node
    }
}

/// A condition on rows of table `T`, for `filter`.
#[must_use = "a condition does nothing until passed to `.filter(...)`"]
pub struct Expr<T> {
    pub(crate) node: Node,
    _table: PhantomData<fn() -> T>,
}

impl<T> Expr<T> {
    pub(crate) fn new(node: Node) -> Self {
        Expr {
            node,
            _table: PhantomData,
        }
    }

    /// Both conditions: `(a AND b)`.
    pub fn and(self, other: Expr<T>) -> Expr<T> {
        self.join("AND", other)
    }

    /// Either condition: `(a OR b)`.
    pub fn or(self, other: Expr<T>) -> Expr<T> {
        self.join("OR", other)
    }

    fn join(self, op: &'static str, other: Expr<T>) -> Expr<T> {
        let mut items = match self.node.0 {
            NodeKind::Group(o, items) if o == op => items,
            node => vec![Node(node)],
        };
        match other.node.0 {
            NodeKind::Group(o, more) if o == op => items.extend(more),
            node => items.push(Node(node)),
        }
        Expr::new(Node(NodeKind::Group(op, items)))
    }
}

/// Adds `condition` to a filter slot, AND-ed with what is there.
pub(crate) fn and_into<T>(slot: &mut Option<Node>, condition: Expr<T>) {
    *slot = Some(match slot.take() {
        Some(existing) => Expr::<T>::new(existing).and(condition).node,
        None => condition.node,
    });
}

/// The negated condition: `NOT (cond)`. Also written `!cond`.
pub fn not<T>(condition: Expr<T>) -> Expr<T> {
    Expr::new(Node(NodeKind::Not(Box::new(condition.node))))
}

impl<T> std::ops::Not for Expr<T> {
    type Output = Expr<T>;

    fn not(self) -> Expr<T> {
        not(self)
    }
}

/// A computed value of Rust type `V` over table `T`, such as `User::VIEWS.add(1)`.
pub struct ValueExpr<T, V> {
    node: Node,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> ValueExpr<T, V> {
    pub(crate) fn new(node: Node) -> Self {
        ValueExpr {
            node,
            _marker: PhantomData,
        }
    }
}

/// Numeric column types, for arithmetic.
#[diagnostic::on_unimplemented(
    message = "arithmetic needs a numeric column, but this one is `{Self}`",
    label = "not a number"
)]
pub trait Numeric {}
impl Numeric for i16 {}
impl Numeric for i32 {}
impl Numeric for i64 {}
impl Numeric for f32 {}
impl Numeric for f64 {}
impl<N: Numeric> Numeric for Option<N> {}

/// Text column types, for `like` and `ilike`.
#[diagnostic::on_unimplemented(
    message = "`like` and `ilike` need a text column, but this column is `{Self}`",
    label = "not a text column",
    note = "compare other columns with `eq`, `lt`, `between`, `is_in`, …"
)]
pub trait Text {}
impl Text for String {}
impl Text for Option<String> {}

macro_rules! arithmetic {
    ($($name:ident => $op:literal, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            // The names are the public contract (`Post::VIEWS.add(1)`); the
            // std::ops traits would need an import at every use.
            #[allow(clippy::should_implement_trait)]
            pub fn $name(self, rhs: impl Operand<T, V>) -> ValueExpr<T, V>
            where
                V: Numeric,
            {
                ValueExpr::new(Node::binary(Operand::<T, V>::into_node(self), $op, rhs.into_node()))
            }
        )*
    };
}

macro_rules! comparisons {
    ($($name:ident => $op:literal, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            pub fn $name(self, rhs: impl Operand<T, V>) -> Expr<T> {
                Expr::new(Node::binary(Operand::<T, V>::into_node(self), $op, rhs.into_node()))
            }
        )*
    };
}

/// The operators shared by columns and computed values.
macro_rules! value_operators {
    ($ty:ident) => {
        impl<T: Table, V> $ty<T, V> {
            comparisons! {
                eq => "=", "`self = rhs`";
                ne => "<>", "`self <> rhs`";
                gt => ">", "`self > rhs`";
                ge => ">=", "`self >= rhs`";
                lt => "<", "`self < rhs`";
                le => "<=", "`self <= rhs`";
            }

            arithmetic! {
                add => "+", "`self + rhs`";
                sub => "-", "`self - rhs`";
                mul => "*", "`self * rhs`";
                div => "/", "`self / rhs`";
            }

            /// `self BETWEEN low AND high`.
            pub fn between(self, low: impl Operand<T, V>, high: impl Operand<T, V>) -> Expr<T> {
                Expr::new(Node(NodeKind::Between(
                    Box::new(Operand::<T, V>::into_node(self)),
                    Box::new(low.into_node()),
                    Box::new(high.into_node()),
                )))
            }

            /// `self IS NULL`.
            pub fn is_null(self) -> Expr<T> {
                Expr::new(Node(NodeKind::Postfix(
                    Box::new(Operand::<T, V>::into_node(self)),
                    "IS NULL",
                )))
            }

            /// `self IS NOT NULL`.
            pub fn is_not_null(self) -> Expr<T> {
                Expr::new(Node(NodeKind::Postfix(
                    Box::new(Operand::<T, V>::into_node(self)),
                    "IS NOT NULL",
                )))
            }

            /// `self = ANY($1)`: one array parameter, so the statement is the
            /// same whatever the number of values. An empty list matches nothing.
            pub fn is_in<X>(self, values: impl IntoIterator<Item = X>) -> Expr<T>
            where
                X: Operand<T, V> + ToSql + Send + Sync + 'static,
            {
                let values: Vec<X> = values.into_iter().collect();
                Expr::new(Node::binary(
                    Operand::<T, V>::into_node(self),
                    "= ANY",
                    Node::param(values),
                ))
            }

            /// `self <> ALL($1)`: the negation of [`is_in`](Self::is_in). An
            /// empty list matches every non-NULL value.
            pub fn not_in<X>(self, values: impl IntoIterator<Item = X>) -> Expr<T>
            where
                X: Operand<T, V> + ToSql + Send + Sync + 'static,
            {
                let values: Vec<X> = values.into_iter().collect();
                Expr::new(Node::binary(
                    Operand::<T, V>::into_node(self),
                    "<> ALL",
                    Node::param(values),
                ))
            }

            /// `self LIKE pattern` (text columns).
            pub fn like(self, pattern: impl Operand<T, String>) -> Expr<T>
            where
                V: Text,
            {
                Expr::new(Node::binary(
                    Operand::<T, V>::into_node(self),
                    "LIKE",
                    pattern.into_node(),
                ))
            }

            /// `self ILIKE pattern`: case-insensitive LIKE (text columns).
            pub fn ilike(self, pattern: impl Operand<T, String>) -> Expr<T>
            where
                V: Text,
            {
                Expr::new(Node::binary(
                    Operand::<T, V>::into_node(self),
                    "ILIKE",
                    pattern.into_node(),
                ))
            }
        }
    };
}

value_operators!(Column);
value_operators!(ValueExpr);

impl<T: Table, V> Column<T, V> {
    /// Ascending order on this column.
    pub fn asc(self) -> Order<T> {
        Order::new(Node::column(self), "ASC")
    }

    /// Descending order on this column.
    pub fn desc(self) -> Order<T> {
        Order::new(Node::column(self), "DESC")
    }
}

/// An `ORDER BY` key on table `T`.
pub struct Order<T> {
    pub(crate) node: Node,
    pub(crate) direction: &'static str,
    _table: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    fn new(node: Node, direction: &'static str) -> Self {
        Order {
            node,
            direction,
            _table: PhantomData,
        }
    }
}

impl<T: Table, V> From<Column<T, V>> for Order<T> {
    /// A bare column orders ascending.
    fn from(column: Column<T, V>) -> Self {
        column.asc()
    }
}
