//! pgtable's error type.

use std::fmt;

/// Everything that can go wrong in pgtable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
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

/// The reason a value did not decode, from the deepest cause in `err`'s chain.
pub(crate) fn decode_reason(err: &tokio_postgres::Error) -> String {
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
