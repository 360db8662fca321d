//! Table aliases, for joining a table with itself.
//!
//! ```
//! use pgtable::prelude::*;
//!
//! #[table(name = "employees")]
//! pub struct Employee {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub name: String,
//!     pub manager_id: Option<i64>,
//! }
//!
//! let manager = Employee::alias("manager");
//! let query = Employee::select_columns((Employee::NAME, manager.col(Employee::NAME)))
//!     .left_join(manager.col(Employee::ID).eq(Employee::MANAGER_ID));
//! assert_eq!(
//!     query.to_sql(),
//!     r#"SELECT "employees"."name", "manager"."name" FROM "employees" LEFT JOIN "employees" AS "manager" ON "manager"."id" = "employees"."manager_id""#
//! );
//! ```
//!
//! One alias per table in a query: two aliases of the same table have the
//! same type ([`Aliased<T>`]), so the compiler cannot tell their columns
//! apart.

use std::marker::PhantomData;

use tokio_postgres::Row;

use super::Built;
use super::expr::{Lhs, Node, NodeKind, Operand, Order};
use super::fragment::SqlArg;
use super::selection::Pick;
use super::shape::{Aliased, Slot, Within};
use crate::error::Error;
use crate::sql::Direction;
use crate::table::{Column, Table};
use crate::types::SqlType;

/// Table `T` under another name in a query: `User::alias("manager")`.
#[derive(Clone, Copy, Debug)]
pub struct Alias<T> {
    name: &'static str,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table> Alias<T> {
    pub(crate) fn new(name: &'static str) -> Self {
        Alias {
            name,
            _table: PhantomData,
        }
    }

    /// The alias's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `column` of the aliased table: `"manager"."id"`. It compares,
    /// orders and is selected like a column; selected from a left join of
    /// the alias, it decodes as an `Option`.
    pub fn col<V>(&self, column: Column<T, V>) -> AliasColumn<Aliased<T>, V> {
        AliasColumn {
            alias: self.name,
            name: column.name(),
            _marker: PhantomData,
        }
    }
}

/// A column of an aliased table (`S` is [`Aliased<T>`]).
pub struct AliasColumn<S, V> {
    alias: &'static str,
    name: &'static str,
    _marker: PhantomData<fn() -> (S, V)>,
}

impl<S, V> Clone for AliasColumn<S, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, V> Copy for AliasColumn<S, V> {}

impl<S, V> AliasColumn<S, V> {
    fn node(&self) -> Node {
        Node(NodeKind::AliasColumn {
            alias: self.alias,
            name: self.name,
        })
    }

    /// Ascending order on this column.
    pub fn asc(self) -> Order<S> {
        Order::new(self.node(), Direction::Asc)
    }

    /// Descending order on this column.
    pub fn desc(self) -> Order<S> {
        Order::new(self.node(), Direction::Desc)
    }
}

impl<S, V> From<AliasColumn<S, V>> for Order<S> {
    fn from(column: AliasColumn<S, V>) -> Self {
        column.asc()
    }
}

impl<S, V> Lhs for AliasColumn<S, V> {
    fn lhs(self) -> Node {
        self.node()
    }
}

impl<S, V> SqlArg for AliasColumn<S, V> {
    fn into_arg(self) -> Node {
        self.node()
    }
}

macro_rules! alias_operand {
    ($($col:ty => $v:ty;)*) => {
        $(
            impl<T, S, V> Operand<T, $v> for AliasColumn<S, $col> {
                type Shape = (T, S);

                fn into_node(self) -> Node {
                    self.node()
                }
            }
        )*
    };
}

alias_operand! {
    V => V;
    V => Option<V>;
    Option<V> => V;
}

impl<Src, T, V, I> Pick<Src, I> for AliasColumn<Aliased<T>, V>
where
    T: Table,
    Aliased<T>: Within<Src, I>,
    V: SqlType,
    I: Slot,
    I::Decoded<V>: postgres_types::FromSqlOwned + Send + Sync,
{
    type Output = I::Decoded<V>;

    fn write<'a>(&'a self, out: &mut Built<'a>) {
        out.ident(self.alias);
        out.push(".");
        out.ident(self.name);
    }

    fn decode(&self, row: &Row, at: usize) -> Result<Self::Output, Error> {
        row.try_get::<_, I::Decoded<V>>(at).map_err(|source| {
            crate::error::decode_error(
                row,
                at,
                self.alias,
                self.name,
                std::any::type_name::<I::Decoded<V>>(),
                source,
            )
        })
    }
}
