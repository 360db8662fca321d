//! The database handle: a deadpool-postgres pool on tokio-postgres (and one
//! per read replica), on which every query runs through [`Executor`].

mod builder;
mod retry;
mod route;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Object, Pool, PoolError, TimeoutType};

pub use self::builder::DbBuilder;
pub use self::retry::RetryPolicy;
pub use self::route::ReplicaPicker;
use self::route::{Routing, RoutingConfig};
use crate::conn::{Access, PooledConn, Settings};
pub use crate::conn::{Acquired, Executor};
use crate::error::{Error, PoolTimeout};
use crate::tls::SslMode;
use crate::transaction::{Transaction, TransactionOptions};

/// A pool of connections to one PostgreSQL database, and optionally to its
/// read replicas. Cheap to clone; share it.
///
/// ```no_run
/// # async fn run() -> Result<(), pgtable::Error> {
/// use std::time::Duration;
/// use pgtable::Db;
///
/// let db = Db::connect("postgres://postgres@127.0.0.1:5432/app").await?;
/// // or, from DATABASE_URL (and DATABASE_REPLICA_URLS):
/// let db = Db::from_env().await?;
/// // or, configured:
/// let db = Db::builder("postgres://app@db.internal:5432/app?sslmode=verify-full")
///     .max_size(32)
///     .wait_timeout(Duration::from_secs(5))
///     .statement_timeout(Duration::from_secs(30))
///     .application_name("billing")
///     .replicas(["postgres://app@replica-1.internal:5432/app?sslmode=verify-full"])
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Db {
    primary: Arc<Node>,
    replicas: Arc<[Node]>,
    routing: Arc<Routing>,
    settings: Arc<Settings>,
    /// Set by [`Db::primary`]: reads go to the primary too.
    primary_only: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("primary", &self.primary.target)
            .field("replicas", &self.replicas.len())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// One server's pool.
pub(crate) struct Node {
    pool: Pool,
    /// `host:port/database as user name`, for connection errors.
    target: Arc<str>,
    /// `host:port`, for the tracing span and the status.
    label: Arc<str>,
    wait_timeout: Option<Duration>,
    ssl_mode: SslMode,
}

impl Node {
    async fn get(&self) -> Result<Object, Error> {
        self.pool.get().await.map_err(|err| self.pool_error(err))
    }

    fn pool_error(&self, err: PoolError) -> Error {
        match err {
            PoolError::Timeout(kind) => {
                let (kind, after) = match kind {
                    TimeoutType::Wait => (PoolTimeout::Wait, self.wait_timeout),
                    TimeoutType::Create => (PoolTimeout::Create, self.pool.timeouts().create),
                    TimeoutType::Recycle => (PoolTimeout::Recycle, self.pool.timeouts().recycle),
                };
                Error::PoolTimeout { kind, after }
            }
            PoolError::Backend(err) => Error::connect(&self.target, self.ssl_mode, err),
            PoolError::Closed => Error::PoolClosed,
            PoolError::NoRuntimeSpecified => Error::Config("the pool has no async runtime".into()),
            PoolError::PostCreateHook(err) => {
                Error::Config(format!("connection set-up failed: {err}"))
            }
        }
    }

    fn status(&self) -> PoolStatus {
        let status = self.pool.status();
        PoolStatus {
            max_size: status.max_size,
            size: status.size,
            idle: status.available,
            waiting: status.waiting,
        }
    }
}

/// How busy a pool is: [`Db::status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStatus {
    /// The most connections it opens.
    pub max_size: usize,
    /// The connections open now.
    pub size: usize,
    /// Open connections not in use.
    pub idle: usize,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

/// A replica's pool and whether reads go to it now.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicaStatus {
    /// `host:port` of the replica.
    pub server: String,
    /// Its pool.
    pub pool: PoolStatus,
    /// Whether reads go to it now (it is not down and not lagging).
    pub in_use: bool,
}

/// The pools of a [`Db`]: [`Db::status`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DbStatus {
    /// The primary's pool.
    pub primary: PoolStatus,
    /// Each replica's.
    pub replicas: Vec<ReplicaStatus>,
}

impl Db {
    /// A builder for a pool on `url` (`postgres://user:password@host:port/db`,
    /// or tokio-postgres's `host=… user=…` form). Besides tokio-postgres's
    /// options, the URL may say `sslmode` (libpq's six modes),
    /// `sslrootcert` and `pgbouncer=true`. A malformed URL is reported by
    /// [`DbBuilder::build`].
    pub fn builder(url: &str) -> DbBuilder {
        DbBuilder::from_url(url)
    }

    /// A builder for a pool on an already-built tokio-postgres configuration.
    pub fn builder_with_config(config: tokio_postgres::Config) -> DbBuilder {
        DbBuilder::from_config(config)
    }

    pub(crate) fn assemble(
        primary: Node,
        replicas: Vec<Node>,
        settings: Arc<Settings>,
        routing: RoutingConfig,
    ) -> Db {
        Db {
            routing: Arc::new(Routing::new(routing, replicas.len())),
            primary: Arc::new(primary),
            replicas: replicas.into(),
            settings,
            primary_only: false,
        }
    }

    /// A pool on `url` with the default settings, checked by opening one
    /// connection so that a wrong URL fails here rather than at the first query.
    pub async fn connect(url: &str) -> Result<Db, Error> {
        let db = Db::builder(url).build()?;
        db.conn().await?;
        Ok(db)
    }

