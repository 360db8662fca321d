//! [`DbBuilder`]: the pool's size, time-outs, TLS, PgBouncer mode and
//! replicas, from a URL or a tokio-postgres configuration.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::{Db, Node};
use crate::conn::Settings;
use crate::error::Error;
use crate::options;
use crate::tls::{SslMode, TlsSettings};

/// Configures a [`Db`]: pool size, time-outs, TLS, application name,
/// statement cache or PgBouncer mode, read replicas.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct DbBuilder {
    /// The parsed configuration, or why the URL did not parse.
    config: Result<tokio_postgres::Config, String>,
    tls: TlsSettings,
    pgbouncer: bool,
    max_size: usize,
    wait_timeout: Option<Duration>,
    create_timeout: Option<Duration>,
    recycle_timeout: Option<Duration>,
    statement_timeout: Option<Duration>,
    keepalive_idle: Option<Duration>,
    application_name: Option<String>,
    statement_cache: bool,
    pub(super) replicas: Vec<String>,
    pub(super) routing: super::route::RoutingConfig,
}

impl DbBuilder {
    pub(super) fn from_url(url: &str) -> DbBuilder {
        match options::parse(url, |key| std::env::var(key).ok()) {
            Ok(parsed) => {
                let mut builder = DbBuilder::new(Ok(parsed.config));
                builder.tls = parsed.tls;
                builder.pgbouncer = parsed.pgbouncer.unwrap_or(false);
                builder
            }
            Err(err) => DbBuilder::new(Err(format!(
                "invalid PostgreSQL URL {:?}: {err} (expected postgres://user:password@host:port/database)",
                redact(url)
            ))),
        }
    }

    pub(super) fn from_config(config: tokio_postgres::Config) -> DbBuilder {
        use tokio_postgres::config::SslMode as Pg;
        let mode = match config.get_ssl_mode() {
            Pg::Disable => SslMode::Disable,
            Pg::Require => SslMode::Require,
            _ => SslMode::Prefer,
        };
        let mut builder = DbBuilder::new(Ok(config));
        builder.tls.mode = mode;
        builder
    }

    fn new(config: Result<tokio_postgres::Config, String>) -> DbBuilder {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        DbBuilder {
            config,
            tls: TlsSettings::default(),
            pgbouncer: false,
            max_size: (cpus * 4).max(4),
            wait_timeout: Some(Duration::from_secs(30)),
            create_timeout: Some(Duration::from_secs(10)),
            recycle_timeout: Some(Duration::from_secs(5)),
            statement_timeout: None,
            keepalive_idle: Some(Duration::from_secs(30)),
            application_name: None,
            statement_cache: true,
            replicas: Vec::new(),
            routing: super::route::RoutingConfig::default(),
        }
    }

    /// Connects to the database `name` on the same server instead, with
    /// the same user and settings: the maintenance database (`postgres`)
    /// for creating or dropping the one the URL names.
    pub fn database(mut self, name: &str) -> Self {
        if let Ok(config) = &mut self.config {
            config.dbname(name);
        }
        self
    }

    /// The database the builder connects to, if the URL names one.
    pub fn database_name(&self) -> Option<&str> {
        self.config.as_ref().ok()?.get_dbname()
    }

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

