//! What a select returns per row: the whole row, one column or computed
//! value, or a tuple of them.

use postgres_types::FromSqlOwned;
use tokio_postgres::Row;

use super::Built;
use super::alias::AliasColumn;
use super::expr::ValueExpr;
use super::fragment::Raw;
use super::shape::{Slot, Within};
use crate::error::Error;
use crate::schema::TableDef;
use crate::table::{Column, Table};
use crate::types::SqlType;

/// What a select returns per row: the whole row ([`All`]), one column, a
/// tuple of columns, or (after a join) the joined rows.
pub trait Selection<Src>: Send + Sync {
    /// The Rust value of one row.
    type Output: Send;

    /// How many columns of the row it reads.
    #[doc(hidden)]
    fn width(&self) -> usize;

    /// Writes the select list; `qualified` once tables are joined.
    #[doc(hidden)]
    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool);

    /// Decodes its columns, starting at `offset`.
    #[doc(hidden)]
    fn decode_at(&self, row: &Row, offset: usize) -> Result<Self::Output, Error>;
}

/// Every column of the table, decoded into the table's struct.
#[derive(Clone, Copy, Debug, Default)]
pub struct All;

impl<T: Table> Selection<T> for All {
    type Output = T;

    fn width(&self) -> usize {
        T::table().columns.len()
    }

    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
        out.column_list(T::table(), qualified);
    }

    fn decode_at(&self, row: &Row, offset: usize) -> Result<T, Error> {
        T::from_row_at(row, offset)
    }
}

fn write_column(out: &mut Built<'_>, table: &TableDef, name: &str, qualified: bool) {
    if qualified {
        out.table(table);
        out.push(".");
    }
    out.ident(name);
}

fn decode_column<T: Table, V: SqlType>(
    column: &Column<T, V>,
    row: &Row,
    at: usize,
) -> Result<V, Error> {
    Ok(V::__decode(
        row,
        at,
        T::table(),
        column.index(),
        std::any::type_name::<V>(),
    )?)
}

/// One item of a select list: a column, or a computed value such as an
/// aggregate (`Post::ID.count()`).
pub trait SelectItem<T>: Send + Sync {
    /// The Rust value of the item.
    type Output: Send;

    /// Writes the item.
    #[doc(hidden)]
    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool);

    /// Decodes the item from column `at`.
    #[doc(hidden)]
    fn decode(&self, row: &Row, at: usize) -> Result<Self::Output, Error>;
}

impl<T: Table, V: SqlType> SelectItem<T> for Column<T, V> {
    type Output = V;

    fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
        write_column(out, T::table(), self.name(), qualified);
    }

    fn decode(&self, row: &Row, at: usize) -> Result<V, Error> {
        decode_column(self, row, at)
    }
}

impl<T: Table, V: SqlType> SelectItem<T> for ValueExpr<T, V> {
    type Output = V;

    fn write<'a>(&'a self, out: &mut Built<'a>, _qualified: bool) {
        out.node(self.node());
    }

    fn decode(&self, row: &Row, at: usize) -> Result<V, Error> {
        decode_computed(row, at, T::table().name)
    }
}

/// A typed `sql!` fragment: `sql!("lower({})", User::EMAIL).typed::<String>()`.
impl<T: Table, V: SqlType> SelectItem<T> for ValueExpr<Raw, V> {
    type Output = V;

    fn write<'a>(&'a self, out: &mut Built<'a>, _qualified: bool) {
        out.node(self.node());
    }

    fn decode(&self, row: &Row, at: usize) -> Result<V, Error> {
        decode_computed(row, at, T::table().name)
    }
}

fn decode_computed<V: SqlType>(row: &Row, at: usize, table: &'static str) -> Result<V, Error> {
    row.try_get::<_, V>(at).map_err(|source| {
        crate::error::decode_error(
            row,
            at,
            table,
            "(computed value)",
            std::any::type_name::<V>(),
            source,
        )
    })
}

macro_rules! single_item_selection {
    ($($item:ident<$shape:ident>),*) => {
        $(
            impl<T: Table, V: SqlType> Selection<T> for $item<$shape, V> {
                type Output = V;

                fn width(&self) -> usize {
                    1
                }

                fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
                    SelectItem::<T>::write(self, out, qualified);
                }

                fn decode_at(&self, row: &Row, offset: usize) -> Result<V, Error> {
                    SelectItem::<T>::decode(self, row, offset)
                }
            }
        )*
    };
}

single_item_selection!(Column<T>, ValueExpr<T>, ValueExpr<Raw>);

macro_rules! tuple_selection {
    ($n:literal; $($v:ident $i:tt),+) => {
        impl<T: Table, $($v: SelectItem<T>),+> Selection<T> for ($($v,)+) {
            type Output = ($($v::Output,)+);

            fn width(&self) -> usize {
                $n
            }

            fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
                $(
                    if $i > 0 {
                        out.push(", ");
                    }
                    self.$i.write(out, qualified);
                )+
            }

            fn decode_at(&self, row: &Row, offset: usize) -> Result<Self::Output, Error> {
                Ok(($(self.$i.decode(row, offset + $i)?,)+))
            }
        }
    };
}

