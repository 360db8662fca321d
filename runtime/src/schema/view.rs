//! Views: a named query, selected from like a table.

use super::TableDef;

/// A view (`CREATE VIEW`) or materialized view, as `#[view]` declares it.
/// Its columns, name and schema are those of `table`, which is what
/// queries select from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ViewDef {
    /// The view's name, schema and columns.
    pub table: &'static TableDef,
    /// The query that defines it.
    pub sql: &'static str,
    /// `CREATE MATERIALIZED VIEW`: rows stored, and refreshed on demand.
    pub materialized: bool,
}

impl ViewDef {
    /// A view of `table`'s name and columns, defined by `sql`.
    pub const fn new(table: &'static TableDef, sql: &'static str) -> Self {
        ViewDef {
            table,
            sql,
            materialized: false,
        }
    }

    /// Makes it a materialized view.
    pub const fn materialized(mut self) -> Self {
        self.materialized = true;
        self
    }
}
