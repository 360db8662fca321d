//! The PostgreSQL operators and functions applications reach for, on
//! columns and computed values of the right types: arrays (`@>`, `<@`,
//! `&&`, `= ANY`, `array_length`), jsonb (`->`, `->>`, `#>>`, `@>`, `?`),
//! text (`lower`, `upper`, `||`, a prefix match with the LIKE escaping
//! done) and `coalesce`.
//!
//! ```
//! use pgtable::prelude::*;
//!
//! #[table(name = "posts")]
//! pub struct Post {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub title: String,
//!     pub tags: Vec<String>,
//!     pub metadata: serde_json::Value,
//! }
//!
//! let query = Post::select()
//!     .filter(Post::TAGS.any_eq("intro"))
//!     .filter(Post::METADATA.get_text("source").eq("cli"))
//!     .filter(Post::TITLE.starts_with("50%"));
//! assert_eq!(
//!     query.to_sql(),
//!     r#"SELECT "id", "title", "tags", "metadata" FROM "posts" WHERE ($1 = ANY("posts"."tags") AND ("posts"."metadata" ->> $2) = $3 AND "posts"."title" LIKE $4)"#
//! );
//! ```

use postgres_types::Json;

use super::alias::AliasColumn;
use super::expr::{Expr, Lhs, Node, NodeKind, Operand, Text, ValueExpr, call};
use crate::sql::BinaryOp;
use crate::table::{Column, Table};

/// Column types `@>` and `<@` apply to: arrays and JSON documents.
#[diagnostic::on_unimplemented(
    message = "`contains` and `contained_by` need an array or jsonb column, but this one is `{Self}`",
    label = "not an array or jsonb"
)]
pub trait Containment {}

/// Array column types, with the type of their elements.
#[diagnostic::on_unimplemented(
    message = "this operator needs an array column, but this one is `{Self}`",
    label = "not an array"
)]
pub trait ArrayValue {
    /// The element type.
    type Element;
}

/// JSON column types (`jsonb`).
#[diagnostic::on_unimplemented(
    message = "this operator needs a jsonb column, but this one is `{Self}`",
    label = "not jsonb"
)]
pub trait JsonValue {}

/// Column types that may be NULL, with the type they hold.
#[diagnostic::on_unimplemented(
    message = "`coalesce` needs a nullable column (an `Option`), but this one is `{Self}`",
    label = "never NULL"
)]
pub trait Nullable {
    /// The value when it is not NULL.
    type Inner;
}

impl<E> ArrayValue for Vec<E> {
    type Element = E;
}
impl<E> ArrayValue for Option<Vec<E>> {
    type Element = E;
}
impl<E> Containment for Vec<E> {}
impl<E> Containment for Option<Vec<E>> {}
impl JsonValue for serde_json::Value {}
impl JsonValue for Option<serde_json::Value> {}
impl<T> JsonValue for Json<T> {}
impl<T> JsonValue for Option<Json<T>> {}
impl Containment for serde_json::Value {}
impl Containment for Option<serde_json::Value> {}
impl<T> Containment for Json<T> {}
impl<T> Containment for Option<Json<T>> {}
impl<V> Nullable for Option<V> {
    type Inner = V;
}

/// `text` escaped for LIKE: `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

