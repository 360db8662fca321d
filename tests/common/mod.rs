//! Test harness: each test gets a database of its own on the real server,
//! as new (made for it, or reset after an earlier test of the same process:
//! see `databases`), so tests run in parallel; the process drops every
//! database it made when it exits, so nothing is left behind.
//!
//! The server is `DATABASE_URL` (scripts/test sets it), else
//! postgres://postgres@127.0.0.1:5432/postgres.

#![allow(dead_code)]

pub mod blog;
pub mod cluster;
pub mod databases;
pub mod pgbouncer;

use pgtable::{InsertValue, Insertable, Table};
use tokio_postgres::{Client, Config, NoTls};

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PgBouncer the pools go through, from `PGTABLE_TEST_PGBOUNCER`
/// (`host:port`), if set.
pub fn via_pgbouncer() -> Option<(String, u16)> {
    let addr = std::env::var("PGTABLE_TEST_PGBOUNCER").ok()?;
    let (host, port) = addr.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

/// The server the tests use.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

async fn connect(config: &Config) -> Client {
    let (client, connection) = config.connect(NoTls).await.unwrap_or_else(|err| {
        panic!(
            "cannot connect to PostgreSQL at {}: {err}\n\
             run the tests with scripts/test, or set DATABASE_URL",
            database_url()
        )
    });
    tokio::spawn(async move {
        // The connection ends when the client is dropped; errors surface on the client.
        let _ = connection.await;
    });
    client
}

fn admin_config() -> Config {
    database_url()
        .parse()
        .expect("DATABASE_URL is not a valid PostgreSQL URL")
}

/// A database created for one test and dropped with it.
pub struct TestDb {
    /// A plain tokio-postgres client connected to the test database.
    pub client: Client,
    name: String,
}

/// The configuration of the database called `name` on the test server.
pub fn config_for(name: &str) -> Config {
    let mut config = admin_config();
    config.dbname(name);
    config
}

impl TestDb {
    /// A database for this test alone, as new (see `databases`).
    pub async fn new() -> TestDb {
        let (client, name) = databases::take().await;
        TestDb { client, name }
    }

    /// A test database with `schema` created in it.
    pub async fn with_schema(schema: &pgtable::Schema) -> TestDb {
        let db = TestDb::new().await;
        db.client.batch_execute(&schema.to_sql()).await.unwrap();
        db
    }

    /// A `postgres://` URL of the test database.
    pub fn url(&self) -> String {
        let config = config_for(&self.name);
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres");
        format!("postgres://{user}@{host}:{port}/{}", self.name)
    }

    /// A pgtable `Db` (a pool) on the test database.
    pub fn db(&self) -> pgtable::Db {
        self.db_builder().build().unwrap()
    }

    /// A `Db` builder on the test database, to configure the pool. When
    /// `PGTABLE_TEST_PGBOUNCER` names a PgBouncer (scripts/test's second
    /// pass), the pool goes through it, in PgBouncer mode.
    pub fn db_builder(&self) -> pgtable::DbBuilder {
        let mut config = config_for(&self.name);
        match via_pgbouncer() {
            Some((host, port)) => {
                config.host(&host).port(port);
                pgtable::Db::builder_with_config(config).pgbouncer(true)
            }
            None => pgtable::Db::builder_with_config(config),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        databases::give_back(std::mem::take(&mut self.name));
    }
}

/// `INSERT INTO <table> (<carried columns>) VALUES (...) RETURNING *` for one
/// row, built from the generated `COLUMNS` and `push_values`; `None` values
/// become `DEFAULT`.
pub async fn insert_returning<I>(client: &Client, row: &I) -> Result<I::Table, pgtable::Error>
where
    I: Insertable,
{
    let def = I::Table::table();
    let mut values = Vec::new();
    row.push_values(&mut values);
    assert_eq!(
        values.len(),
        I::COLUMNS.len(),
        "one value per carried column"
    );

    let columns: Vec<String> = I::COLUMNS
        .iter()
        .map(|&i| pgtable::ddl::quote_ident(def.columns[i].name))
        .collect();
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
    let placeholders: Vec<String> = values
        .iter()
        .map(|value| match value {
            InsertValue::Bind(v) => {
                params.push(*v);
                format!("${}", params.len())
            }
            InsertValue::Default => "DEFAULT".to_owned(),
        })
        .collect();
    let sql = if columns.is_empty() {
        format!(
            "INSERT INTO {} DEFAULT VALUES RETURNING *",
            pgtable::ddl::qualified_name(def)
        )
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING *",
            pgtable::ddl::qualified_name(def),
            columns.join(", "),
            placeholders.join(", ")
        )
    };
    let row = client.query_one(&sql, &params).await?;
    I::Table::from_row(&row)
}

/// Counts the statements pgtable sends (its `pgtable.query` spans) while
/// `f` runs on this thread.
#[allow(dead_code)]
pub async fn count_statements<F: std::future::Future>(f: F) -> (F::Output, usize) {
    let (output, sent) = record_statements(f).await;
    (output, sent.len())
}

/// The SQL of every statement pgtable sends (the `sql` field of its
/// `pgtable.query` spans) while `f` runs on this thread, in order.
#[allow(dead_code)]
pub async fn record_statements<F: std::future::Future>(f: F) -> (F::Output, Vec<String>) {
    let (output, spans) = record_query_spans(f).await;
    (output, spans.into_iter().map(|span| span.sql).collect())
}

/// One `pgtable.query` span: its SQL and the row count recorded on it.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct QuerySpan {
    pub sql: String,
    pub rows: Option<u64>,
}

