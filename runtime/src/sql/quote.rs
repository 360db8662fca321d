//! Quoting: the one place identifiers and literals are written into SQL.

/// Quotes an SQL identifier: wraps it in double quotes and doubles any inside.
///
/// ```
/// assert_eq!(pgtable::sql::quote_ident("users"), "\"users\"");
/// assert_eq!(pgtable::sql::quote_ident("a\"b"), "\"a\"\"b\"");
/// ```
pub fn quote_ident(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 2);
    push_ident(&mut out, ident);
    out
}

/// Appends `ident` quoted: the one identifier quoting (in
/// `pgtable-naming`, where the macros use it too).
#[inline]
pub fn push_ident(out: &mut String, ident: &str) {
    pgtable_naming::push_ident(out, ident);
}

pub(crate) fn push_ident_list<S: AsRef<str>>(out: &mut String, idents: &[S]) {
    for (i, ident) in idents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_ident(out, ident.as_ref());
    }
}

/// A string literal: `'it''s'`.
pub fn quote_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_literal(&mut out, value);
    out
}

/// Appends [`quote_literal`].
pub(crate) fn push_literal(out: &mut String, value: &str) {
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
}

/// `"name"` in the public schema, `"schema"."name"` elsewhere.
pub fn table_name(schema: &str, name: &str) -> String {
    pgtable_naming::table_name(schema, name)
}

/// Appends [`table_name`]: the one way a table is named, in DDL and queries.
#[inline]
pub fn push_table_name(out: &mut String, schema: &str, name: &str) {
    pgtable_naming::push_table_name(out, schema, name);
}

/// Always schema-qualified, as drizzle-kit writes type names and references:
/// `"public"."users"`.
pub fn full_name(schema: &str, name: &str) -> String {
    let mut out = String::new();
    push_ident(&mut out, schema);
    out.push('.');
    push_ident(&mut out, name);
    out
}
