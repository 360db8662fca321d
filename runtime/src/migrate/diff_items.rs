//! The diff of a table's constraints, indexes and policies: each that is
//! gone or changed is dropped, each that is new or changed is added.

use super::diff::{Phase, Plan, alter};
use crate::ddl::statement::{Alter, Constraint, Ddl, Name};
use crate::ddl::{quote_ident, table_name};
use crate::snapshot::{Check, ForeignKey, Index, Policy, PrimaryKey, Table, Unique};

/// A constraint or an index of a table, as the diff drops and adds it: a
/// changed one is dropped and added again.
pub(super) trait TableItem: PartialEq {
    /// What it is, for the change's description.
    const KIND: &'static str;
    /// When it is dropped, and when added.
    const DROP: Phase;
    const ADD: Phase;
    fn name(&self) -> &str;
    /// The statement adding it to `table`.
    fn add_sql(&self, table: &Table) -> String;
    /// The statement dropping it from `table`.
    fn drop_sql(&self, table: &Table) -> String {
        alter(table, Alter::DropConstraint(self.name()))
    }
}

impl TableItem for PrimaryKey {
    const KIND: &'static str = "primary key";
    const DROP: Phase = Phase::DropConstraints;
    const ADD: Phase = Phase::AddConstraints;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        alter(table, Alter::AddConstraint(Constraint::PrimaryKey(self)))
    }
}

impl TableItem for Unique {
    const KIND: &'static str = "unique constraint";
    const DROP: Phase = Phase::DropConstraints;
    const ADD: Phase = Phase::AddConstraints;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        alter(table, Alter::AddConstraint(Constraint::Unique(self)))
    }
}

impl TableItem for Check {
    const KIND: &'static str = "check";
    const DROP: Phase = Phase::DropConstraints;
    const ADD: Phase = Phase::AddConstraints;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        alter(table, Alter::AddConstraint(Constraint::Check(self)))
    }
}

impl TableItem for ForeignKey {
    const KIND: &'static str = "foreign key";
    const DROP: Phase = Phase::DropForeignKeys;
    const ADD: Phase = Phase::AddForeignKeys;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        Ddl::AddForeignKey(table, self).to_sql()
    }
}

impl TableItem for Index {
    const KIND: &'static str = "index";
    const DROP: Phase = Phase::DropIndexes;
    const ADD: Phase = Phase::CreateIndexes;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        if self.concurrently {
            Ddl::CreateIndexConcurrently(table, self).to_sql()
        } else {
            Ddl::CreateIndex(table, self).to_sql()
        }
    }
    fn drop_sql(&self, table: &Table) -> String {
        Ddl::DropIndex(Name {
            schema: &table.schema,
            name: &self.name,
        })
        .to_sql()
    }
}

impl TableItem for Policy {
    const KIND: &'static str = "policy";
    // Dropped before columns change (a policy naming a column blocks
    // changing its type), created once the table is complete.
    const DROP: Phase = Phase::DropPolicies;
    const ADD: Phase = Phase::CreatePolicies;
    fn name(&self) -> &str {
        &self.name
    }
    fn add_sql(&self, table: &Table) -> String {
        Ddl::CreatePolicy(table, self).to_sql()
    }
    fn drop_sql(&self, table: &Table) -> String {
        Ddl::DropPolicy(Name::of_table(table), &self.name).to_sql()
    }
}

/// Drops the items of `before` that are gone or changed in `after`, and
/// adds those new or changed.
pub(super) fn drop_and_add<I: TableItem>(plan: &mut Plan, table: &Table, items: (&[I], &[I])) {
    let t = table_name(&table.schema, &table.name);
    let (before, after) = items;
    for gone in before.iter().filter(|b| !after.contains(b)) {
        plan.add(
            I::DROP,
            format!("drop {} {} on {t}", I::KIND, quote_ident(gone.name())),
            vec![gone.drop_sql(table)],
            false,
        );
    }
    for new in after.iter().filter(|a| !before.contains(a)) {
        let verb = if matches!(I::ADD, Phase::CreateIndexes | Phase::CreatePolicies) {
            "create"
        } else {
            "add"
        };
        plan.add(
            I::ADD,
            format!("{verb} {} {} on {t}", I::KIND, quote_ident(new.name())),
            vec![new.add_sql(table)],
            false,
        );
    }
}

pub(super) fn constraints(plan: &mut Plan, before: &Table, after: &Table) {
    drop_and_add(
        plan,
        after,
        (before.primary_key.as_slice(), after.primary_key.as_slice()),
    );
    drop_and_add(plan, after, (&before.uniques[..], &after.uniques[..]));
    drop_and_add(plan, after, (&before.checks[..], &after.checks[..]));
    drop_and_add(
        plan,
        after,
        (&before.foreign_keys[..], &after.foreign_keys[..]),
    );
    drop_and_add(plan, after, (&before.indexes[..], &after.indexes[..]));
}
