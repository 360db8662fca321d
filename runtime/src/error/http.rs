//! [`Error`] as an HTTP response, for services built on axum (feature
//! `axum`): a handler returns `Result<Json<User>, pgtable::Error>` and a
//! duplicate email becomes a 409 naming the constraint, with no newtype.
//!
//! | error | status |
//! |---|---|
//! | `NotFound` | 404 |
//! | `UniqueViolation`, `ForeignKeyViolation` | 409 |
//! | `CheckViolation`, `NotNullViolation`, `ValueTooLong`, `InvalidTextRepresentation`, `NulInText` | 422 |
//! | `PoolTimeout`, `PoolClosed`, `Connect`, `SerializationFailure`, `Deadlock`, `LockTimeout`, `QueryCanceled`, `StatementTimeout` | 503 |
//! | anything else | 500 |
//!
//! The body is JSON: `{"error": "…", "code": "unique_violation",
//! "table": "users", "constraint": "users_email_unique", "column": "email"}`
//! (the last three when known). A 4xx says what was wrong with the request
//! in pgtable's words, which never hold SQL or key values; a 5xx says only
//! `internal error` or `unavailable`, and the whole error goes to the
//! `pgtable::http` tracing target instead.

use axum_core::response::{IntoResponse, Response};
use http::{StatusCode, header};

use super::Error;

impl Error {
    /// The HTTP status that fits this error (feature `axum`), as
    /// [`IntoResponse`] uses it.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            Error::UniqueViolation { .. } | Error::ForeignKeyViolation { .. } => {
                StatusCode::CONFLICT
            }
            Error::CheckViolation { .. }
            | Error::NotNullViolation { .. }
            | Error::ValueTooLong { .. }
            | Error::InvalidTextRepresentation { .. }
            | Error::NulInText { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::PoolTimeout { .. }
            | Error::PoolClosed
            | Error::Connect { .. }
            | Error::SerializationFailure { .. }
            | Error::Deadlock { .. }
            | Error::LockTimeout { .. }
            | Error::QueryCanceled { .. }
            | Error::StatementTimeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short, stable name of the error's kind for clients.
    fn kind(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::UniqueViolation { .. } => "unique_violation",
            Error::ForeignKeyViolation { .. } => "foreign_key_violation",
            Error::CheckViolation { .. } => "check_violation",
            Error::NotNullViolation { .. } => "not_null_violation",
            Error::ValueTooLong { .. } => "value_too_long",
            Error::InvalidTextRepresentation { .. } => "invalid_text_representation",
            Error::NulInText { .. } => "nul_in_text",
            _ if self.status_code() == StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            _ => "internal",
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let message = if status.is_client_error() {
            self.to_string()
        } else {
            tracing::error!(target: "pgtable::http", error = %self, status = status.as_u16(), "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => "unavailable: try again later".to_owned(),
                _ => "internal error".to_owned(),
            }
        };
        let mut body = serde_json::Map::new();
        body.insert("error".to_owned(), message.into());
        body.insert("code".to_owned(), self.kind().into());
        if status.is_client_error() {
            let known = [
                ("table", self.table()),
                ("constraint", self.constraint()),
                ("column", self.column()),
            ];
            for (key, value) in known {
                if let Some(value) = value {
                    body.insert(key.to_owned(), value.into());
                }
            }
        }
        let body = serde_json::Value::Object(body).to_string();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}
