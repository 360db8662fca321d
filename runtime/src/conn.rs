//! Pooled connections that go back to the pool only in a known state, and
//! the [`Executor`] trait every query runs on.
//!
//! Cancellation is normal in async Rust: a `tokio::time::timeout` or a web
//! request whose client went away drops a future wherever it is waiting.
//! If that future was waiting on PostgreSQL (mid-statement, mid-`BEGIN`,
//! mid-`COMMIT`, mid-COPY, a stream dropped half-read), nobody knows what
//! state the connection is in: inside a transaction or not, with a savepoint
//! or not, with rows still coming. Such a connection is never handed out
//! again. It is *discarded*: detached from the pool and closed, so the server
//! rolls back whatever it had open, and the pool opens a fresh one.
//!
//! Every statement pgtable sends runs while an [`Acquired`] (or, for
//! transaction control, an [`InFlight`]) is armed; only an operation that
//! returned disarms it. Dropped armed, it marks its connection unknown.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use std::sync::Arc;

use deadpool_postgres::{ClientWrapper, Object};
use futures_util::FutureExt;
use futures_util::future::Either;
use postgres_types::{ToSql, Type};
use tokio_postgres::{Row, RowStream, Statement};

use crate::error::Error;
use crate::sql::{StatementMemo, StatementTexts};
use crate::unnamed::TypeCache;

mod unknown;
pub(crate) use unknown::Unknown;

/// How a pool's connections run statements.
#[derive(Debug, Default)]
pub(crate) struct Settings {
    /// Prepared statements are cached per connection.
    pub statement_cache: bool,
    /// Every statement goes unnamed, in one round trip (PgBouncer).
    pub pgbouncer: bool,
    /// How long pgtable waits for a statement before giving up on it (and
    /// on its connection).
    pub statement_timeout: Option<Duration>,
    /// Parameter types of unnamed statements (PgBouncer mode).
    pub types: TypeCache,
    /// Ad hoc statements by text, per connection (with the statement cache).
    pub texts: StatementTexts,
}

/// A statement ready to run: prepared under a name (and cached per
/// connection), or, in PgBouncer mode, sent unnamed with these parameter
/// types.
pub(crate) enum Prepared {
    Named(Statement),
    Unnamed(Arc<[Type]>),
}

impl Prepared {
    /// The result columns, known for a named statement only.
    pub(crate) fn columns(&self) -> &[tokio_postgres::Column] {
        match self {
            Prepared::Named(statement) => statement.columns(),
            Prepared::Unnamed(_) => &[],
        }
    }

    pub(crate) fn param_types(&self) -> &[Type] {
        match self {
            Prepared::Named(statement) => statement.params(),
            Prepared::Unnamed(types) => types,
        }
    }
}

type Params<'p> = [&'p (dyn ToSql + Sync)];

fn typed<'p>(params: &Params<'p>, types: &[Type]) -> Vec<(&'p (dyn ToSql + Sync), Type)> {
    params.iter().copied().zip(types.iter().cloned()).collect()
}

/// Whether a statement only reads (and may go to a read replica) or may
/// write (and goes to the primary).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A plain query: select, count, relation load, stream.
    Read,
    /// Anything else: inserts, updates, deletes, raw SQL, transactions.
    Write,
}

/// Runs `fut`, one operation on `conn`, within `timeout`, handing its
/// result to `then`. Past the time-out, the operation is abandoned and the
/// connection marked unknown (it will be closed): `Err` with
/// [`Error::StatementTimeout`], and `then` is not called.
///
/// A combinator rather than an `async fn`: an `async fn` keeps the future
/// it is given and the timer wrapping it side by side, and every statement
/// awaits one or two of these, so that doubled the futures a query awaits
/// (`Select::fetch_all`'s was 4,672 bytes, now 3,000;
/// `tests/integration/future_sizes.rs`).
pub(crate) fn timed<'c, T, U, F, G>(
    conn: &'c PooledConn,
    timeout: Option<Duration>,
    fut: F,
    then: G,
) -> impl Future<Output = Result<U, Error>> + use<'c, T, U, F, G>
where
    F: Future<Output = Result<T, tokio_postgres::Error>>,
    G: FnOnce(Result<T, tokio_postgres::Error>) -> Result<U, Error>,
{
    match timeout {
        None => Either::Left(fut.map(then)),
        Some(after) => Either::Right(tokio::time::timeout(after, fut).map(
            move |result| match result {
                Ok(result) => then(result),
                Err(_) => {
                    conn.mark_unknown(Unknown::Timeout);
                    Err(Error::StatementTimeout { after })
                }
            },
        )),
    }
}

