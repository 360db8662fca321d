//! The example application's migration command line, drizzle-kit style:
//!
//! ```sh
//! cargo run --example db --features cli -- generate init    # write migrations/NNNN_init.sql from the schema
//! cargo run --example db --features cli -- migrate          # apply pending migrations (DATABASE_URL)
//! cargo run --example db --features cli -- status           # applied / pending
//! cargo run --example db --features cli -- check            # drift between the database and the schema
//! cargo run --example db --features cli -- ddl              # print the schema's DDL
//! ```

#[path = "schema/mod.rs"]
mod schema;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    pgtable::cli::run(schema::schema()).await
}
