//! Applying migrations: in order, each in its own transaction, under an
//! advisory lock, recorded in a bookkeeping table.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio_postgres::error::ErrorPosition;

use super::MigrateError;
use super::files::Migration;
use crate::db::{Conn, Db};
use crate::error::Error;

/// The bookkeeping table: one row per applied migration.
pub const TABLE: &str = "__pgtable_migrations";

/// The advisory lock key migrations run under (`pgtable` in ASCII).
pub const LOCK_KEY: i64 = 0x0070_6774_6162_6c65;

const CREATE_TABLE: &str = r#"CREATE TABLE IF NOT EXISTS "__pgtable_migrations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"name" text NOT NULL UNIQUE,
	"checksum" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"duration_ms" bigint NOT NULL
)"#;

/// What `migrate` is doing, for progress lines.
#[derive(Debug)]
pub enum Progress<'a> {
    /// About to apply a migration.
    Applying(&'a Migration),
    /// Applied it, in this long.
    Applied(&'a Migration, Duration),
}

/// A migration recorded in the bookkeeping table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedRecord {
    /// The migration's name (`0001_init`).
    pub name: String,
    /// The checksum of the SQL that was applied.
    pub checksum: String,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// Where a migration stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Applied, and the file is unchanged since.
    Applied(AppliedRecord),
    /// Applied, but the file has changed since.
    Changed(AppliedRecord),
    /// Not applied yet.
    Pending,
    /// Applied, but its file is gone.
    MissingFile(AppliedRecord),
}

async fn records(conn: &Conn) -> Result<Vec<AppliedRecord>, Error> {
    conn.batch_execute(CREATE_TABLE).await?;
    let rows = conn
        .query(
            r#"SELECT "name", "checksum", "applied_at", "duration_ms" FROM "__pgtable_migrations" ORDER BY "id""#,
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AppliedRecord {
            name: r.get(0),
            checksum: r.get(1),
            applied_at: r.get(2),
            duration_ms: r.get(3),
        })
        .collect())
}

/// Every migration (files and records) with its state, in order.
pub async fn status(
    db: &Db,
    migrations: &[Migration],
) -> Result<Vec<(String, State)>, MigrateError> {
    let conn = db.conn().await?;
    let applied = records(&conn).await?;
    let mut out: Vec<(String, State)> = Vec::new();
    for record in &applied {
        let state = match migrations.iter().find(|m| m.name == record.name) {
            None => State::MissingFile(record.clone()),
            Some(m) if m.checksum() != record.checksum => State::Changed(record.clone()),
            Some(_) => State::Applied(record.clone()),
        };
        out.push((record.name.clone(), state));
    }
    for m in migrations {
        if !applied.iter().any(|r| r.name == m.name) {
            out.push((m.name.clone(), State::Pending));
        }
    }
    Ok(out)
}

/// The pending migrations, after checking the applied ones are intact.
fn pending<'m>(
    migrations: &'m [Migration],
    applied: &[AppliedRecord],
) -> Result<Vec<&'m Migration>, MigrateError> {
    for record in applied {
        match migrations.iter().find(|m| m.name == record.name) {
            None => {
                return Err(MigrateError::MissingFile {
                    name: record.name.clone(),
                });
            }
            Some(m) if m.checksum() != record.checksum => {
                return Err(MigrateError::ChecksumMismatch {
                    name: record.name.clone(),
                    applied: record.checksum.clone(),
                    current: m.checksum(),
                });
            }
            Some(_) => {}
        }
    }
    let last_applied = migrations
        .iter()
        .filter(|m| applied.iter().any(|r| r.name == m.name))
        .map(|m| m.version)
        .max();
    let pending: Vec<&Migration> = migrations
        .iter()
        .filter(|m| !applied.iter().any(|r| r.name == m.name))
        .collect();
    if let (Some(last), Some(early)) = (
        last_applied,
        pending.iter().find(|m| Some(m.version) < last_applied),
    ) {
        let last_name = migrations
            .iter()
            .find(|m| m.version == last)
            .map(|m| m.name.clone());
        return Err(MigrateError::OutOfOrder {
            name: early.name.clone(),
            last_applied: last_name.unwrap_or_default(),
        });
    }
    Ok(pending)
}

/// Applies the pending migrations in order; returns the names applied.
///
/// Under an advisory lock, so concurrent runs apply each migration once.
/// Before anything is applied it refuses an applied migration whose file
/// changed or is gone, and a pending one that sorts before an applied one.
/// Each migration runs in its own transaction with its bookkeeping row: a
/// failing one leaves the database as it was before it.
pub async fn migrate(
    db: &Db,
    migrations: &[Migration],
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<String>, MigrateError> {
    let conn = db.conn().await?;
    conn.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(Error::from)?;
    let result = apply_pending(&conn, migrations, &mut progress).await;
    let unlocked = conn
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    let applied = result?;
    unlocked.map_err(Error::from)?;
    Ok(applied)
}

async fn apply_pending(
    conn: &Conn,
    migrations: &[Migration],
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<Vec<String>, MigrateError> {
    let applied = records(conn).await?;
    let mut done = Vec::new();
    for migration in pending(migrations, &applied)? {
        progress(Progress::Applying(migration));
        let started = Instant::now();
        conn.batch_execute("BEGIN").await.map_err(Error::from)?;
        if let Err(err) = conn.batch_execute(&migration.sql).await {
            let _ = conn.batch_execute("ROLLBACK").await;
            return Err(failed(migration, err));
        }
        let elapsed = started.elapsed();
        let recorded = conn
            .execute(
                r#"INSERT INTO "__pgtable_migrations" ("name", "checksum", "duration_ms") VALUES ($1, $2, $3)"#,
                &[
                    &migration.name,
                    &migration.checksum(),
                    &i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
                ],
            )
            .await;
        if let Err(err) = recorded {
            let _ = conn.batch_execute("ROLLBACK").await;
            return Err(Error::from(err).into());
        }
        conn.batch_execute("COMMIT").await.map_err(Error::from)?;
        progress(Progress::Applied(migration, elapsed));
        done.push(migration.name.clone());
    }
    Ok(done)
}

/// A failed migration's error, with the line PostgreSQL points at.
fn failed(migration: &Migration, err: tokio_postgres::Error) -> MigrateError {
    let line = err.as_db_error().and_then(|db| match db.position() {
        Some(ErrorPosition::Original(position)) => {
            let upto = (*position as usize)
                .saturating_sub(1)
                .min(migration.sql.len());
            let prefix = migration.sql.get(..upto).unwrap_or(&migration.sql);
            Some(prefix.matches('\n').count() + 1)
        }
        _ => None,
    });
    let message = match err.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => err.to_string(),
    };
    MigrateError::Failed {
        name: migration.name.clone(),
        line,
        message,
        source: Box::new(Error::from(err)),
    }
}
