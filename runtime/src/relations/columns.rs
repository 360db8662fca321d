//! Which columns of a table a load fetches: every column, or only those
//! listed (`columns(...)` on a relation, `select_columns(...)` on the
//! parents' select), plus the key columns the load itself matches on.

use tokio_postgres::Row;

use crate::error::Error;
use crate::query::{All, Built, Listed, Selection};
use crate::table::{Column, Table};
use crate::types::SqlType;

/// What a relation load (or the parents' select under it) fetches of
/// table `T`: [`All`] its columns, decoded into `T`, or a column or tuple
/// of columns of `T`, decoded into their values.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of columns of `{T}`",
    label = "columns of another table, or a computed value",
    note = "a loaded relation's `columns(..)` takes columns of its own table: one, or a tuple such as `(Post::ID, Post::TITLE)`"
)]
pub trait LoadColumns<T>: Selection<T> {
    /// The table columns listed, in order; `None` for every column in
    /// the table's order.
    #[doc(hidden)]
    fn indexes(&self) -> Option<Vec<usize>>;

    /// The whole row, when the output is one.
    #[doc(hidden)]
    fn whole(output: &Self::Output) -> Option<&T>;
}

impl<T: Table> LoadColumns<T> for All {
    fn indexes(&self) -> Option<Vec<usize>> {
        None
    }

    fn whole(output: &T) -> Option<&T> {
        Some(output)
    }
}

impl<T: Table, V: SqlType> LoadColumns<T> for Column<T, V> {
    fn indexes(&self) -> Option<Vec<usize>> {
        Some(vec![self.index()])
    }

    fn whole(_output: &V) -> Option<&T> {
        None
    }
}

impl<T: Table, S: LoadColumns<T>> LoadColumns<T> for Listed<S> {
    fn indexes(&self) -> Option<Vec<usize>> {
        self.inner().indexes()
    }

    fn whole(output: &S::Output) -> Option<&T> {
        S::whole(output)
    }
}

macro_rules! tuple_columns {
    ($($v:ident $i:tt),+) => {
        impl<T: Table, $($v: SqlType),+> LoadColumns<T> for ($(Column<T, $v>,)+) {
            fn indexes(&self) -> Option<Vec<usize>> {
                Some(vec![$(self.$i.index()),+])
            }

            fn whole(_output: &Self::Output) -> Option<&T> {
                None
            }
        }
    };
}

tuple_columns!(A 0);
tuple_columns!(A 0, B 1);
tuple_columns!(A 0, B 1, C 2);
tuple_columns!(A 0, B 1, C 2, D 3);
tuple_columns!(A 0, B 1, C 2, D 3, E 4);
tuple_columns!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_columns!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_columns!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Where the columns of one table are in the rows a statement returned.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Layout {
    /// The first column of the table's part of the row.
    start: usize,
    /// Table column `i` at `at[i]` (`usize::MAX` when not fetched);
    /// `None` when every column is there, in the table's order.
    at: Option<Vec<usize>>,
}

/// No such column in the row.
const ABSENT: usize = usize::MAX;

impl Layout {
    /// Every column of the table, in its order, from `start` on.
    pub(crate) fn whole(start: usize) -> Self {
        Layout { start, at: None }
    }

    /// The first column of the table's part of the row.
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// Where table column `index` is. Every column a load reads is
    /// fetched (see [`write_list`]), so an absent one is a bug here.
    #[inline]
    pub(crate) fn position(&self, index: usize) -> usize {
        match &self.at {
            None => self.start + index,
            Some(at) => {
                let position = at[index];
                assert_ne!(position, ABSENT, "a column a load reads was not fetched");
                position
            }
        }
    }
}

/// Writes the select list of `columns`, then any column of `also` it does
/// not list (the keys a load matches on, fetched but not returned), and
/// gives where each column of `T` ended up, counting from `start`.
pub(crate) fn write_list<'a, T: Table, S: LoadColumns<T>>(
    columns: &'a S,
    out: &mut Built<'a>,
    qualified: bool,
    start: usize,
    also: &[usize],
) -> Layout {
    columns.write(out, qualified);
    let Some(listed) = columns.indexes() else {
        return Layout::whole(start);
    };
    let table = T::table();
    let mut at = vec![ABSENT; table.columns.len()];
    for (i, &index) in listed.iter().enumerate() {
        if at[index] == ABSENT {
            at[index] = start + i;
        }
    }
    let mut next = start + listed.len();
    for &index in also {
        if at[index] == ABSENT {
            out.push(", ");
            if qualified {
                out.qualified_column(table, table.columns[index].name);
            } else {
                out.ident(table.columns[index].name);
            }
            at[index] = next;
            next += 1;
        }
    }
    Layout {
        start,
        at: Some(at),
    }
}

/// Decodes what `columns` lists from a row laid out as `layout` says.
pub(crate) fn decode<T, S: LoadColumns<T>>(
    columns: &S,
    row: &Row,
    layout: &Layout,
) -> Result<S::Output, Error> {
    columns.decode_at(row, layout.start())
}