/// A connection checked out of the pool. Dropped in a known state it goes
/// back to the pool; in an unknown one it is discarded.
pub(crate) struct PooledConn {
    object: Option<Object>,
    unknown: AtomicU8,
    /// The first error PostgreSQL reported on this connection since
    /// [`PooledConn::clear_first_error`]: what a transaction names when
    /// PostgreSQL rolled it back.
    first_error: Mutex<Option<String>>,
}

impl PooledConn {
    pub(crate) fn new(object: Object) -> Self {
        PooledConn {
            object: Some(object),
            unknown: AtomicU8::new(0),
            first_error: Mutex::new(None),
        }
    }

    pub(crate) fn client(&self) -> &ClientWrapper {
        self.object
            .as_ref()
            .expect("a pooled connection holds its object until dropped")
    }

    /// Marks the connection's state unknown: it will be discarded.
    pub(crate) fn mark_unknown(&self, why: Unknown) {
        // The first reason is the one worth reporting.
        let _ = self
            .unknown
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Why the state is unknown, if it is.
    pub(crate) fn unknown(&self) -> Option<Unknown> {
        Unknown::from_u8(self.unknown.load(Ordering::Acquire))
    }

    /// Declares the state known again: a `COMMIT` or `ROLLBACK` returned,
    /// and PostgreSQL answers in order, so everything sent before it is done.
    pub(crate) fn mark_known(&self) {
        self.unknown.store(0, Ordering::Release);
    }

    /// Arms a mark for one transaction-control command.
    pub(crate) fn in_flight(&self, why: Unknown) -> InFlight<'_> {
        InFlight {
            conn: self,
            why,
            armed: true,
        }
    }

    pub(crate) fn record_error(&self, err: &tokio_postgres::Error) {
        use tokio_postgres::error::SqlState;
        if let Some(db) = err.as_db_error()
            && *db.code() != SqlState::IN_FAILED_SQL_TRANSACTION
        {
            let mut first = lock(&self.first_error);
            if first.is_none() {
                *first = Some(format!("{} (SQLSTATE {})", db.message(), db.code().code()));
            }
        }
    }

    /// Why PostgreSQL aborted the transaction on this connection.
    pub(crate) fn abort_cause(&self) -> String {
        match &*lock(&self.first_error) {
            Some(first) => format!("an earlier statement in it failed: {first}"),
            None => "an earlier statement in it failed or was cancelled".to_owned(),
        }
    }

    pub(crate) fn clear_first_error(&self) {
        *lock(&self.first_error) = None;
    }

    /// Closes the connection and takes it out of the pool for good.
    pub(crate) fn discard(&mut self, why: &str) {
        if let Some(object) = self.object.take() {
            tracing::debug!(target: "pgtable::pool", reason = why, "connection discarded");
            // Detached from the pool; dropping the client closes the socket,
            // and the server rolls back what the session had open.
            drop(Object::take(object));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        if let Some(why) = self.unknown() {
            self.discard(why.reason());
        }
        // Otherwise the object goes back to the pool as it is dropped.
    }
}

/// Marks one transaction-control command in flight on a connection; see
/// the module documentation.
#[must_use = "an in-flight mark must be disarmed with `done` once the command returned"]
pub(crate) struct InFlight<'a> {
    conn: &'a PooledConn,
    why: Unknown,
    armed: bool,
}

impl InFlight<'_> {
    /// The command returned (with success or an error from the server).
    pub(crate) fn done(mut self) {
        self.armed = false;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.conn.mark_unknown(self.why);
        }
    }
}

/// A connection taken for one statement, armed until the statement
/// returns: pooled for a `&Db` (and discarded if dropped armed), borrowed
/// from a transaction or a `Conn` otherwise (which it then marks unknown).
#[doc(hidden)]
pub struct Acquired<'a> {
    conn: AcquiredConn<'a>,
    settings: &'a Settings,
    in_transaction: bool,
    /// The replica it is a connection to, for a read routed to one.
    replica: Option<u16>,
    /// Atomic so that `run` can take `&self` while its future borrows the
    /// client from the same `Acquired`.
    armed: AtomicBool,
    why: Unknown,
}

// Boxing the pooled connection would cost an allocation per query; an
// `Acquired` lives on the stack for one statement only.
#[allow(clippy::large_enum_variant)]
enum AcquiredConn<'a> {
    Pooled(PooledConn),
    Borrowed(&'a PooledConn),
}

impl<'a> Acquired<'a> {
    pub(crate) fn pooled(conn: PooledConn, settings: &'a Settings) -> Self {
        Acquired {
            conn: AcquiredConn::Pooled(conn),
            settings,
            in_transaction: false,
            replica: None,
            armed: AtomicBool::new(true),
            why: Unknown::Statement,
        }
    }

    /// A connection to replica `i`, for a read.
    pub(crate) fn on_replica(mut self, i: usize) -> Self {
        self.replica = u16::try_from(i).ok();
        self
    }

