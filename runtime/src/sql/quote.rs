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

/// Appends `ident` quoted: the one identifier quoting, shared with the
/// query builder.
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
    let mut out = String::new();
    push_table_name(&mut out, schema, name);
    out
}

/// Appends [`table_name`]: the one way a table is named, in DDL and queries.
pub fn push_table_name(out: &mut String, schema: &str, name: &str) {
    if schema != "public" {
        push_ident(out, schema);
        out.push('.');
    }
    push_ident(out, name);
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
