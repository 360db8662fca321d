//! The names PostgreSQL stores.
//!
//! An identifier longer than 63 bytes (`NAMEDATALEN - 1`) is cut to 63
//! bytes, at a character boundary, with only a NOTICE. pgtable derives
//! constraint and index names the way Drizzle does
//! (`<table>_<column>_unique`, `…_fk`, `…_index`, `…_check`, `…_pk`), and
//! those easily pass 63 bytes: this module computes the name that is
//! actually stored, so that migrations and `check` compare like with like,
//! and `#[table]` refuses at compile time two names that would be stored
//! the same (see `name_check.rs`).

/// The longest identifier PostgreSQL stores, in bytes.
pub use pgtable_naming::MAX_IDENTIFIER_BYTES;

/// A name made of parts joined by `_`: `["users", "email", "unique"]`.
pub(crate) type Parts<'a> = &'a [&'a str];

const fn joined_len(parts: Parts<'_>) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < parts.len() {
        if i > 0 {
            len += 1;
        }
        len += parts[i].len();
        i += 1;
    }
    len
}

/// Byte `at` of the parts joined by `_`.
const fn joined_byte(parts: Parts<'_>, at: usize) -> u8 {
    let mut offset = 0;
    let mut i = 0;
    while i < parts.len() {
        if i > 0 {
            if at == offset {
                return b'_';
            }
            offset += 1;
        }
        let part = parts[i].as_bytes();
        if at < offset + part.len() {
            return part[at - offset];
        }
        offset += part.len();
        i += 1;
    }
    panic!("byte past the end of a name")
}

/// How many bytes of a name of `len` bytes PostgreSQL keeps: at most
/// `max`, backed off so no character is cut in two.
const fn kept_len(parts: Parts<'_>, len: usize, max: usize) -> usize {
    if len <= max {
        return len;
    }
    let mut kept = max;
    // The first byte dropped continues a character: drop that one too.
    while kept > 0 && joined_byte(parts, kept) & 0xC0 == 0x80 {
        kept -= 1;
    }
    kept
}

/// The name PostgreSQL stores for `name`.
pub fn stored(name: &str) -> &str {
    let kept = kept_len(&[name], name.len(), MAX_IDENTIFIER_BYTES);
    &name[..kept]
}

/// The name PostgreSQL gives a single-column primary key of `table`:
/// `<table>_pkey`, the table part cut so that the suffix fits.
pub fn pkey_name(table: &str) -> String {
    let kept = kept_len(&[table], table.len(), MAX_IDENTIFIER_BYTES - "_pkey".len());
    format!("{}_pkey", &table[..kept])
}

/// Drizzle's derived name `<table>_<col>_..._<suffix>`, as stored.
pub(crate) fn derived(parts: &[&str]) -> String {
    let joined = parts.join("_");
    stored(&joined).to_owned()
}

pub(crate) const fn same_stored(a: Parts<'_>, b: Parts<'_>) -> bool {
    let (a_len, b_len) = (joined_len(a), joined_len(b));
    let a_kept = kept_len(a, a_len, MAX_IDENTIFIER_BYTES);
    if a_kept != kept_len(b, b_len, MAX_IDENTIFIER_BYTES) {
        return false;
    }
    let mut i = 0;
    while i < a_kept {
        if joined_byte(a, i) != joined_byte(b, i) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_at_63_bytes_on_a_character_boundary() {
        let long = "a".repeat(70);
        assert_eq!(stored(&long).len(), 63);
        // 62 ASCII bytes, then a two-byte character that would straddle 63.
        let straddling = format!("{}é_more", "b".repeat(62));
        assert_eq!(stored(&straddling), "b".repeat(62));
        assert_eq!(stored("users_email_unique"), "users_email_unique");
    }

    #[test]
    fn pkey_names_keep_their_suffix() {
        assert_eq!(pkey_name("users"), "users_pkey");
        let long = "t".repeat(63);
        assert_eq!(pkey_name(&long), format!("{}_pkey", "t".repeat(58)));
    }

    #[test]
    fn derived_names_compare_as_stored() {
        let col = "c".repeat(60);
        assert!(same_stored(&["t", &col, "unique"], &["t", &col, "index"]));
        assert!(!same_stored(&["t", "a", "unique"], &["t", "a", "index"]));
        assert!(same_stored(&["t_a"], &["t", "a"]));
    }
}
