//! `push` (drizzle-kit push, for development): the compiled schema applied
//! to a database directly, without migration files.

use super::MigrateError;
use super::diff::{Change, diff};
use super::introspect::live_and_expected;
use super::runner::LOCK_KEY;
use crate::db::Db;
use crate::query::sql;
use crate::schema::Schema;
use crate::snapshot::Snapshot;

/// What [`push`] would do to make the database match `schema`, in order:
/// the changes `check` reports, with the schema's renames (`renamed_from`)
/// kept, so that a renamed table or column is renamed, not dropped.
pub async fn push_plan(db: &Db, schema: &Schema) -> Result<Vec<Change>, MigrateError> {
    let compiled = Snapshot::of(schema);
    let (live, mut expected) = live_and_expected(db, &compiled).await?;
    for table in &mut expected.tables {
        let Some(declared) = compiled.table(&table.schema, &table.name) else {
            continue;
        };
        table.renamed_from.clone_from(&declared.renamed_from);
        for column in &mut table.columns {
            if let Some(c) = declared.column(&column.name) {
                column.renamed_from.clone_from(&c.renamed_from);
            }
        }
    }
    Ok(diff(&live, &expected))
}

/// Makes the database match `schema` now: computes [`push_plan`] and runs
/// it in one transaction, under the lock `migrate` takes. A plan with a
/// change that can lose data is refused ([`MigrateError::Destructive`])
/// unless `force`, before anything is changed. Returns the changes made;
/// none when the database already matches.
pub async fn push(db: &Db, schema: &Schema, force: bool) -> Result<Vec<Change>, MigrateError> {
    let plan = push_plan(db, schema).await?;
    let destructive: Vec<String> = plan
        .iter()
        .filter(|c| c.destructive)
        .map(|c| c.description.clone())
        .collect();
    if !destructive.is_empty() && !force {
        return Err(MigrateError::Destructive {
            changes: destructive,
        });
    }
    if plan.is_empty() {
        return Ok(plan);
    }
    let tx = db.begin().await?;
    sql("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&tx)
        .await?;
    for statement in plan.iter().flat_map(|c| &c.statements) {
        tx.batch_execute(statement).await?;
    }
    tx.commit().await?;
    Ok(plan)
}