    /// The replica this connection is to, if `err`, from its statement,
    /// says the connection was lost; it is then discarded, not returned to
    /// the pool. The statement was a read on a hot standby, which changes
    /// nothing, so it may run elsewhere before any row is handed on. Such
    /// a connection comes out of the pool when the replica ended it (a
    /// shutdown) a moment before and the pool has not yet seen it close.
    pub(crate) fn replica_lost(&self, err: &Error) -> Option<usize> {
        match err {
            Error::OutcomeUnknown { .. } => {
                let replica = self.replica.map(usize::from)?;
                self.conn().mark_unknown(Unknown::Lost);
                Some(replica)
            }
            _ => None,
        }
    }

    pub(crate) fn borrowed(conn: &'a PooledConn, settings: &'a Settings) -> Self {
        Acquired {
            conn: AcquiredConn::Borrowed(conn),
            settings,
            in_transaction: false,
            replica: None,
            armed: AtomicBool::new(true),
            why: Unknown::Statement,
        }
    }

    /// Borrowed from an open transaction.
    pub(crate) fn in_transaction(mut self) -> Self {
        self.in_transaction = true;
        self
    }

    pub(crate) fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// Whether the statement runs inside an explicit transaction.
    pub(crate) fn is_in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Runs `fut`, the statement's operation, within the statement
    /// time-out; the statement is over when it returns. (Past the time-out
    /// the connection is marked unknown, and this mark, left armed, adds
    /// nothing to that.)
    pub(crate) fn run<T>(
        &self,
        fut: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> impl Future<Output = Result<T, Error>> {
        timed(
            self.conn(),
            self.settings.statement_timeout,
            fut,
            |result| self.finish(result),
        )
    }

    fn conn(&self) -> &PooledConn {
        match &self.conn {
            AcquiredConn::Pooled(conn) => conn,
            AcquiredConn::Borrowed(conn) => conn,
        }
    }

    pub(crate) fn raw(&self) -> &tokio_postgres::Client {
        self.conn().client()
    }

    /// `sql`, ready to run with `params` parameters: prepared under a name
    /// (from the connection's cache when it is on, and then remembered, in
    /// `memo` when given, else by its text, for [`Acquired::remembered`]),
    /// or in PgBouncer mode with its parameter types. A failed prepare ends
    /// the statement: the server answered, so the connection's state is
    /// known.
    pub(crate) async fn prepare(
        &self,
        sql: &str,
        params: usize,
        memo: Option<&StatementMemo>,
    ) -> Result<Prepared, Error> {
        let client = self.conn().client();
        let timeout = self.settings.statement_timeout;
        if self.settings.pgbouncer {
            if params == 0 {
                return Ok(Prepared::Unnamed(Arc::from([])));
            }
            // Its parameter types are learned by a simple-query message
            // that would run a second statement in the text: refuse it, as
            // PostgreSQL refuses several commands in a prepared statement.
            if crate::sql::split::statements(sql).len() > 1 {
                self.done();
                return Err(Error::Statement(
                    "it holds more than one SQL statement, and a statement with parameters must be one"
                        .to_owned(),
                ));
            }
            timed(
                self.conn(),
                timeout,
                self.settings.types.param_types(client, sql),
                |r| self.prepared(r.map(Prepared::Unnamed)),
            )
            .await
        } else if self.settings.statement_cache {
            let prepared = timed(self.conn(), timeout, client.prepare_cached(sql), |r| {
                self.prepared(r.map(Prepared::Named))
            })
            .await;
            if let Ok(Prepared::Named(statement)) = &prepared {
                match memo {
                    Some(memo) => memo.put(&client.statement_cache, statement),
                    None => self
                        .settings
                        .texts
                        .put(&client.statement_cache, sql, statement),
                }
            }
            prepared
        } else {
            timed(self.conn(), timeout, client.prepare(sql), |r| {
                self.prepared(r.map(Prepared::Named))
            })
            .await
        }
    }

    /// The statement as this connection prepared it before, as `memo`
    /// remembers (a statement written once), or else as remembered by its
    /// text `sql`, when statements are cached (never in PgBouncer mode,
    /// whose statements are unnamed).
    pub(crate) fn remembered(&self, sql: &str, memo: Option<&StatementMemo>) -> Option<Prepared> {
        if self.settings.pgbouncer || !self.settings.statement_cache {
            return None;
        }
        let cache = &self.conn().client().statement_cache;
        match memo {
            Some(memo) => memo.get(cache),
            None => self.settings.texts.get(cache, sql),
        }
        .map(Prepared::Named)
    }

    /// A prepare's result: a failed one ends the statement; a prepared one
    /// leaves it running.
    fn prepared(&self, result: Result<Prepared, tokio_postgres::Error>) -> Result<Prepared, Error> {
        result.or_else(|err| self.finish(Err(err)))
    }

    // `query`, `execute` and `query_raw` are not `async fn`s: a named
    // statement's future is returned as it is built, rather than moved
    // once more into a future of the function's own (about 200
    // instructions a statement). An unnamed one (PgBouncer mode) owns the
    // typed parameters it borrows, in an `async` block.

    /// Runs the statement and collects its rows.
    pub(crate) fn query<'s>(
        &'s self,
        sql: &'s str,
        prepared: &'s Prepared,
        params: &'s Params<'_>,
    ) -> impl Future<Output = Result<Vec<Row>, Error>> + 's {
        let client = self.raw();
        match prepared {
            Prepared::Named(statement) => Either::Left(self.run(client.query(statement, params))),
            Prepared::Unnamed(types) => Either::Right(async move {
                let typed = typed(params, types);
                self.run(client.query_typed(sql, &typed)).await
            }),
        }
    }

    /// Runs the statement; how many rows it affected.
    pub(crate) fn execute<'s>(
        &'s self,
        sql: &'s str,
        prepared: &'s Prepared,
        params: &'s Params<'_>,
    ) -> impl Future<Output = Result<u64, Error>> + 's {
        let client = self.raw();
        match prepared {
            Prepared::Named(statement) => Either::Left(self.run(client.execute(statement, params))),
            Prepared::Unnamed(types) => Either::Right(async move {
                let typed = typed(params, types);
                self.run(client.execute_typed(sql, &typed)).await
            }),
        }
    }

    /// Starts the statement; its rows come as they arrive.
    pub(crate) fn query_raw<'s>(
        &'s self,
        sql: &'s str,
        prepared: &'s Prepared,
        params: &'s Params<'_>,
    ) -> impl Future<Output = Result<RowStream, Error>> + 's {
        let client = self.raw();
        match prepared {
            Prepared::Named(statement) => {
                Either::Left(self.run(client.query_raw(statement, params.iter().copied())))
            }
            Prepared::Unnamed(types) => {
                Either::Right(self.run(client.query_typed_raw(sql, typed(params, types))))
            }
        }
    }

    /// Sorts an error of this connection's statement, remembering the first
    /// one PostgreSQL reported.
    pub(crate) fn failed(&self, err: tokio_postgres::Error) -> Error {
        let conn = self.conn();
        conn.record_error(&err);
        match Error::from(err) {
            Error::TransactionAborted { source, .. } => Error::TransactionAborted {
                cause: conn.abort_cause(),
                source,
            },
            other => other,
        }
    }

    /// The statement returned: the connection's state is known again.
    pub(crate) fn done(&self) {
        self.armed.store(false, Ordering::Release);
    }

    /// [`Acquired::done`], then `result` with its error sorted.
    pub(crate) fn finish<T>(&self, result: Result<T, tokio_postgres::Error>) -> Result<T, Error> {
        self.done();
        result.map_err(|err| self.failed(err))
    }

    /// Marks the statement's rows as being streamed, after the statement
    /// started: dropped before the last row, the connection is unknown.
    pub(crate) fn rearm(&mut self) {
        self.armed.store(true, Ordering::Release);
        self.why = Unknown::Stream;
    }
}

