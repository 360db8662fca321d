//! The database handle: a deadpool-postgres pool on tokio-postgres, and the
//! [`Executor`] trait that lets every query run on a `&Db`, a transaction or
//! a pooled connection.

use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime, TimeoutType,
};
use tokio_postgres::NoTls;

use crate::conn::PooledConn;
pub use crate::conn::{Acquired, Executor};
use crate::error::{Error, PoolTimeout};
use crate::transaction::{Transaction, TransactionOptions};

/// A pool of connections to one PostgreSQL database. Cheap to clone; share it.
///
/// ```no_run
/// # async fn run() -> Result<(), pgtable::Error> {
/// use std::time::Duration;
/// use pgtable::Db;
///
/// let db = Db::connect("postgres://postgres@127.0.0.1:5432/app").await?;
/// // or, from DATABASE_URL:
/// let db = Db::from_env().await?;
/// // or, configured:
/// let db = Db::builder("postgres://postgres@127.0.0.1:5432/app")
///     .max_size(32)
///     .wait_timeout(Duration::from_secs(5))
///     .application_name("billing")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    statement_cache: bool,
    wait_timeout: Option<Duration>,
    /// `host:port/database as user name`, for connection errors.
    target: Arc<str>,
}

/// Configures a [`Db`]: pool size, time-outs, application name, statement cache.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct DbBuilder {
    /// The parsed configuration, or why the URL did not parse.
    config: Result<tokio_postgres::Config, String>,
    max_size: usize,
    wait_timeout: Option<Duration>,
    create_timeout: Option<Duration>,
    recycle_timeout: Option<Duration>,
    application_name: Option<String>,
    statement_cache: bool,
}

impl DbBuilder {
    /// The most connections the pool opens (default: 4 × CPUs, at least 4).
    pub fn max_size(mut self, size: usize) -> Self {
        self.max_size = size;
        self
    }

    /// How long a query waits for a free connection before failing with
    /// [`Error::PoolTimeout`] (default 30 s; `None` waits forever).
    pub fn wait_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.wait_timeout = timeout.into();
        self
    }

    /// How long opening a new connection may take (default 10 s).
    pub fn create_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.create_timeout = timeout.into();
        self
    }

    /// How long checking a returned connection may take (default 5 s).
    pub fn recycle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.recycle_timeout = timeout.into();
        self
    }

    /// The `application_name` the server shows in `pg_stat_activity`.
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = Some(name.into());
        self
    }

    /// Whether prepared statements are cached per connection (default on).
    /// Turn it off behind PgBouncer in transaction mode, where a connection's
    /// prepared statements do not follow the client.
    pub fn statement_cache(mut self, enabled: bool) -> Self {
        self.statement_cache = enabled;
        self
    }

    /// Builds the pool. No connection is opened until the first query.
    pub fn build(self) -> Result<Db, Error> {
        let mut config = self.config.map_err(Error::Config)?;
        if let Some(name) = &self.application_name {
            config.application_name(name);
        }
        let target = describe_target(&config).into();
        // `Fast` trusts a returned connection instead of running a query on
        // every checkout; broken connections are still detected and replaced.
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(self.max_size)
            .wait_timeout(self.wait_timeout)
            .create_timeout(self.create_timeout)
            .recycle_timeout(self.recycle_timeout)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| Error::Config(format!("cannot build the connection pool: {err}")))?;
        Ok(Db {
            pool,
            statement_cache: self.statement_cache,
            wait_timeout: self.wait_timeout,
            target,
        })
    }
}

/// Where a configuration connects, for messages, without the password:
/// `127.0.0.1:5432/app as user postgres`.
fn describe_target(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(",")
    };
    let user = config.get_user().unwrap_or("(none)");
    let database = config.get_dbname().unwrap_or(user);
    format!("{hosts}/{database} as user {user}")
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// A builder for a pool on `url` (`postgres://user:password@host:port/db`,
    /// or tokio-postgres's `host=… user=…` form). A malformed URL is
    /// reported by [`DbBuilder::build`].
    pub fn builder(url: &str) -> DbBuilder {
        let config = tokio_postgres::Config::from_str(url).map_err(|err| {
            format!(
                "invalid PostgreSQL URL {:?}: {err} (expected postgres://user:password@host:port/database)",
                redact(url)
            )
        });
        Db::builder_from(config)
    }

    /// A builder for a pool on an already-built tokio-postgres configuration.
    pub fn builder_with_config(config: tokio_postgres::Config) -> DbBuilder {
        Db::builder_from(Ok(config))
    }

    fn builder_from(config: Result<tokio_postgres::Config, String>) -> DbBuilder {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        DbBuilder {
            config,
            max_size: (cpus * 4).max(4),
            wait_timeout: Some(Duration::from_secs(30)),
            create_timeout: Some(Duration::from_secs(10)),
            recycle_timeout: Some(Duration::from_secs(5)),
            application_name: None,
            statement_cache: true,
        }
    }

    /// A pool on `url` with the default settings, checked by opening one
    /// connection so that a wrong URL fails here rather than at the first query.
    pub async fn connect(url: &str) -> Result<Db, Error> {
        let db = Db::builder(url).build()?;
        db.conn().await?;
        Ok(db)
    }

    /// [`Db::connect`] to the URL in the `DATABASE_URL` environment variable.
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
        Db::connect(&url).await
    }

    /// A connection of the pool, held until dropped. Queries run on `&conn`.
    pub async fn conn(&self) -> Result<Conn, Error> {
        let object = self.pool.get().await.map_err(|err| self.pool_error(err))?;
        Ok(Conn {
            conn: PooledConn::new(object),
            statement_cache: self.statement_cache,
        })
    }

    /// Starts a transaction. Commit it with [`Transaction::commit`]; dropped
    /// without a commit, it is rolled back.
    pub async fn begin(&self) -> Result<Transaction, Error> {
        self.begin_with(TransactionOptions::default()).await
    }

    /// Starts a transaction with an isolation level or access mode.
    pub async fn begin_with(&self, options: TransactionOptions) -> Result<Transaction, Error> {
        let Conn {
            conn,
            statement_cache,
        } = self.conn().await?;
        Transaction::start(conn, statement_cache, options).await
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

    /// The underlying deadpool-postgres pool, for what pgtable does not cover.
    pub fn pool(&self) -> &Pool {
        &self.pool
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
            PoolError::Backend(err) => Error::connect(&self.target, err),
            PoolError::Closed => Error::PoolClosed,
            PoolError::NoRuntimeSpecified => Error::Config("the pool has no async runtime".into()),
            PoolError::PostCreateHook(err) => {
                Error::Config(format!("connection set-up failed: {err}"))
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
/// be ended the same way before the `Conn` is dropped.
pub struct Conn {
    pub(crate) conn: PooledConn,
    pub(crate) statement_cache: bool,
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

impl Executor for Db {
    async fn acquire(&self) -> Result<Acquired<'_>, Error> {
        let object = self.pool.get().await.map_err(|err| self.pool_error(err))?;
        Ok(Acquired::pooled(object, self.statement_cache))
    }
}

impl Executor for Conn {
    async fn acquire(&self) -> Result<Acquired<'_>, Error> {
        Ok(Acquired::borrowed(&self.conn, self.statement_cache))
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_repeated_in_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("host=h user=u"), "host=h user=u");
    }
}
