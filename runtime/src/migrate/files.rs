//! The migrations directory: `NNNN_name.sql` files a person reviews, and
//! beside them `meta/NNNN_snapshot.json`, the schema each was generated
//! from.

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::MigrateError;
use super::diff::{Change, diff, render_migration};
use crate::schema::Schema;
use crate::snapshot::Snapshot;

/// One migration: its number, name and SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The number it applies in (`1` for `0001_init`).
    pub version: u32,
    /// The file's name without `.sql`: `0001_init`.
    pub name: String,
    /// The SQL.
    pub sql: Cow<'static, str>,
}

impl Migration {
    /// The SHA-256 of the SQL, as lowercase hex: what the bookkeeping
    /// table records and later checks.
    pub fn checksum(&self) -> String {
        let digest = Sha256::digest(self.sql.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `0001_init` -> 1: the rule `embed_migrations!` applies too.
use pgtable_naming::migration_version as parse_name;

/// The migrations, in order, checked to be numbered once each.
pub fn sorted(mut migrations: Vec<Migration>) -> Result<Vec<Migration>, MigrateError> {
    migrations.sort_by_key(|m| m.version);
    for pair in migrations.windows(2) {
        if pair[0].version == pair[1].version {
            return Err(MigrateError::BadFile {
                path: PathBuf::from(&pair[1].name),
                reason: format!(
                    "its number is also that of {}: renumber one of them",
                    pair[0].name
                ),
            });
        }
    }
    Ok(migrations)
}

/// A directory of migrations.
#[derive(Clone, Debug)]
pub struct MigrationDir {
    path: PathBuf,
}

impl MigrationDir {
    /// The directory at `path` (it need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        MigrationDir { path: path.into() }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self) -> PathBuf {
        self.path.join("meta")
    }

    fn io(path: &Path, source: std::io::Error) -> MigrateError {
        MigrateError::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Every migration file, in order. A `.sql` file not named
    /// `NNNN_name.sql` is an error, not silently skipped.
    pub fn migrations(&self) -> Result<Vec<Migration>, MigrateError> {
        let entries = match fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(Self::io(&self.path, err)),
        };
        let mut migrations = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| Self::io(&self.path, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("sql") {
                continue;
            }
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if pgtable_naming::is_down_migration(&stem) {
                continue;
            }
            let version = parse_name(&stem).ok_or_else(|| MigrateError::BadFile {
                path: path.clone(),
                reason:
                    "a migration file is named NNNN_name.sql (four or more digits, then a name)"
                        .into(),
            })?;
            let sql = fs::read_to_string(&path).map_err(|e| Self::io(&path, e))?;
            migrations.push(Migration {
                version,
                name: stem,
                sql: Cow::Owned(sql),
            });
        }
        sorted(migrations)
    }

    fn down_path(&self, stem: &str) -> PathBuf {
        self.path.join(format!("{stem}.down.sql"))
    }

    /// The down migration of every migration that has one
    /// (`NNNN_name.down.sql`), each named as the migration it undoes.
    pub fn down_migrations(&self) -> Result<Vec<Migration>, MigrateError> {
        let mut downs = Vec::new();
        for migration in self.migrations()? {
            let path = self.down_path(&migration.name);
            match fs::read_to_string(&path) {
                Ok(sql) => downs.push(Migration {
                    sql: Cow::Owned(sql),
                    ..migration
                }),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(Self::io(&path, err)),
            }
        }
        Ok(downs)
    }

    fn snapshot_path(&self, version: u32) -> PathBuf {
        self.meta().join(format!("{version:04}_snapshot.json"))
    }

    /// The schema as of the latest migration: the snapshot of the latest
    /// migration that has one (a hand-written file added without
    /// `generate --custom` has none, and changes no schema pgtable knows),
    /// or an empty schema when there is none yet.
    pub fn latest_snapshot(&self) -> Result<Snapshot, MigrateError> {
        for migration in self.migrations()?.iter().rev() {
            let path = self.snapshot_path(migration.version);
            let json = match fs::read_to_string(&path) {
                Ok(json) => json,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => return Err(Self::io(&path, err)),
            };
            return Snapshot::from_json(&json).map_err(|err| MigrateError::BadFile {
                path,
                reason: format!("not a pgtable snapshot ({err}): restore it from version control"),
            });
        }
        Ok(Snapshot::default())
    }

    /// Writes the next migration as a file for the user to fill in (data
    /// backfills, functions, triggers: what the schema does not describe),
    /// named `name`, with the latest snapshot unchanged beside it. Never
    /// overwrites a file.
    pub fn generate_custom(&self, name: &str) -> Result<Generated, MigrateError> {
        let slug = slug(name).ok_or_else(|| MigrateError::BadName(name.to_owned()))?;
        let snapshot = self.latest_snapshot()?;
        let version = self.migrations()?.last().map_or(1, |m| m.version + 1);
        let stem = format!("{version:04}_{slug}");
        let sql_path = self.path.join(format!("{stem}.sql"));
        let snapshot_path = self.snapshot_path(version);
        fs::create_dir_all(self.meta()).map_err(|e| Self::io(&self.meta(), e))?;
        let text = format!(
            "-- {stem}\n-- A custom migration: write its SQL below. It runs in one transaction, \
             like every migration, and its checksum is recorded when it is applied.\n"
        );
        let down = format!(
            "-- {stem} (down)\n-- Write the SQL that undoes {stem} below: `migrate down` \
             refuses to run this file while it holds no statement.\n"
        );
        let down_path = self.down_path(&stem);
        self.write_all(&[
            (snapshot_path.clone(), snapshot.to_json()),
            (sql_path.clone(), text),
            (down_path.clone(), down),
        ])?;
        Ok(Generated {
            sql_path,
            down_path,
            snapshot_path,
            concurrent_path: None,
            changes: Vec::new(),
        })
    }

    /// What a new migration would contain for `schema`.
    pub fn pending_changes(&self, schema: &Schema) -> Result<Vec<Change>, MigrateError> {
        Ok(diff(&self.latest_snapshot()?, &Snapshot::of(schema)))
    }

    /// Writes the next migration for `schema`, named `name`, with its
    /// snapshot; `Ok(None)` when the schema has not changed. Never
    /// overwrites a file.
    pub fn generate(&self, schema: &Schema, name: &str) -> Result<Option<Generated>, MigrateError> {
        let slug = slug(name).ok_or_else(|| MigrateError::BadName(name.to_owned()))?;
        let before = self.latest_snapshot()?;
        let after = Snapshot::of(schema);
        let changes = diff(&before, &after);
        if changes.is_empty() {
            return Ok(None);
        }
        let undo = diff(&after, &reversed_renames(&after, before));
        // `CREATE INDEX CONCURRENTLY` cannot run in a transaction: those
        // go to a migration of their own, after the rest, that `migrate`
        // runs outside one.
        let (concurrent, changes): (Vec<Change>, Vec<Change>) = changes
            .into_iter()
            .partition(|c| c.statements.iter().any(|s| s.contains(" CONCURRENTLY ")));
        let built_concurrently: Vec<String> = concurrent
            .iter()
            .map(|c| c.description.replacen("create index", "drop index", 1))
            .collect();
        let (undo_concurrent, undo): (Vec<Change>, Vec<Change>) = undo
            .into_iter()
            .partition(|c| built_concurrently.contains(&c.description));
        let mut version = self.migrations()?.last().map_or(1, |m| m.version + 1);
        fs::create_dir_all(self.meta()).map_err(|e| Self::io(&self.meta(), e))?;
        let mut files = Vec::new();
        let mut written = Vec::new();
        for (suffix, header, changes, undo) in [
            ("", "", &changes, &undo),
            (
                "_concurrently",
                NO_TRANSACTION,
                &concurrent,
                &undo_concurrent,
            ),
        ] {
            if changes.is_empty() {
                continue;
            }
            let stem = format!("{version:04}_{slug}{suffix}");
            let sql_path = self.path.join(format!("{stem}.sql"));
            let snapshot_path = self.snapshot_path(version);
            files.push((snapshot_path.clone(), after.to_json()));
            files.push((
                sql_path.clone(),
                format!("{header}{}", render_migration(&stem, changes)),
            ));
            files.push((
                self.down_path(&stem),
                render_migration(&format!("{stem} (down: undoes it)"), undo),
            ));
            written.push((sql_path, snapshot_path));
            version += 1;
        }
        self.write_all(&files)?;
        let (sql_path, snapshot_path) = written.remove(0);
        Ok(Some(Generated {
            down_path: self.down_path(&sql_path.file_stem().unwrap_or_default().to_string_lossy()),
            sql_path,
            snapshot_path,
            concurrent_path: written.pop().map(|(sql, _)| sql),
            changes: changes.into_iter().chain(concurrent).collect(),
        }))
    }
}

/// The first line of a migration `migrate` runs statement by statement
/// outside a transaction (`CREATE INDEX CONCURRENTLY`).
pub const NO_TRANSACTION: &str = "-- pgtable: no-transaction\n";

impl MigrationDir {
    /// Creates every file, or none: on an error the ones written are
    /// removed, leaving the directory as it was.
    fn write_all(&self, files: &[(PathBuf, String)]) -> Result<(), MigrateError> {
        for (i, (path, text)) in files.iter().enumerate() {
            if let Err(err) = write_new(path, text) {
                for (written, _) in &files[..i] {
                    let _ = fs::remove_file(written);
                }
                return Err(err);
            }
        }
        Ok(())
    }
}

/// `before`, the schema a down migration returns to, with the renames of
/// `after` turned around: a column `after` renamed from `title` to
/// `heading` is renamed back, not dropped and added.
fn reversed_renames(after: &Snapshot, mut before: Snapshot) -> Snapshot {
    for table in &after.tables {
        let old_name = table.renamed_from.as_deref().unwrap_or(&table.name);
        let Some(old) = before
            .tables
            .iter_mut()
            .find(|t| t.schema == table.schema && t.name == old_name)
        else {
            continue;
        };
        if table.renamed_from.is_some() {
            old.renamed_from = Some(table.name.clone());
        }
        for column in &table.columns {
            let Some(from) = &column.renamed_from else {
                continue;
            };
            if let Some(c) = old.columns.iter_mut().find(|c| &c.name == from) {
                c.renamed_from = Some(column.name.clone());
            }
        }
    }
    before
}

/// What `generate` wrote.
#[derive(Debug)]
pub struct Generated {
    /// The new SQL file.
    pub sql_path: PathBuf,
    /// Its down migration, `NNNN_name.down.sql`.
    pub down_path: PathBuf,
    /// The new snapshot.
    pub snapshot_path: PathBuf,
    /// A second migration, of the indexes built `CONCURRENTLY`, run
    /// outside a transaction.
    pub concurrent_path: Option<PathBuf>,
    /// The changes it holds.
    pub changes: Vec<Change>,
}

/// Creates `path` with `text`; fails if it exists.
fn write_new(path: &Path, text: &str) -> Result<(), MigrateError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| MigrateError::Io {
            path: path.to_owned(),
            source,
        })?;
    file.write_all(text.as_bytes())
        .map_err(|source| MigrateError::Io {
            path: path.to_owned(),
            source,
        })
}

/// `Add user roles!` -> `add_user_roles`; `None` if nothing usable remains.
fn slug(name: &str) -> Option<String> {
    let mut out = String::new();
    for ch in name.trim().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name("0001_init"), Some(1));
        assert_eq!(parse_name("12345_big"), Some(12345));
        assert_eq!(parse_name("001_short"), None);
        assert_eq!(parse_name("0001_"), None);
        assert_eq!(parse_name("init"), None);
        assert_eq!(slug("Add user roles!").as_deref(), Some("add_user_roles"));
        assert_eq!(slug("  ").as_deref(), None);
    }
}
