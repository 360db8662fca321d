//! Running a transaction again when PostgreSQL rolled it back for a
//! conflict with another: the loop every application using SERIALIZABLE
//! isolation needs, written once.

use std::time::Duration;

use super::Db;
use crate::error::Error;
use crate::transaction::{IsolationLevel, Transaction, TransactionOptions};

/// How [`Db::transaction_with_retry`] retries: how many attempts in all,
/// the pause before the second (doubled before each next one, up to a
/// maximum, each a random part of it so that conflicting callers spread
/// out), and the transaction's options.
///
/// The default: 5 attempts, pauses from 10 ms up to 1 s, SERIALIZABLE.
///
/// ```
/// use std::time::Duration;
/// use pgtable::RetryPolicy;
/// let policy = RetryPolicy::new()
///     .attempts(10)
///     .pause(Duration::from_millis(5), Duration::from_millis(500));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    attempts: u32,
    first_pause: Duration,
    max_pause: Duration,
    options: TransactionOptions,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_pause: Duration::from_millis(10),
            max_pause: Duration::from_secs(1),
            options: TransactionOptions::new().isolation(IsolationLevel::Serializable),
        }
    }
}

impl RetryPolicy {
    /// The default policy.
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// How many times the transaction runs at most, the first included
    /// (at least 1).
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The longest pause before the second attempt, and the cap on any
    /// pause; each pause is a random part of its bound.
    pub fn pause(mut self, first: Duration, max: Duration) -> Self {
        self.first_pause = first;
        self.max_pause = max.max(first);
        self
    }

    /// The options every attempt's transaction starts with (SERIALIZABLE
    /// unless set).
    pub fn options(mut self, options: TransactionOptions) -> Self {
        self.options = options;
        self
    }

    /// The pause after failed attempt `n` (1 for the first).
    fn pause_after(&self, n: u32) -> Duration {
        let bound = self
            .first_pause
            .saturating_mul(1 << (n - 1).min(16))
            .min(self.max_pause);
        // A random part of the bound ("full jitter"), from the clock's
        // nanoseconds: callers that failed together wake apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        bound.mul_f64(f64::from(nanos % 1000) / 1000.0)
    }
}

impl Db {
    /// Runs `f` in a transaction, as [`Db::transaction`] does, and runs it
    /// all again when PostgreSQL rolled it back for a conflict that may not
    /// happen twice: a serialization failure or a deadlock
    /// ([`Error::is_retryable`]), whether `f` returned it or `COMMIT` did.
    /// Nothing of a failed attempt was written. Other errors, and the last
    /// attempt's, are returned as they are.
    ///
    /// `f` may run more than once, so it should do nothing outside the
    /// transaction that must not be repeated. In a spawned task (an axum
    /// handler, `tokio::spawn`), write `async move |tx| …` when `f` uses
    /// the task's local variables: a closure that borrows them makes a
    /// future the compiler cannot prove `Send`.
    ///
    /// ```no_run
    /// # async fn run(db: &pgtable::Db) -> Result<(), pgtable::Error> {
    /// use pgtable::RetryPolicy;
    /// let moved = db
    ///     .transaction_with_retry(RetryPolicy::new(), async |tx| {
    ///         tx.batch_execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1").await?;
    ///         tx.batch_execute("UPDATE accounts SET balance = balance + 10 WHERE id = 2").await?;
    ///         Ok(10)
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction_with_retry<T, F>(
        &self,
        policy: RetryPolicy,
        mut f: F,
    ) -> Result<T, Error>
    where
        F: AsyncFnMut(&mut Transaction) -> Result<T, Error>,
    {
        let mut attempt = 1;
        loop {
            let tx = self.begin_with(policy.options).await?;
            match tx.run(&mut f).await {
                Err(err) if err.is_retryable() && attempt < policy.attempts => {
                    tracing::debug!(
                        target: "pgtable::transaction",
                        attempt,
                        error = %err,
                        "transaction rolled back for a conflict; running it again"
                    );
                    tokio::time::sleep(policy.pause_after(attempt)).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}
