//! The names PostgreSQL stores.
//!
//! An identifier longer than 63 bytes (`NAMEDATALEN - 1`) is cut to 63
//! bytes, at a character boundary, with only a NOTICE. pgtable derives
//! constraint and index names the way Drizzle does
//! (`<table>_<column>_unique`, `…_fk`, `…_index`, `…_check`, `…_pk`), and
//! those easily pass 63 bytes: this module computes the name that is
//! actually stored, so that migrations and `check` compare like with like,
//! and [`check_derived_names`] refuses at compile time two names that would
//! be stored the same.

use crate::schema::TableDef;

/// The longest identifier PostgreSQL stores, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A name made of parts joined by `_`: `["users", "email", "unique"]`.
type Parts<'a> = &'a [&'a str];

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

const fn same_stored(a: Parts<'_>, b: Parts<'_>) -> bool {
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

/// A derived composite primary-key name has no syntax to change it.
const PK: &str = "";

/// Room for the names of one table, built in a `const` context.
const MAX_NAMES: usize = 64;
const MAX_PARTS: usize = 8;

/// One name of a table: its parts and what a user writes to rename it.
#[derive(Clone, Copy)]
struct Named<'a> {
    parts: [&'a str; MAX_PARTS],
    count: usize,
    /// How a user names it; empty when there is no way.
    rename: &'static str,
}

impl<'a> Named<'a> {
    const EMPTY: Named<'static> = Named {
        parts: [""; MAX_PARTS],
        count: 0,
        rename: "",
    };

    const fn parts(&self) -> Parts<'_> {
        self.parts.split_at(self.count).0
    }
}

struct Names<'a> {
    items: [Named<'a>; MAX_NAMES],
    len: usize,
}

impl<'a> Names<'a> {
    /// Adds the explicit `name`, or else `table`, the parts of `groups` and
    /// `suffix` joined (Drizzle's derived name).
    const fn push(
        &mut self,
        name: Option<&'a str>,
        table: &'a str,
        groups: &[&'a [&'a str]],
        suffix: &'a str,
        rename: &'static str,
    ) {
        if self.len == MAX_NAMES {
            return;
        }
        let mut named = Named {
            parts: [""; MAX_PARTS],
            count: 1,
            rename,
        };
        if let Some(name) = name {
            named.parts[0] = name;
        } else {
            named.parts[0] = table;
            let mut g = 0;
            while g < groups.len() {
                let mut k = 0;
                while k < groups[g].len() && named.count < MAX_PARTS - 1 {
                    named.parts[named.count] = groups[g][k];
                    named.count += 1;
                    k += 1;
                }
                g += 1;
            }
            named.parts[named.count] = suffix;
            named.count += 1;
        }
        self.items[self.len] = named;
        self.len += 1;
    }
}

/// A message built in a `const` context.
struct Message {
    buf: [u8; 1024],
    len: usize,
}

impl Message {
    const fn push(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.buf.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn push_parts(&mut self, parts: Parts<'_>) {
        let mut i = 0;
        while i < parts.len() {
            if i > 0 {
                self.push("_");
            }
            self.push(parts[i]);
            i += 1;
        }
    }

    const fn fail(&self) -> ! {
        match core::str::from_utf8(self.buf.split_at(self.len).0) {
            Ok(text) => panic!("{}", text),
            Err(_) => panic!("two constraint names collide once cut to 63 bytes"),
        }
    }
}

/// Refuses, at compile time, two constraint or index names of `table`
/// that PostgreSQL would store the same once cut to 63 bytes. `foreign`
/// holds the names of the tables its foreign keys reference, in order.
/// Generated by `#[table]`; the panic message is the compile error.
#[doc(hidden)]
pub const fn check_derived_names(table: &TableDef, foreign: &[&str]) {
    let mut names = Names {
        items: [Named::EMPTY; MAX_NAMES],
        len: 0,
    };
    let t = table.name;
    const UNIQUE: &str = "#[table(unique(name = \"…\", columns(…)))]";
    const INDEX: &str = "#[table(index(name = \"…\", columns(…)))]";
    const CHECK: &str =
        "#[table(check(name = \"…\", expr = \"…\"))] instead of the column's `check`";
    const FK: &str = "#[column(references = …, fk_name = \"…\")]";
    let mut i = 0;
    while i < table.columns.len() {
        let column = &table.columns[i];
        if column.unique {
            let one = std::slice::from_ref(&column.name);
            names.push(None, t, &[one], "unique", UNIQUE);
        }
        i += 1;
    }
    i = 0;
    while i < table.unique.len() {
        let u = &table.unique[i];
        names.push(u.name, t, &[u.columns], "unique", UNIQUE);
        i += 1;
    }
    if !table.primary_key.is_empty() {
        names.push(None, t, &[table.primary_key], "pk", PK);
    }
    i = 0;
    while i < table.foreign_keys.len() && i < foreign.len() {
        let fk = &table.foreign_keys[i];
        let target = std::slice::from_ref(&foreign[i]);
        names.push(
            fk.name,
            t,
            &[fk.columns, target, fk.foreign_columns],
            "fk",
            FK,
        );
        i += 1;
    }
    i = 0;
    while i < table.indexes.len() {
        let index = &table.indexes[i];
        names.push(index.name, t, &[index.columns], "index", INDEX);
        i += 1;
    }
    i = 0;
    while i < table.checks.len() {
        names.push(Some(table.checks[i].name), t, &[], "", CHECK);
        i += 1;
    }

    let mut a = 0;
    while a < names.len {
        let mut b = a + 1;
        while b < names.len {
            let (x, y) = (&names.items[a], &names.items[b]);
            if same_stored(x.parts(), y.parts()) {
                let mut msg = Message {
                    buf: [0; 1024],
                    len: 0,
                };
                msg.push("table `");
                msg.push(t);
                msg.push("`: the constraint or index names `");
                msg.push_parts(x.parts());
                msg.push("` and `");
                msg.push_parts(y.parts());
                msg.push("` are the same once PostgreSQL cuts them to 63 bytes; give one a name of its own: ");
                // Point at one the user can name, a derived one first.
                let y_first = !y.rename.is_empty() && (y.count > 1 || x.rename.is_empty());
                msg.push(if y_first { y.rename } else { x.rename });
                msg.fail();
            }
            b += 1;
        }
        a += 1;
    }
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
