//! Transactions: `db.begin()` and `db.transaction(async |tx| …)`, nested as
//! savepoints.
//!
//! A transaction dropped without [`commit`](Transaction::commit) is rolled
//! back: the rollback runs on a task before its connection goes back to the
//! pool. A nested one (a savepoint) dropped unfinished leaves its rollback
//! to the transaction, which sends it before its next statement.
//!
//! No connection ever returns to the pool inside a transaction. A
//! transaction dropped while one of its statements or commands was in
//! flight (cancelled mid-`BEGIN`, mid-`COMMIT`, mid-statement) is in an
//! unknown state, and so is one whose rollback cannot be sent: its
//! connection is closed instead, and the server rolls back.
//!
//! `Ok` from [`commit`](Transaction::commit) means committed. PostgreSQL
//! answers `COMMIT` with `ROLLBACK` when a statement in the transaction
//! failed and the transaction was not rolled back to a savepoint since;
//! pgtable reports that as [`Error::TransactionAborted`], naming the first
//! failed statement's error.

mod control;

use std::any::Any;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt;

use crate::conn::{Access, Acquired, Executor, PooledConn, Settings, Unknown, timed};
use crate::error::Error;
use control::Control;

/// How a transaction isolates itself from concurrent ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED` (PostgreSQL treats it as READ COMMITTED).
    ReadUncommitted,
    /// `READ COMMITTED`, PostgreSQL's default.
    ReadCommitted,
    /// `REPEATABLE READ`.
    RepeatableRead,
    /// `SERIALIZABLE`.
    Serializable,
}

impl IsolationLevel {
    fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

/// Options of a top-level transaction.
///
/// ```
/// use pgtable::{IsolationLevel, TransactionOptions};
/// let options = TransactionOptions::new().isolation(IsolationLevel::Serializable).read_only(true);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransactionOptions {
    isolation: Option<IsolationLevel>,
    read_only: bool,
    deferrable: bool,
}

impl TransactionOptions {
    /// PostgreSQL's defaults: READ COMMITTED, read-write.
    pub fn new() -> Self {
        TransactionOptions::default()
    }

    /// Sets the isolation level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// Makes the transaction read-only.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Makes a serializable read-only transaction deferrable.
    pub fn deferrable(mut self, deferrable: bool) -> Self {
        self.deferrable = deferrable;
        self
    }

    fn begin_sql(&self) -> String {
        Control::Begin(self).to_sql()
    }
}

/// What a transaction and its savepoint guards share.
#[derive(Default)]
struct TxState {
    /// How many savepoints are open.
    depth: usize,
    /// Statements to send before the next one: rollbacks of savepoints that
    /// were abandoned (dropped, or their future cancelled) unfinished.
    pending: Vec<String>,
    /// Set when a savepoint command was cancelled in flight: which
    /// savepoints exist is then unknown, so the transaction can only be
    /// abandoned.
    broken: Option<&'static str>,
}

type Shared = Arc<Mutex<TxState>>;

fn lock(state: &Shared) -> MutexGuard<'_, TxState> {
    // The state stays consistent whatever panicked while holding it.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// An open transaction. Queries run on `&tx`; nested transactions are
/// savepoints ([`Transaction::transaction`], [`Transaction::begin`]).
///
/// It has no lifetime parameter on purpose: `async |tx: &mut Transaction|`
/// closures then stay `Send`, so they run inside `tokio::spawn` and web
/// handlers.
pub struct Transaction {
    conn: Option<PooledConn>,
    settings: Arc<Settings>,
    state: Shared,
    finished: bool,
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("depth", &self.depth())
            .finish_non_exhaustive()
    }
}

impl Transaction {
    /// Sends `BEGIN` on `conn`. Cancelled before `BEGIN` returned, the
    /// transaction is dropped in flight and its connection discarded.
    pub(crate) async fn start(
        conn: PooledConn,
        settings: Arc<Settings>,
        options: TransactionOptions,
    ) -> Result<Self, Error> {
        conn.clear_first_error();
        let mut tx = Transaction {
            conn: Some(conn),
            settings,
            state: Shared::default(),
            // Nothing to roll back until BEGIN has returned.
            finished: true,
        };
        tx.control(&options.begin_sql()).await?;
        tx.finished = false;
        Ok(tx)
    }

    fn conn(&self) -> &PooledConn {
        self.conn
            .as_ref()
            .expect("a live transaction holds its connection")
    }

