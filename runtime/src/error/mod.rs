//! pgtable's error type.
//!
//! Constraint violations get variants of their own naming the table,
//! constraint and, where PostgreSQL says, the columns, so an application can
//! match on them (a duplicate email is a 409, not a 500):
//!
//! ```
//! # fn handle(err: pgtable::Error) -> u16 {
//! match err {
//!     pgtable::Error::UniqueViolation { ref constraint, .. }
//!         if constraint.as_deref() == Some("users_email_unique") => 409,
//!     pgtable::Error::NotFound { .. } => 404,
//!     _ => 500,
//! }
//! # }
//! ```

mod classify;
#[cfg(feature = "axum")]
mod http;

use std::fmt;
use std::time::Duration;

use tokio_postgres::error::SqlState;

pub(crate) use classify::{decode_error, is_nul_in_text};

/// Everything that can go wrong in pgtable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `fetch_one` found no row.
    #[error(
        "no row found in table {table} (fetch_one expects exactly one; use fetch_optional when none is fine)"
    )]
    NotFound {
        /// The table queried.
        table: &'static str,
    },

    /// A row would duplicate a unique or primary key.
    #[error(
        "duplicate value for {} in table {} (unique constraint {})",
        Cols(columns),
        Opt(table),
        Opt(constraint)
    )]
    UniqueViolation {
        /// The table written to.
        table: Option<String>,
        /// The violated constraint.
        constraint: Option<String>,
        /// The constrained columns.
        columns: Vec<String>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A row would reference a missing row, or a referenced row is still in use.
    #[error(
        "foreign key {} on table {} rejects the change to {}: {}",
        Opt(constraint),
        Opt(table),
        Cols(columns),
        Opt(detail)
    )]
    ForeignKeyViolation {
        /// The table written to.
        table: Option<String>,
        /// The violated constraint.
        constraint: Option<String>,
        /// The referencing columns.
        columns: Vec<String>,
        /// PostgreSQL's detail line (it names the key and the other table).
        detail: Option<String>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A NULL was written to a NOT NULL column.
    #[error("column {} of table {} cannot be NULL", Opt(column), Opt(table))]
    NotNullViolation {
        /// The table written to.
        table: Option<String>,
        /// The NOT NULL column.
        column: Option<String>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A row failed a CHECK constraint.
    #[error(
        "check constraint {} on table {} rejects the row",
        Opt(constraint),
        Opt(table)
    )]
    CheckViolation {
        /// The table written to.
        table: Option<String>,
        /// The violated constraint.
        constraint: Option<String>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// No connection could be had from the pool in time.
    #[error("{}", pool_timeout_message(*.kind, *.after))]
    PoolTimeout {
        /// Which of the pool's time-outs ran out.
        kind: PoolTimeout,
        /// The configured time-out, when known.
        after: Option<Duration>,
    },

    /// The pool was closed.
    #[error("the connection pool is closed")]
    PoolClosed,

    /// A new connection could not be opened: the server is not reachable,
    /// or it refused the database, the user or the password.
    #[error("cannot connect to PostgreSQL at {target}: {reason}")]
    Connect {
        /// Where: `host:port/database as user name` (never the password).
        target: String,
        /// Why, in the server's or the operating system's words.
        reason: String,
        /// What tokio-postgres reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// The connection was lost while a statement ran, so whether PostgreSQL
    /// applied it is unknown. Check before retrying a write.
    #[error(
        "the connection to PostgreSQL was lost while a statement ran ({reason}): whether it was applied is unknown, so check before retrying a write"
    )]
    OutcomeUnknown {
        /// What ended the connection.
        reason: String,
        /// What tokio-postgres reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A text value is longer than its column's type allows (SQLSTATE
    /// 22001, `varchar(N)` or `char(N)`).
    #[error(
        "the value for column {} of table {} is too long: over its limit of {} characters (shorten it, or widen the column)",
        Opt(column),
        Opt(table),
        Opt(limit)
    )]
    ValueTooLong {
        /// The table written to, when pgtable wrote the statement.
        table: Option<String>,
        /// The column, when pgtable wrote the statement and one value
        /// exceeds the limit.
        column: Option<String>,
        /// The type's limit, in characters.
        limit: Option<u32>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A value sent as text is not in a form its type reads (SQLSTATE
    /// 22P02: `invalid input syntax for type uuid: "abc"`).
    #[error("{message}: the value is not in the form its type reads")]
    InvalidTextRepresentation {
        /// PostgreSQL's message, which quotes the value.
        message: String,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// The transaction could not be serialized with a concurrent one and
    /// was rolled back (SQLSTATE 40001). Nothing of it was written: run it
    /// again, as `Db::transaction_with_retry` does.
    #[error(
        "the transaction conflicted with a concurrent one and was rolled back (serialization failure): nothing of it was written, so run it again (Db::transaction_with_retry does)"
    )]
    SerializationFailure {
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// The transaction was rolled back to break a deadlock with another
    /// (SQLSTATE 40P01). Nothing of it was written: run it again.
    #[error(
        "the transaction was rolled back to break a deadlock with another: nothing of it was written, so run it again (Db::transaction_with_retry does), and take locks in one order to avoid it"
    )]
    Deadlock {
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A lock could not be had within the server's `lock_timeout`, or at
    /// once with `NOWAIT` (SQLSTATE 55P03). The statement changed nothing.
    #[error(
        "a lock could not be had in time (lock_timeout or NOWAIT): the statement changed nothing; another transaction holds the rows or table"
    )]
    LockTimeout {
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// The server cancelled the statement (SQLSTATE 57014): its
    /// `statement_timeout` ran out, or someone cancelled it. The statement
    /// changed nothing.
    #[error("the server cancelled the statement ({reason}): it changed nothing")]
    QueryCanceled {
        /// PostgreSQL's words: `canceling statement due to statement
        /// timeout`, `… due to user request`.
        reason: String,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// pgtable gave up waiting for a statement after the configured
    /// statement time-out. Its connection was closed; a write may or may
    /// not have been applied.
    #[error(
        "the statement did not finish within the statement time-out of {after:?}: pgtable closed its connection, so whether a write was applied is unknown"
    )]
    StatementTimeout {
        /// The time-out that ran out.
        after: Duration,
    },

    /// PostgreSQL rolled the transaction back instead of committing it,
    /// because an earlier statement in it failed (or its state was lost to
    /// a cancelled transaction command). Nothing of it was written.
    #[error(
        "the transaction was rolled back, not committed: {cause}; nothing of it was written (put statements that may fail in a nested transaction, `tx.transaction(..)`, to carry on after them)"
    )]
    TransactionAborted {
        /// The first failed statement's error, or what else broke the transaction.
        cause: String,
        /// What tokio-postgres reported, when the abort surfaced as an error.
        #[source]
        source: Option<tokio_postgres::Error>,
    },

    /// A statement would bind more parameters than PostgreSQL accepts.
    #[error(
        "the statement binds {parameters} parameters, over PostgreSQL's limit of 65535: insert or filter in smaller batches"
    )]
    TooManyParameters {
        /// How many parameters the statement binds.
        parameters: usize,
    },

    /// A prepared query's placeholder was not bound, bound twice to
    /// different types, or bound under a name the query does not have.
    #[error("placeholder `{name}`: {reason}")]
    Placeholder {
        /// The placeholder's name.
        name: String,
        /// What is wrong, and what to do.
        reason: String,
    },

    /// A statement pgtable will not send as it is.
    #[error("cannot send the statement: {0}")]
    Statement(String),

    /// The configuration is wrong (a malformed URL, an unset DATABASE_URL, …).
    #[error("configuration error: {0}")]
    Config(String),

    /// A migration could not be generated, applied or undone; the source
    /// is a `pgtable::migrate::MigrateError` saying what to do.
    #[error(transparent)]
    Migration(Box<dyn std::error::Error + Send + Sync + 'static>),

    /// A text value holds a NUL byte (`\0`), which PostgreSQL text cannot
    /// store.
    #[error(
        "the value for column {} of table {} contains a NUL byte (\\0), which PostgreSQL text cannot store: remove it, or store the value as bytea (Vec<u8>)",
        Opt(column),
        Opt(table)
    )]
    NulInText {
        /// The table written to, when known.
        table: Option<String>,
        /// The column the value was for, when known.
        column: Option<String>,
        /// What PostgreSQL reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A column's value could not be read into its Rust field.
    #[error(
        "cannot read column {column} of table {table} ({sql_type}) into Rust type `{rust_type}`: {reason}"
    )]
    Decode {
        /// The table being decoded.
        table: &'static str,
        /// The column's SQL name.
        column: &'static str,
        /// The PostgreSQL type the server sent.
        sql_type: SqlTypeLabel,
        /// The Rust type of the field, as written in the struct.
        rust_type: &'static str,
        /// Why, in words: the deepest cause tokio-postgres gave.
        reason: String,
        /// What tokio-postgres reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// Any other error reported by PostgreSQL or the connection.
    #[error("{}", postgres_message(.0))]
    Postgres(#[source] tokio_postgres::Error),
}

/// Which pool time-out ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolTimeout {
    /// Waiting for a free connection (every connection was in use).
    Wait,
    /// Opening a new connection.
    Create,
    /// Checking a returned connection before reuse.
    Recycle,
}

