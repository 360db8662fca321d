//! Table-level constraints other than keys: `check(name = "…", expr = "…")`
//! and `foreign_key(columns(a, b), references(Other::A, Other::B), …)`, the
//! form a foreign key over several columns needs (one column's key is
//! written on the field, `references = Other::ID`).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Path};

use super::ast::Table;
use super::ctxt::Ctxt;
use super::keys::{field_list, unknown_key};
use super::resolve::{Action, ActionKind};

/// The keys of a table-level `check(...)`.
pub const CHECK_KEYS: &[&str] = &["name", "expr"];

/// The keys of a table-level `foreign_key(...)`.
pub const FOREIGN_KEY_KEYS: &[&str] = &["name", "columns", "references", "on_delete", "on_update"];

/// `check(name = "…", expr = "…")`.
pub struct TableCheck {
    pub span: Span,
    pub name: Option<LitStr>,
    pub expr: Option<LitStr>,
}

/// `foreign_key(name = "…", columns(a, b), references(Other::A, Other::B),
/// on_delete = cascade, on_update = cascade)`.
pub struct TableForeignKey {
    pub span: Span,
    pub name: Option<LitStr>,
    /// This table's fields, in order.
    pub columns: Vec<Ident>,
    /// The referenced column constants, in the same order.
    pub references: Vec<Path>,
    pub on_delete: Option<Action>,
    pub on_update: Option<Action>,
    /// A key in it was already reported as wrong.
    pub malformed: bool,
}

/// Parses `check(...)`.
pub fn table_check(cx: &Ctxt, meta: &ParseNestedMeta, span: Span) -> syn::Result<TableCheck> {
    let mut check = TableCheck {
        span,
        name: None,
        expr: None,
    };
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            check.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("expr") {
            check.expr = Some(inner.value()?.parse()?);
        } else {
            unknown_key(cx, &inner, "check", CHECK_KEYS)?;
        }
        Ok(())
    })?;
    Ok(check)
}

/// Parses `foreign_key(...)`.
pub fn table_foreign_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    span: Span,
) -> syn::Result<TableForeignKey> {
    let mut fk = TableForeignKey {
        span,
        name: None,
        columns: Vec::new(),
        references: Vec::new(),
        on_delete: None,
        on_update: None,
        malformed: false,
    };
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            fk.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("columns") {
            fk.columns.extend(field_list(&inner)?);
        } else if inner.path.is_ident("references") {
            let content;
            syn::parenthesized!(content in inner.input);
            let paths = content.parse_terminated(Path::parse_mod_style, syn::Token![,])?;
            fk.references.extend(paths);
        } else if inner.path.is_ident("on_delete") || inner.path.is_ident("on_update") {
            let key = if inner.path.is_ident("on_delete") {
                "on_delete"
            } else {
                "on_update"
            };
            let action = Action::resolve(cx, key, inner.value()?.parse()?);
            fk.malformed |= action.is_none();
            let slot = if key == "on_delete" {
                &mut fk.on_delete
            } else {
                &mut fk.on_update
            };
            if slot.is_some() {
                return Err(inner.error(format_args!("`{key}` is given twice")));
            }
            *slot = action;
        } else {
            fk.malformed = true;
            unknown_key(cx, &inner, "foreign_key", FOREIGN_KEY_KEYS)?;
        }
        Ok(())
    })?;
    Ok(fk)
}

/// The rules of a table-level foreign key that need no other field: as
/// many referenced columns as columns, all of one table, each written as
/// a column constant (`Other::ID`). That the fields exist is resolved with
/// the other field lists.
pub fn check_foreign_keys(cx: &Ctxt, table: &Table) {
    for fk in &table.attrs.foreign_keys {
        if fk.malformed {
            continue;
        }
        if fk.references.is_empty() {
            cx.error_at(
                fk.span,
                "`foreign_key(...)` needs the referenced columns: write `references(Other::A, Other::B)`",
            );
            continue;
        }
        if !fk.columns.is_empty() && fk.columns.len() != fk.references.len() {
            cx.error_at(
                fk.span,
                format_args!(
                    "`foreign_key(...)` lists {} column(s) and {} referenced column(s): give one referenced column for each column, in the same order",
                    fk.columns.len(),
                    fk.references.len()
                ),
            );
        }
        for path in &fk.references {
            if path.segments.len() < 2 {
                cx.error_spanned_by(
                    path,
                    "`references(...)` lists column constants: write `references(Other::A, Other::B)`",
                );
            }
        }
        for (key, action) in [("on_delete", &fk.on_delete), ("on_update", &fk.on_update)] {
            let Some(action) = action.as_ref().filter(|a| a.kind == ActionKind::SetNull) else {
                continue;
            };
            let not_null = fk.columns.iter().find(|field| {
                table
                    .column_by_field(field)
                    .is_some_and(|(_, column)| !column.is_option)
            });
            if let Some(field) = not_null {
                cx.error_spanned_by(
                    action,
                    format_args!(
                        "`{key} = set_null` needs nullable columns: make `{field}` an `Option<...>`, or choose another action"
                    ),
                );
            }
        }
        // The path without its last segment, as text (`syn::Path` has no
        // `PartialEq` without syn's `extra-traits`).
        let owner = |path: &Path| {
            let mut owner = path.clone();
            owner.segments.pop();
            owner.segments.pop_punct();
            quote::quote!(#owner).to_string()
        };
        let first = owner(&fk.references[0]);
        if let Some(other) = fk.references.iter().find(|p| owner(p) != first) {
            cx.error_spanned_by(
                other,
                "a foreign key references one table: every column in `references(...)` must be of the same table",
            );
        }
    }
}
