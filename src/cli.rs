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
//! db generate NAME [--custom]  write the next migration (migrations/NNNN_NAME.sql) from the schema
//! db lint                      risky statements in the migration files (exit code 1 if any)
//! db migrate                   apply pending migrations
//! db migrate down [--to N]     undo the last migration (or every one after N)
//! db status                    list applied and pending migrations
//! db check                     compare the database with the schema (exit code 1 on drift)
//! db push [--force]            make the database match the schema now, no files (development)
//! db pull [--out FILE]         read the database into #[table] structs
//! db seed [--seed N] [--count TABLE=N] [--rows N] [--reset]   realistic rows in every table
//! db create | drop --force | reset --force   the database itself
//! db ddl                       print the schema's DDL
//! ```
//!
//! `generate`, `lint` and `ddl` need no database. `--dir` chooses the
//! migrations directory (default: `migrations` beside the running crate's
//! `Cargo.toml`), and `--database-url` the database (default: the
//! `DATABASE_URL` variable).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::migrate::{self, MigrateError, MigrationDir, Progress, State};
use crate::snapshot::Snapshot;
use crate::{Db, Schema};

#[derive(Parser, Debug)]
#[command(about = "Migrations generated from the schema, applied safely")]
struct Cli {
    /// The migrations directory [default: `migrations` in the directory of
    /// the crate `cargo run` runs, else in the current one].
    #[arg(long, global = true)]
    dir: Option<PathBuf>,
    /// The database [default: the DATABASE_URL environment variable].
    /// Read here rather than by clap's `env`, so that usage lines do not
    /// show it for commands that need no database, and an empty variable
    /// counts as unset.
    #[arg(long, global = true)]
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
    /// Check every migration file for statements that lock or fail on a
    /// live table; exit code 1 on any finding.
    Lint,
    /// Read the database into Rust source: `#[table]` structs and
    /// `PgEnum`s (to stdout, or to `--out FILE`).
    Pull {
        /// The file to write (it must not exist).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Fill every table with realistic rows (the same for the same seed),
    /// in one transaction; `--reset` empties the tables first.
    Seed {
        /// The seed number.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Rows for one table, as `posts=500` (repeatable); others get
        /// `--rows`.
        #[arg(long = "count", value_parser = table_count)]
        counts: Vec<(String, usize)>,
        /// Rows for each table not named by `--count`.
        #[arg(long, default_value_t = 10)]
        rows: usize,
        /// Empty the schema's tables first (TRUNCATE … RESTART IDENTITY
        /// CASCADE).
        #[arg(long)]
        reset: bool,
    },
    /// Create the database DATABASE_URL names, if it does not exist.
    Create,
    /// Drop the database DATABASE_URL names, and all its data.
    Drop {
        /// Required: dropping loses every row.
        #[arg(long)]
        force: bool,
    },
    /// Drop the database, create it again and apply every migration.
    Reset {
        /// Required: resetting loses every row.
        #[arg(long)]
        force: bool,
    },
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
            if let Some(step) = next_step(&err) {
                eprintln!("{} {step}", style.warn("next:"));
            }
            ExitCode::FAILURE
        }
    }
}

/// `posts=500`, as `--count` takes it.
fn table_count(text: &str) -> Result<(String, usize), String> {
    let (table, rows) = text
        .split_once('=')
        .ok_or_else(|| format!("write TABLE=ROWS, such as posts=500, not `{text}`"))?;
    let rows = rows.parse().map_err(|_| {
        format!("`{rows}` is not a number of rows: write TABLE=ROWS, such as posts=500")
    })?;
    Ok((table.to_owned(), rows))
}

fn url(cli: &Cli) -> Result<String, MigrateError> {
    let from_env = || std::env::var("DATABASE_URL").ok();
    let url = cli.database_url.clone().or_else(from_env);
    Ok(url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        crate::Error::Config(
            "no database: set DATABASE_URL or pass --database-url, such as postgres://postgres@localhost:5432/app".into(),
        )
    })?)
}

