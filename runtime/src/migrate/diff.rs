//! The diff engine: what turns the database described by one snapshot into
//! the one described by another, as SQL in an order PostgreSQL accepts.
//!
//! Renames happen only where the schema says `renamed_from`; a dropped
//! table or column is never guessed to be a rename. Every statement that
//! can lose data is marked destructive.

use crate::ddl::{
    add_foreign_key, check_constraint, column_definition, create_index, full_name,
    primary_key_constraint, quote_ident, quote_literal, render_enum, render_table, table_name,
    unique_constraint,
};
use crate::snapshot::{Column, Enum, Snapshot, Table};

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
enum Phase {
    Schemas,
    Enums,
    Renames,
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
    DropTables,
    DropEnums,
}

#[derive(Default)]
struct Plan(Vec<(Phase, Change)>);

impl Plan {
    fn add(
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
    schemas(&mut plan, old, new);
    enums(&mut plan, old, new);
    for table in &new.tables {
        let previous = old.table(&table.schema, &table.name).or_else(|| {
            let renamed = table.renamed_from.as_deref()?;
            let before = old.table(&table.schema, renamed)?;
            let name = table_name(&table.schema, renamed);
            plan.add(
                Phase::Renames,
                format!("rename table {name} to {}", quote_ident(&table.name)),
                vec![format!(
                    "ALTER TABLE {name} RENAME TO {};",
                    quote_ident(&table.name)
                )],
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
                vec![format!("DROP TABLE {name} CASCADE;")],
                true,
            );
        }
    }
    plan.into_changes()
}

fn schemas(plan: &mut Plan, old: &Snapshot, new: &Snapshot) {
    let names = |s: &Snapshot| -> Vec<String> {
        let mut names: Vec<String> = s
            .enums
            .iter()
            .map(|e| e.schema.clone())
            .chain(s.tables.iter().map(|t| t.schema.clone()))
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
                vec![format!("CREATE SCHEMA {};", quote_ident(&name))],
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
                vec![render_enum(e)],
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
                let position = e.values[i + 1..]
                    .iter()
                    .find(|next| before.values.contains(next))
                    .map_or_else(String::new, |next| {
                        format!(" BEFORE {}", quote_literal(next))
                    });
                statements.push(format!(
                    "ALTER TYPE {name} ADD VALUE {}{position};",
                    quote_literal(value)
                ));
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
                vec![format!("DROP TYPE {name};")],
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
        format!("ALTER TYPE {name} RENAME TO {};", quote_ident(&old_name)),
        render_enum(after),
    ];
    for table in &old.tables {
        for column in &table.columns {
            let array = column.sql_type.ends_with("[]");
            let base = column.sql_type.trim_end_matches("[]");
            if base != quoted && base != name {
                continue;
            }
            let t = table_name(&table.schema, &table.name);
            let c = quote_ident(&column.name);
            let (text, target) = if array {
                ("text[]", format!("{name}[]"))
            } else {
                ("text", name.clone())
            };
            if column.default.is_some() {
                statements.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"));
            }
            statements.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET DATA TYPE {target} USING {c}::{text}::{target};"
            ));
            if let Some(default) = &column.default {
                statements.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default};"
                ));
            }
        }
    }
    statements.push(format!(
        "DROP TYPE {};",
        full_name(&after.schema, &old_name)
    ));
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
        vec![render_table(table)],
        false,
    );
    for fk in &table.foreign_keys {
        plan.add(
            Phase::AddForeignKeys,
            format!("add foreign key {} on {name}", quote_ident(&fk.name)),
            vec![add_foreign_key(table, fk)],
            false,
        );
    }
    for index in &table.indexes {
        plan.add(
            Phase::CreateIndexes,
            format!("create index {} on {name}", quote_ident(&index.name)),
            vec![create_index(table, index)],
            false,
        );
    }
}

fn alter_table(plan: &mut Plan, before: &Table, after: &Table) {
    let t = table_name(&after.schema, &after.name);
    columns(plan, &t, before, after);
    constraints(plan, &t, before, after);
}

fn columns(plan: &mut Plan, t: &str, before: &Table, after: &Table) {
    for column in &after.columns {
        let previous = before.column(&column.name).or_else(|| {
            let renamed = column.renamed_from.as_deref()?;
            let old = before.column(renamed)?;
            plan.add(
                Phase::Renames,
                format!(
                    "rename column {t}.{} to {}",
                    quote_ident(renamed),
                    quote_ident(&column.name)
                ),
                vec![format!(
                    "ALTER TABLE {t} RENAME COLUMN {} TO {};",
                    quote_ident(renamed),
                    quote_ident(&column.name)
                )],
                false,
            );
            Some(old)
        });
        match previous {
            Some(old) => alter_column(plan, t, old, column),
            None => plan.add(
                Phase::AddColumns,
                format!("add column {t}.{}", quote_ident(&column.name)),
                vec![format!(
                    "ALTER TABLE {t} ADD COLUMN {};",
                    column_definition(column, false)
                )],
                false,
            ),
        }
    }
    for column in &before.columns {
        let kept = after.column(&column.name).is_some()
            || after
                .columns
                .iter()
                .any(|c| c.renamed_from.as_deref() == Some(column.name.as_str()));
        if !kept {
            let c = quote_ident(&column.name);
            plan.add(
                Phase::DropColumns,
                format!("drop column {t}.{c} and its data"),
                vec![format!("ALTER TABLE {t} DROP COLUMN {c};")],
                true,
            );
        }
    }
}