fn pool_timeout_message(kind: PoolTimeout, after: Option<Duration>) -> String {
    let after = after.map_or_else(String::new, |d| format!(" after {d:?}"));
    match kind {
        PoolTimeout::Wait => format!(
            "timed out{after} waiting for a free connection: every pooled connection is in use (raise the pool size or hold connections for less time)"
        ),
        PoolTimeout::Create => format!("timed out{after} opening a new connection to PostgreSQL"),
        PoolTimeout::Recycle => format!("timed out{after} checking a pooled connection"),
    }
}

fn postgres_message(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut msg = format!(
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            );
            if let Some(detail) = db.detail() {
                msg.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                msg.push_str(&format!("; hint: {hint}"));
            }
            msg
        }
        None => format!("database error: {err}"),
    }
}

struct Opt<'a, T>(&'a Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("(unknown)"),
        }
    }
}

struct Cols<'a>(&'a [String]);

impl fmt::Display for Cols<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("a unique key"),
            [one] => f.write_str(one),
            cols => write!(f, "({})", cols.join(", ")),
        }
    }
}

impl Error {
    /// The SQLSTATE code, when PostgreSQL reported the error.
    pub fn code(&self) -> Option<&SqlState> {
        self.source_postgres().and_then(|e| e.code())
    }

