//! The diff engine: what turns the database described by one snapshot into
//! the one described by another, as SQL in an order PostgreSQL accepts.
//!
//! Renames happen only where the schema says `renamed_from`; a dropped
//! table or column is never guessed to be a rename. Every statement that
//! can lose data is marked destructive.

use super::diff_columns::columns;
use super::diff_items::{constraints, drop_and_add};
use crate::ddl::statement::{Alter, ColumnChange, Ddl, Name, TypeRef};
use crate::ddl::{full_name, quote_ident, table_name};
use crate::snapshot::{Enum, Sequence, Snapshot, Table, View};

/// One change between two schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What changes, for a person: `add column "posts"."rating"`.
    pub description: String,
    /// The statements that make the change, each ending in `;`.
    pub statements: Vec<String>,
    /// Whether it can lose data (drops, type changes).
    pub destructive: bool,
}

/// The phases a migration runs in; changes are sorted by phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    Roles,
    Schemas,
    Sequences,
    DropViews,
    Enums,
    Renames,
    DropPolicies,
    DropForeignKeys,
    DropIndexes,
    DropConstraints,
    CreateTables,
    AddColumns,
    AlterColumns,
    DropColumns,
    AddConstraints,
    AddForeignKeys,
    CreateIndexes,
    RowLevelSecurity,
    CreatePolicies,
    CreateViews,
    DropTables,
    DropEnums,
    DropSequences,
    DropRoles,
}

#[derive(Default)]
pub(super) struct Plan(Vec<(Phase, Change)>);

impl Plan {
    pub(super) fn add(
        &mut self,
        phase: Phase,
        description: String,
        statements: Vec<String>,
        destructive: bool,
    ) {
        self.0.push((
            phase,
            Change {
                description,
                statements,
                destructive,
            },
        ));
    }

    fn into_changes(mut self) -> Vec<Change> {
        // A stable sort keeps the order within a phase.
        self.0.sort_by_key(|(phase, _)| *phase);
        self.0.into_iter().map(|(_, change)| change).collect()
    }
}

/// The changes turning `old` into `new`, in the order to apply them.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut plan = Plan::default();
    roles(&mut plan, old, new);
    schemas(&mut plan, old, new);
    sequences(&mut plan, old, new);
    enums(&mut plan, old, new);
    for table in &new.tables {
        let previous = old.table(&table.schema, &table.name).or_else(|| {
            let renamed = table.renamed_from.as_deref()?;
            let before = old.table(&table.schema, renamed)?;
            let name = table_name(&table.schema, renamed);
            plan.add(
                Phase::Renames,
                format!("rename table {name} to {}", quote_ident(&table.name)),
                vec![
                    Ddl::RenameTable {
                        table: Name {
                            schema: &table.schema,
                            name: renamed,
                        },
                        to: &table.name,
                    }
                    .to_sql(),
                ],
                false,
            );
            Some(before)
        });
        match previous {
            Some(before) => alter_table(&mut plan, before, table),
            None => create_table(&mut plan, table),
        }
    }
    for table in &old.tables {
        let kept = new.table(&table.schema, &table.name).is_some()
            || new.tables.iter().any(|t| {
                t.schema == table.schema && t.renamed_from.as_deref() == Some(table.name.as_str())
            });
        if !kept {
            let name = table_name(&table.schema, &table.name);
            plan.add(
                Phase::DropTables,
                format!("drop table {name} and its data"),
                vec![Ddl::DropTable(Name::of_table(table)).to_sql()],
                true,
            );
        }
    }
    views(&mut plan, old, new);
    plan.into_changes()
}

/// Views are created after the tables and dropped before them. A view
/// fixes the columns it reads (their types cannot change while it is
/// there) and the views it reads: so when the tables or enums change, or
/// any view changes or goes, every view is dropped (last first) and
/// created again (first first). A view that is only added is created.
fn views(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    let find = |s: &'_ Snapshot, v: &View| -> Option<View> {
        s.views
            .iter()
            .find(|o| o.schema == v.schema && o.name == v.name)
            .cloned()
    };
    let tables_change = plan.0.iter().any(|(phase, _)| {
        matches!(
            phase,
            Phase::Enums
                | Phase::Renames
                | Phase::AlterColumns
                | Phase::DropColumns
                | Phase::DropTables
        )
    });
    let rebuild = tables_change || old.views.iter().any(|v| find(new, v).as_ref() != Some(v));
    let name = |v: &View| full_name(&v.schema, &v.name);
    if rebuild {
        for v in old.views.iter().rev() {
            plan.add(
                Phase::DropViews,
                format!("drop view {}", name(v)),
                vec![Ddl::DropView(v).to_sql()],
                false,
            );
        }
    }
    for v in &new.views {
        if rebuild || find(old, v).is_none() {
            plan.add(
                Phase::CreateViews,
                format!("create view {}", name(v)),
                vec![Ddl::CreateView(v).to_sql()],
                false,
            );
        }
    }
}