fn alter_column(plan: &mut Plan, t: &str, old: &Column, new: &Column) {
    let c = quote_ident(&new.name);
    let mut statements = Vec::new();
    let mut what = Vec::new();
    let retyped = old.sql_type != new.sql_type;
    if retyped {
        what.push(format!("type {} -> {}", old.sql_type, new.sql_type));
        // A default of the old type would block the conversion.
        if old.default.is_some() {
            statements.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"));
        }
        statements.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET DATA TYPE {ty} USING {c}::{ty};",
            ty = new.sql_type
        ));
    }
    if old.default != new.default || (retyped && old.default.is_some()) {
        match &new.default {
            Some(default) => statements.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default};"
            )),
            None if old.default.is_some() && !retyped => {
                statements.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"));
            }
            None => {}
        }
        if old.default != new.default {
            what.push("default".to_owned());
        }
    }
    if old.nullable != new.nullable && !new.identity {
        let change = if new.nullable { "DROP" } else { "SET" };
        statements.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} {change} NOT NULL;"
        ));
        what.push(if new.nullable { "nullable" } else { "not null" }.to_owned());
    }
    if old.identity != new.identity {
        statements.push(if new.identity {
            format!("ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED ALWAYS AS IDENTITY;")
        } else {
            format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY;")
        });
        what.push(
            if new.identity {
                "identity"
            } else {
                "no identity"
            }
            .to_owned(),
        );
    }
    if !statements.is_empty() {
        plan.add(
            Phase::AlterColumns,
            format!("alter column {t}.{c}: {}", what.join(", ")),
            statements,
            retyped,
        );
    }
}

/// Constraints or indexes of a table: those gone or changed are dropped,
/// those new or changed are added (a change is a drop and an add).
fn changed<'a, T: PartialEq>(before: &'a [T], after: &'a [T]) -> (Vec<&'a T>, Vec<&'a T>) {
    let dropped = before.iter().filter(|b| !after.contains(b)).collect();
    let added = after.iter().filter(|a| !before.contains(a)).collect();
    (dropped, added)
}

fn constraints(plan: &mut Plan, t: &str, before: &Table, after: &Table) {
    let drop = |plan: &mut Plan, phase: Phase, kind: &str, name: &str| {
        plan.add(
            phase,
            format!("drop {kind} {} on {t}", quote_ident(name)),
            vec![format!(
                "ALTER TABLE {t} DROP CONSTRAINT {};",
                quote_ident(name)
            )],
            false,
        );
    };
    let add = |plan: &mut Plan, phase: Phase, kind: &str, name: &str, definition: String| {
        plan.add(
            phase,
            format!("add {kind} {} on {t}", quote_ident(name)),
            vec![format!("ALTER TABLE {t} ADD {definition};")],
            false,
        );
    };

    if before.primary_key != after.primary_key {
        if let Some(pk) = &before.primary_key {
            drop(plan, Phase::DropConstraints, "primary key", &pk.name);
        }
        if let Some(pk) = &after.primary_key {
            add(
                plan,
                Phase::AddConstraints,
                "primary key",
                &pk.name,
                primary_key_constraint(pk),
            );
        }
    }
    let (dropped, added) = changed(&before.uniques, &after.uniques);
    for u in dropped {
        drop(plan, Phase::DropConstraints, "unique constraint", &u.name);
    }
    for u in added {
        add(
            plan,
            Phase::AddConstraints,
            "unique constraint",
            &u.name,
            unique_constraint(u),
        );
    }
    let (dropped, added) = changed(&before.checks, &after.checks);
    for c in dropped {
        drop(plan, Phase::DropConstraints, "check", &c.name);
    }
    for c in added {
        add(
            plan,
            Phase::AddConstraints,
            "check",
            &c.name,
            check_constraint(c),
        );
    }
    let (dropped, added) = changed(&before.foreign_keys, &after.foreign_keys);
    for fk in dropped {
        drop(plan, Phase::DropForeignKeys, "foreign key", &fk.name);
    }
    for fk in added {
        plan.add(
            Phase::AddForeignKeys,
            format!("add foreign key {} on {t}", quote_ident(&fk.name)),
            vec![add_foreign_key(after, fk)],
            false,
        );
    }
    let (dropped, added) = changed(&before.indexes, &after.indexes);
    for index in dropped {
        plan.add(
            Phase::DropIndexes,
            format!("drop index {} on {t}", quote_ident(&index.name)),
            vec![format!(
                "DROP INDEX {};",
                full_name(&after.schema, &index.name)
            )],
            false,
        );
    }
    for index in added {
        plan.add(
            Phase::CreateIndexes,
            format!("create index {} on {t}", quote_ident(&index.name)),
            vec![create_index(after, index)],
            false,
        );
    }
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