/// What to do about `err`, where the error itself does not say.
fn next_step(err: &MigrateError) -> Option<&'static str> {
    let MigrateError::Db(err) = err else {
        return None;
    };
    match &**err {
        crate::Error::Connect { source, .. }
            if source.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME) =>
        {
            Some("create it with `db create` (or `db reset --force`)")
        }
        crate::Error::Connect { .. } => Some(
            "check that PostgreSQL runs there and that DATABASE_URL (or --database-url) names it",
        ),
        _ => None,
    }
}

async fn connect(cli: &Cli) -> Result<Db, MigrateError> {
    Ok(Db::connect(&url(cli)?).await?)
}

/// The migrations directory: `--dir`, else `migrations` beside the
/// `Cargo.toml` of the crate `cargo run` runs (so it does not depend on
/// the current directory), else `./migrations`.
fn migrations_dir(cli: &Cli) -> PathBuf {
    match (&cli.dir, std::env::var_os("CARGO_MANIFEST_DIR")) {
        (Some(dir), _) => dir.clone(),
        (None, Some(manifest)) => PathBuf::from(manifest).join("migrations"),
        (None, None) => PathBuf::from("migrations"),
    }
}

/// Creates (`true`) or drops the database the URL names, from the
/// server's maintenance database; says what it did.
async fn create_or_drop(cli: &Cli, create: bool, style: &Style) -> Result<(), MigrateError> {
    let builder = Db::builder(&url(cli)?);
    let name = builder
        .database_name()
        .ok_or_else(|| {
            crate::Error::Config(
                "the URL names no database: end it with one, as in postgres://postgres@localhost:5432/app".into(),
            )
        })?
        .to_owned();
    let admin = builder.database("postgres").max_size(1).build()?;
    let (exists,): (bool,) =
        crate::sql("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name.clone())
            .fetch_one(&admin)
            .await?;
    let quoted = crate::ddl::quote_ident(&name);
    match (create, exists) {
        (true, true) => println!("database {quoted} exists"),
        (true, false) => {
            crate::sql(format!("CREATE DATABASE {quoted}"))
                .execute(&admin)
                .await?;
            println!("{} database {quoted}", style.ok("created"));
        }
        (false, false) => println!("database {quoted} does not exist"),
        (false, true) => {
            crate::sql(format!("DROP DATABASE {quoted} WITH (FORCE)"))
                .execute(&admin)
                .await?;
            println!("{} database {quoted}", style.warn("dropped"));
        }
    }
    Ok(())
}

fn require_force(force: bool, what: &str) -> Result<(), MigrateError> {
    if force {
        Ok(())
    } else {
        Err(crate::Error::Config(format!(
            "{what} loses every row of the database: pass --force to do it"
        ))
        .into())
    }
}

async fn execute(cli: &Cli, schema: &Schema, style: &Style) -> Result<ExitCode, MigrateError> {
    let dir = MigrationDir::new(migrations_dir(cli));
    if !matches!(
        cli.command,
        Command::Ddl | Command::Pull { .. } | Command::Seed { .. }
    ) {
        eprintln!("migrations: {}", dir.path().display());
    }
    match &cli.command {
        Command::Create => create_or_drop(cli, true, style).await?,
        Command::Seed {
            seed,
            counts,
            rows,
            reset,
        } => {
            let mut seeder = crate::Seeder::new(schema).seed(*seed).default_count(*rows);
            for (table, n) in counts {
                seeder = seeder.count_table(table, *n)?;
            }
            let db = connect(cli).await?;
            if *reset {
                seeder.reset(&db).await?;
                println!("{} every table of the schema", style.warn("emptied"));
            }
            for (table, n) in seeder.run(&db).await? {
                println!("{} {n} rows into \"{table}\"", style.ok("seeded"));
            }
        }
        Command::Drop { force } => {
            require_force(*force, "drop")?;
            create_or_drop(cli, false, style).await?;
        }
        Command::Reset { force } => {
            require_force(*force, "reset")?;
            create_or_drop(cli, false, style).await?;
            create_or_drop(cli, true, style).await?;
            let db = connect(cli).await?;
            let applied = migrate::migrate(&db, &dir.migrations()?, |_| {}).await?;
            println!("{} {} migrations", style.ok("applied"), applied.len());
        }
        Command::Ddl => print!("{}", schema.to_sql()),
        Command::Generate { name, custom: true } => {
            let generated = dir.generate_custom(name)?;
            println!(
                "{} {}: write its SQL there",
                style.ok("wrote"),
                generated.sql_path.display()
            );
            println!(
                "{} {}: write the SQL that undoes it there",
                style.ok("wrote"),
                generated.down_path.display()
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
                    "{} {} (what `migrate down` runs)",
                    style.ok("wrote"),
                    generated.down_path.display()
                );
                println!(
                    "{} {}",
                    style.ok("wrote"),
                    generated.snapshot_path.display()
                );
                if let Some(path) = &generated.concurrent_path {
                    println!(
                        "{} {} (CREATE INDEX CONCURRENTLY, run outside a transaction)",
                        style.ok("wrote"),
                        path.display()
                    );
                }
                let sql = std::fs::read_to_string(&generated.sql_path).map_err(|source| {
                    MigrateError::Io {
                        path: generated.sql_path.clone(),
                        source,
                    }
                })?;
                for finding in migrate::lint(&sql, Some(&Snapshot::of(schema))) {
                    println!("{} {finding}", style.warn("lint:"));
                }
            }
        },
        Command::Pull { out } => {
            let db = connect(cli).await?;
            let source = migrate::pull(&db).await?;
            match out {
                None => print!("{source}"),
                Some(path) => {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(path)
                        .and_then(|mut file| {
                            std::io::Write::write_all(&mut file, source.as_bytes())
                        })
                        .map_err(|source| match source.kind() {
                            std::io::ErrorKind::AlreadyExists => MigrateError::BadFile {
                                path: path.clone(),
                                reason: "it exists already, and pull never overwrites a file: choose another --out, or remove it".into(),
                            },
                            _ => MigrateError::Io {
                                path: path.clone(),
                                source,
                            },
                        })?;
                    println!("{} {}", style.ok("wrote"), path.display());
                }
            }
        }
        Command::Lint => {
            let compiled = Snapshot::of(schema);
            let mut found = 0;
            for migration in dir.migrations()? {
                for finding in migrate::lint(&migration.sql, Some(&compiled)) {
                    found += 1;
                    println!("{} {}.sql {finding}", style.warn("lint:"), migration.name);
                }
            }
            if found > 0 {
                println!("{found} findings");
                return Ok(ExitCode::FAILURE);
            }
            println!("{} no risky statements", style.ok("ok:"));
        }
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
            let states = migrate::status(&db, &migrations).await?;
            let version = |name: &str| {
                migrations
                    .iter()
                    .find(|m| m.name == name)
                    .map(|m| m.version)
            };
            let last_applied = states
                .iter()
                .filter(|(_, s)| !matches!(s, State::Pending))
                .filter_map(|(name, _)| version(name))
                .max();
            for (name, state) in states {
                let line = match state {
                    State::Applied(r) => format!(
                        "{} {name} ({})",
                        style.ok("applied"),
                        r.applied_at.format("%Y-%m-%d %H:%M:%S UTC")
                    ),
                    State::Pending if version(&name) < last_applied => {
                        trouble = true;
                        format!(
                            "{} {name}: it sorts before migrations already applied, so migrate refuses it: renumber it after them",
                            style.bad("refused")
                        )
                    }
                    State::Pending => format!("{} {name}", style.warn("pending")),
                    State::Changed(_) => {
                        trouble = true;
                        format!(
                            "{} {name}: the file changed after it was applied: restore it (from version control) and put the change in a new migration",
                            style.bad("changed")
                        )
                    }
                    State::MissingFile(_) => {
                        trouble = true;
                        format!(
                            "{} {name}: applied, but the file is gone: restore it from version control",
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
                println!(
                    "{} run `generate <name>` and `migrate` (or, in development, `push`); if the database is right, change the schema",
                    style.warn("next:")
                );
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
