//! Naming rules that pgtable's macros (at compile time) and its runtime
//! (at run time) must apply the same way, kept in one place both depend on.
//! No dependencies, so the proc-macro crate stays light.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The longest identifier PostgreSQL stores, in bytes (`NAMEDATALEN - 1`);
/// longer ones are cut.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Appends `ident` as a quoted SQL identifier: in double quotes, any
/// inside doubled. The one identifier quoting: the runtime writes every
/// identifier with it, and the macros precompute a table's quoted names
/// with it.
///
/// ```
/// let mut out = String::new();
/// pgtable_naming::push_ident(&mut out, "a\"b");
/// assert_eq!(out, "\"a\"\"b\"");
/// ```
pub fn push_ident(out: &mut String, ident: &str) {
    out.reserve(ident.len() + 2);
    out.push('"');
    if ident.bytes().any(|b| b == b'"') {
        for ch in ident.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
    } else {
        // The common case, copied whole.
        out.push_str(ident);
    }
    out.push('"');
}

/// A table's name as SQL writes it: `"users"`, or `"app"."users"` for a
/// table in a schema other than `public`.
///
/// ```
/// assert_eq!(pgtable_naming::table_name("public", "users"), "\"users\"");
/// assert_eq!(pgtable_naming::table_name("app", "users"), "\"app\".\"users\"");
/// ```
pub fn table_name(schema: &str, name: &str) -> String {
    let mut out = String::new();
    push_table_name(&mut out, schema, name);
    out
}

/// Appends [`table_name`].
pub fn push_table_name(out: &mut String, schema: &str, name: &str) {
    if schema != "public" {
        push_ident(out, schema);
        out.push('.');
    }
    push_ident(out, name);
}

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
