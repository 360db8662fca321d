//! Names resolved once, during validation: the fields `primary_key(...)`,
//! `unique(...)`, `index(...)` and `foreign_key(...)` list become the columns they name, and
//! `on_delete` / `on_update` become an [`Action`]. Expansion reads these
//! facts and looks nothing up, so it has no case left to guess at.

use std::fmt;

use syn::Ident;

use super::ast::Table;
use super::attr::ACTIONS;
use super::ctxt::Ctxt;

/// A referential action, as `on_delete` and `on_update` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    Cascade,
    SetNull,
    SetDefault,
    Restrict,
    NoAction,
}

impl ActionKind {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "cascade" => ActionKind::Cascade,
            "set_null" => ActionKind::SetNull,
            "set_default" => ActionKind::SetDefault,
            "restrict" => ActionKind::Restrict,
            "no_action" => ActionKind::NoAction,
            _ => return None,
        })
    }

    /// The `pgtable::ReferentialAction` variant.
    pub fn variant(self) -> &'static str {
        match self {
            ActionKind::Cascade => "Cascade",
            ActionKind::SetNull => "SetNull",
            ActionKind::SetDefault => "SetDefault",
            ActionKind::Restrict => "Restrict",
            ActionKind::NoAction => "NoAction",
        }
    }
}

/// `on_delete = cascade`: the action and where it is written.
pub struct Action {
    pub ident: Ident,
    pub kind: ActionKind,
}

impl Action {
    /// The action `ident` names, or an error (naming `key`) listing the
    /// actions there are.
    pub fn resolve(cx: &Ctxt, key: &str, ident: Ident) -> Option<Action> {
        match ActionKind::from_name(&ident.to_string()) {
            Some(kind) => Some(Action { ident, kind }),
            None => {
                cx.error_spanned_by(
                    &ident,
                    format_args!(
                        "unknown action `{ident}` for `{key}`; expected one of: {}",
                        ACTIONS.join(", ")
                    ),
                );
                None
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.ident.fmt(f)
    }
}

impl quote::ToTokens for Action {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        self.ident.to_tokens(tokens);
    }
}

/// The table-level field lists, as positions in the table's columns.
#[derive(Default)]
pub struct Resolved {
    /// `primary_key(a, b)`.
    pub primary_key: Option<Vec<usize>>,
    /// Each `unique(...)`, in order.
    pub uniques: Vec<Vec<usize>>,
    /// Each `index(...)`, in order.
    pub indexes: Vec<Vec<usize>>,
    /// The columns of each `foreign_key(...)`, in order.
    pub foreign_keys: Vec<Vec<usize>>,
}

/// Resolves every field list of `table`, reporting each name that is not a
/// field (with the fields there are) and each listed twice. With no error
/// reported, every list is complete.
pub fn resolve(cx: &Ctxt, table: &Table) -> Resolved {
    let mut resolved = Resolved::default();
    if let (Some(fields), Some(span)) = (
        table.attrs.primary_key.get(),
        table.attrs.primary_key.span(),
    ) {
        resolved.primary_key = Some(list(cx, table, "primary_key", span, fields, false));
    }
    for unique in &table.attrs.unique {
        let columns = list(
            cx,
            table,
            "unique",
            unique.span,
            &unique.columns,
            unique.malformed,
        );
        resolved.uniques.push(columns);
    }
    for index in &table.attrs.indexes {
        let columns = list(
            cx,
            table,
            "index",
            index.span,
            &index.columns,
            index.malformed,
        );
        resolved.indexes.push(columns);
    }
    for fk in &table.attrs.foreign_keys {
        let columns = list(cx, table, "foreign_key", fk.span, &fk.columns, fk.malformed);
        resolved.foreign_keys.push(columns);
    }
    resolved
}

fn list(
    cx: &Ctxt,
    table: &Table,
    key: &str,
    span: proc_macro2::Span,
    fields: &[Ident],
    malformed: bool,
) -> Vec<usize> {
    // A list whose `columns` was written wrongly is reported once, there.
    if fields.is_empty() && !malformed {
        cx.error_at(
            span,
            format_args!(
                "`{key}(...)` needs at least one field, such as `{key}(user_id, group_id)`"
            ),
        );
    }
    let mut columns = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        match table.column_by_field(field) {
            None => {
                let known: Vec<String> =
                    table.columns.iter().map(|c| c.ident.to_string()).collect();
                cx.error_spanned_by(
                    field,
                    format_args!(
                        "`{key}` names `{field}`, which is not a field of `{}`; fields are: {}",
                        table.ident(),
                        known.join(", ")
                    ),
                );
            }
            Some(_) if fields[..i].contains(field) => cx.error_spanned_by(
                field,
                format_args!("`{field}` is listed twice in `{key}(...)`"),
            ),
            Some((position, _)) => columns.push(position),
        }
    }
    columns
}