macro_rules! operators {
    ($ty:ident < $s:ident $(: $bound:path)? >) => {
        impl<$s $(: $bound)?, V> $ty<$s, V> {
            /// `self @> rhs`: an array holding every element of `rhs`, or a
            /// jsonb document containing `rhs`.
            pub fn contains<R: Operand<$s, V>>(self, rhs: R) -> Expr<R::Shape>
            where
                V: Containment,
            {
                Expr::new(Node::binary(self.lhs(), BinaryOp::Contains, rhs.into_node()))
            }

            /// `self <@ rhs`: contained in `rhs` (arrays, jsonb).
            pub fn contained_by<R: Operand<$s, V>>(self, rhs: R) -> Expr<R::Shape>
            where
                V: Containment,
            {
                Expr::new(Node::binary(self.lhs(), BinaryOp::ContainedBy, rhs.into_node()))
            }

            /// `self && rhs`: the arrays have an element in common.
            pub fn overlaps<R: Operand<$s, V>>(self, rhs: R) -> Expr<R::Shape>
            where
                V: ArrayValue,
            {
                Expr::new(Node::binary(self.lhs(), BinaryOp::Overlaps, rhs.into_node()))
            }

            /// `value = ANY(self)`: the array holds `value`.
            pub fn any_eq<X>(self, value: X) -> Expr<X::Shape>
            where
                V: ArrayValue,
                X: Operand<$s, V::Element>,
            {
                Expr::new(Node::binary(value.into_node(), BinaryOp::EqAny, self.lhs()))
            }

            /// `array_length(self, 1)`: NULL for an empty array.
            pub fn array_length(self) -> ValueExpr<$s, Option<i32>>
            where
                V: ArrayValue,
            {
                ValueExpr::new(Node(NodeKind::Func {
                    name: "array_length",
                    args: vec![self.lhs(), Node(NodeKind::Literal("1"))],
                }))
            }

            /// `self -> key`: a field of a jsonb object, as jsonb (NULL when
            /// there is none).
            pub fn get(self, key: &str) -> ValueExpr<$s, Option<serde_json::Value>>
            where
                V: JsonValue,
            {
                ValueExpr::new(Node::binary(self.lhs(), BinaryOp::JsonGet, Node::param(key.to_owned())))
            }

            /// `self ->> key`: a field of a jsonb object, as text.
            pub fn get_text(self, key: &str) -> ValueExpr<$s, Option<String>>
            where
                V: JsonValue,
            {
                ValueExpr::new(Node::binary(
                    self.lhs(),
                    BinaryOp::JsonGetText,
                    Node::param(key.to_owned()),
                ))
            }

            /// `self #>> path`: the value at a path of keys (and array
            /// indexes, as text), as text.
            pub fn path_text(self, path: &[&str]) -> ValueExpr<$s, Option<String>>
            where
                V: JsonValue,
            {
                let path: Vec<String> = path.iter().map(|p| (*p).to_owned()).collect();
                ValueExpr::new(Node::binary(self.lhs(), BinaryOp::JsonPathText, Node::param(path)))
            }

            /// `self ? key`: the jsonb object has the key.
            pub fn has_key(self, key: &str) -> Expr<$s>
            where
                V: JsonValue,
            {
                Expr::new(Node::binary(self.lhs(), BinaryOp::HasKey, Node::param(key.to_owned())))
            }

            /// `lower(self)`.
            pub fn lower(self) -> ValueExpr<$s, V>
            where
                V: Text,
            {
                ValueExpr::new(call("lower", false, Some(self.lhs()), None))
            }

            /// `upper(self)`.
            pub fn upper(self) -> ValueExpr<$s, V>
            where
                V: Text,
            {
                ValueExpr::new(call("upper", false, Some(self.lhs()), None))
            }

            /// `self || rhs`: text concatenation.
            pub fn concat<R: Operand<$s, V>>(self, rhs: R) -> ValueExpr<R::Shape, V>
            where
                V: Text,
            {
                ValueExpr::new(Node::binary(self.lhs(), BinaryOp::Concat, rhs.into_node()))
            }

            /// `self LIKE 'prefix%'`, with `%`, `_` and `\` in `prefix`
            /// matching themselves (unlike [`like`](Self::like), which takes a
            /// pattern).
            pub fn starts_with(self, prefix: &str) -> Expr<$s>
            where
                V: Text,
            {
                let pattern = escape_like(prefix) + "%";
                Expr::new(Node::binary(self.lhs(), BinaryOp::Like, Node::param(pattern)))
            }

            /// `self LIKE '%suffix'`, escaped as [`starts_with`](Self::starts_with).
            pub fn ends_with(self, suffix: &str) -> Expr<$s>
            where
                V: Text,
            {
                let pattern = format!("%{}", escape_like(suffix));
                Expr::new(Node::binary(self.lhs(), BinaryOp::Like, Node::param(pattern)))
            }

            /// `coalesce(self, fallback)`: the value, or `fallback` where it
            /// is NULL.
            pub fn coalesce<R>(self, fallback: R) -> ValueExpr<R::Shape, V::Inner>
            where
                V: Nullable,
                R: Operand<$s, V::Inner>,
            {
                ValueExpr::new(Node(NodeKind::Func {
                    name: "coalesce",
                    args: vec![self.lhs(), fallback.into_node()],
                }))
            }
        }
    };
}

operators!(Column<T: Table>);
operators!(ValueExpr<S>);
operators!(AliasColumn<S>);

#[cfg(test)]
mod tests {
    #[test]
    fn like_escaping_makes_wildcards_literal() {
        assert_eq!(super::escape_like(r"50%_off\"), r"50\%\_off\\");
        assert_eq!(super::escape_like("plain"), "plain");
    }
}
