//! Naming rules that pgtable's macros (at compile time) and its runtime
//! (at run time) must apply the same way, kept in one place both depend on.
//! No dependencies, so the proc-macro crate stays light.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The longest identifier PostgreSQL stores, in bytes (`NAMEDATALEN - 1`);
/// longer ones are cut.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// The version of a migration file from its name without `.sql`:
/// `0001_init` is 1. Four or more digits, an underscore, then a name; any
/// other name is not a migration.
///
/// ```
/// assert_eq!(pgtable_naming::migration_version("0001_init"), Some(1));
/// assert_eq!(pgtable_naming::migration_version("12345_big"), Some(12345));
/// assert_eq!(pgtable_naming::migration_version("001_short"), None);
/// assert_eq!(pgtable_naming::migration_version("0002_"), None);
/// assert_eq!(pgtable_naming::migration_version("init"), None);
/// ```
pub fn migration_version(stem: &str) -> Option<u32> {
    let (number, rest) = stem.split_once('_')?;
    if number.len() < 4 || !number.bytes().all(|b| b.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    number.parse().ok()
}

/// Whether a migration file's stem (`0003_add_tags.down`) is the down
/// migration of another (`0003_add_tags`): `migrate` and
/// `embed_migrations!` leave these out; `migrate down` runs them.
///
/// ```
/// assert!(pgtable_naming::is_down_migration("0003_add_tags.down"));
/// assert!(!pgtable_naming::is_down_migration("0003_add_tags"));
/// ```
pub fn is_down_migration(stem: &str) -> bool {
    stem.ends_with(".down")
}