    /// The table named by the error, if any.
    pub fn table(&self) -> Option<&str> {
        match self {
            Error::NotFound { table } | Error::Decode { table, .. } => Some(table),
            Error::UniqueViolation { table, .. }
            | Error::ForeignKeyViolation { table, .. }
            | Error::NotNullViolation { table, .. }
            | Error::CheckViolation { table, .. }
            | Error::ValueTooLong { table, .. }
            | Error::NulInText { table, .. } => table.as_deref(),
            _ => None,
        }
    }

    /// The constraint named by the error, if any.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::UniqueViolation { constraint, .. }
            | Error::ForeignKeyViolation { constraint, .. }
            | Error::CheckViolation { constraint, .. } => constraint.as_deref(),
            _ => None,
        }
    }

    /// The column named by the error, if exactly one is.
    pub fn column(&self) -> Option<&str> {
        match self {
            Error::NotNullViolation { column, .. }
            | Error::NulInText { column, .. }
            | Error::ValueTooLong { column, .. } => column.as_deref(),
            Error::Decode { column, .. } => Some(column),
            Error::UniqueViolation { columns, .. } | Error::ForeignKeyViolation { columns, .. } => {
                match columns.as_slice() {
                    [one] => Some(one),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether running the whole transaction again may succeed, with
    /// nothing of the failed attempt written: a serialization failure or
    /// a deadlock. `Db::transaction_with_retry`
    /// retries exactly these.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::SerializationFailure { .. } | Error::Deadlock { .. }
        )
    }

    /// The underlying tokio-postgres error, if there is one.
    pub fn source_postgres(&self) -> Option<&tokio_postgres::Error> {
        match self {
            Error::UniqueViolation { source, .. }
            | Error::ForeignKeyViolation { source, .. }
            | Error::NotNullViolation { source, .. }
            | Error::CheckViolation { source, .. }
            | Error::NulInText { source, .. }
            | Error::ValueTooLong { source, .. }
            | Error::InvalidTextRepresentation { source, .. }
            | Error::SerializationFailure { source }
            | Error::Deadlock { source }
            | Error::LockTimeout { source }
            | Error::QueryCanceled { source, .. }
            | Error::Decode { source, .. } => Some(source),
            Error::Postgres(source)
            | Error::Connect { source, .. }
            | Error::OutcomeUnknown { source, .. } => Some(source),
            Error::TransactionAborted { source, .. } => source.as_ref(),
            _ => None,
        }
    }
}

/// The PostgreSQL type of a column in a row, for messages (`text`, or
/// `missing` when the row has no such column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlTypeLabel(pub(crate) Option<String>);

impl fmt::Display for SqlTypeLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(name) => f.write_str(name),
            None => f.write_str("no such column in the row"),
        }
    }
}