    /// How many savepoints are open: 0 outside any nested transaction.
    pub fn depth(&self) -> usize {
        lock(&self.state).depth
    }

    /// Sends a transaction-control command. Cancelled before it returned,
    /// the connection's state is unknown and it will be discarded.
    async fn control(&self, sql: &str) -> Result<(), Error> {
        let conn = self.conn();
        let mark = conn.in_flight(Unknown::Control);
        let result = timed(
            conn,
            self.settings.statement_timeout,
            conn.client().batch_execute(sql),
            |result| {
                result.map_err(|err| {
                    conn.record_error(&err);
                    self.aborted(Error::from(err))
                })
            },
        )
        .await;
        mark.done();
        result
    }

    /// `err`, with the transaction's first failed statement named when it
    /// says the transaction is aborted.
    fn aborted(&self, err: Error) -> Error {
        match err {
            Error::TransactionAborted { source, .. } => Error::TransactionAborted {
                cause: self.abort_cause(),
                source,
            },
            other => other,
        }
    }

    fn abort_cause(&self) -> String {
        match lock(&self.state).broken {
            Some(broken) => broken.to_owned(),
            None => self.conn().abort_cause(),
        }
    }

    /// Refuses to go on once a savepoint command was cancelled in flight.
    fn check_usable(&self) -> Result<(), Error> {
        match lock(&self.state).broken {
            Some(why) => Err(Error::TransactionAborted {
                cause: why.to_owned(),
                source: None,
            }),
            None => Ok(()),
        }
    }

    /// Runs the savepoint rollbacks queued by abandoned nested transactions.
    async fn flush_pending(&self) -> Result<(), Error> {
        self.check_usable()?;
        let pending = std::mem::take(&mut lock(&self.state).pending);
        if pending.is_empty() {
            return Ok(());
        }
        let sql = pending.join("; ");
        self.savepoint_command(&sql, BROKEN_ROLLBACK_TO).await?;
        // Rolled back to a savepoint: the failure inside it is undone.
        self.conn().clear_first_error();
        Ok(())
    }

    /// A savepoint command: cancelled in flight, nobody knows which
    /// savepoints exist any more, so the transaction is marked broken.
    async fn savepoint_command(&self, sql: &str, broken: &'static str) -> Result<(), Error> {
        let guard = BreakUnlessDone {
            state: &self.state,
            why: broken,
            done: false,
        };
        let result = self.control(sql).await;
        guard.done();
        result
    }

