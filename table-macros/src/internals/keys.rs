//! How attribute keys are read and misread: flags, field lists, and the
//! error for an unknown key, with the nearest valid one suggested.

use proc_macro2::Ident;
use syn::meta::ParseNestedMeta;

use super::ctxt::Ctxt;

/// `key(a, b, c)`: a parenthesized list of field names.
pub(super) fn field_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let mut fields = Vec::new();
    meta.parse_nested_meta(|inner| {
        fields.push(inner.path.require_ident()?.clone());
        Ok(())
    })?;
    Ok(fields)
}

/// Where a key is written, for errors about it.
pub(crate) fn key_span(meta: &ParseNestedMeta) -> proc_macro2::Span {
    meta.path
        .get_ident()
        .map_or_else(proc_macro2::Span::call_site, Ident::span)
}

/// A flag such as `unique` takes no value.
pub(crate) fn no_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = meta
            .path
            .get_ident()
            .map(Ident::to_string)
            .unwrap_or_default();
        return Err(meta.error(format_args!("`{key}` takes no value: write just `{key}`")));
    }
    Ok(())
}

/// Reports an unknown key, suggesting the closest valid one, and skips its
/// value so the remaining keys are still parsed.
pub(crate) fn unknown_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    scope: &str,
    valid: &[&str],
) -> syn::Result<()> {
    let key = meta
        .path
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_else(|| quote::ToTokens::to_token_stream(&meta.path).to_string());
    let mut msg = if valid.contains(&key.as_str()) {
        // A known key written the wrong way, such as `columns = [a]`.
        match form_of(&key) {
            Some(form) => format!("`{key}` is written `{form}` in `{scope}(...)`"),
            None => format!("`{key}` is not written that way in `{scope}(...)`"),
        }
    } else {
        let mut msg = format!("unknown {scope} attribute `{key}`");
        if let Some(near) = closest(&key, valid) {
            msg.push_str(&format!("; did you mean `{near}`?"));
        }
        msg
    };
    msg.push_str(&format!("\nvalid {scope} attributes: {}", valid.join(", ")));
    cx.error_spanned_by(&meta.path, msg);

    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        // Every token must be taken: syn reports what a parenthesized
        // buffer leaves unread as a second, confusing error.
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// How a key of a nested list (`index(...)`, `unique(...)`, `check(...)`)
/// is written.
fn form_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => "name = \"...\"",
        "columns" => "columns(a, b)",
        "unique" => "unique",
        "using" => "using = \"gin\"",
        "where" => "where = \"deleted_at IS NULL\"",
        "nulls_not_distinct" => "nulls_not_distinct",
        "expr" => "expr = \"...\"",
        "relation" => "relation(belongs_to = \"author\", has_many = \"posts\")",
        _ => return None,
    })
}

/// The valid key nearest to `key` by edit distance, if it is a likely typo.
pub(super) fn closest<'a>(key: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (edit_distance(key, v), *v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 3) || v.starts_with(key) || key.starts_with(v))
        // On a tie, the key sharing the first letter (`dsc`: `desc`).
        .min_by_key(|(d, v)| (*d, v.chars().next() != key.chars().next()))
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::internals::attr::{COLUMN_KEYS, TABLE_KEYS};

    #[test]
    fn suggests_near_keys_only() {
        assert_eq!(closest("primary", COLUMN_KEYS), Some("primary_key"));
        assert_eq!(closest("uniqe", COLUMN_KEYS), Some("unique"));
        assert_eq!(closest("defualt_now", COLUMN_KEYS), Some("default_now"));
        assert_eq!(closest("nullable", COLUMN_KEYS), None);
        assert_eq!(closest("table", TABLE_KEYS), None);
        let options = super::super::index_key::KEY_OPTIONS;
        assert_eq!(closest("dsc", options), Some("desc"));
        assert_eq!(closest("nulls_frist", options), Some("nulls_first"));
    }
}
