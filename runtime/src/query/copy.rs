//! Bulk inserts by binary `COPY … FROM STDIN`, the fastest way PostgreSQL
//! takes rows.

use std::pin::pin;

use postgres_types::{ToSql, Type};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tracing::Instrument;

use super::Built;
use crate::conn::Executor;
use crate::error::Error;
use crate::table::{InsertValue, Insertable, Writable};

/// Copies `rows` into `T`'s table; `Ok(None)` when some column is left to
/// its default by some rows but not others (COPY cannot say that).
pub(crate) async fn copy_in<T: Writable, E: Executor + ?Sized>(
    exec: &E,
    rows: &[T::Insert],
) -> Result<Option<u64>, Error> {
    let table = T::table();
    let carried = <T::Insert as Insertable>::COLUMNS;
    let Some(copied) = copied_columns(rows) else {
        return Ok(None);
    };

    let mut columns = Built::new();
    for (i, &position) in copied.iter().enumerate() {
        if i > 0 {
            columns.push(", ");
        }
        columns.ident(table.columns[carried[position]].name);
    }
    let mut probe = Built::new();
    probe.push("SELECT ");
    probe.push(columns.sql());
    probe.push(" FROM ");
    probe.table(table);
    probe.push(" LIMIT 0");
    let mut copy = Built::new();
    copy.push("COPY ");
    copy.table(table);
    copy.push(" (");
    copy.push(columns.sql());
    copy.push(") FROM STDIN (FORMAT binary)");

    let span = tracing::debug_span!("pgtable.query", sql = %copy.sql(), rows = rows.len());
    async {
        let conn = exec.acquire(crate::conn::Access::Write).await?;
        // Behind PgBouncer the COPY's statements are named, so they must
        // stay on one server connection: inside a transaction.
        let pgbouncer = conn.settings().pgbouncer;
        let wrap = pgbouncer && !conn.is_in_transaction();
        // The column types, as the server has them: from the connection's
        // statement cache; behind PgBouncer, prepared inside the COPY's
        // transaction below.
        let known = match pgbouncer {
            true => None,
            false => Some(column_types(
                conn.prepare(probe.sql(), 0, None).await?.columns(),
            )),
        };
        // Armed until the COPY returned: dropped mid-COPY, the connection
        // is discarded (and an open transaction with it).
        let copying = async {
            let client = conn.raw();
            if wrap {
                client.batch_execute("BEGIN").await?;
            }
            let copied = copy_rows(client, known, probe.sql(), copy.sql(), rows, &copied).await;
            match (wrap, copied) {
                (false, copied) => copied,
                (true, Ok(n)) => client.batch_execute("COMMIT").await.map(|()| n),
                (true, Err(err)) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    Err(err)
                }
            }
        };
        conn.run(copying)
            .await
            .map(Some)
            .map_err(|err| super::culprit::name_copy_target(err, table.name))
    }
    .instrument(span)
    .await
}

/// The positions (in `COLUMNS`) of the columns to copy: those every row
/// gives a value for, leaving out those every row leaves to its default.
/// `None` when a column is left to its default by some rows but not others
/// (COPY cannot say that), or when nothing would be copied.
fn copied_columns<I: Insertable>(rows: &[I]) -> Option<Vec<usize>> {
    let carried = I::COLUMNS.len();
    if I::ALWAYS_BOUND {
        // Every row binds every column: nothing to count.
        return (carried > 0).then(|| (0..carried).collect());
    }
    let mut defaults = vec![0_usize; carried];
    let mut values: Vec<InsertValue<'_>> = Vec::with_capacity(carried);
    for row in rows {
        values.clear();
        row.push_values(&mut values);
        for (position, count) in defaults.iter_mut().enumerate() {
            if matches!(values.get(position), Some(InsertValue::Default) | None) {
                *count += 1;
            }
        }
    }
    let mut copied = Vec::new();
    for (position, &count) in defaults.iter().enumerate() {
        if count == 0 {
            copied.push(position);
        } else if count != rows.len() {
            return None;
        }
    }
    (!copied.is_empty()).then_some(copied)
}

fn column_types(columns: &[tokio_postgres::Column]) -> Vec<Type> {
    columns.iter().map(|c| c.type_().clone()).collect()
}

/// Streams `rows` (their `copied` values) through `COPY … FROM STDIN`,
/// with the column types given, or else those `probe` shows.
async fn copy_rows<I: Insertable>(
    client: &tokio_postgres::Client,
    known: Option<Vec<Type>>,
    probe: &str,
    copy: &str,
    rows: &[I],
    copied: &[usize],
) -> Result<u64, tokio_postgres::Error> {
    let types = match known {
        Some(types) => types,
        // Closed again before the transaction it runs in ends.
        None => column_types(client.prepare(probe).await?.columns()),
    };
    let sink = client.copy_in(copy).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
    let mut values: Vec<InsertValue<'_>> = Vec::with_capacity(I::COLUMNS.len());
    let every_column = copied.len() == I::COLUMNS.len();
    for row in rows {
        values.clear();
        row.push_values(&mut values);
        if !every_column {
            // Only the copied columns' values, in order (`copied` is).
            for (to, &from) in copied.iter().enumerate() {
                values[to] = values[from];
            }
            values.truncate(copied.len());
        }
        // Handed over as they are, without collecting them first. (A
        // function, not a closure over `values`, which kept the insert's
        // future from being `Send`.)
        let binds = values.iter().map(bound);
        writer.as_mut().write_raw(binds).await?;
    }
    writer.finish().await
}

/// A copied column's value (a defaulted column is never copied: see
/// `copied_columns`).
fn bound<'v>(value: &InsertValue<'v>) -> &'v (dyn ToSql + Sync) {
    match value {
        InsertValue::Bind(value) => *value,
        InsertValue::Default => unreachable!("defaulted columns are not copied"),
    }
}