    /// Sets the configuration parameter `name` to `value` until the
    /// transaction ends, as `SET LOCAL` does (through `set_config(name,
    /// value, true)`, so the value is bound, never spliced into SQL).
    ///
    /// This is how a row-level security policy learns who is asking:
    /// `using = "owner_id = current_setting('app.user_id')::uuid"`, and
    /// `tx.set_local("app.user_id", user_id)` first. The setting ends with
    /// the transaction (and with a savepoint rolled back), so a pooled
    /// connection never carries it to the next request.
    ///
    /// ```no_run
    /// # async fn run(db: &pgtable::Db, user_id: uuid::Uuid) -> Result<(), pgtable::Error> {
    /// let tx = db.begin().await?;
    /// tx.set_local("app.user_id", user_id).await?;
    /// // … queries that the policies filter by app.user_id …
    /// tx.commit().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_local(&self, name: &str, value: impl fmt::Display) -> Result<(), Error> {
        crate::query::sql("SELECT set_config($1, $2, true)")
            .bind(name.to_owned())
            .bind(value.to_string())
            .execute(self)
            .await
            .map(drop)
    }

    /// Runs SQL statements (no parameters, no results) inside the transaction.
    pub async fn batch_execute(&self, sql: &str) -> Result<(), Error> {
        let conn = self.acquire(Access::Write).await?;
        let raw = conn.raw();
        conn.run(raw.batch_execute(sql)).await
    }

    /// Commits the transaction. `Ok` means PostgreSQL committed it; a
    /// transaction PostgreSQL rolled back instead (a statement in it failed)
    /// is [`Error::TransactionAborted`].
    pub async fn commit(mut self) -> Result<(), Error> {
        self.flush_pending().await?;
        // `COMMIT` of an aborted transaction is answered with `ROLLBACK`,
        // not an error, and tokio-postgres does not show the command tag.
        // A statement that fails exactly when the transaction is aborted,
        // sent in the same round trip, makes that an error.
        self.control("SELECT 1; COMMIT").await?;
        self.finish();
        Ok(())
    }

    /// Rolls the transaction back.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.control("ROLLBACK").await?;
        self.finish();
        Ok(())
    }

    /// The transaction ended: its connection is clean and goes back to the
    /// pool. PostgreSQL answers in order, so a statement abandoned before
    /// the `COMMIT` or `ROLLBACK` had ended before it.
    fn finish(&mut self) {
        self.finished = true;
        self.conn().mark_known();
    }

    /// Opens a savepoint one level deeper and returns its guard.
    async fn open_savepoint(&self) -> Result<SavepointGuard, Error> {
        self.flush_pending().await?;
        let depth = self.depth() + 1;
        let sql = Control::Savepoint(depth).to_sql();
        self.savepoint_command(&sql, BROKEN_SAVEPOINT).await?;
        lock(&self.state).depth = depth;
        Ok(SavepointGuard {
            state: Arc::clone(&self.state),
            depth,
            done: false,
        })
    }

    async fn close_savepoint(&self, mut guard: SavepointGuard, keep: bool) -> Result<(), Error> {
        self.flush_pending().await?;
        let (sql, broken) = if keep {
            (Control::Release(guard.depth).to_sql(), BROKEN_RELEASE)
        } else {
            (
                Control::RollbackTo(guard.depth).to_sql(),
                BROKEN_ROLLBACK_TO,
            )
        };
        // From here the savepoint's fate is the command's: cancelled in
        // flight, it breaks the transaction instead of queueing a rollback
        // to a savepoint that may be gone.
        guard.finish();
        match self.savepoint_command(&sql, broken).await {
            Ok(()) => {
                if !keep {
                    // The failure inside the savepoint, if any, is undone.
                    self.conn().clear_first_error();
                }
                Ok(())
            }
            Err(err) => {
                // PostgreSQL refused (RELEASE in an aborted transaction):
                // the savepoint is still there; undo it before the next
                // statement, as for an abandoned one.
                lock(&self.state)
                    .pending
                    .push(Control::RollbackTo(guard.depth).to_sql());
                Err(err)
            }
        }
    }

    /// Starts a nested transaction: a savepoint, rolled back unless
    /// [`Savepoint::commit`] is called. It derefs to this transaction.
    pub async fn begin(&mut self) -> Result<Savepoint<'_>, Error> {
        let guard = self.open_savepoint().await?;
        Ok(Savepoint { tx: self, guard })
    }

    /// Runs `f` in a nested transaction (a savepoint): kept when it returns
    /// `Ok`, rolled back when it returns `Err` or panics.
    pub async fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction) -> Result<T, E>,
        E: From<Error>,
    {
        let guard = self.open_savepoint().await?;
        // If this future is dropped while `f` runs, the guard queues the
        // rollback to the savepoint.
        let outcome = AssertUnwindSafe(f(self)).catch_unwind().await;
        match outcome {
            Ok(Ok(value)) => {
                self.close_savepoint(guard, true).await?;
                Ok(value)
            }
            Ok(Err(err)) => {
                self.close_savepoint(guard, false).await?;
                Err(err)
            }
            Err(panic) => {
                if let Err(err) = self.close_savepoint(guard, false).await {
                    tracing::warn!(error = %err, "rolling back to a savepoint failed");
                }
                resume(panic)
            }
        }
    }

    /// Runs `f` on this transaction, then commits or rolls back by its outcome.
    pub(crate) async fn run<T, E, F>(mut self, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction) -> Result<T, E>,
        E: From<Error>,
    {
        let outcome = AssertUnwindSafe(f(&mut self)).catch_unwind().await;
        match outcome {
            Ok(Ok(value)) => {
                self.commit().await?;
                Ok(value)
            }
            Ok(Err(err)) => {
                self.rollback_logged().await;
                Err(err)
            }
            Err(panic) => {
                self.rollback_logged().await;
                resume(panic)
            }
        }
    }

    async fn rollback_logged(self) {
        if let Err(err) = self.rollback().await {
            // Dropping the transaction cleans up the connection; the
            // caller's own error matters more.
            tracing::warn!(error = %err, "rollback failed");
        }
    }
}

fn resume(panic: Box<dyn Any + Send>) -> ! {
    std::panic::resume_unwind(panic)
}

/// Marks one open savepoint. Dropped unfinished, it queues the rollback to
/// the savepoint for the transaction's next statement.
struct SavepointGuard {
    state: Shared,
    depth: usize,
    done: bool,
}