fn roles(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    for role in new.roles.iter().filter(|r| !old.roles.contains(r)) {
        plan.add(
            Phase::Roles,
            format!("create role {}", quote_ident(role)),
            vec![Ddl::CreateRole(role).to_sql()],
            false,
        );
    }
    for role in old.roles.iter().filter(|r| !new.roles.contains(r)) {
        plan.add(
            Phase::DropRoles,
            format!("drop role {}", quote_ident(role)),
            vec![Ddl::DropRole(role).to_sql()],
            false,
        );
    }
}

/// Sequences are created before the tables whose defaults may draw on
/// them, altered in place, and dropped after the tables.
fn sequences(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    let find = |s: &'_ Snapshot, q: &Sequence| -> Option<Sequence> {
        s.sequences
            .iter()
            .find(|o| o.schema == q.schema && o.name == q.name)
            .cloned()
    };
    for seq in &new.sequences {
        let name = full_name(&seq.schema, &seq.name);
        match find(old, seq) {
            None => plan.add(
                Phase::Sequences,
                format!("create sequence {name}"),
                vec![Ddl::Sequence(seq, true).to_sql()],
                false,
            ),
            Some(before) if before != *seq => plan.add(
                Phase::Sequences,
                format!("alter sequence {name}"),
                vec![Ddl::Sequence(seq, false).to_sql()],
                false,
            ),
            Some(_) => {}
        }
    }
    for seq in &old.sequences {
        if find(new, seq).is_none() {
            plan.add(
                Phase::DropSequences,
                format!("drop sequence {}", full_name(&seq.schema, &seq.name)),
                vec![Ddl::DropSequence(seq).to_sql()],
                true,
            );
        }
    }
}

fn schemas(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    let names = |s: &Snapshot| -> Vec<String> {
        let mut names: Vec<String> = s
            .enums
            .iter()
            .map(|e| e.schema.clone())
            .chain(s.tables.iter().map(|t| t.schema.clone()))
            .chain(s.views.iter().map(|v| v.schema.clone()))
            .chain(s.sequences.iter().map(|q| q.schema.clone()))
            .filter(|n| n != "public")
            .collect();
        names.dedup();
        names
    };
    let before = names(old);
    let mut created: Vec<String> = Vec::new();
    for name in names(new) {
        if !before.contains(&name) && !created.contains(&name) {
            plan.add(
                Phase::Schemas,
                format!("create schema {}", quote_ident(&name)),
                vec![Ddl::CreateSchema(&name).to_sql()],
                false,
            );
            created.push(name);
        }
    }
}

fn find_enum<'a>(s: &'a Snapshot, e: &Enum) -> Option<&'a Enum> {
    s.enums
        .iter()
        .find(|o| o.schema == e.schema && o.name == e.name)
}

fn enums(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    for e in &new.enums {
        let name = full_name(&e.schema, &e.name);
        let Some(before) = find_enum(old, e) else {
            plan.add(
                Phase::Enums,
                format!("create enum {name}"),
                vec![Ddl::CreateEnum(e).to_sql()],
                false,
            );
            continue;
        };
        if before.values == e.values {
            continue;
        }
        // Only additions, in an order the old values keep: ADD VALUE each.
        let kept: Vec<&String> = e
            .values
            .iter()
            .filter(|v| before.values.contains(v))
            .collect();
        if kept.len() == before.values.len()
            && kept.iter().zip(&before.values).all(|(a, b)| *a == b)
        {
            let mut statements = Vec::new();
            for (i, value) in e.values.iter().enumerate() {
                if before.values.contains(value) {
                    continue;
                }
                let next = e.values[i + 1..]
                    .iter()
                    .find(|next| before.values.contains(next));
                statements.push(
                    Ddl::AddEnumValue {
                        name: Name::of_enum(e),
                        value,
                        before: next.map(String::as_str),
                    }
                    .to_sql(),
                );
            }
            plan.add(
                Phase::Enums,
                format!("add values to enum {name}"),
                statements,
                false,
            );
        } else {
            rebuild_enum(plan, old, before, e);
        }
    }
    for e in &old.enums {
        if find_enum(new, e).is_none() {
            let name = full_name(&e.schema, &e.name);
            plan.add(
                Phase::DropEnums,
                format!("drop enum {name}"),
                vec![Ddl::DropType(Name::of_enum(e)).to_sql()],
                true,
            );
        }
    }
}

