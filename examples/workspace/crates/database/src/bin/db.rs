//! `cargo run -p database --bin db -- <command>`: create, generate, migrate,
//! status, check, seed… for the service's schema (`--help` lists them).

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    pgtable::cli::run(database::schema()).await
}
