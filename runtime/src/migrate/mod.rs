//! Migrations generated from the schema, applied safely.
//!
//! The workflow, with a binary that calls [`pgtable::cli::run`] (the
//! example's is `examples/db.rs`):
//!
//! ```sh
//! cargo run --example db --features cli -- generate add_ratings   # write migrations/0002_add_ratings.sql
//! cargo run --example db --features cli -- migrate                # apply pending migrations
//! cargo run --example db --features cli -- status                 # applied / pending
//! cargo run --example db --features cli -- check                  # drift between the database and the schema
//! ```
//!
//! - [`MigrationDir`] reads and writes `migrations/`: `NNNN_name.sql` files
//!   and the snapshot each was generated from (`meta/NNNN_snapshot.json`).
//! - [`diff`] turns one snapshot into another as SQL.
//! - [`migrate`] applies pending migrations; [`status`] reports them;
//!   [`drift`] compares a live database with the compiled schema; [`push`]
//!   applies the compiled schema directly, for development.
//! - `embed_migrations!("migrations")` bakes the files into a binary.
//!
//! [`pgtable::cli::run`]: https://docs.rs/pgtable/latest/pgtable/cli/fn.run.html

mod diff;
mod diff_columns;
mod diff_items;
mod down;
mod files;
mod introspect;
mod lint;
mod pull;
mod push;
mod runner;
mod scratch;

#[cfg(test)]
mod diff_tests;

use std::borrow::Cow;
use std::path::PathBuf;

pub use diff::{Change, diff, render_migration};
pub use down::migrate_down;
pub use files::{Generated, Migration, MigrationDir, sorted};
pub use introspect::{drift, introspect};
pub use lint::{Finding, RULES, lint};
pub use pull::{ViewColumn, pull, to_rust};
pub use push::{push, push_plan};
pub use runner::{
    AppliedRecord, LOCK_KEY, MigrateOptions, Progress, State, TABLE, migrate, migrate_with, status,
};

use crate::error::Error;

/// What can go wrong with migrations. Every message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// A file in the migrations directory is not what it should be.
    #[error("{}: {reason}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A file could not be read or written.
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },

    /// A migration name with nothing usable in it.
    #[error(
        "`{0}` cannot name a migration: use letters, digits and underscores, such as `add_ratings`"
    )]
    BadName(String),

    /// An applied migration's file has changed since.
    #[error(
        "migration {name} was applied with checksum {applied}, but its file now has {current}: an applied migration must not change; restore it and put the change in a new migration"
    )]
    ChecksumMismatch {
        /// The migration.
        name: String,
        /// The checksum recorded when it was applied.
        applied: String,
        /// The checksum of the file now.
        current: String,
    },

    /// A migration recorded as applied has no file any more.
    #[error("migration {name} is recorded as applied, but its file is missing: restore it")]
    MissingFile {
        /// The migration.
        name: String,
    },

    /// A pending migration sorts before an applied one.
    #[error(
        "migration {name} is pending but sorts before {last_applied}, which is already applied: renumber it after the applied ones"
    )]
    OutOfOrder {
        /// The pending migration.
        name: String,
        /// The last applied migration.
        last_applied: String,
    },

    /// A migration's SQL failed; nothing of it was applied.
    #[error("migration {name} failed{}: {message}; nothing of it was applied", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Failed {
        /// The migration.
        name: String,
        /// The line PostgreSQL points at, if it does.
        line: Option<usize>,
        /// PostgreSQL's message.
        message: String,
        /// The error.
        #[source]
        source: Box<Error>,
    },

    /// Another runner held the migration lock for longer than the lock
    /// time-out ([`MigrateOptions::lock_timeout`]).
    #[error(
        "another migrate has held the migration lock{}; gave up after waiting {}: let it finish, or end it (SELECT pg_terminate_backend(pid)) if it is stuck",
        holder.as_ref().map(|h| h.to_string()).unwrap_or_default(),
        humantime(*waited)
    )]
    LockTimeout {
        /// How long this runner waited.
        waited: std::time::Duration,
        /// Who holds the lock, if it could be seen.
        holder: Option<LockHolder>,
    },

    /// `check` could not build the compiled schema in a scratch schema
    /// (inside a transaction that is rolled back) to read it as PostgreSQL
    /// spells it.
    #[error(
        "check builds the schema in a scratch schema that is rolled back, and this statement failed: {statement}: {source}{}",
        if source.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
            "; check needs the CREATE privilege on the database (GRANT CREATE ON DATABASE … TO …)"
        } else {
            ""
        }
    )]
    Scratch {
        /// The statement that failed.
        statement: String,
        /// What the server said.
        #[source]
        source: Box<Error>,
    },

    /// `migrate down` reached a migration it cannot undo: its down file is
    /// missing or holds no statement.
    #[error(
        "migration {name} has no down migration to run: write the SQL that undoes it in {name}.down.sql"
    )]
    NoDown {
        /// The migration.
        name: String,
    },

    /// `push` found changes that can lose data and was not forced; nothing
    /// was changed.
    #[error(
        "push would lose data ({}); nothing was changed: pass --force (push(.., true)) to apply it anyway, or write a migration",
        changes.join("; ")
    )]
    Destructive {
        /// The destructive changes, described.
        changes: Vec<String>,
    },

    /// Any other database error.
    #[error(transparent)]
    Db(Box<Error>),
}

/// So that `?` takes a migration error into a function returning
/// `pgtable::Error`: a database error stays one, any other is
/// [`Error::Migration`].
impl From<MigrateError> for Error {
    fn from(err: MigrateError) -> Error {
        match err {
            MigrateError::Db(err) => *err,
            other => Error::Migration(Box::new(other)),
        }
    }
}

/// The session holding the migration lock.
#[derive(Clone, Debug, PartialEq)]
pub struct LockHolder {
    /// Its server process id (`pg_stat_activity.pid`).
    pub pid: i32,
    /// Its `application_name`.
    pub application_name: String,
    /// How long its transaction has been open.
    pub held_for: Option<std::time::Duration>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(held) = self.held_for {
            write!(f, " for {}", humantime(held))?;
        }
        write!(
            f,
            ": pid {}, application_name {:?}",
            self.pid, self.application_name
        )
    }
}

/// `30 s`, `1.5 s`, `250 ms`.
fn humantime(d: std::time::Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl From<Error> for MigrateError {
    fn from(err: Error) -> Self {
        MigrateError::Db(Box::new(err))
    }
}

/// Migrations baked into a binary by `embed_migrations!`, from its
/// `(version, name, sql)` triples (checked when embedded to be numbered
/// once each), in order.
pub fn embedded(files: &'static [(u32, &'static str, &'static str)]) -> Vec<Migration> {
    let mut migrations: Vec<Migration> = files
        .iter()
        .map(|(version, name, sql)| Migration {
            version: *version,
            name: (*name).to_owned(),
            sql: Cow::Borrowed(*sql),
        })
        .collect();
    migrations.sort_by_key(|m| m.version);
    migrations
}
