//! The service's database: its schema, a pool with the migrations applied,
//! and (in `src/bin/db.rs`) the `db` command for generate, migrate, check
//! and seed.

mod schema;

pub use schema::{NewUser, User, UserPatch};

use pgtable::migrate::Migration;
use pgtable::{Db, Error, Schema};

/// Every table of the service.
pub fn schema() -> Schema {
    Schema::new().table::<User>()
}

/// The migrations in `migrations/`, built into the binary.
pub fn migrations() -> Vec<Migration> {
    pgtable::embed_migrations!("migrations")
}

/// A pool on `DATABASE_URL`, with every pending migration applied.
pub async fn connect() -> Result<Db, Error> {
    let db = Db::from_env().await?;
    migrate(&db).await?;
    Ok(db)
}

/// Applies the pending migrations (under a lock, so replicas of the service
/// starting together apply each once).
pub async fn migrate(db: &Db) -> Result<(), Error> {
    pgtable::migrate::migrate(db, &migrations(), |_| {}).await?;
    Ok(())
}
