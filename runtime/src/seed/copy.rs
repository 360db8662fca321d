//! Seeded rows into the server by `COPY … FROM STDIN` in text format:
//! the values are already PostgreSQL's text form, so each goes through
//! the column type's own input function, as a typed literal would.

use std::pin::pin;

use bytes::{BufMut, BytesMut};
use futures_util::SinkExt;

use crate::conn::{Access, Executor};
use crate::error::Error;
use crate::schema::TableDef;
use crate::sql::SqlWriter;
use crate::transaction::Transaction;

/// How much COPY data is buffered before it is sent.
const CHUNK: usize = 1 << 20;

/// Copies `columns` (one vector of values per column, `None` for NULL)
/// into the `names` columns of `table`.
pub(super) async fn copy_text(
    tx: &Transaction,
    table: &TableDef,
    names: &[&str],
    columns: &[Vec<Option<String>>],
) -> Result<(), Error> {
    let mut w = SqlWriter::new();
    w.push("COPY ");
    w.table_name(table.schema.unwrap_or("public"), table.name);
    w.push(" (");
    w.ident_list(names);
    w.push(") FROM STDIN");
    let statement = w.into_sql();
    let rows = columns.first().map_or(0, Vec::len);
    let conn = tx.acquire(Access::Write).await?;
    // Dropped mid-COPY, the connection is in an unknown state: `run`
    // discards it (and the transaction with it).
    let copying = async {
        let mut sink = pin!(conn.raw().copy_in::<_, bytes::Bytes>(&statement).await?);
        let mut buf = BytesMut::with_capacity(CHUNK + 4096);
        for row in 0..rows {
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    buf.put_u8(b'\t');
                }
                match &column[row] {
                    None => buf.put_slice(b"\\N"),
                    Some(text) => escape(&mut buf, text),
                }
            }
            buf.put_u8(b'\n');
            if buf.len() >= CHUNK {
                sink.send(buf.split().freeze()).await?;
            }
        }
        if !buf.is_empty() {
            sink.send(buf.freeze()).await?;
        }
        sink.as_mut().finish().await
    };
    conn.run(copying).await?;
    Ok(())
}

/// `text` as a field of COPY's text format: backslash, tab, newline and
/// carriage return escaped.
fn escape(buf: &mut BytesMut, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => buf.put_slice(b"\\\\"),
            b'\t' => buf.put_slice(b"\\t"),
            b'\n' => buf.put_slice(b"\\n"),
            b'\r' => buf.put_slice(b"\\r"),
            other => buf.put_u8(other),
        }
    }
}
