//! A drizzle-kit-like command line for your own binary: call [`run`] with
//! your schema.
//!
//! ```no_run
//! # fn schema() -> pgtable::Schema { pgtable::Schema::new() }
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     pgtable::cli::run(schema()).await
//! }
//! ```
//!
//! ```text
//! db generate NAME   write the next migration (migrations/NNNN_NAME.sql) from the schema
//! db migrate         apply pending migrations
//! db status          list applied and pending migrations
//! db check           compare the database with the schema (exit code 1 on drift)
//! db ddl             print the schema's DDL
//! ```
//!
//! `--dir` chooses the migrations directory (default `migrations`), and
//! `--database-url` the database (default: the `DATABASE_URL` variable).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::migrate::{self, MigrateError, MigrationDir, Progress, State};
use crate::{Db, Schema};

#[derive(Parser, Debug)]
#[command(about = "Migrations generated from the schema, applied safely")]
struct Cli {
    /// The migrations directory.
    #[arg(long, global = true, default_value = "migrations")]
    dir: PathBuf,
    /// The database (default: the DATABASE_URL environment variable).
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the next migration from the changes in the schema.
    Generate {
        /// The migration's name, such as `add_ratings`.
        name: String,
        /// Write an empty migration to fill in by hand (a backfill, a
        /// trigger) instead of the schema's changes.
        #[arg(long)]
        custom: bool,
    },
    /// Apply pending migrations, in order, each in its own transaction
    /// (`migrate down` undoes them instead).
    Migrate {
        #[command(subcommand)]
        direction: Option<Direction>,
    },
    /// List applied and pending migrations.
    Status,
    /// Compare the database with the schema; exit code 1 on drift.
    Check,
    /// Make the database match the schema now, without migration files
    /// (for development). Prints the plan first.
    Push {
        /// Apply changes that can lose data (drops, type changes) too.
        #[arg(long)]
        force: bool,
    },
    /// Print the schema's DDL.
    Ddl,
}

#[derive(Subcommand, Debug)]
enum Direction {
    /// Undo the last applied migration, by its NNNN_name.down.sql, or every
    /// one after NNNN with `--to NNNN`.
    Down {
        /// The migration to go back to (it stays applied).
        #[arg(long)]
        to: Option<u32>,
    },
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn ok(&self, text: &str) -> String {
        self.paint("32", text)
    }
    fn warn(&self, text: &str) -> String {
        self.paint("33", text)
    }
    fn bad(&self, text: &str) -> String {
        self.paint("31", text)
    }
}

/// Runs the command line given to the process, with `schema` as the
/// compiled schema. Returns the exit code: 0 on success, 1 on drift or
/// error, 2 on a usage error.
pub async fn run(schema: Schema) -> ExitCode {
    run_with(schema, std::env::args_os()).await
}

/// [`run`] with explicit arguments (the first is the program name).
pub async fn run_with<I, T>(schema: Schema, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let style = Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match execute(&cli, &schema, &style).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err}", style.bad("error:"));
            ExitCode::FAILURE
        }
    }
}

async fn connect(cli: &Cli) -> Result<Db, MigrateError> {
    let url = cli.database_url.as_deref().ok_or_else(|| {
        crate::Error::Config("no database: set DATABASE_URL or pass --database-url".into())
    })?;
    Ok(Db::connect(url).await?)
}

async fn execute(cli: &Cli, schema: &Schema, style: &Style) -> Result<ExitCode, MigrateError> {
    let dir = MigrationDir::new(&cli.dir);
    match &cli.command {
        Command::Ddl => print!("{}", schema.to_sql()),
        Command::Generate { name, custom: true } => {
            let generated = dir.generate_custom(name)?;
            println!(
                "{} {}: write its SQL there",
                style.ok("wrote"),
                generated.sql_path.display()
            );
            println!(
                "{} {}",
                style.ok("wrote"),
                generated.snapshot_path.display()
            );
        }
        Command::Generate {
            name,
            custom: false,
        } => match dir.generate(schema, name)? {
            None => println!("no changes: the schema matches the latest migration"),
            Some(generated) => {
                println!("{} {}", style.ok("wrote"), generated.sql_path.display());
                for change in &generated.changes {
                    let mark = if change.destructive {
                        style.warn("  ! ")
                    } else {
                        "  - ".to_owned()
                    };
                    println!("{mark}{}", change.description);
                }
                println!(
                    "{} {}",
                    style.ok("wrote"),
                    generated.snapshot_path.display()
                );
            }
        },
        Command::Migrate { direction } => {
            let db = connect(cli).await?;
            let migrations = dir.migrations()?;
            let report = |p: Progress<'_>| match p {
                Progress::Applying(m) => println!("applying {}", m.name),
                Progress::Applied(m, took) => {
                    println!("{} {} in {took:.1?}", style.ok("applied"), m.name)
                }
                Progress::Reverting(m) => println!("undoing {}", m.name),
                Progress::Reverted(m, took) => {
                    println!("{} {} in {took:.1?}", style.ok("undid"), m.name)
                }
            };
            match direction {
                None => {
                    if migrate::migrate(&db, &migrations, report).await?.is_empty() {
                        println!("nothing to apply: the database is up to date");
                    }
                }
                Some(Direction::Down { to }) => {
                    let downs = dir.down_migrations()?;
                    let undone =
                        migrate::migrate_down(&db, &migrations, &downs, *to, report).await?;
                    if undone.is_empty() {
                        println!("nothing to undo");
                    }
                }
            }
        }
        Command::Status => {
            let db = connect(cli).await?;
            let migrations = dir.migrations()?;
            let mut trouble = false;
            for (name, state) in migrate::status(&db, &migrations).await? {
                let line = match state {
                    State::Applied(r) => format!(
                        "{} {name} ({})",
                        style.ok("applied"),
                        r.applied_at.format("%Y-%m-%d %H:%M:%S UTC")
                    ),
                    State::Pending => format!("{} {name}", style.warn("pending")),
                    State::Changed(_) => {
                        trouble = true;
                        format!(
                            "{} {name}: the file changed after it was applied",
                            style.bad("changed")
                        )
                    }
                    State::MissingFile(_) => {
                        trouble = true;
                        format!(
                            "{} {name}: applied, but the file is gone",
                            style.bad("missing")
                        )
                    }
                };
                println!("{line}");
            }
            if trouble {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Push { force } => {
            let db = connect(cli).await?;
            let plan = migrate::push_plan(&db, schema).await?;
            if plan.is_empty() {
                println!("{} the database matches the schema", style.ok("ok:"));
                return Ok(ExitCode::SUCCESS);
            }
            println!("to match the schema, push will:");
            for change in &plan {
                let mark = if change.destructive {
                    style.warn("  ! ")
                } else {
                    "  - ".to_owned()
                };
                println!("{mark}{}", change.description);
            }
            let done = migrate::push(&db, schema, *force).await?;
            println!("{} {} changes", style.ok("pushed"), done.len());
        }
        Command::Check => {
            let db = connect(cli).await?;
            let changes = migrate::drift(&db, schema).await?;
            if changes.is_empty() {
                println!("{} the database matches the schema", style.ok("ok:"));
            } else {
                println!(
                    "{} the database differs from the schema; to match it, a migration would:",
                    style.bad("drift:")
                );
                for change in &changes {
                    println!("  - {}", change.description);
                }
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
