//! Indexes: their columns, how each is ordered and compared, and a
//! partial index's predicate.

use std::borrow::Cow;

use super::{TableDef, constraint_name};

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
    /// Built by migrations on an existing table with `CREATE INDEX
    /// CONCURRENTLY`, in a migration of its own run outside a transaction,
    /// so that writes to the table go on meanwhile.
    pub concurrently: bool,
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
            concurrently: false,
        }
    }

    /// Has migrations build it with `CREATE INDEX CONCURRENTLY` on an
    /// existing table.
    pub const fn concurrently(mut self) -> Self {
        self.concurrently = true;
        self
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