/// Every `pgtable.query` span opened while `f` runs on this thread, in
/// order, with the fields recorded on it while `f` ran.
///
/// A global subscriber, installed once, records per thread: a
/// thread-local subscriber would miss spans whose interest tracing
/// cached, globally, while another test ran without one.
#[allow(dead_code)]
pub async fn record_query_spans<F: std::future::Future>(f: F) -> (F::Output, Vec<QuerySpan>) {
    use std::cell::RefCell;
    use std::sync::Once;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tracing::span::{Attributes, Id, Record};
    use tracing::subscriber::Subscriber;
    use tracing::{Event, Metadata};

    thread_local! {
        /// This thread's query spans, with their ids.
        static SPANS: RefCell<Vec<(u64, QuerySpan)>> = const { RefCell::new(Vec::new()) };
        /// The spans entered on this thread, innermost last: what
        /// `Span::current()` (which pgtable records row counts on) gives.
        static ENTERED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
    }

    struct Recorder {
        next: AtomicU64,
        /// The metadata of each query span, by id, for `current_span`.
        queries: std::sync::Mutex<std::collections::HashMap<u64, &'static Metadata<'static>>>,
    }

    #[derive(Default)]
    struct Fields {
        sql: Option<String>,
        rows: Option<u64>,
    }

    impl tracing::field::Visit for Fields {
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            if field.name() == "sql" {
                self.sql = Some(value.to_owned());
            }
        }
        fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
            if field.name() == "rows" {
                self.rows = Some(value);
            }
        }
        fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
            if field.name() == "rows" {
                self.rows = u64::try_from(value).ok();
            }
        }
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            match field.name() {
                "sql" if self.sql.is_none() => self.sql = Some(format!("{value:?}")),
                "rows" if self.rows.is_none() => self.rows = format!("{value:?}").parse().ok(),
                _ => {}
            }
        }
    }

    impl Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let id = self.next.fetch_add(1, Ordering::Relaxed);
            if span.metadata().name() == "pgtable.query" {
                self.queries.lock().unwrap().insert(id, span.metadata());
                let mut fields = Fields::default();
                span.record(&mut fields);
                let span = QuerySpan {
                    sql: fields.sql.unwrap_or_default(),
                    rows: fields.rows,
                };
                SPANS.with(|spans| spans.borrow_mut().push((id, span)));
            }
            Id::from_u64(id)
        }
        fn record(&self, id: &Id, values: &Record<'_>) {
            let mut fields = Fields::default();
            values.record(&mut fields);
            if let Some(rows) = fields.rows {
                SPANS.with(|spans| {
                    let mut spans = spans.borrow_mut();
                    if let Some((_, span)) =
                        spans.iter_mut().rev().find(|(at, _)| *at == id.into_u64())
                    {
                        span.rows = Some(rows);
                    }
                });
            }
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, id: &Id) {
            ENTERED.with(|entered| entered.borrow_mut().push(id.into_u64()));
        }
        fn exit(&self, id: &Id) {
            ENTERED.with(|entered| {
                let mut entered = entered.borrow_mut();
                if let Some(at) = entered.iter().rposition(|e| *e == id.into_u64()) {
                    entered.remove(at);
                }
            });
        }
        fn current_span(&self) -> tracing_core::span::Current {
            let current = ENTERED.with(|entered| entered.borrow().last().copied());
            let known = current.and_then(|id| {
                let metadata = *self.queries.lock().unwrap().get(&id)?;
                Some((id, metadata))
            });
            match known {
                Some((id, metadata)) => {
                    tracing_core::span::Current::new(Id::from_u64(id), metadata)
                }
                None => tracing_core::span::Current::none(),
            }
        }
    }

    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let recorder = Recorder {
            next: AtomicU64::new(1),
            queries: Default::default(),
        };
        tracing::subscriber::set_global_default(recorder)
            .expect("no other global subscriber in tests");
    });
    let before = SPANS.with(|spans| spans.borrow().len());
    let output = f.await;
    let spans = SPANS.with(|spans| {
        spans.borrow()[before..]
            .iter()
            .map(|(_, span)| span.clone())
            .collect()
    });
    (output, spans)
}

