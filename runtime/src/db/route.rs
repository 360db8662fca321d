//! Read replicas (Drizzle's `withReplicas`): plain reads go to a replica,
//! everything else to the primary.
//!
//! A replica is skipped, with the primary serving instead, while it is down
//! (a connection to it failed; it is tried again after a few seconds) or
//! lagging beyond [`DbBuilder::max_replica_lag`]. After a write through a
//! `Db` (or any clone of it), reads go to the primary for the
//! [`DbBuilder::read_your_writes`] window.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::DbBuilder;
use crate::conn::{Access, PooledConn, Unknown};

/// Chooses a replica: given how many are usable, the index of one.
pub type ReplicaPicker = Arc<dyn Fn(usize) -> usize + Send + Sync>;

/// How reads are routed.
#[derive(Clone, Default)]
pub(crate) struct RoutingConfig {
    read_your_writes: Option<Duration>,
    max_lag: Option<Duration>,
    picker: Option<ReplicaPicker>,
}

impl fmt::Debug for RoutingConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoutingConfig")
            .field("read_your_writes", &self.read_your_writes)
            .field("max_lag", &self.max_lag)
            .field("picker", &self.picker.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl DbBuilder {
    /// Read replicas: plain selects, counts, relation loads and streams go
    /// to one of them (round robin); writes, raw SQL, transactions and
    /// migrations go to the primary. Each replica gets a pool of its own
    /// with this builder's settings, and the TLS settings of its own URL
    /// (`sslmode`, `sslrootcert`); PgBouncer mode is the builder's, for all. `Db::from_env` reads them from
    /// `DATABASE_REPLICA_URLS` (comma-separated).
    pub fn replicas<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replicas.extend(urls.into_iter().map(Into::into));
        self
    }

    /// After a write through this `Db` (or a clone), its reads go to the
    /// primary for `window`, so a request reads what it just wrote.
    pub fn read_your_writes(mut self, window: Duration) -> Self {
        self.routing.read_your_writes = Some(window);
        self
    }

    /// Skips a replica whose replay is more than `lag` behind (checked with
    /// `pg_last_xact_replay_timestamp()` at most once a second per replica).
    pub fn max_replica_lag(mut self, lag: Duration) -> Self {
        self.routing.max_lag = Some(lag);
        self
    }

    /// Chooses among the usable replicas instead of round robin: called
    /// with their number, returns an index below it.
    pub fn replica_picker(
        mut self,
        picker: impl Fn(usize) -> usize + Send + Sync + 'static,
    ) -> Self {
        self.routing.picker = Some(Arc::new(picker));
        self
    }
}

/// How long a replica that failed is left alone.
const RETRY_DOWN_AFTER: Duration = Duration::from_secs(5);
/// How often a replica's lag is checked, at most.
const LAG_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The routing state shared by a `Db` and its clones.
pub(crate) struct Routing {
    config: RoutingConfig,
    epoch: Instant,
    next: AtomicUsize,
    /// Milliseconds since `epoch` of the last write, plus one (0: none).
    last_write: AtomicU64,
    health: Vec<Health>,
}

#[derive(Default)]
struct Health {
    /// Milliseconds since the epoch until which the replica is skipped.
    down_until: AtomicU64,
    /// When its lag was last checked (milliseconds since the epoch, plus
    /// one; 0: never), and whether it was too far behind.
    lag_checked: AtomicU64,
    lagging: AtomicBool,
}

impl Routing {
    pub(crate) fn new(config: RoutingConfig, replicas: usize) -> Routing {
        Routing {
            config,
            epoch: Instant::now(),
            next: AtomicUsize::new(0),
            last_write: AtomicU64::new(0),
            health: (0..replicas).map(|_| Health::default()).collect(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Notes a statement about to run: a write opens the read-your-writes
    /// window.
    pub(crate) fn note(&self, access: Access) {
        if access == Access::Write && self.config.read_your_writes.is_some() {
            self.last_write.store(self.now() + 1, Ordering::Relaxed);
        }
    }

    /// The replica a read should go to, if any may.
    pub(crate) fn pick(&self) -> Option<usize> {
        if self.health.is_empty() {
            return None;
        }
        let now = self.now();
        if let Some(window) = self.config.read_your_writes {
            let last = self.last_write.load(Ordering::Relaxed);
            if last != 0 && now < last - 1 + window.as_millis() as u64 {
                return None;
            }
        }
        let usable: Vec<usize> = (0..self.health.len())
            .filter(|&i| {
                let health = &self.health[i];
                health.down_until.load(Ordering::Relaxed) <= now
                    && !health.lagging.load(Ordering::Relaxed)
            })
            .collect();
        if usable.is_empty() {
            return None;
        }
        let choice = match &self.config.picker {
            Some(picker) => picker(usable.len()),
            None => self.next.fetch_add(1, Ordering::Relaxed),
        };
        Some(usable[choice % usable.len()])
    }

    /// A connection to replica `i` failed: skip it for a while.
    pub(crate) fn mark_down(&self, i: usize) {
        let until = self.now() + RETRY_DOWN_AFTER.as_millis() as u64;
        self.health[i].down_until.store(until, Ordering::Relaxed);
    }

    /// Whether replica `i`, reached through `object`, is within the lag
    /// bound; checked at most once a second, by one caller at a time.
    pub(crate) async fn within_lag(&self, i: usize, conn: &PooledConn) -> bool {
        let Some(max_lag) = self.config.max_lag else {
            return true;
        };
        let health = &self.health[i];
        let now = self.now();
        let checked = health.lag_checked.load(Ordering::Relaxed);
        let due = checked == 0 || now + 1 >= checked + LAG_CHECK_EVERY.as_millis() as u64;
        if due
            && health
                .lag_checked
                .compare_exchange(checked, now + 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            let lag = replay_lag(conn).await;
            let lagging = lag.is_none_or(|lag| lag > max_lag);
            if lagging {
                tracing::debug!(target: "pgtable::pool", replica = i, ?lag, "replica skipped: lagging");
            }
            health.lagging.store(lagging, Ordering::Relaxed);
        }
        !health.lagging.load(Ordering::Relaxed)
    }

    /// Whether replica `i` is being used now (not down, not lagging).
    pub(crate) fn usable(&self, i: usize) -> bool {
        let health = &self.health[i];
        health.down_until.load(Ordering::Relaxed) <= self.now()
            && !health.lagging.load(Ordering::Relaxed)
    }
}

/// How far the replica's replay is behind: 0 when it has replayed all it
/// received, else the age of the last replayed transaction. `None` when it
/// cannot say (not a replica, or the query failed).
///
/// Unnamed, in one round trip, so it works behind PgBouncer too; cancelled
/// midway, the connection is discarded.
async fn replay_lag(conn: &PooledConn) -> Option<Duration> {
    let mark = conn.in_flight(Unknown::Statement);
    let row = conn
        .client()
        .query_typed_one(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                 WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
                 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END",
            &[],
        )
        .await;
    mark.done();
    let secs: Option<f64> = row.ok()?.get(0);
    secs.map(|s| Duration::from_secs_f64(s.max(0.0)))
}
