//! The diff of a table's columns: added, dropped, renamed and altered
//! (type, default, NULLs, identity, serial).

use super::diff::{Phase, Plan, alter};
use crate::ddl::statement::{Alter, ColumnChange, TypeRef};
use crate::ddl::{quote_ident, table_name};
use crate::snapshot::{Column, Table};
use crate::sql::quote_literal;

pub(super) fn columns(plan: &mut Plan, before: &Table, after: &Table) {
    let t = table_name(&after.schema, &after.name);
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
                vec![alter(
                    after,
                    Alter::RenameColumn {
                        from: renamed,
                        to: &column.name,
                    },
                )],
                false,
            );
            Some(old)
        });
        match previous {
            // A generation expression cannot be altered (before
            // PostgreSQL 17): the column is dropped and added again, its
            // values computed anew from the row.
            Some(old) if old.generated != column.generated && column.generated.is_some() => plan
                .add(
                    Phase::AlterColumns,
                    format!("regenerate column {t}.{}", quote_ident(&column.name)),
                    vec![
                        alter(after, Alter::DropColumn(&old.name)),
                        alter(after, Alter::AddColumn(column)),
                    ],
                    old.generated.is_none(),
                ),
            Some(old) if old.generated.is_some() && column.generated.is_none() => {
                plan.add(
                    Phase::AlterColumns,
                    format!(
                        "alter column {t}.{}: not generated",
                        quote_ident(&column.name)
                    ),
                    vec![alter(
                        after,
                        Alter::Column(&column.name, ColumnChange::DropExpression),
                    )],
                    false,
                );
                alter_column(plan, after, old, column);
            }
            Some(old) => alter_column(plan, after, old, column),
            None => plan.add(
                Phase::AddColumns,
                format!("add column {t}.{}", quote_ident(&column.name)),
                vec![alter(after, Alter::AddColumn(column))],
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
            plan.add(
                Phase::DropColumns,
                format!("drop column {t}.{} and its data", quote_ident(&column.name)),
                vec![alter(after, Alter::DropColumn(&column.name))],
                true,
            );
        }
    }
}

fn alter_column(plan: &mut Plan, table: &Table, old: &Column, new: &Column) {
    let mut changes = Vec::new();
    let mut what = Vec::new();
    // `serial` is its integer type filled from a sequence: the type
    // changes as that integer type, the sequence apart (below).
    let retyped = old.base_type() != new.base_type();
    if retyped {
        what.push(format!("type {} -> {}", old.sql_type, new.sql_type));
        // A default of the old type would block the conversion.
        if old.default.is_some() {
            changes.push(ColumnChange::DropDefault);
        }
        changes.push(ColumnChange::SetType {
            ty: TypeRef::Sql(new.base_type()),
            via: None,
        });
    }
    let mut statements = Vec::new();
    if old.is_serial() != new.is_serial() {
        if new.is_serial() {
            what.push("serial".to_owned());
            statements = serial_sequence(table, new);
        } else {
            what.push("not serial".to_owned());
            changes.push(ColumnChange::DropDefault);
        }
    }
    if old.default != new.default || (retyped && old.default.is_some()) {
        match &new.default {
            Some(default) => changes.push(ColumnChange::SetDefault(default)),
            None if old.default.is_some() && !retyped => changes.push(ColumnChange::DropDefault),
            None => {}
        }
        if old.default != new.default {
            what.push("default".to_owned());
        }
    }
    if old.nullable != new.nullable && !new.identity {
        changes.push(ColumnChange::NotNull(!new.nullable));
        what.push(if new.nullable { "nullable" } else { "not null" }.to_owned());
    }
    if old.identity != new.identity {
        changes.push(ColumnChange::Identity(
            new.identity.then_some(new.identity_by_default),
        ));
        what.push(
            if new.identity {
                "identity"
            } else {
                "no identity"
            }
            .to_owned(),
        );
    } else if new.identity && old.identity_by_default != new.identity_by_default {
        changes.push(ColumnChange::Generated(new.identity_by_default));
        what.push(
            if new.identity_by_default {
                "generated by default"
            } else {
                "generated always"
            }
            .to_owned(),
        );
    }
    if !changes.is_empty() || !statements.is_empty() {
        plan.add(
            Phase::AlterColumns,
            format!(
                "alter column {}.{}: {}",
                table_name(&table.schema, &table.name),
                quote_ident(&new.name),
                what.join(", ")
            ),
            changes
                .into_iter()
                .map(|change| alter(table, Alter::Column(&new.name, change)))
                .chain(statements)
                .collect(),
            retyped,
        );
    }
}

/// What makes an existing integer column `serial`: a sequence it owns
/// (PostgreSQL's name for it, `<table>_<column>_seq`), started past the
/// values already there, as its default.
fn serial_sequence(table: &Table, column: &Column) -> Vec<String> {
    let sequence = format!("{}_{}_seq", table.name, column.name);
    let qualified = format!("{}.{}", quote_ident(&table.schema), quote_ident(&sequence));
    let t = format!(
        "{}.{}",
        quote_ident(&table.schema),
        quote_ident(&table.name)
    );
    let c = quote_ident(&column.name);
    vec![
        format!(
            "CREATE SEQUENCE {qualified} AS {} OWNED BY {t}.{c};",
            column.base_type()
        ),
        format!(
            "SELECT setval({}, coalesce(max({c}), 0) + 1, false) FROM {t};",
            quote_literal(&qualified)
        ),
        alter(
            table,
            Alter::Column(
                &column.name,
                ColumnChange::SetDefault(&format!("nextval({})", quote_literal(&qualified))),
            ),
        ),
    ]
}
