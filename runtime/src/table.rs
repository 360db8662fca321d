//! The traits `#[table]` implements, and typed column handles.

use std::fmt;
use std::marker::PhantomData;

use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::error::Error;
use crate::schema::{ColumnDef, Schema, TableDef, ViewDef};

/// A table: a struct annotated with `#[table]`, which is also its select type.
///
/// Implemented by the macro; see the [crate documentation](crate) for an example.
pub trait Table: Sized + Send + Sync + 'static {
    /// The table's static description.
    const TABLE: &'static TableDef;

    /// The table's static description (Drizzle's table object).
    fn table() -> &'static TableDef {
        Self::TABLE
    }

    /// The statement creating it, rendered once by the DDL renderer:
    /// `CREATE TABLE`, or `CREATE VIEW` for a `#[view]`.
    fn create_table() -> &'static str;

    /// Decodes a row whose columns are this table's columns, in declaration order.
    fn from_row(row: &Row) -> Result<Self, Error> {
        Self::from_row_at(row, 0)
    }

    /// Decodes this table's columns from a row, starting at column `offset`
    /// (used when a row carries several tables, as a join does).
    fn from_row_at(row: &Row, offset: usize) -> Result<Self, Error>;

    /// The field of column `index` (declaration order), for reading a
    /// column of a row already decoded (see [`Column::of`]).
    #[doc(hidden)]
    fn __field(&self, _index: usize) -> Option<&dyn std::any::Any> {
        None
    }

    /// Decodes this table's columns from `offset` on, or `None` when a left
    /// join found no row for it: its key columns (or, with no key, all its
    /// columns) are NULL. The macro writes a faster one for a key of one
    /// column, which it decodes once as an `Option`.
    #[doc(hidden)]
    fn __from_row_at_nullable(row: &Row, offset: usize) -> Result<Option<Self>, Error> {
        if absent(row, offset, Self::TABLE) {
            Ok(None)
        } else {
            Self::from_row_at(row, offset).map(Some)
        }
    }
}

/// Whether a left-joined table found no row: its key columns (or, with no
/// key, all its columns) are NULL.
fn absent(row: &Row, offset: usize, table: &TableDef) -> bool {
    // The key's columns, found without collecting them: this runs per row.
    let composite = !table.primary_key.is_empty();
    let keyed = composite || table.columns.iter().any(|c| c.primary_key);
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| match (keyed, composite) {
            (false, _) => true,
            (true, true) => table.primary_key.contains(&c.name),
            (true, false) => c.primary_key,
        })
        .all(|(i, _)| matches!(row.try_get::<_, Option<AnyValue>>(offset + i), Ok(None)))
}

/// Any value, read only to learn whether it is NULL.
struct AnyValue;

impl<'a> postgres_types::FromSql<'a> for AnyValue {
    fn from_sql(
        _: &postgres_types::Type,
        _: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(AnyValue)
    }

    fn accepts(_: &postgres_types::Type) -> bool {
        true
    }
}

/// One value of an inserted row: a bind parameter, or the column's default.
#[derive(Clone, Copy)]
pub enum InsertValue<'a> {
    /// Bind this value as a parameter.
    Bind(&'a (dyn ToSql + Sync)),
    /// Let the column take its default (`DEFAULT` in the `VALUES` list).
    Default,
}

impl fmt::Debug for InsertValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InsertValue::Bind(value) => f.debug_tuple("Bind").field(value).finish(),
            InsertValue::Default => f.write_str("Default"),
        }
    }
}

/// A table rows are written to, as opposed to a view: it has an insert
/// type, and `insert`, `update` and `delete` (the trait `WriteQueries`).
///
/// Implemented by `#[table]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is read-only: rows are not written to it",
    label = "a view, not a table",
    note = "a `#[view]` is selected from, and goes in a schema with `Schema::view::<{Self}>()`; write to the tables it reads"
)]
pub trait Writable: Table {
    /// The insert type (`NewUser` for `User`).
    type Insert: Insertable<Table = Self>;
}

/// An insert type (`NewUser`): the values of one row to insert.
///
/// Implemented by the macro. Identity columns are not part of it; a column
/// with a default is optional and `None` means "use the default".
pub trait Insertable: Send + Sync {
    /// The table the row goes into.
    type Table: Writable;

    /// The positions, in [`TableDef::columns`], of the columns this type
    /// carries, in the order [`push_values`](Insertable::push_values) pushes them.
    const COLUMNS: &'static [usize];

    /// Whether [`push_values`](Insertable::push_values) never pushes
    /// [`InsertValue::Default`]: every row gives every column a value, so a
    /// bulk insert need not look at the rows before copying them. The
    /// macro sets it when no field falls back to a column default.
    #[doc(hidden)]
    const ALWAYS_BOUND: bool = false;

    /// Pushes one value per column of [`COLUMNS`](Insertable::COLUMNS), in order.
    fn push_values<'a>(&'a self, out: &mut Vec<InsertValue<'a>>);
}

/// A typed handle on one column: `User::EMAIL` is a `Column<User, String>`.
///
/// It knows its table (`T`), its Rust type (`V`) and its SQL name, so queries
/// built from it are checked by the compiler.
pub struct Column<T, V> {
    index: usize,
    name: &'static str,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Column<T, V> {
    /// The column at `index` in its table's columns, with SQL name `name`.
    /// Called by the macro; the pair must match the table's `TableDef`.
    #[doc(hidden)]
    pub const fn new(index: usize, name: &'static str) -> Self {
        Column {
            index,
            name,
            _marker: PhantomData,
        }
    }

    /// This column's value in `row`: `User::EMAIL.of(&user)`. `None` only
    /// for a table implemented by hand without field access.
    pub fn of<'r>(&self, row: &'r T) -> Option<&'r V>
    where
        T: Table,
        V: 'static,
    {
        row.__field(self.index)?.downcast_ref::<V>()
    }

    /// The column's SQL name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The column's position in its table (and in a selected row).
    pub const fn index(&self) -> usize {
        self.index
    }
}

impl<T: Table, V> Column<T, V> {
    /// The column's static description.
    pub fn def(&self) -> &'static ColumnDef {
        &T::table().columns[self.index]
    }
}

impl<T, V> Clone for Column<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Column<T, V> {}

impl<T, V> fmt::Debug for Column<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Column")
            .field("table", &std::any::type_name::<T>())
            .field("name", &self.name)
            .field("index", &self.index)
            .finish()
    }
}

/// A view: a struct annotated with `#[view]`, selected from like a table
/// but never written to.
pub trait View: Table {
    /// The view's static description: its query, and whether it is
    /// materialized.
    const VIEW: &'static ViewDef;
}

impl Schema {
    /// Adds a table.
    pub fn table<T: Writable>(mut self) -> Self {
        self.tables.push(T::table());
        self
    }

    /// Adds a view. Views are created after every table, in the order
    /// added: add a view that reads another after it.
    pub fn view<V: View>(mut self) -> Self {
        if !self.views.iter().any(|v| v.table.is(V::VIEW.table)) {
            self.views.push(V::VIEW);
        }
        self
    }
}
