//! Why a pooled connection's state became unknown, so that it is closed
//! rather than returned to the pool.

/// Why a connection's state became unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Unknown {
    /// A statement's future was dropped before it returned.
    Statement = 1,
    /// A `BEGIN`, `COMMIT`, `ROLLBACK` or savepoint command's future was
    /// dropped before it returned.
    Control = 2,
    /// A row stream was dropped before its last row.
    Stream = 3,
    /// A transaction was abandoned and its rollback could not be sent.
    Rollback = 4,
    /// An operation ran past the statement time-out.
    Timeout = 5,
    /// The server ended the session: a read found its replica's
    /// connection lost.
    Lost = 6,
}

impl Unknown {
    pub(super) fn from_u8(value: u8) -> Option<Unknown> {
        match value {
            1 => Some(Unknown::Statement),
            2 => Some(Unknown::Control),
            3 => Some(Unknown::Stream),
            4 => Some(Unknown::Rollback),
            5 => Some(Unknown::Timeout),
            6 => Some(Unknown::Lost),
            _ => None,
        }
    }

    pub(super) fn reason(self) -> &'static str {
        match self {
            Unknown::Statement => "a statement was cancelled before it returned",
            Unknown::Control => "a transaction command was cancelled before it returned",
            Unknown::Stream => "a row stream was dropped before its last row",
            Unknown::Rollback => "an abandoned transaction could not be rolled back",
            Unknown::Timeout => "an operation ran past the statement time-out",
            Unknown::Lost => "the server ended the session",
        }
    }
}
