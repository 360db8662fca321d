//! The static model of a table, as `#[table]` describes it.
//!
//! A [`TableDef`] is built at compile time by the macro and is the single
//! source the DDL renderer, the query builder and migrations read. Its fields
//! are public for reading; it is constructed through `const fn` builders so
//! that new fields can be added without breaking generated code.

use std::borrow::Cow;

use crate::typename::{EnumDef, SqlTypeName};

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
    /// The enum type of the column (or of its array elements), if any.
    pub enum_type: Option<&'static EnumDef>,
    /// The column's previous name, for a migration to rename it.
    pub renamed_from: Option<&'static str>,
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
            enum_type: None,
            renamed_from: None,
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

    /// Records the column's previous name, for a migration to rename it.
    pub const fn renamed_from(mut self, old: &'static str) -> Self {
        self.renamed_from = Some(old);
        self
    }

    /// Records the enum type the column uses.
    pub const fn enum_type(mut self, enum_type: Option<&'static EnumDef>) -> Self {
        self.enum_type = enum_type;
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
    /// `NULLS NOT DISTINCT`: two rows with NULLs in the same columns
    /// collide (PostgreSQL 15 and later).
    pub nulls_not_distinct: bool,
}

impl UniqueDef {
    /// A unique constraint over `columns` with the default name.
    pub const fn new(columns: &'static [&'static str]) -> Self {
        UniqueDef {
            name: None,
            columns,
            nulls_not_distinct: false,
        }
    }

    /// Makes NULLs collide like any other value (`NULLS NOT DISTINCT`).
    pub const fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }

    /// Names the constraint explicitly.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }
}

/// What a foreign key does when the referenced row is deleted or updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// `cascade`: delete or update the referencing rows too.
    Cascade,
    /// `set null`: set the referencing columns to NULL.
    SetNull,
    /// `set default`: set the referencing columns to their defaults.
    SetDefault,
    /// `restrict`: refuse at once.
    Restrict,
    /// `no action`: refuse at the end of the statement (PostgreSQL's default).
    NoAction,
}

impl ReferentialAction {
    /// The action as drizzle-kit writes it (`cascade`, `no action`, …).
    pub const fn sql(self) -> &'static str {
        match self {
            ReferentialAction::Cascade => "cascade",
            ReferentialAction::SetNull => "set null",
            ReferentialAction::SetDefault => "set default",
            ReferentialAction::Restrict => "restrict",
            ReferentialAction::NoAction => "no action",
        }
    }
}

/// A foreign key: columns of this table referencing columns of another.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ForeignKeyDef {
    /// The constraint name given in the schema; `None` means the Drizzle default.
    pub name: Option<&'static str>,
    /// The referencing columns of this table.
    pub columns: &'static [&'static str],
    /// The referenced table. A function, so that tables referencing each
    /// other do not make a cycle of constants.
    pub references: fn() -> &'static TableDef,
    /// The referenced columns.
    pub foreign_columns: &'static [&'static str],
    /// What happens when the referenced row is deleted.
    pub on_delete: ReferentialAction,
    /// What happens when the referenced key is updated.
    pub on_update: ReferentialAction,
}

impl ForeignKeyDef {
    /// `columns` referencing `foreign_columns` of the table `references` returns.
    pub const fn new(
        columns: &'static [&'static str],
        references: fn() -> &'static TableDef,
        foreign_columns: &'static [&'static str],
    ) -> Self {
        ForeignKeyDef {
            name: None,
            columns,
            references,
            foreign_columns,
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
        }
    }

    /// Names the constraint explicitly.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the action on delete of the referenced row.
    pub const fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = action;
        self
    }

    /// Sets the action on update of the referenced key.
    pub const fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = action;
        self
    }

    /// The referenced table.
    pub fn foreign_table(&self) -> &'static TableDef {
        (self.references)()
    }

    /// The constraint's name: given, or Drizzle's
    /// `<table>_<columns>_<foreign table>_<foreign columns>_fk`.
    pub fn name_in(&self, table: &TableDef) -> Cow<'static, str> {
        match self.name {
            Some(name) => Cow::Borrowed(name),
            None => {
                let mut parts: Vec<&str> = vec![table.name];
                parts.extend(self.columns);
                parts.push(self.foreign_table().name);
                parts.extend(self.foreign_columns);
                parts.push("fk");
                Cow::Owned(crate::names::derived(&parts))
            }
        }
    }
}

impl PartialEq for ForeignKeyDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.columns == other.columns
            && self.foreign_table().is(other.foreign_table())
            && self.foreign_columns == other.foreign_columns
            && self.on_delete == other.on_delete
            && self.on_update == other.on_update
    }
}

impl Eq for ForeignKeyDef {}

/// An index over one or more columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IndexDef {
    /// The index name given in the schema; `None` means the Drizzle default.
    pub name: Option<&'static str>,
    /// The indexed columns, in order.
    pub columns: &'static [&'static str],
    /// Whether the index is unique.
    pub unique: bool,
    /// The access method (`btree`, `gin`, …); `None` is btree.
    pub using: Option<&'static str>,
    /// How each column is ordered and compared, in the columns' order;
    /// empty when every column takes the defaults.
    pub keys: &'static [IndexKeyDef],
    /// A partial index's predicate (`WHERE …`), as SQL.
    pub predicate: Option<&'static str>,
}

