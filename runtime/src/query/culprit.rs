//! Naming the column of a value PostgreSQL rejected without saying which:
//! a NUL byte in text, or text over a `varchar(N)`/`char(N)` limit. For a
//! statement pgtable wrote, the culprit is the first bound value that
//! breaks the rule, and the statement's targets say whose column it is;
//! in a COPY, the server's context line names the column.

use postgres_types::Type;

use crate::error::{Error, is_nul_in_text};

/// What PostgreSQL rejected in a value.
enum Rejected {
    Nul,
    TooLong(u32),
}

/// `err` with the table and column of the value it is about, when `built`
/// (run with `param_types`) shows which one it was.
pub(crate) fn name_target(err: Error, built: &super::Built<'_>, param_types: &[Type]) -> Error {
    let rejected = match &err {
        Error::Postgres(source) if is_nul_in_text(source) => Rejected::Nul,
        Error::ValueTooLong {
            column: None,
            limit: Some(limit),
            ..
        } => Rejected::TooLong(*limit),
        _ => return err,
    };
    let mut buf = bytes::BytesMut::new();
    let culprit = built
        .params
        .iter()
        .zip(param_types)
        .position(|(value, ty)| {
            buf.clear();
            let text = matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME)
                && value.to_sql_checked(ty, &mut buf).is_ok();
            text && match rejected {
                Rejected::Nul => buf.contains(&0),
                Rejected::TooLong(limit) => {
                    String::from_utf8_lossy(&buf).chars().count() > limit as usize
                }
            }
        });
    let target = culprit.and_then(|i| built.targets.iter().find(|t| t.param == i));
    let table = target.map(|t| t.table.to_owned());
    let column = target.map(|t| t.column.to_owned());
    with_target(err, table, column)
}

/// `err` from a COPY into `table`, with the column PostgreSQL's context
/// line names (`COPY t, line 1, column note: …`).
pub(crate) fn name_copy_target(err: Error, table: &str) -> Error {
    let source = match &err {
        Error::Postgres(source) if is_nul_in_text(source) => source,
        Error::ValueTooLong { source, .. } => source,
        _ => return err,
    };
    let column = source
        .as_db_error()
        .and_then(|db| db.where_())
        .and_then(|context| context.rsplit_once(", column "))
        .map(|(_, rest)| rest.split(':').next().unwrap_or(rest).trim().to_owned());
    with_target(err, Some(table.to_owned()), column)
}

fn with_target(err: Error, table: Option<String>, column: Option<String>) -> Error {
    match err {
        Error::Postgres(source) => Error::NulInText {
            table,
            column,
            source,
        },
        Error::ValueTooLong { limit, source, .. } => Error::ValueTooLong {
            table,
            column,
            limit,
            source,
        },
        other => other,
    }
}