/// Reports that a test could not get a part it needs (a server binary, a
/// tool) and so did not run: `skipped: why` on stderr and in the file
/// `PGTABLE_SKIP_LOG` names, which scripts/test counts as skipped, not
/// passed.
pub fn skip(test: &str, why: &str) {
    let line = format!("skipped: {test}: {why}");
    eprintln!("{line}");
    if let Some(log) = std::env::var_os("PGTABLE_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// What each change of a migration diff does, in order.
pub fn descriptions(changes: &[pgtable::migrate::Change]) -> Vec<&str> {
    changes
        .iter()
        .map(|change| change.description.as_str())
        .collect()
}

/// Every statement of a migration diff, in order.
pub fn statements_of(changes: &[pgtable::migrate::Change]) -> Vec<&str> {
    changes
        .iter()
        .flat_map(|change| change.statements.iter().map(String::as_str))
        .collect()
}

/// Runs every statement of a migration diff on `client`, in order.
pub async fn apply(
    client: &Client,
    changes: &[pgtable::migrate::Change],
) -> Result<(), tokio_postgres::Error> {
    for statement in statements_of(changes) {
        client.batch_execute(statement).await?;
    }
    Ok(())
}

/// What `check` reports between the database and `schema`: each change's
/// description, in order.
pub async fn drift_descriptions(
    db: &pgtable::Db,
    schema: &pgtable::Schema,
) -> Result<Vec<String>, pgtable::migrate::MigrateError> {
    Ok(pgtable::migrate::drift(db, schema)
        .await?
        .into_iter()
        .map(|change| change.description)
        .collect())
}

/// A `pg_dump` no older than the server, or why there is none.
pub fn pg_dump() -> Result<std::path::PathBuf, String> {
    let mut candidates: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin/pg_dump"))
        .filter(|p| p.exists())
        .collect();
    // The newest installed version first; then whatever PATH has.
    candidates.sort_by_key(|p| {
        std::cmp::Reverse(
            p.components()
                .nth(4)
                .and_then(|c| c.as_os_str().to_str()?.parse::<u32>().ok()),
        )
    });
    candidates.push(std::path::PathBuf::from("pg_dump"));
    candidates
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .arg("--version")
                .output()
                .is_ok()
        })
        .ok_or_else(|| "no pg_dump in /usr/lib/postgresql/*/bin or on PATH".to_owned())
}

/// The lines `pg_dump` prints for the test database with `args`, without
/// what differs between any two dumps (the `\restrict` key, the versions).
pub fn dump_lines(pg_dump: &std::path::Path, test: &TestDb, args: &[&str]) -> Vec<String> {
    let out = std::process::Command::new(pg_dump)
        .args(args)
        .args(["--no-owner", "--no-privileges", "--dbname"])
        .arg(test.url())
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .filter(|l| !l.starts_with("-- Dumped "))
        .map(str::to_owned)
        .collect()
}

/// `pg_dump -s` of the test database, split per object (the dump's
/// `-- Name: …` sections), without what differs between any two dumps.
pub fn schema_dump(pg_dump: &std::path::Path, test: &TestDb) -> Vec<String> {
    dump_lines(pg_dump, test, &["--schema-only"])
        .join("\n")
        .split("\n--\n-- Name: ")
        .skip(1)
        .map(|section| section.trim().to_owned())
        .collect()
}