/// How one column of an index is ordered and compared:
/// `columns(created_at desc nulls_last, metadata opclass = "jsonb_path_ops")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IndexKeyDef {
    /// Descending (`DESC`); ascending when false.
    pub desc: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`);
    /// `None` is PostgreSQL's default (first when descending).
    pub nulls_first: Option<bool>,
    /// The operator class, such as `jsonb_path_ops`; `None` is the type's
    /// default.
    pub opclass: Option<&'static str>,
}

impl IndexKeyDef {
    /// Ascending, NULLs where PostgreSQL puts them, the default operator class.
    pub const ASC: IndexKeyDef = IndexKeyDef {
        desc: false,
        nulls_first: None,
        opclass: None,
    };

    /// Descending.
    pub const fn desc(mut self) -> Self {
        self.desc = true;
        self
    }

    /// NULLs first (`true`) or last (`false`).
    pub const fn nulls_first(mut self, first: bool) -> Self {
        self.nulls_first = Some(first);
        self
    }

    /// Compared by the operator class `name`.
    pub const fn opclass(mut self, name: &'static str) -> Self {
        self.opclass = Some(name);
        self
    }
}

impl IndexDef {
    /// A btree index over `columns` with the default name.
    pub const fn new(columns: &'static [&'static str]) -> Self {
        IndexDef {
            name: None,
            columns,
            unique: false,
            using: None,
            keys: &[],
            predicate: None,
        }
    }

    /// Orders and compares each column as `keys` says (one per column).
    pub const fn keys(mut self, keys: &'static [IndexKeyDef]) -> Self {
        self.keys = keys;
        self
    }

    /// Makes the index partial: only rows matching `predicate` (SQL).
    pub const fn predicate(mut self, predicate: &'static str) -> Self {
        self.predicate = Some(predicate);
        self
    }

    /// Names the index.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// Makes the index unique.
    pub const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Sets the access method (`gin`, `gist`, `hash`, `brin`, …).
    pub const fn using(mut self, method: &'static str) -> Self {
        self.using = Some(method);
        self
    }

    /// The index's name: given, or Drizzle's `<table>_<columns>_index`.
    pub fn name_in(&self, table: &TableDef) -> Cow<'static, str> {
        match self.name {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(constraint_name(table.name, self.columns, "index")),
        }
    }
}

/// A CHECK constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckDef {
    /// The constraint name.
    pub name: &'static str,
    /// The SQL boolean expression.
    pub expr: &'static str,
}

impl CheckDef {
    /// A check named `name` on the SQL expression `expr`.
    pub const fn new(name: &'static str, expr: &'static str) -> Self {
        CheckDef { name, expr }
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
    /// Foreign keys, from column `references` attributes.
    pub foreign_keys: &'static [ForeignKeyDef],
    /// Indexes, from column and table `index` attributes.
    pub indexes: &'static [IndexDef],
    /// CHECK constraints, from column and table `check` attributes.
    pub checks: &'static [CheckDef],
    /// The table's previous name, for a migration to rename it.
    pub renamed_from: Option<&'static str>,
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
            foreign_keys: &[],
            indexes: &[],
            checks: &[],
            renamed_from: None,
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

    /// Records the table's previous name, for a migration to rename it.
    pub const fn renamed_from(mut self, old: &'static str) -> Self {
        self.renamed_from = Some(old);
        self
    }

    /// Sets the foreign keys.
    pub const fn foreign_keys(mut self, foreign_keys: &'static [ForeignKeyDef]) -> Self {
        self.foreign_keys = foreign_keys;
        self
    }

    /// Sets the indexes.
    pub const fn indexes(mut self, indexes: &'static [IndexDef]) -> Self {
        self.indexes = indexes;
        self
    }

    /// Sets the CHECK constraints.
    pub const fn checks(mut self, checks: &'static [CheckDef]) -> Self {
        self.checks = checks;
        self
    }

    /// Whether `other` is the same table (same schema and name).
    pub fn is(&self, other: &TableDef) -> bool {
        self.name == other.name
            && self.schema.unwrap_or("public") == other.schema.unwrap_or("public")
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

/// Drizzle's constraint naming, `<table>_<col>_..._<suffix>`, as
/// PostgreSQL stores it (cut to 63 bytes).
fn constraint_name(table: &str, columns: &[&str], suffix: &str) -> String {
    let mut parts = Vec::with_capacity(columns.len() + 2);
    parts.push(table);
    parts.extend_from_slice(columns);
    parts.push(suffix);
    crate::names::derived(&parts)
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
    pub(crate) tables: Vec<&'static TableDef>,
    pub(crate) enums: Vec<&'static EnumDef>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Schema::default()
    }

    /// Every enum type: those added, then those the tables' columns use,
    /// each once.
    pub fn enums(&self) -> Vec<&'static EnumDef> {
        let used = self
            .tables
            .iter()
            .flat_map(|t| t.columns.iter().filter_map(|c| c.enum_type));
        let mut enums: Vec<&'static EnumDef> = Vec::new();
        for e in self.enums.iter().copied().chain(used) {
            if !enums.iter().any(|known| known.is(e)) {
                enums.push(e);
            }
        }
        enums
    }

    /// The tables, in the order they were added.
    pub fn tables(&self) -> &[&'static TableDef] {
        &self.tables
    }

    /// The tables with every referenced table before the tables referencing
    /// it, where the references allow (a cycle keeps the order given).
    pub fn tables_in_dependency_order(&self) -> Vec<&'static TableDef> {
        let mut placed: Vec<&'static TableDef> = Vec::with_capacity(self.tables.len());
        let mut waiting: Vec<&'static TableDef> = self.tables.clone();
        while !waiting.is_empty() {
            let ready = waiting.iter().position(|table| {
                table.foreign_keys.iter().all(|fk| {
                    let target = fk.foreign_table();
                    target.is(table)
                        || placed.iter().any(|p| p.is(target))
                        || !waiting.iter().any(|w| w.is(target))
                })
            });
            // In a cycle nothing is ready: take the first waiting table.
            placed.push(waiting.remove(ready.unwrap_or(0)));
        }
        placed
    }
}
