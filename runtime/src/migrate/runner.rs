//! Applying migrations: in order, each in its own transaction under a
//! transaction-scoped advisory lock, recorded in a bookkeeping table.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio_postgres::error::{ErrorPosition, SqlState};

use super::files::{Migration, NO_TRANSACTION};
use super::{LockHolder, MigrateError};
use crate::db::{Db, Executor};
use crate::error::Error;
use crate::query::sql;
use crate::sql::quote_ident;
use crate::sql::split;
use crate::transaction::Transaction;

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
    /// About to undo a migration (`migrate down`).
    Reverting(&'a Migration),
    /// Undid it, in this long.
    Reverted(&'a Migration, Duration),
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

/// The applied migrations, read without creating anything: a database
/// that was never migrated has none.
pub(super) async fn records<E: Executor + ?Sized>(exec: &E) -> Result<Vec<AppliedRecord>, Error> {
    let (exists,): (bool,) = sql("SELECT to_regclass($1) IS NOT NULL")
        .bind(quote_ident(TABLE))
        .fetch_one(exec)
        .await?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, DateTime<Utc>, i64)> = sql(
        r#"SELECT "name", "checksum", "applied_at", "duration_ms" FROM "__pgtable_migrations" ORDER BY "id""#,
    )
    .fetch_all(exec)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, checksum, applied_at, duration_ms)| AppliedRecord {
            name,
            checksum,
            applied_at,
            duration_ms,
        })
        .collect())
}

/// Every migration (files and records) with its state, in order. Reads
/// only: it creates nothing, not even the bookkeeping table.
pub async fn status(
    db: &Db,
    migrations: &[Migration],
) -> Result<Vec<(String, State)>, MigrateError> {
    let applied = records(db).await?;
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

/// How [`migrate_with`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MigrateOptions {
    lock_timeout: Duration,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            lock_timeout: Duration::from_secs(30),
        }
    }
}

impl MigrateOptions {
    /// The defaults: wait up to 30 s for another runner's lock.
    pub fn new() -> Self {
        MigrateOptions::default()
    }

    pub(super) fn timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// How long to wait for the migration lock while another runner holds
    /// it, before failing with [`MigrateError::LockTimeout`].
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }
}

