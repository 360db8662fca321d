//! What the benches share: the server they run against, and a database of
//! their own on it, made fresh and dropped afterwards.

use pgtable::Db;

/// The server: `DATABASE_URL`, else the local one.
pub fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Drops the database `name` if it is there and creates it empty; gives
/// its connection settings and a pool of two connections to it, without
/// TLS (as the raw baselines connect, with `NoTls`).
pub async fn fresh_database(name: &str) -> (tokio_postgres::Config, Db) {
    let admin = Db::connect(&url())
        .await
        .expect("PostgreSQL must answer at DATABASE_URL");
    let admin = admin.conn().await.unwrap();
    // Two calls: a batch would run both in one transaction, which neither
    // statement allows.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut config: tokio_postgres::Config = url().parse().unwrap();
    config.dbname(name);
    let db = Db::builder_with_config(config.clone())
        .ssl_mode(pgtable::SslMode::Disable)
        .max_size(2)
        .build()
        .unwrap();
    (config, db)
}

/// Drops the database `name`, leaving nothing behind.
pub async fn drop_database(name: &str) {
    let admin = Db::connect(&url()).await.unwrap().conn().await.unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}
