//! Seeding against plain COPY, on one workload in one run: 1,000,000 rows
//! across the example schema (200,000 in each of its five tables).
//!
//! - `pgtable_seed`: `Seeder::reset` then `Seeder::run` — generating every
//!   value, then a binary `COPY` per table, in one transaction;
//! - `raw_copy`: the same rows generated beforehand (copied out of a
//!   seeded database in COPY's binary format), then `TRUNCATE` and a
//!   `COPY … FROM STDIN (FORMAT binary)` per table, in one transaction, on
//!   tokio-postgres;
//! - `raw_copy_text`: the same in COPY's text format, to show what the
//!   format costs the server.
//!
//! Rows per second are the workload's rows over each side's median time.
//!
//! ```sh
//! cargo bench --bench seed              # PGTABLE_SEED_ROWS=200000 per table
//! cargo test --bench seed               # each side once, 1,000 rows per table
//! ```

mod support;

#[path = "../examples/schema/mod.rs"]
mod schema;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::{SinkExt, TryStreamExt};
use pgtable::Seeder;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls};

const DATABASE: &str = "pgtable_bench_seed";

fn seeding(c: &mut Criterion) {
    // `cargo test --all-targets` (scripts/test) runs each side once, to
    // check that it works: a small workload then, not a million rows.
    let testing = !std::env::args().any(|arg| arg == "--bench");
    let per_table: usize = std::env::var("PGTABLE_SEED_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if testing { 1_000 } else { 200_000 });
    let rt = Runtime::new().unwrap();
    let schema = schema::schema();
    let (config, db) = rt.block_on(support::fresh_database(DATABASE));
    let (client, connection) = rt.block_on(config.connect(NoTls)).unwrap();
    rt.spawn(connection);
    rt.block_on(client.batch_execute(&schema.to_sql())).unwrap();
    let seeder = Seeder::new(&schema).seed(1).default_count(per_table);
    rt.block_on(seeder.run(&db)).unwrap();

    // The rows, as COPY data, table by table in dependency order.
    let tables: Vec<&str> = schema
        .tables_in_dependency_order()
        .iter()
        .map(|t| t.name)
        .collect();
    let binary = rt.block_on(copied(&client, &tables, "binary"));
    let text = rt.block_on(copied(&client, &tables, "text"));
    let truncate = format!("TRUNCATE {} RESTART IDENTITY CASCADE", tables.join(", "));

    let mut group = c.benchmark_group(format!("seed/{}", per_table * tables.len()));
    group.throughput(criterion::Throughput::Elements(
        (per_table * tables.len()) as u64,
    ));
    group.bench_function("pgtable_seed", |b| {
        b.to_async(&rt).iter(|| async {
            seeder.reset(&db).await.unwrap();
            seeder.run(&db).await.unwrap();
        })
    });
    group.bench_function("raw_copy", |b| {
        b.to_async(&rt)
            .iter(|| raw_copy(&client, &truncate, &binary))
    });
    group.bench_function("raw_copy_text", |b| {
        b.to_async(&rt).iter(|| raw_copy(&client, &truncate, &text))
    });
    group.finish();
    drop(db);
    rt.block_on(support::drop_database(DATABASE));
}

/// Each table's rows as COPY data in `format`, with the statement that
/// copies them back in.
async fn copied(client: &Client, tables: &[&str], format: &str) -> Vec<(String, Vec<u8>)> {
    let mut data = Vec::new();
    for table in tables {
        let columns = format!(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = ''"
        );
        let list: String = client.query_one(&columns, &[]).await.unwrap().get(0);
        let out = client
            .copy_out(&format!(
                "COPY {table} ({list}) TO STDOUT (FORMAT {format})"
            ))
            .await
            .unwrap();
        let chunks: Vec<bytes::Bytes> = out.try_collect().await.unwrap();
        data.push((
            format!("COPY {table} ({list}) FROM STDIN (FORMAT {format})"),
            chunks.concat(),
        ));
    }
    data
}

/// Empties the tables and copies `data` back in, in one transaction.
async fn raw_copy(client: &Client, truncate: &str, data: &[(String, Vec<u8>)]) {
    client.batch_execute("BEGIN").await.unwrap();
    client.batch_execute(truncate).await.unwrap();
    for (statement, rows) in data {
        let sink = client.copy_in::<_, bytes::Bytes>(statement).await.unwrap();
        let mut sink = std::pin::pin!(sink);
        sink.send(bytes::Bytes::copy_from_slice(rows))
            .await
            .unwrap();
        sink.as_mut().finish().await.unwrap();
    }
    client.batch_execute("COMMIT").await.unwrap();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    targets = seeding
}
criterion_main!(benches);