/// Applies the pending migrations in order; returns the names applied.
/// [`migrate_with`] with the default options.
pub async fn migrate(
    db: &Db,
    migrations: &[Migration],
    progress: impl FnMut(Progress<'_>),
) -> Result<Vec<String>, MigrateError> {
    migrate_with(db, migrations, MigrateOptions::default(), progress).await
}

/// Applies the pending migrations in order; returns the names applied.
///
/// Each migration runs in its own transaction, together with its
/// bookkeeping row, under a transaction-scoped advisory lock
/// (`pg_advisory_xact_lock`) taken first: concurrent runners, through
/// PgBouncer's transaction pooling too, apply each migration once, and a
/// runner that is cancelled or dies holds the lock no longer than its
/// transaction. The bookkeeping is read again under the lock for every
/// migration. Before anything is applied it refuses an applied migration
/// whose file changed or is gone, and a pending one that sorts before an
/// applied one. A failing migration leaves the database as it was before it.
pub async fn migrate_with(
    db: &Db,
    migrations: &[Migration],
    options: MigrateOptions,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<String>, MigrateError> {
    let mut done = Vec::new();
    loop {
        let tx = db.begin().await?;
        let tx = take_lock(db, tx, options.lock_timeout).await?;
        // Under the lock, so two first runs cannot race to create it.
        tx.batch_execute(CREATE_TABLE).await?;
        let applied = records(&tx).await?;
        let Some(&migration) = pending(migrations, &applied)?.first() else {
            tx.commit().await?;
            return Ok(done);
        };
        progress(Progress::Applying(migration));
        let started = Instant::now();
        let tx = if migration.sql.starts_with(NO_TRANSACTION) {
            // Chosen under the lock; run outside any transaction, as
            // `CREATE INDEX CONCURRENTLY` must, then recorded under the
            // lock again. Its statements say `IF NOT EXISTS`, so a runner
            // that raced this one here does no harm.
            tx.commit().await?;
            apply_outside_transaction(db, migration).await?;
            let tx = take_lock(db, db.begin().await?, options.lock_timeout).await?;
            if records(&tx).await?.iter().any(|r| r.name == migration.name) {
                tx.commit().await?;
                continue;
            }
            tx
        } else {
            apply(&tx, migration).await?;
            tx
        };
        let elapsed = started.elapsed();
        sql(r#"INSERT INTO "__pgtable_migrations" ("name", "checksum", "duration_ms") VALUES ($1, $2, $3)"#)
            .bind(migration.name.clone())
            .bind(migration.checksum())
            .bind(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
            .execute(&tx)
            .await?;
        tx.commit().await?;
        progress(Progress::Applied(migration, elapsed));
        done.push(migration.name.clone());
    }
}

/// Takes the migration lock in `tx`, waiting at most `timeout`.
pub(super) async fn take_lock(
    db: &Db,
    tx: Transaction,
    timeout: Duration,
) -> Result<Transaction, MigrateError> {
    // `lock_timeout` bounds the wait for the lock only: the migration's own
    // statements run under the session's setting again.
    let (previous,): (String,) =
        sql("SELECT current_setting('lock_timeout'), set_config('lock_timeout', $1, true)")
            .bind(format!("{}ms", timeout.as_millis().max(1)))
            .fetch_one::<(String, String), _>(&tx)
            .await
            .map(|(previous, _)| (previous,))?;
    match sql("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&tx)
        .await
    {
        Ok(_) => {}
        Err(err) if err.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
            // Free the connection first: the pool may have only one.
            tx.rollback().await?;
            return Err(MigrateError::LockTimeout {
                waited: timeout,
                holder: lock_holder(db).await.ok().flatten(),
            });
        }
        Err(err) => return Err(err.into()),
    }
    sql("SELECT set_config('lock_timeout', $1, true)")
        .bind(previous)
        .execute(&tx)
        .await?;
    Ok(tx)
}

/// The session holding the migration lock, if one does.
async fn lock_holder(db: &Db) -> Result<Option<LockHolder>, Error> {
    let row: Option<(i32, String, Option<f64>)> = sql(
        "SELECT a.pid, a.application_name, EXTRACT(EPOCH FROM now() - a.xact_start)::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = ($1::bigint)::oid AND l.objid = ($2::bigint)::oid AND l.objsubid = 1
LIMIT 1",
    )
    .bind(LOCK_KEY >> 32)
    .bind(LOCK_KEY & 0xffff_ffff)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(pid, application_name, held)| LockHolder {
        pid,
        application_name,
        held_for: held.map(|secs| Duration::from_secs_f64(secs.max(0.0))),
    }))
}

/// Runs a `-- pgtable: no-transaction` migration's statements one by one,
/// each on its own. A failed `CREATE INDEX CONCURRENTLY` leaves an
/// invalid index behind, which the error says to drop.
async fn apply_outside_transaction(db: &Db, migration: &Migration) -> Result<(), MigrateError> {
    for statement in split::statements(&migration.sql) {
        if let Err(err) = sql(statement.text.to_owned()).execute(db).await {
            let mut failure = failed(migration, &statement, err);
            if let MigrateError::Failed { message, .. } = &mut failure {
                message.push_str(
                    " (an index CREATE INDEX CONCURRENTLY did not finish is left INVALID: DROP INDEX it before migrating again)",
                );
            }
            return Err(failure);
        }
    }
    Ok(())
}

/// Runs a migration's statements one by one, so an error names its line.
pub(super) async fn apply(tx: &Transaction, migration: &Migration) -> Result<(), MigrateError> {
    for statement in split::statements(&migration.sql) {
        if let Err(err) = tx.batch_execute(statement.text).await {
            return Err(failed(migration, &statement, err));
        }
    }
    Ok(())
}

/// A failed migration's error, with the line of the file it happened on:
/// where PostgreSQL points, else where the statement starts.
fn failed(migration: &Migration, statement: &split::Statement<'_>, err: Error) -> MigrateError {
    let db = err.source_postgres().and_then(|e| e.as_db_error());
    let line = match db.and_then(|db| db.position()) {
        Some(ErrorPosition::Original(position)) => statement.line_at(*position as usize),
        _ => statement.line(),
    };
    let message = match db {
        Some(db) => db.message().to_owned(),
        None => err.to_string(),
    };
    MigrateError::Failed {
        name: migration.name.clone(),
        line: Some(line),
        message,
        source: Box::new(err),
    }
}
