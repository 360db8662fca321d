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
    // Columns every row gives a value for are copied; columns every row
    // leaves to its default are left out; a mix cannot be copied. One
    // counting pass, then the values go straight into the COPY stream.
    let mut defaults = vec![0_usize; carried.len()];
    let mut values: Vec<InsertValue<'_>> = Vec::with_capacity(carried.len());
    for row in rows {
        values.clear();
        row.push_values(&mut values);
        for (position, count) in defaults.iter_mut().enumerate() {
            if matches!(values.get(position), Some(InsertValue::Default) | None) {
                *count += 1;
            }
        }
    }
    let mut copied: Vec<usize> = Vec::new();
    for (position, &count) in defaults.iter().enumerate() {
        if count == 0 {
            copied.push(position);
        } else if count != rows.len() {
            return Ok(None);
        }
    }
    if copied.is_empty() {
        return Ok(None);
    }

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
            false => Some(column_types(conn.prepare(probe.sql(), 0).await?.columns())),
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
    let mut refs: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(copied.len());
    for row in rows {
        values.clear();
        row.push_values(&mut values);
        refs.clear();
        refs.extend(copied.iter().map(|&position| match values[position] {
            InsertValue::Bind(value) => value,
            InsertValue::Default => unreachable!("defaulted columns are not copied"),
        }));
        writer.as_mut().write(&refs).await?;
    }
    writer.finish().await
}
