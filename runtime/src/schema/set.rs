//! A whole schema: the tables, enums and roles of an application.

use super::{SequenceDef, TableDef, ViewDef};
use crate::typename::EnumDef;

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
    pub(crate) roles: Vec<&'static str>,
    pub(crate) views: Vec<&'static ViewDef>,
    pub(crate) sequences: Vec<&'static SequenceDef>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Schema::default()
    }

    /// Adds a database role that migrations create (`CREATE ROLE`), for
    /// policies to name. A role that exists already (made by hand or by
    /// another application) need not be added: policies may name any role.
    pub fn role(mut self, name: &'static str) -> Self {
        if !self.roles.contains(&name) {
            self.roles.push(name);
        }
        self
    }

    /// The views, in the order they were added (a view that reads another
    /// comes after it).
    pub fn views(&self) -> &[&'static ViewDef] {
        &self.views
    }

    /// Adds a sequence (Drizzle's `pgSequence`).
    pub fn sequence(mut self, sequence: &'static SequenceDef) -> Self {
        self.sequences.push(sequence);
        self
    }

    /// The sequences, in the order they were added.
    pub fn sequences(&self) -> &[&'static SequenceDef] {
        &self.sequences
    }

    /// The roles added with [`Schema::role`].
    pub fn roles(&self) -> &[&'static str] {
        &self.roles
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
