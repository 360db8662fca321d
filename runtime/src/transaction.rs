//! Transactions: `db.begin()` and `db.transaction(async |tx| …)`, nested as
//! savepoints.
//!
//! A transaction dropped without [`commit`](Transaction::commit) is rolled
//! back: the rollback runs on a task before its connection goes back to the
//! pool. A nested one (a savepoint) dropped unfinished leaves its rollback
//! to the transaction, which sends it before its next statement. No
//! connection ever returns to the pool inside a transaction: if the rollback
//! cannot be sent, the connection is closed instead, and the server rolls back.

use std::any::Any;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use deadpool_postgres::{ClientWrapper, Object};
use futures_util::FutureExt;

use crate::db::{Acquired, Conn, Executor};
use crate::ddl::quote_ident;
use crate::error::Error;

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
        let mut sql = String::from("BEGIN");
        if let Some(level) = self.isolation {
            sql.push_str(" ISOLATION LEVEL ");
            sql.push_str(level.sql());
        }
        if self.read_only {
            sql.push_str(" READ ONLY");
        }
        if self.deferrable {
            sql.push_str(" DEFERRABLE");
        }
        sql
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
    conn: Option<Object>,
    statement_cache: bool,
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
    pub(crate) async fn start(conn: Conn, options: TransactionOptions) -> Result<Self, Error> {
        conn.object.batch_execute(&options.begin_sql()).await?;
        Ok(Transaction {
            conn: Some(conn.object),
            statement_cache: conn.statement_cache,
            state: Shared::default(),
            finished: false,
        })
    }

    fn client(&self) -> &ClientWrapper {
        self.conn
            .as_ref()
            .expect("a live transaction holds its connection")
    }

    /// How many savepoints are open: 0 outside any nested transaction.
    pub fn depth(&self) -> usize {
        lock(&self.state).depth
    }

    async fn flush_pending(&self) -> Result<(), Error> {
        let pending = std::mem::take(&mut lock(&self.state).pending);
        for sql in pending {
            self.client().batch_execute(&sql).await?;
        }
        Ok(())
    }

    /// Runs SQL statements (no parameters, no results) inside the transaction.
    pub async fn batch_execute(&self, sql: &str) -> Result<(), Error> {
        self.flush_pending().await?;
        self.client().batch_execute(sql).await.map_err(Error::from)
    }

    /// Commits the transaction.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.flush_pending().await?;
        self.client().batch_execute("COMMIT").await?;
        self.finished = true;
        Ok(())
    }

    /// Rolls the transaction back.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.client().batch_execute("ROLLBACK").await?;
        self.finished = true;
        Ok(())
    }

    /// Opens a savepoint one level deeper and returns its guard.
    async fn open_savepoint(&self) -> Result<SavepointGuard, Error> {
        self.flush_pending().await?;
        let depth = self.depth() + 1;
        let guard = SavepointGuard {
            state: Arc::clone(&self.state),
            depth,
            done: false,
        };
        self.client()
            .batch_execute(&format!("SAVEPOINT {}", guard.name()))
            .await?;
        lock(&self.state).depth = depth;
        Ok(guard)
    }

    async fn close_savepoint(&self, mut guard: SavepointGuard, keep: bool) -> Result<(), Error> {
        self.flush_pending().await?;
        let name = guard.name();
        let sql = if keep {
            format!("RELEASE SAVEPOINT {name}")
        } else {
            rollback_to(&name)
        };
        self.client().batch_execute(&sql).await?;
        guard.finish();
        Ok(())
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

fn rollback_to(name: &str) -> String {
    format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
}

/// Marks one open savepoint. Dropped unfinished, it queues the rollback to
/// the savepoint for the transaction's next statement.
struct SavepointGuard {
    state: Shared,
    depth: usize,
    done: bool,
}

impl SavepointGuard {
    fn name(&self) -> String {
        quote_ident(&format!("pgtable_savepoint_{}", self.depth))
    }

    fn finish(&mut self) {
        lock(&self.state).depth = self.depth - 1;
        self.done = true;
    }
}

impl Drop for SavepointGuard {
    fn drop(&mut self) {
        if !self.done {
            let sql = rollback_to(&self.name());
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
        if self.finished {
            return;
        }
        let Some(object) = self.conn.take() else {
            return;
        };
        let guard = CloseUnlessRolledBack(Some(object));
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(guard.rollback());
            }
            // No runtime to roll back on: the guard closes the connection.
            Err(_) => drop(guard),
        }
    }
}

/// Holds a connection inside an unfinished transaction. It goes back to the
/// pool only once ROLLBACK succeeded; dropped before that, the connection
/// is closed and leaves the pool.
struct CloseUnlessRolledBack(Option<Object>);

impl CloseUnlessRolledBack {
    async fn rollback(mut self) {
        let rolled_back = match &self.0 {
            Some(object) => object.batch_execute("ROLLBACK").await.is_ok(),
            None => false,
        };
        if rolled_back {
            // Back to the pool, clean.
            drop(self.0.take());
        }
    }
}

impl Drop for CloseUnlessRolledBack {
    fn drop(&mut self) {
        if let Some(object) = self.0.take() {
            drop(Object::take(object));
        }
    }
}

impl Executor for Transaction {
    async fn acquire(&self) -> Result<Acquired<'_>, Error> {
        self.flush_pending().await?;
        Ok(Acquired::borrowed(self.client(), self.statement_cache))
    }
}

impl Executor for Savepoint<'_> {
    async fn acquire(&self) -> Result<Acquired<'_>, Error> {
        self.tx.acquire().await
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
