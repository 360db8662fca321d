//! Naming the column of a NUL byte: PostgreSQL rejects `\0` in text
//! without saying which value held it.

use crate::error::{Error, is_nul_in_text};

/// Names the column whose value held a NUL byte, which PostgreSQL's error
/// does not: the first text parameter of `built` whose encoding has one.
pub(crate) fn name_nul_target(
    err: Error,
    built: &super::Built<'_>,
    param_types: &[postgres_types::Type],
) -> Error {
    let Error::Postgres(source) = err else {
        return err;
    };
    if !is_nul_in_text(&source) {
        return Error::Postgres(source);
    }
    use postgres_types::Type;
    let mut buf = bytes::BytesMut::new();
    let culprit = built
        .params
        .iter()
        .zip(param_types)
        .position(|(value, ty)| {
            buf.clear();
            matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME)
                && value.to_sql_checked(ty, &mut buf).is_ok()
                && buf.contains(&0)
        });
    let target = culprit.and_then(|i| built.targets.iter().find(|t| t.param == i));
    Error::NulInText {
        table: target.map(|t| t.table.to_owned()),
        column: target.map(|t| t.column.to_owned()),
        source,
    }
}

/// A NUL byte rejected in a COPY: PostgreSQL's context line names the
/// column (`COPY t, line 1, column note`).
pub(crate) fn name_nul_in_copy(err: Error, table: &str) -> Error {
    let Error::Postgres(source) = err else {
        return err;
    };
    if !is_nul_in_text(&source) {
        return Error::Postgres(source);
    }
    let column = source
        .as_db_error()
        .and_then(|db| db.where_())
        .and_then(|context| context.rsplit_once(", column "))
        .map(|(_, rest)| rest.split(':').next().unwrap_or(rest).trim().to_owned());
    Error::NulInText {
        table: Some(table.to_owned()),
        column,
        source,
    }
}