impl Drop for Acquired<'_> {
    fn drop(&mut self) {
        if *self.armed.get_mut() {
            self.conn().mark_unknown(self.why);
        }
    }
}

/// Something a query can run on: `&Db`, a `Transaction` (or a savepoint
/// of one) or a `Conn`.
///
/// Terminal methods (`fetch_all`, `execute`, …) take `&impl Executor`. It
/// is sealed, as tokio-postgres seals `GenericClient`: what an executor
/// must guarantee (a connection returned only in a known state) is
/// pgtable's to keep, so only pgtable's types implement it.
pub trait Executor: Send + Sync + sealed::Sealed {
    /// A connection for one statement that reads or writes.
    #[doc(hidden)]
    fn acquire(&self, access: Access) -> impl Future<Output = Result<Acquired<'_>, Error>> + Send;

    /// A read found replica `i`'s connection closed: reads leave it for a
    /// while.
    #[doc(hidden)]
    fn replica_lost(&self, i: usize) {
        let _ = i;
    }
}

pub(crate) mod sealed {
    /// Keeps [`super::Executor`] to pgtable's own types.
    pub trait Sealed {}

    impl<E: Sealed + ?Sized> Sealed for &E {}
}

/// So that `&db` works where `db` is already a reference.
impl<E: Executor + ?Sized> Executor for &E {
    fn acquire(&self, access: Access) -> impl Future<Output = Result<Acquired<'_>, Error>> + Send {
        (**self).acquire(access)
    }

    fn replica_lost(&self, i: usize) {
        (**self).replica_lost(i);
    }
}
