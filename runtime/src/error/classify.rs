//! Sorting what tokio-postgres reports into the [`Error`] variant that
//! says what happened, by SQLSTATE and the fields PostgreSQL fills in.

use tokio_postgres::error::{DbError, SqlState};

use super::{Error, SqlTypeLabel};

impl From<tokio_postgres::Error> for Error {
    /// Sorts a tokio-postgres error into the variant that says what happened.
    fn from(err: tokio_postgres::Error) -> Self {
        let Some(db) = err.as_db_error() else {
            return if err.is_closed() {
                Error::OutcomeUnknown {
                    reason: "the connection closed".to_owned(),
                    source: err,
                }
            } else {
                Error::Postgres(err)
            };
        };
        let table = db.table().map(str::to_owned);
        let constraint = db.constraint().map(str::to_owned);
        let code = db.code().clone();
        if code == SqlState::UNIQUE_VIOLATION {
            let columns = key_columns(db);
            Error::UniqueViolation {
                table,
                constraint,
                columns,
                source: err,
            }
        } else if code == SqlState::FOREIGN_KEY_VIOLATION {
            let columns = key_columns(db);
            let detail = db.detail().map(str::to_owned);
            Error::ForeignKeyViolation {
                table,
                constraint,
                columns,
                detail,
                source: err,
            }
        } else if code == SqlState::NOT_NULL_VIOLATION {
            let column = db.column().map(str::to_owned);
            Error::NotNullViolation {
                table,
                column,
                source: err,
            }
        } else if session_ended(db) {
            Error::OutcomeUnknown {
                reason: format!("{}: {}", db.severity(), db.message()),
                source: err,
            }
        } else if code == SqlState::IN_FAILED_SQL_TRANSACTION {
            Error::TransactionAborted {
                cause: "an earlier statement in it failed".to_owned(),
                source: Some(err),
            }
        } else if code == SqlState::CHECK_VIOLATION {
            Error::CheckViolation {
                table,
                constraint,
                source: err,
            }
        } else if code == SqlState::STRING_DATA_RIGHT_TRUNCATION {
            let limit = type_limit(db.message());
            Error::ValueTooLong {
                table,
                column: db.column().map(str::to_owned),
                limit,
                source: err,
            }
        } else if code == SqlState::INVALID_TEXT_REPRESENTATION {
            Error::InvalidTextRepresentation {
                message: db.message().to_owned(),
                source: err,
            }
        } else if code == SqlState::T_R_SERIALIZATION_FAILURE {
            Error::SerializationFailure { source: err }
        } else if code == SqlState::T_R_DEADLOCK_DETECTED {
            Error::Deadlock { source: err }
        } else if code == SqlState::LOCK_NOT_AVAILABLE {
            Error::LockTimeout { source: err }
        } else if code == SqlState::QUERY_CANCELED {
            Error::QueryCanceled {
                reason: db.message().to_owned(),
                source: err,
            }
        } else {
            Error::Postgres(err)
        }
    }
}

impl Error {
    /// A connection to `target` could not be opened.
    pub(crate) fn connect(
        target: &str,
        ssl_mode: crate::tls::SslMode,
        source: tokio_postgres::Error,
    ) -> Error {
        let mut reason = connect_reason(&source);
        if is_tls_failure(&source) {
            reason = format!("TLS: {reason}{}", crate::tls::explain(ssl_mode));
        }
        Error::Connect {
            target: target.to_owned(),
            reason,
            source,
        }
    }
}

/// Why a connection could not be opened, in the words of the server (its
/// message) or of the operating system (the deepest I/O error).
fn connect_reason(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        return db.message().to_owned();
    }
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Whether the connection failed in its TLS handshake or certificate check.
fn is_tls_failure(err: &tokio_postgres::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        if c.is::<rustls::Error>() || c.to_string() == "error performing TLS handshake" {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The length limit in `value too long for type character varying(5)`.
fn type_limit(message: &str) -> Option<u32> {
    let (_, rest) = message.rsplit_once('(')?;
    rest.strip_suffix(')')?.parse().ok()
}

/// Whether the server ended the session (shutdown, crash, terminated
/// backend): a statement it interrupted may or may not have committed.
fn session_ended(db: &DbError) -> bool {
    matches!(db.severity(), "FATAL" | "PANIC") || db.code().code().starts_with("57P")
}

/// Whether PostgreSQL rejected a NUL byte in a text value
/// (`invalid byte sequence for encoding "UTF8": 0x00`).
pub(crate) fn is_nul_in_text(err: &tokio_postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::CHARACTER_NOT_IN_REPERTOIRE && db.message().ends_with(": 0x00")
    })
}

/// The key columns PostgreSQL names in a violation's detail:
/// `Key (a, b)=(1, 2) already exists.` gives `[a, b]`. Values are left out
/// of the message on purpose: they may be personal data.
fn key_columns(db: &DbError) -> Vec<String> {
    let Some(detail) = db.detail() else {
        return Vec::new();
    };
    let Some(rest) = detail.strip_prefix("Key (") else {
        return Vec::new();
    };
    let Some(end) = rest.find(")=(") else {
        return Vec::new();
    };
    rest[..end]
        .split(", ")
        .map(|c| c.trim_matches('"').to_owned())
        .collect()
}

/// The one constructor of [`Error::Decode`]: the value at `index` of `row`
/// (column `column` of `table`) did not decode into `rust_type`.
pub(crate) fn decode_error(
    row: &tokio_postgres::Row,
    index: usize,
    table: &'static str,
    column: &'static str,
    rust_type: &'static str,
    source: tokio_postgres::Error,
) -> Error {
    Error::Decode {
        table,
        column,
        sql_type: SqlTypeLabel(row.columns().get(index).map(|c| c.type_().to_string())),
        rust_type,
        reason: decode_reason(&source),
        source,
    }
}

/// The reason a value did not decode, from the deepest cause in `err`'s chain.
fn decode_reason(err: &tokio_postgres::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if cause.is::<postgres_types::WasNull>() {
        "the value is NULL, but the field is not an Option; make it `Option<...>` or the column NOT NULL"
            .to_owned()
    } else {
        cause.to_string()
    }
}
