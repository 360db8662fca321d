//! The static model of a table, as `#[table]` describes it.
//!
//! A [`TableDef`] is built at compile time by the macro and is the single
//! source the DDL renderer, the query builder and migrations read. Its fields
//! are public for reading; it is constructed through `const fn` builders so
//! that new fields can be added without breaking generated code.

use std::borrow::Cow;

use crate::table::Table;
use crate::types::SqlTypeName;

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnDef {
    /// The column's SQL name.
    pub name: &'static str,
    /// The Rust field the column is read into.
    pub field: &'static str,
    /// The column's PostgreSQL type.
    pub sql_type: SqlTypeName,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// Whether the column alone is the table's primary key.
    pub primary_key: bool,
    /// Whether the column carries its own unique constraint.
    pub unique: bool,
    /// The SQL expression of the column's default, if any.
    pub default: Option<&'static str>,
    /// Whether the column is `GENERATED ALWAYS AS IDENTITY`.
    pub identity: bool,
}

impl ColumnDef {
    /// A nullable or not-null column with no constraint and no default.
    pub const fn new(
        name: &'static str,
        field: &'static str,
        sql_type: SqlTypeName,
        nullable: bool,
    ) -> Self {
        ColumnDef {
            name,
            field,
            sql_type,
            nullable,
            primary_key: false,
            unique: false,
            default: None,
            identity: false,
        }
    }

    /// Makes the column the table's primary key.
    pub const fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self
    }

    /// Gives the column a unique constraint.
    pub const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Sets the column's default to an SQL expression.
    pub const fn default(mut self, expr: &'static str) -> Self {
        self.default = Some(expr);
        self
    }

    /// Makes the column `GENERATED ALWAYS AS IDENTITY`.
    pub const fn identity(mut self) -> Self {
        self.identity = true;
        self
    }

    /// Whether an insert may leave the column out (it has a default or is an identity).
    pub const fn has_default(&self) -> bool {
        self.default.is_some() || self.identity
    }
}

/// A unique constraint over one or more columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UniqueDef {
    /// The constraint name given in the schema; `None` means the Drizzle default.
    pub name: Option<&'static str>,
    /// The SQL names of the constrained columns, in order.
    pub columns: &'static [&'static str],
}

impl UniqueDef {
    /// A unique constraint over `columns` with the default name.
    pub const fn new(columns: &'static [&'static str]) -> Self {
        UniqueDef {
            name: None,
            columns,
        }
    }

    /// Names the constraint explicitly.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }
}

/// A table: its name, columns and table-level constraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableDef {
    /// The table's SQL name.
    pub name: &'static str,
    /// The schema the table lives in; `None` is the search path (usually `public`).
    pub schema: Option<&'static str>,
    /// The columns, in declaration order (the order rows are decoded in).
    pub columns: &'static [ColumnDef],
    /// A composite primary key, by SQL column names; empty when a column is
    /// the primary key on its own.
    pub primary_key: &'static [&'static str],
    /// Table-level unique constraints.
    pub unique: &'static [UniqueDef],
}

impl TableDef {
    /// A table in the default schema with the given columns.
    pub const fn new(name: &'static str, columns: &'static [ColumnDef]) -> Self {
        TableDef {
            name,
            schema: None,
            columns,
            primary_key: &[],
            unique: &[],
        }
    }

    /// Puts the table in a named schema.
    pub const fn schema(mut self, schema: &'static str) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Sets a composite primary key.
    pub const fn primary_key(mut self, columns: &'static [&'static str]) -> Self {
        self.primary_key = columns;
        self
    }

    /// Sets the table-level unique constraints.
    pub const fn unique(mut self, unique: &'static [UniqueDef]) -> Self {
        self.unique = unique;
        self
    }

    /// The column with the given SQL name.
    pub fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The primary key's columns, whether declared on a column or on the table.
    pub fn primary_key_columns(&self) -> Vec<&'static str> {
        if self.primary_key.is_empty() {
            self.columns
                .iter()
                .filter(|c| c.primary_key)
                .map(|c| c.name)
                .collect()
        } else {
            self.primary_key.to_vec()
        }
    }

    /// The name of a composite primary key constraint, as Drizzle names it:
    /// `<table>_<col>_<col>_pk`. A single-column key is named by PostgreSQL
    /// (`<table>_pkey`) and has no name here.
    pub fn composite_primary_key_name(&self) -> Option<String> {
        (!self.primary_key.is_empty()).then(|| constraint_name(self.name, self.primary_key, "pk"))
    }

    /// Every unique constraint with its name: those on single columns
    /// (`<table>_<col>_unique`) first, then the table-level ones.
    pub fn unique_constraints(&self) -> Vec<(Cow<'static, str>, &'static [&'static str])> {
        let by_column = self.columns.iter().filter(|c| c.unique).map(|c| {
            let columns: &'static [&'static str] = std::slice::from_ref(&c.name);
            (
                Cow::Owned(constraint_name(self.name, columns, "unique")),
                columns,
            )
        });
        let by_table = self.unique.iter().map(|u| {
            let name = match u.name {
                Some(name) => Cow::Borrowed(name),
                None => Cow::Owned(constraint_name(self.name, u.columns, "unique")),
            };
            (name, u.columns)
        });
        by_column.chain(by_table).collect()
    }
}

/// Drizzle's constraint naming: `<table>_<col>_..._<suffix>`.
fn constraint_name(table: &str, columns: &[&str], suffix: &str) -> String {
    let mut name = String::from(table);
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    name.push('_');
    name.push_str(suffix);
    name
}

/// The tables of an application, rendered together as one DDL script.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "notes")]
/// pub struct Note {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub body: String,
/// }
///
/// let schema = Schema::new().table::<Note>();
/// assert!(schema.to_sql().starts_with("CREATE TABLE \"notes\""));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Schema {
    tables: Vec<&'static TableDef>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Schema::default()
    }

    /// Adds a table.
    pub fn table<T: Table>(mut self) -> Self {
        self.tables.push(T::table());
        self
    }

    /// The tables, in the order they were added.
    pub fn tables(&self) -> &[&'static TableDef] {
        &self.tables
    }

    /// The DDL creating every schema namespace and table, ready for `psql`.
    pub fn to_sql(&self) -> String {
        crate::ddl::create_schema(self)
    }
}