/// Values removed or reordered: create the type anew and convert every
/// column using it through text. Rows holding a removed value fail the
/// conversion, and the migration with them.
fn rebuild_enum(plan: &mut Plan, old: &Snapshot, before: &Enum, after: &Enum) {
    let name = full_name(&after.schema, &after.name);
    let old_name = format!("{}__old", after.name);
    let quoted = quote_ident(&after.name);
    let mut statements = vec![
        Ddl::RenameType {
            name: Name::of_enum(after),
            to: &old_name,
        }
        .to_sql(),
        Ddl::CreateEnum(after).to_sql(),
    ];
    for table in &old.tables {
        for column in &table.columns {
            let array = column.sql_type.ends_with("[]");
            let base = column.sql_type.trim_end_matches("[]");
            if base != quoted && base != name {
                continue;
            }
            let alter = |change| {
                Ddl::AlterTable(Name::of_table(table), Alter::Column(&column.name, change)).to_sql()
            };
            if column.default.is_some() {
                statements.push(alter(ColumnChange::DropDefault));
            }
            statements.push(alter(ColumnChange::SetType {
                ty: TypeRef::Enum {
                    name: Name::of_enum(after),
                    array,
                },
                via: Some(if array { "text[]" } else { "text" }),
            }));
            if let Some(default) = &column.default {
                statements.push(alter(ColumnChange::SetDefault(default)));
            }
        }
    }
    statements.push(
        Ddl::DropType(Name {
            schema: &after.schema,
            name: &old_name,
        })
        .to_sql(),
    );
    let removed: Vec<&String> = before
        .values
        .iter()
        .filter(|v| !after.values.contains(v))
        .collect();
    plan.add(
        Phase::Enums,
        format!("recreate enum {name} (values removed or reordered: {removed:?})"),
        statements,
        true,
    );
}

fn create_table(plan: &mut Plan, table: &Table) {
    let name = table_name(&table.schema, &table.name);
    plan.add(
        Phase::CreateTables,
        format!("create table {name}"),
        vec![Ddl::CreateTable(table).to_sql()],
        false,
    );
    for fk in &table.foreign_keys {
        plan.add(
            Phase::AddForeignKeys,
            format!("add foreign key {} on {name}", quote_ident(&fk.name)),
            vec![Ddl::AddForeignKey(table, fk).to_sql()],
            false,
        );
    }
    for index in &table.indexes {
        plan.add(
            Phase::CreateIndexes,
            format!("create index {} on {name}", quote_ident(&index.name)),
            vec![Ddl::CreateIndex(table, index).to_sql()],
            false,
        );
    }
    row_level_security(plan, false, table);
    drop_and_add(plan, table, (&[], &table.policies[..]));
}

fn alter_table(plan: &mut Plan, before: &Table, after: &Table) {
    columns(plan, before, after);
    constraints(plan, before, after);
    row_level_security(plan, before.rls, after);
    drop_and_add(plan, after, (&before.policies[..], &after.policies[..]));
}

/// Enables or disables row-level security when it changes from `was`.
fn row_level_security(plan: &mut Plan, was: bool, table: &Table) {
    if was != table.rls {
        let verb = if table.rls { "enable" } else { "disable" };
        plan.add(
            Phase::RowLevelSecurity,
            format!(
                "{verb} row-level security on {}",
                table_name(&table.schema, &table.name)
            ),
            vec![Ddl::RowLevelSecurity(Name::of_table(table), table.rls).to_sql()],
            false,
        );
    }
}

/// `ALTER TABLE <table> <alter>;`
pub(super) fn alter(table: &Table, alter: Alter<'_>) -> String {
    Ddl::AlterTable(Name::of_table(table), alter).to_sql()
}

/// A migration file's text: each change as a comment and its statements,
/// destructive ones flagged so a reviewer sees them.
pub fn render_migration(title: &str, changes: &[Change]) -> String {
    let mut out =
        format!("-- {title}\n-- Generated by pgtable from the schema. Review before applying.\n");
    for change in changes {
        out.push('\n');
        if change.destructive {
            out.push_str("-- DESTRUCTIVE: ");
        } else {
            out.push_str("-- ");
        }
        out.push_str(&change.description);
        out.push('\n');
        for statement in &change.statements {
            out.push_str(statement);
            out.push('\n');
        }
    }
    out
}