const BROKEN_SAVEPOINT: &str = "a nested transaction was cancelled while its savepoint was being created, so which savepoints exist is unknown";
const BROKEN_RELEASE: &str = "a nested transaction was cancelled while its savepoint was being released, so which savepoints exist is unknown";
const BROKEN_ROLLBACK_TO: &str = "a nested transaction was cancelled while it was being rolled back to its savepoint, so which savepoints exist is unknown";

/// Marks the transaction broken unless the savepoint command it watches
/// returned.
struct BreakUnlessDone<'a> {
    state: &'a Shared,
    why: &'static str,
    done: bool,
}

impl BreakUnlessDone<'_> {
    fn done(mut self) {
        self.done = true;
    }
}

impl Drop for BreakUnlessDone<'_> {
    fn drop(&mut self) {
        if !self.done {
            lock(self.state).broken.get_or_insert(self.why);
        }
    }
}

impl SavepointGuard {
    fn finish(&mut self) {
        lock(&self.state).depth = self.depth - 1;
        self.done = true;
    }
}

impl Drop for SavepointGuard {
    fn drop(&mut self) {
        if !self.done {
            let sql = Control::RollbackTo(self.depth).to_sql();
            let mut state = lock(&self.state);
            state.pending.push(sql);
            state.depth = self.depth - 1;
        }
    }
}

/// A nested transaction opened by [`Transaction::begin`]. It derefs to the
/// transaction, so queries run on `&savepoint` and it can nest further.
/// Dropped without [`commit`](Savepoint::commit), it is rolled back.
pub struct Savepoint<'a> {
    tx: &'a mut Transaction,
    guard: SavepointGuard,
}

impl fmt::Debug for Savepoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Savepoint")
            .field("depth", &self.guard.depth)
            .finish_non_exhaustive()
    }
}

impl Savepoint<'_> {
    /// Keeps the savepoint's work (`RELEASE SAVEPOINT`) as part of the
    /// enclosing transaction.
    pub async fn commit(self) -> Result<(), Error> {
        let Savepoint { tx, guard } = self;
        tx.close_savepoint(guard, true).await
    }

    /// Undoes the savepoint's work (`ROLLBACK TO SAVEPOINT`).
    pub async fn rollback(self) -> Result<(), Error> {
        let Savepoint { tx, guard } = self;
        tx.close_savepoint(guard, false).await
    }
}

impl Deref for Savepoint<'_> {
    type Target = Transaction;

    fn deref(&self) -> &Transaction {
        self.tx
    }
}

impl DerefMut for Savepoint<'_> {
    fn deref_mut(&mut self) -> &mut Transaction {
        self.tx
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if self.finished || conn.unknown().is_some() {
            // Ended (back to the pool), or in an unknown state (discarded).
            return;
        }
        // Idle inside the transaction: roll back on a task, and give the
        // connection back only once ROLLBACK returned.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(rollback_abandoned(conn));
            }
            Err(_) => conn.mark_unknown(Unknown::Rollback),
        }
    }
}

/// Rolls back an abandoned transaction's connection. If the rollback fails
/// or this task is dropped (the runtime shuts down), the connection is
/// discarded instead.
async fn rollback_abandoned(conn: PooledConn) {
    let mark = conn.in_flight(Unknown::Rollback);
    let rolled_back = conn.client().batch_execute("ROLLBACK").await.is_ok();
    mark.done();
    if !rolled_back {
        conn.mark_unknown(Unknown::Rollback);
    }
}

impl crate::conn::sealed::Sealed for Transaction {}
impl crate::conn::sealed::Sealed for Savepoint<'_> {}

impl Executor for Transaction {
    async fn acquire(&self, _: Access) -> Result<Acquired<'_>, Error> {
        self.flush_pending().await?;
        Ok(Acquired::borrowed(self.conn(), &self.settings).in_transaction())
    }
}

impl Executor for Savepoint<'_> {
    async fn acquire(&self, access: Access) -> Result<Acquired<'_>, Error> {
        self.tx.acquire(access).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_statements() {
        assert_eq!(TransactionOptions::new().begin_sql(), "BEGIN");
        assert_eq!(
            TransactionOptions::new()
                .isolation(IsolationLevel::Serializable)
                .read_only(true)
                .deferrable(true)
                .begin_sql(),
            "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE"
        );
    }
}