tuple_selection!(1; A 0);
tuple_selection!(2; A 0, B 1);
tuple_selection!(3; A 0, B 1, C 2);
tuple_selection!(4; A 0, B 1, C 2, D 3);
tuple_selection!(5; A 0, B 1, C 2, D 3, E 4);
tuple_selection!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_selection!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_selection!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// The list given to `select_columns`: its items may come from any table
/// of the query, joined before or after it is given.
#[doc(hidden)]
pub struct Listed<S>(pub(super) S);

impl<S> Listed<S> {
    /// The list as given.
    pub(crate) fn inner(&self) -> &S {
        &self.0
    }
}

/// Over one table, the items of that table (the selections above).
impl<T: Table, S: Selection<T>> Selection<T> for Listed<S> {
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

/// An item of a select list over the joined tables `Src`, found at `I`
/// among them: a column (an `Option` when its table is left-joined), an
/// aggregate or other computed value, or a typed `sql!` fragment.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected from this query over `{Src}`",
    label = "a column or value of a table the query does not read",
    note = "select columns and values of the tables the query reads, joining the other table first (`.inner_join(..)` / `.left_join(..)`)"
)]
pub trait Pick<Src, I>: Send + Sync {
    /// Its Rust value.
    type Output: Send;

    /// Writes the item.
    #[doc(hidden)]
    fn write<'a>(&'a self, out: &mut Built<'a>);

    /// Decodes the item from column `at`.
    #[doc(hidden)]
    fn decode(&self, row: &Row, at: usize) -> Result<Self::Output, Error>;
}

impl<Src, T, V, I> Pick<Src, I> for Column<T, V>
where
    T: Table + Within<Src, I>,
    V: SqlType,
    I: Slot,
    I::Decoded<V>: FromSqlOwned + Send + Sync,
{
    type Output = I::Decoded<V>;

    fn write<'a>(&'a self, out: &mut Built<'a>) {
        write_column(out, T::table(), self.name(), true);
    }

    fn decode(&self, row: &Row, at: usize) -> Result<Self::Output, Error> {
        row.try_get::<_, I::Decoded<V>>(at).map_err(|source| {
            crate::error::decode_error(
                row,
                at,
                T::table().name,
                self.name(),
                std::any::type_name::<I::Decoded<V>>(),
                source,
            )
        })
    }
}

impl<Src, S, V, I> Pick<Src, I> for ValueExpr<S, V>
where
    S: Within<Src, I>,
    V: SqlType,
{
    type Output = V;

    fn write<'a>(&'a self, out: &mut Built<'a>) {
        out.node(self.node());
    }

    fn decode(&self, row: &Row, at: usize) -> Result<V, Error> {
        decode_computed(row, at, "(joined tables)")
    }
}

/// A select list over joined tables `Src`: one [`Pick`] or a tuple of
/// them, each found at its own place (`I`, inferred).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected from this query over `{Src}`",
    label = "a column or value of a table the query does not read",
    note = "select columns and values of the tables the query reads, joining the other table first"
)]
pub trait Picks<Src, I>: Send + Sync {
    /// The Rust value of one row.
    type Output: Send;

    /// Writes the list.
    #[doc(hidden)]
    fn write<'a>(&'a self, out: &mut Built<'a>);

    /// Decodes a row.
    #[doc(hidden)]
    fn decode_row(&self, row: &Row) -> Result<Self::Output, Error>;
}

macro_rules! single_pick {
    ($($item:ident),*) => {
        $(
            impl<Src, X, V, I> Picks<Src, I> for $item<X, V>
            where
                $item<X, V>: Pick<Src, I>,
            {
                type Output = <$item<X, V> as Pick<Src, I>>::Output;

                fn write<'a>(&'a self, out: &mut Built<'a>) {
                    Pick::write(self, out);
                }

                fn decode_row(&self, row: &Row) -> Result<Self::Output, Error> {
                    Pick::decode(self, row, 0)
                }
            }
        )*
    };
}

single_pick!(Column, ValueExpr, AliasColumn);

macro_rules! tuple_picks {
    ($($v:ident $p:ident $i:tt),+) => {
        impl<Src, $($v, $p),+> Picks<Src, ($($p,)+)> for ($($v,)+)
        where
            $($v: Pick<Src, $p>),+
        {
            type Output = ($($v::Output,)+);

            fn write<'a>(&'a self, out: &mut Built<'a>) {
                $(
                    if $i > 0 {
                        out.push(", ");
                    }
                    self.$i.write(out);
                )+
            }

            fn decode_row(&self, row: &Row) -> Result<Self::Output, Error> {
                Ok(($(self.$i.decode(row, $i)?,)+))
            }
        }
    };
}

tuple_picks!(A IA 0);
tuple_picks!(A IA 0, B IB 1);
tuple_picks!(A IA 0, B IB 1, C IC 2);
tuple_picks!(A IA 0, B IB 1, C IC 2, D ID 3);
tuple_picks!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4);
tuple_picks!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5);
tuple_picks!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6);
tuple_picks!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6, H IH 7);