    /// How long opening a new connection may take, TLS and authentication
    /// included (default 10 s).
    pub fn create_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.create_timeout = timeout.into();
        self
    }

    /// How long checking a returned connection may take (default 5 s).
    pub fn recycle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.recycle_timeout = timeout.into();
        self
    }

    /// How long pgtable waits for any one statement (default: no limit).
    /// Past it, the caller gets [`Error::StatementTimeout`] and the
    /// connection is closed, never reused. Not behind PgBouncer, the
    /// server's own `statement_timeout` is set to the same value, so
    /// PostgreSQL usually cancels the statement first and the connection
    /// stays.
    pub fn statement_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.statement_timeout = timeout.into();
        self
    }

    /// TCP keepalives: probes start after the connection has been idle this
    /// long (default 30 s, then every 10 s, 3 tries), and data sent but not
    /// acknowledged for this long plus 30 s fails the connection
    /// (`TCP_USER_TIMEOUT`), so a peer that vanished is noticed, idle or
    /// mid-statement; `None` turns both off.
    pub fn tcp_keepalive(mut self, idle: impl Into<Option<Duration>>) -> Self {
        self.keepalive_idle = idle.into();
        self
    }

    /// The `application_name` the server shows in `pg_stat_activity`.
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = Some(name.into());
        self
    }

    /// Whether prepared statements are cached per connection (default on).
    /// Behind PgBouncer in transaction mode use [`DbBuilder::pgbouncer`].
    pub fn statement_cache(mut self, enabled: bool) -> Self {
        self.statement_cache = enabled;
        self
    }

    /// PgBouncer mode (also `?pgbouncer=true` in the URL): every statement
    /// goes unnamed, in one round trip, so it works through any PgBouncer
    /// in transaction mode. See the crate's README, "Production".
    pub fn pgbouncer(mut self, enabled: bool) -> Self {
        self.pgbouncer = enabled;
        self
    }

    /// libpq's `sslmode` (also `?sslmode=` in the URL, or `PGSSLMODE`).
    pub fn ssl_mode(mut self, mode: SslMode) -> Self {
        self.tls.mode = mode;
        self
    }

    /// The CA certificate(s), a PEM file, that the server's certificate
    /// must chain to (also `?sslrootcert=` or `PGSSLROOTCERT`).
    pub fn ssl_root_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.root_cert = Some(path.into());
        self
    }

    /// Builds the pool. No connection is opened until the first query.
    pub fn build(self) -> Result<Db, Error> {
        let config = self.config.clone().map_err(Error::Config)?;
        let settings = Arc::new(Settings {
            statement_cache: self.statement_cache && !self.pgbouncer,
            pgbouncer: self.pgbouncer,
            statement_timeout: self.statement_timeout.map(|after| {
                // The server's own time-out, where it is set, goes first.
                if self.pgbouncer {
                    after
                } else {
                    after + Duration::from_secs(1)
                }
            }),
            types: Default::default(),
            texts: Default::default(),
        });
        let primary = self.node(config, &self.tls, "primary")?;
        let replicas = self
            .replicas
            .iter()
            .map(|url| {
                // A replica connects with its own URL's TLS settings (its
                // sslmode, sslrootcert, or PGSSLMODE when it says nothing).
                let parsed = options::parse(url, |key| std::env::var(key).ok()).map_err(|err| {
                    Error::Config(format!("invalid replica URL {:?}: {err}", redact(url)))
                })?;
                self.node(parsed.config, &parsed.tls, "replica")
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Db::assemble(primary, replicas, settings, self.routing))
    }

    /// One pool (the primary's or a replica's) with these settings.
    fn node(
        &self,
        mut config: tokio_postgres::Config,
        tls: &TlsSettings,
        role: &str,
    ) -> Result<Node, Error> {
        if let Some(name) = &self.application_name {
            config.application_name(name);
        }
        if config.get_connect_timeout().is_none()
            && let Some(timeout) = self.create_timeout
        {
            config.connect_timeout(timeout);
        }
        if let Some(idle) = self.keepalive_idle {
            config
                .keepalives(true)
                .keepalives_idle(idle)
                .keepalives_interval(Duration::from_secs(10))
                .keepalives_retries(3);
            // Keepalives probe an idle socket only; data sent and never
            // acknowledged (a peer gone mid-statement) is bounded by this.
            if config.get_tcp_user_timeout().is_none() {
                config.tcp_user_timeout(idle + Duration::from_secs(30));
            }
        }
        if let (Some(after), false) = (self.statement_timeout, self.pgbouncer) {
            // PgBouncer refuses unknown start-up parameters.
            let mut options = config.get_options().unwrap_or_default().to_owned();
            if !options.is_empty() {
                options.push(' ');
            }
            options.push_str(&format!("-c statement_timeout={}", after.as_millis()));
            config.options(&options);
        }
        config.ssl_mode(tls.negotiation());
        let target = describe_target(&config);
        let label = target.split('/').next().unwrap_or_default().to_owned();
        // `Fast` trusts a returned connection instead of running a query on
        // every checkout; broken connections are still detected and replaced.
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls.connector().map_err(Error::Config)? {
            Some(tls) => Manager::from_config(config, tls, manager_config),
            None => Manager::from_config(config, NoTls, manager_config),
        };
        let mut pool = Pool::builder(manager);
        if self.pgbouncer {
            pool = pool.post_create(Hook::async_fn(|client, _| {
                Box::pin(async move {
                    crate::unnamed::learn_types(client).await.map_err(|err| {
                        HookError::message(format!("learning the database's types: {err}"))
                    })
                })
            }));
        }
        let pool = pool
            .max_size(self.max_size)
            .wait_timeout(self.wait_timeout)
            .create_timeout(self.create_timeout)
            .recycle_timeout(self.recycle_timeout)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| Error::Config(format!("cannot build the {role} pool: {err}")))?;
        Ok(Node {
            pool,
            target: target.into(),
            label: label.into(),
            wait_timeout: self.wait_timeout,
            ssl_mode: tls.mode,
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
