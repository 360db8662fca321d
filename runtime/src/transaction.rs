//! Transactions: `db.begin()` and `db.transaction(async |tx| …)`, nested as
//! savepoints.
//!
//! A transaction dropped without [`commit`](Transaction::commit) is rolled
//! back. For a top-level transaction the rollback runs on a task before its
//! connection goes back to the pool; a nested one (a savepoint) leaves its
//! rollback to its parent, which sends it before its next statement. No
//! connection ever returns to the pool inside a transaction: if the rollback
//! cannot be sent, the connection is closed instead, and the server rolls back.

use std::any::Any;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

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

enum TxConn<'a> {
    /// A top-level transaction owns its pooled connection.
    Owned(Option<Object>),
    /// A savepoint borrows its parent's connection.
    Nested {
        client: &'a ClientWrapper,
        parent_pending: &'a Mutex<Vec<String>>,
        savepoint: String,
    },
}

/// An open transaction (or, nested, a savepoint). Queries run on `&tx`.
pub struct Transaction<'a> {
    conn: TxConn<'a>,
    statement_cache: bool,
    depth: usize,
    /// Statements to send before the next one: rollbacks of savepoints
    /// that were dropped without a commit.
    pending: Mutex<Vec<String>>,
    finished: bool,
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl Transaction<'static> {
    pub(crate) async fn start(conn: Conn, options: TransactionOptions) -> Result<Self, Error> {
        conn.object.batch_execute(&options.begin_sql()).await?;
        Ok(Transaction {
            conn: TxConn::Owned(Some(conn.object)),
            statement_cache: conn.statement_cache,
            depth: 0,
            pending: Mutex::new(Vec::new()),
            finished: false,
        })
    }
}

impl<'a> Transaction<'a> {
    fn client(&self) -> &ClientWrapper {
        match &self.conn {
            TxConn::Owned(object) => object
                .as_ref()
                .expect("a live transaction holds its connection"),
            TxConn::Nested { client, .. } => client,
        }
    }

    /// How deeply this transaction is nested: 0 for a top-level one.
    pub fn depth(&self) -> usize {
        self.depth
    }

    async fn flush_pending(&self) -> Result<(), Error> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
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

    /// Commits: the whole transaction, or (nested) releases the savepoint
    /// into its parent.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.flush_pending().await?;
        let sql = match &self.conn {
            TxConn::Owned(_) => "COMMIT".to_owned(),
            TxConn::Nested { savepoint, .. } => {
                format!("RELEASE SAVEPOINT {}", quote_ident(savepoint))
            }
        };
        let result = self.client().batch_execute(&sql).await;
        if result.is_ok() {
            self.finished = true;
        }
        // On failure, drop rolls back.
        result.map_err(Error::from)
    }

    /// Rolls back: the whole transaction, or (nested) to the savepoint.
    pub async fn rollback(mut self) -> Result<(), Error> {
        let sql = match &self.conn {
            TxConn::Owned(_) => "ROLLBACK".to_owned(),
            TxConn::Nested { savepoint, .. } => rollback_to(savepoint),
        };
        let result = self.client().batch_execute(&sql).await;
        if result.is_ok() {
            self.finished = true;
        }
        result.map_err(Error::from)
    }

    /// Starts a nested transaction: a savepoint, rolled back on drop.
    pub async fn begin(&mut self) -> Result<Transaction<'_>, Error> {
        self.flush_pending().await?;
        let savepoint = format!("pgtable_savepoint_{}", self.depth + 1);
        self.client()
            .batch_execute(&format!("SAVEPOINT {}", quote_ident(&savepoint)))
            .await?;
        let client = match &self.conn {
            TxConn::Owned(object) => object
                .as_ref()
                .expect("a live transaction holds its connection"),
            TxConn::Nested { client, .. } => *client,
        };
        Ok(Transaction {
            conn: TxConn::Nested {
                client,
                parent_pending: &self.pending,
                savepoint,
            },
            statement_cache: self.statement_cache,
            depth: self.depth + 1,
            pending: Mutex::new(Vec::new()),
            finished: false,
        })
    }

    /// Runs `f` in a nested transaction (a savepoint): released when it
    /// returns `Ok`, rolled back when it returns `Err` or panics.
    pub async fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction<'_>) -> Result<T, E>,
        E: From<Error>,
    {
        let nested = self.begin().await?;
        nested.run(f).await
    }

    /// Runs `f` on this transaction, then commits or rolls back by its outcome.
    pub(crate) async fn run<T, E, F>(mut self, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction<'a>) -> Result<T, E>,
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
            // Dropping the transaction has already closed or scheduled
            // cleaning up the connection; the caller's own error matters more.
            tracing::warn!(error = %err, "rollback failed");
        }
    }
}

fn resume(panic: Box<dyn Any + Send>) -> ! {
    std::panic::resume_unwind(panic)
}

fn rollback_to(savepoint: &str) -> String {
    let name = quote_ident(savepoint);
    format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match &mut self.conn {
            TxConn::Nested {
                parent_pending,
                savepoint,
                ..
            } => {
                parent_pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(rollback_to(savepoint));
            }
            TxConn::Owned(object) => {
                let Some(object) = object.take() else { return };
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

impl Executor for Transaction<'_> {
    async fn acquire(&self) -> Result<Acquired<'_>, Error> {
        self.flush_pending().await?;
        Ok(Acquired::borrowed(self.client(), self.statement_cache))
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
