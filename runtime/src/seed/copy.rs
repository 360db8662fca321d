//! Seeded rows into the server by `COPY … FROM STDIN (FORMAT binary)`,
//! the format pgtable's bulk inserts use: each value is already encoded
//! for its column's type, so the server only checks and stores it.

use std::pin::pin;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::SinkExt;
use postgres_types::{FromSql, Type};

use crate::conn::{Access, Executor};
use crate::error::Error;
use crate::schema::TableDef;
use crate::sql::SqlWriter;
use crate::transaction::Transaction;

/// How much COPY data is buffered before it is sent.
const CHUNK: usize = 1 << 20;

/// The binary COPY header: signature, flags, no header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The server's types of `table`'s `names` columns, in that order.
pub(super) async fn column_types(
    tx: &Transaction,
    table: &TableDef,
    names: &[&str],
) -> Result<Vec<Type>, Error> {
    let mut w = SqlWriter::new();
    w.push("SELECT ");
    w.ident_list(names);
    w.push(" FROM ");
    w.table_name(table.schema.unwrap_or("public"), table.name);
    w.push(" LIMIT 0");
    let probe = w.into_sql();
    let conn = tx.acquire(Access::Write).await?;
    let statement = conn.run(conn.raw().prepare(&probe)).await?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect())
}

/// A value as the server sent it, in its type's binary form.
struct Encoded(Bytes);

impl<'a> FromSql<'a> for Encoded {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Encoded(Bytes::copy_from_slice(raw)))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Every non-NULL key of `table`'s `columns`, each value in its binary
/// form, ordered by key so that a seed picks the same parents each run.
pub(super) async fn keys(
    tx: &Transaction,
    table: &TableDef,
    columns: &[&str],
) -> Result<Vec<Vec<Bytes>>, Error> {
    let mut w = SqlWriter::new();
    w.push("SELECT ");
    w.ident_list(columns);
    w.push(" FROM ");
    w.table_name(table.schema.unwrap_or("public"), table.name);
    for (i, column) in columns.iter().enumerate() {
        w.push(if i == 0 { " WHERE " } else { " AND " });
        w.ident(column);
        w.push(" IS NOT NULL");
    }
    w.push(" ORDER BY ");
    w.ident_list(columns);
    let statement = w.into_sql();
    let conn = tx.acquire(Access::Write).await?;
    let rows = conn.run(conn.raw().query(&statement, &[])).await?;
    rows.iter()
        .map(|row| {
            (0..columns.len())
                .map(|i| Ok(row.try_get::<_, Encoded>(i)?.0))
                .collect()
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(Error::from)
}

/// Copies `rows` (values in column order, `None` for NULL) into the
/// `names` columns of `table`.
pub(super) async fn copy_binary(
    tx: &Transaction,
    table: &TableDef,
    names: &[&str],
    rows: &[Vec<Option<Bytes>>],
) -> Result<(), Error> {
    let mut w = SqlWriter::new();
    w.push("COPY ");
    w.table_name(table.schema.unwrap_or("public"), table.name);
    w.push(" (");
    w.ident_list(names);
    w.push(") FROM STDIN (FORMAT binary)");
    let statement = w.into_sql();
    let fields = i16::try_from(names.len())
        .map_err(|_| Error::Config(format!("seeding \"{}\": too many columns", table.name)))?;
    let conn = tx.acquire(Access::Write).await?;
    // Dropped mid-COPY, the connection is in an unknown state: `run`
    // discards it (and the transaction with it).
    let copying = async {
        let mut sink = pin!(conn.raw().copy_in::<_, Bytes>(&statement).await?);
        let mut buf = BytesMut::with_capacity(CHUNK + 4096);
        buf.put_slice(HEADER);
        for row in rows {
            buf.put_i16(fields);
            for value in row {
                match value {
                    None => buf.put_i32(-1),
                    Some(bytes) => {
                        // Lengths were checked when the values were made.
                        buf.put_i32(bytes.len() as i32);
                        buf.put_slice(bytes);
                    }
                }
            }
            if buf.len() >= CHUNK {
                sink.send(buf.split().freeze()).await?;
            }
        }
        buf.put_i16(-1);
        sink.send(buf.freeze()).await?;
        sink.as_mut().finish().await
    };
    conn.run(copying).await?;
    Ok(())
}
