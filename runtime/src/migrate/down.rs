//! `migrate down`: applied migrations undone, last first, each by its
//! `NNNN_name.down.sql` in its own transaction under the migration lock.

use std::time::Instant;

use super::MigrateError;
use super::files::Migration;
use super::runner::{MigrateOptions, Progress, apply, records, take_lock};
use crate::db::Db;
use crate::query::sql;

/// Undoes applied migrations, the last applied first: down to (and
/// keeping) version `to`, or only the last one when `to` is `None`.
/// `downs` are the down migrations, named as the migrations they undo
/// ([`MigrationDir::down_migrations`](super::MigrationDir::down_migrations)).
/// Returns the names undone.
///
/// Each runs in its own transaction with the removal of its bookkeeping
/// row, under the lock `migrate` takes; the bookkeeping is read again
/// under the lock each time. Before undoing a migration it refuses one
/// whose file changed since it was applied, or is gone, and one whose down
/// file is missing or holds no statement (a custom migration's, until
/// someone writes it).
pub async fn migrate_down(
    db: &Db,
    migrations: &[Migration],
    downs: &[Migration],
    to: Option<u32>,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<String>, MigrateError> {
    let mut done = Vec::new();
    loop {
        let tx = db.begin().await?;
        let tx = take_lock(db, tx, MigrateOptions::default().timeout()).await?;
        let applied = records(&tx).await?;
        let Some(last) = applied.last() else {
            tx.commit().await?;
            return Ok(done);
        };
        let Some(migration) = migrations.iter().find(|m| m.name == last.name) else {
            return Err(MigrateError::MissingFile {
                name: last.name.clone(),
            });
        };
        let finished = match to {
            Some(to) => migration.version <= to,
            None => !done.is_empty(),
        };
        if finished {
            tx.commit().await?;
            return Ok(done);
        }
        if migration.checksum() != last.checksum {
            return Err(MigrateError::ChecksumMismatch {
                name: last.name.clone(),
                applied: last.checksum.clone(),
                current: migration.checksum(),
            });
        }
        let down = downs
            .iter()
            .find(|d| d.name == migration.name)
            .filter(|d| has_statements(&d.sql))
            .ok_or_else(|| MigrateError::NoDown {
                name: migration.name.clone(),
            })?;
        progress(Progress::Reverting(migration));
        let started = Instant::now();
        apply(&tx, down).await?;
        sql(r#"DELETE FROM "__pgtable_migrations" WHERE "name" = $1"#)
            .bind(migration.name.clone())
            .execute(&tx)
            .await?;
        tx.commit().await?;
        progress(Progress::Reverted(migration, started.elapsed()));
        done.push(migration.name.clone());
    }
}

/// Whether SQL holds anything but comments and blank lines.
fn has_statements(sql: &str) -> bool {
    sql.lines().any(|line| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with("--")
    })
}