    /// [`Db::connect`] to the URL in the `DATABASE_URL` environment
    /// variable, with the read replicas in `DATABASE_REPLICA_URLS`
    /// (comma-separated), if set.
    pub async fn from_env() -> Result<Db, Error> {
        let url = std::env::var("DATABASE_URL").map_err(|err| {
            Error::Config(format!(
                "DATABASE_URL is {}: set it to postgres://user:password@host:port/database",
                match err {
                    std::env::VarError::NotPresent => "not set",
                    std::env::VarError::NotUnicode(_) => "not valid UTF-8",
                }
            ))
        })?;
        let replicas: Vec<String> = std::env::var("DATABASE_REPLICA_URLS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect();
        let db = Db::builder(&url).replicas(replicas).build()?;
        db.conn().await?;
        Ok(db)
    }

    /// This `Db`, with reads on the primary too: for a read that must see
    /// the latest writes.
    pub fn primary(&self) -> Db {
        Db {
            primary_only: true,
            ..self.clone()
        }
    }

    /// A connection of the primary's pool, held until dropped. Queries run
    /// on `&conn`.
    pub async fn conn(&self) -> Result<Conn, Error> {
        let object = self.primary.get().await?;
        Ok(Conn {
            conn: PooledConn::new(object),
            settings: Arc::clone(&self.settings),
        })
    }

    /// Starts a transaction, on the primary. Commit it with
    /// [`Transaction::commit`]; dropped without a commit, it is rolled back.
    pub async fn begin(&self) -> Result<Transaction, Error> {
        self.begin_with(TransactionOptions::default()).await
    }

    /// Starts a transaction with an isolation level or access mode.
    pub async fn begin_with(&self, options: TransactionOptions) -> Result<Transaction, Error> {
        self.routing.note(Access::Write);
        let Conn { conn, settings } = self.conn().await?;
        Transaction::start(conn, settings, options).await
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back
    /// when it returns `Err` or panics (the panic then continues).
    ///
    /// ```no_run
    /// # async fn run(db: &pgtable::Db) -> Result<(), pgtable::Error> {
    /// let n: i64 = db
    ///     .transaction(async |tx| {
    ///         tx.batch_execute("CREATE TEMP TABLE t (x int)").await?;
    ///         Ok::<_, pgtable::Error>(1)
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction) -> Result<T, E>,
        E: From<Error>,
    {
        self.transaction_with(TransactionOptions::default(), f)
            .await
    }

    /// [`Db::transaction`] with an isolation level or access mode.
    pub async fn transaction_with<T, E, F>(&self, options: TransactionOptions, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut Transaction) -> Result<T, E>,
        E: From<Error>,
    {
        let tx = self.begin_with(options).await?;
        tx.run(f).await
    }

    /// The primary's deadpool-postgres pool, for what pgtable does not cover.
    pub fn pool(&self) -> &Pool {
        &self.primary.pool
    }

    /// How busy the pools are, and which replicas reads go to now.
    pub fn status(&self) -> DbStatus {
        DbStatus {
            primary: self.primary.status(),
            replicas: self
                .replicas
                .iter()
                .enumerate()
                .map(|(i, node)| ReplicaStatus {
                    server: node.label.to_string(),
                    pool: node.status(),
                    in_use: self.routing.usable(i),
                })
                .collect(),
        }
    }

    /// A replica's connection for a read, if one should serve it, and
    /// which replica it is.
    async fn replica_for_read(&self) -> Option<(usize, PooledConn)> {
        if self.primary_only {
            return None;
        }
        let i = self.routing.pick()?;
        let node = &self.replicas[i];
        match node.get().await.map(PooledConn::new) {
            Ok(conn) if self.routing.within_lag(i, &conn).await => {
                tracing::Span::current().record("db.replica", &*node.label);
                Some((i, conn))
            }
            Ok(_) => None,
            Err(err) => {
                tracing::warn!(target: "pgtable::pool", replica = &*node.label, error = %err, "replica skipped: unreachable");
                self.routing.mark_down(i);
                None
            }
        }
    }
}

/// A connection checked out of the pool; returned to it when dropped.
///
/// If a query's future on it was dropped before it returned, the
/// connection's state is unknown and it is closed instead of returned.
/// Statements sent through the raw client (`conn.batch_execute(..)`, via
/// `Deref`) are outside pgtable's bookkeeping: a `BEGIN` sent that way must
/// be ended the same way before the `Conn` is dropped, and behind PgBouncer
/// the raw client's prepared (named) statements do not follow it from one
/// round trip to the next; pgtable's own queries on `&conn` do.
pub struct Conn {
    pub(crate) conn: PooledConn,
    pub(crate) settings: Arc<Settings>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

impl Deref for Conn {
    type Target = tokio_postgres::Client;

    /// The tokio-postgres client, for raw statements.
    fn deref(&self) -> &tokio_postgres::Client {
        self.conn.client()
    }
}

impl crate::conn::sealed::Sealed for Db {}
impl crate::conn::sealed::Sealed for Conn {}

impl Executor for Db {
    async fn acquire(&self, access: Access) -> Result<Acquired<'_>, Error> {
        self.routing.note(access);
        if access == Access::Read
            && let Some((i, conn)) = self.replica_for_read().await
        {
            return Ok(Acquired::pooled(conn, &self.settings).on_replica(i));
        }
        let object = self.primary.get().await?;
        Ok(Acquired::pooled(PooledConn::new(object), &self.settings))
    }

    fn replica_lost(&self, i: usize) {
        let node = &self.replicas[i];
        tracing::warn!(target: "pgtable::pool", replica = &*node.label, "replica skipped: its connection closed");
        self.routing.mark_down(i);
    }
}

impl Executor for Conn {
    async fn acquire(&self, _: Access) -> Result<Acquired<'_>, Error> {
        Ok(Acquired::borrowed(&self.conn, &self.settings))
    }
}
