//! Rules that look at more than one attribute or field. Each rule is its
//! own function and reports through the context; none stops the others.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::LitStr;

use super::ast::{Column, Table};
use super::check_type;
use super::ctxt::Ctxt;
use super::resolve::ActionKind;

/// PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1).
use pgtable_naming::MAX_IDENTIFIER_BYTES as MAX_IDENT_BYTES;

/// The rules of a `#[view]`: names, and columns that are each declared
/// once (a view's columns take no other attribute than `name`).
pub fn check_view(cx: &Ctxt, table: &Table) {
    check_table_names(cx, table);
    check_has_columns(cx, table);
    for column in &table.columns {
        check_column_name(cx, column);
        check_not_doubly_optional(cx, column);
    }
    check_duplicate_columns(cx, table);
    check_duplicate_constants(cx, table);
}

pub fn check(cx: &Ctxt, table: &Table) {
    check_table_names(cx, table);
    check_has_columns(cx, table);
    check_insert_name(cx, table);
    for column in &table.columns {
        check_column_name(cx, column);
        check_one_default(cx, column);
        check_type::check_one_type(cx, column);
        check_generated(cx, column);
        check_on_update(cx, column);
        check_not_doubly_optional(cx, column);
        check_primary_key_not_null(cx, column);
        check_references(cx, column);
        check_column_check(cx, column);
    }
    check_table_indexes(cx, table);
    check_insert_derive(cx, table);
    check_table_checks(cx, table);
    super::constraint::check_foreign_keys(cx, table);
    super::policy::check_policies(cx, &table.attrs.policies);
    check_duplicate_columns(cx, table);
    check_duplicate_constants(cx, table);
    check_one_primary_key(cx, table);
    check_many_to_many(cx, table);
}

/// `through` names another field of the join table, one with `references`.
fn check_many_to_many(cx: &Ctxt, table: &Table) {
    for column in &table.columns {
        let Some(field) = column.attrs.relation.get().and_then(|r| r.through.as_ref()) else {
            continue;
        };
        match table.column_by_field(field) {
            None => cx.error_spanned_by(
                field,
                format_args!("`through = {field}`: this table has no field `{field}`"),
            ),
            Some((_, other)) if other.ident == column.ident => cx.error_spanned_by(
                field,
                "`through` names the join table's other foreign key, not this one",
            ),
            Some((_, other)) if !other.attrs.references.is_set() => cx.error_spanned_by(
                field,
                format_args!("`through = {field}`: `{field}` needs `references = Other::KEY`, the table the relation leads to"),
            ),
            Some(_) => {}
        }
    }
}

fn check_identifier(cx: &Ctxt, span: Span, what: &str, value: &str) {
    if value.is_empty() {
        cx.error_at(
            span,
            format_args!("{what} cannot be empty: give a name such as `name = \"users\"`"),
        );
    } else if value.len() > MAX_IDENT_BYTES {
        cx.error_at(
            span,
            format_args!(
                "{what} `{value}` is {} bytes long; PostgreSQL truncates names to {MAX_IDENT_BYTES} bytes: use a shorter name",
                value.len()
            ),
        );
    }
}

fn check_table_names(cx: &Ctxt, table: &Table) {
    if let Some(lit) = table.attrs.name.get() {
        check_identifier(cx, lit.span(), "the table name", &table.name);
    }
    if let Some(lit) = table.attrs.schema.get() {
        check_identifier(cx, lit.span(), "the schema name", &lit.value());
    }
    if let Some(lit) = table.attrs.renamed_from.get() {
        check_identifier(cx, lit.span(), "the previous table name", &lit.value());
    }
}

fn check_has_columns(cx: &Ctxt, table: &Table) {
    if table.columns.is_empty() {
        cx.error_spanned_by(
            &table.item.ident,
            "the struct needs at least one field: add a field per column",
        );
    }
}

fn check_insert_name(cx: &Ctxt, table: &Table) {
    if table.insert_ident == *table.ident() {
        let span = table.attrs.insert.span().unwrap_or_else(Span::call_site);
        cx.error_at(
            span,
            format_args!(
                "the insert type cannot have the table struct's own name: write e.g. `insert = \"New{}\"`",
                table.ident()
            ),
        );
    }
}

fn check_column_name(cx: &Ctxt, column: &Column) {
    let span = match column.attrs.name.get() {
        Some(lit) => lit.span(),
        None => column.ident.span(),
    };
    check_identifier(cx, span, "the column name", &column.name);
}

fn check_one_default(cx: &Ctxt, column: &Column) {
    let a = &column.attrs;
    at_most_one(
        cx,
        &[
            ("default", a.default.span()),
            ("default_sql", a.default_sql.span()),
            ("default_now", a.default_now.span()),
            ("default_random", a.default_random.span()),
            ("identity", a.identity.span()),
            ("serial", a.serial.span()),
            ("generated", a.generated.span()),
        ],
        "a column gets its value from one default",
    );
    not_blank(
        cx,
        a.default_sql.get(),
        "`default_sql` needs an SQL expression, such as `default_sql = \"now()\"`; for a value write `default = <value>`",
    );
}

fn check_on_update(cx: &Ctxt, column: &Column) {
    let a = &column.attrs;
    at_most_one(
        cx,
        &[
            ("on_update_now", a.on_update_now.span()),
            ("on_update_sql", a.on_update_sql.span()),
        ],
        "an update sets the column one way",
    );
    not_blank(
        cx,
        a.on_update_sql.get(),
        "`on_update_sql` needs an SQL expression, such as `on_update_sql = \"revision + 1\"`",
    );
    if let Some(span) = a.on_update_now.span().or(a.on_update_sql.span())
        && (a.generated.is_set() || a.identity.is_set())
    {
        cx.error_at(
            span,
            "a generated or identity column cannot be set by an update: leave out `on_update_now` / `on_update_sql`",
        );
    }
}

fn check_generated(cx: &Ctxt, column: &Column) {
    not_blank(
        cx,
        column.attrs.generated.get(),
        "`generated` needs an SQL expression over the row's columns, such as `generated = \"price * quantity\"`",
    );
}

/// NULL is one value: `Some(None)` would be written as NULL and read back
/// as `None`.
fn check_not_doubly_optional(cx: &Ctxt, column: &Column) {
    if super::ast::option_inner(column.ty)
        .and_then(super::ast::option_inner)
        .is_some()
    {
        cx.error_spanned_by(
            column.ty,
            "a column cannot be `Option<Option<T>>`: NULL is one value, so `Some(None)` would be read back as `None`; use `Option<T>`",
        );
    }
}

fn check_primary_key_not_null(cx: &Ctxt, column: &Column) {
    if column.attrs.primary_key.is_set() && column.is_option {
        cx.error_spanned_by(
            column.ty,
            "a primary key column cannot be NULL: remove the `Option` from its type",
        );
    }
}

fn check_duplicate_columns(cx: &Ctxt, table: &Table) {
    let mut seen: HashMap<&str, &Column> = HashMap::new();
    for column in &table.columns {
        if let Some(first) = seen.get(column.name.as_str()) {
            let span = column
                .attrs
                .name
                .get()
                .map_or_else(|| column.ident.span(), |lit| lit.span());
            cx.error_at(
                span,
                format_args!(
                    "column `{}` is declared twice (first by field `{}`): give one of them another `#[column(name = \"...\")]`",
                    column.name, first.ident
                ),
            );
        } else {
            seen.insert(&column.name, column);
        }
    }
}

/// Each field gives a column constant (`created_at` -> `CREATED_AT`): two
/// fields that differ only in case would give the same one.
fn check_duplicate_constants(cx: &Ctxt, table: &Table) {
    let mut seen: HashMap<String, &Column> = HashMap::new();
    for column in &table.columns {
        let constant = column.const_ident().to_string();
        if let Some(first) = seen.get(&constant) {
            cx.error_spanned_by(
                column.ident,
                format_args!(
                    "fields `{}` and `{}` both give the column constant `{}::{constant}`: rename one of the fields",
                    first.ident,
                    column.ident,
                    table.ident()
                ),
            );
        } else {
            seen.insert(constant, column);
        }
    }
}

fn check_one_primary_key(cx: &Ctxt, table: &Table) {
    let keys: Vec<(&Column, Span)> = table
        .columns
        .iter()
        .filter_map(|c| c.attrs.primary_key.span().map(|s| (c, s)))
        .collect();
    if let [(first, _), rest @ ..] = keys.as_slice() {
        for (column, span) in rest {
            cx.error_at(
                *span,
                format_args!(
                    "a table has one primary key, and `{}` is already it; for a key over several columns write `#[table(primary_key({}, {}))]` and drop the column attributes",
                    first.ident, first.ident, column.ident
                ),
            );
        }
        if let Some(span) = table.attrs.primary_key.span() {
            cx.error_at(
                span,
                format_args!(
                    "`primary_key(...)` conflicts with `#[column(primary_key)]` on `{}`: declare the key in one place",
                    first.ident
                ),
            );
        }
    }
}

fn check_references(cx: &Ctxt, column: &Column) {
    let a = &column.attrs;
    if let (Some(name), false) = (a.fk_name.get(), a.references.is_set()) {
        cx.error_spanned_by(
            name,
            "`fk_name` names a foreign key: it goes with `references`, as in `references = Other::ID, fk_name = \"...\"`",
        );
    }
    for (key, slot) in [("on_delete", &a.on_delete), ("on_update", &a.on_update)] {
        let Some(action) = slot.get() else { continue };
        if !a.references.is_set() {
            cx.error_spanned_by(
                action,
                format_args!("`{key}` goes with `references`: write `references = Other::ID, {key} = {action}`"),
            );
        }
        if action.kind == ActionKind::SetNull && !column.is_option {
            cx.error_spanned_by(
                action,
                format_args!(
                    "`{key} = set_null` needs a nullable column: make `{}` an `Option<...>`, or choose another action",
                    column.ident
                ),
            );
        }
    }
    if let Some(names) = a.relation.get() {
        let given = [&names.belongs_to, &names.has_many, &names.many_to_many];
        if !a.references.is_set() {
            cx.error_at(
                a.relation.span().unwrap_or_else(proc_macro2::Span::call_site),
                "`relation(...)` names the relations of a foreign key: it goes with `references`, as in `references = User::ID, relation(belongs_to = \"author\", has_many = \"posts\")`",
            );
        } else if given.iter().all(|n| n.is_none()) {
            cx.error_at(
                a.relation.span().unwrap_or_else(proc_macro2::Span::call_site),
                "`relation(...)` is empty: name at least one of `belongs_to = \"...\"` (a function on this table) and `has_many = \"...\"` (one on the referenced table)",
            );
        }
        match (&names.many_to_many, &names.through) {
            (Some(name), None) => cx.error_spanned_by(
                name,
                "`many_to_many` goes through this join table's other foreign key: add `through = other_field`",
            ),
            (None, Some(field)) => cx.error_spanned_by(
                field,
                "`through` names the other foreign key of a `many_to_many = \"...\"` relation",
            ),
            _ => {}
        }
        for name in given.into_iter().flatten() {
            if syn::parse_str::<syn::Ident>(&name.value()).is_err() {
                cx.error_spanned_by(
                    name,
                    format_args!(
                        "`{}` is not a Rust function name: write a snake_case identifier such as \"author\"",
                        name.value()
                    ),
                );
            }
        }
    }
    if let Some(path) = a.references.get()
        && path.segments.len() < 2
    {
        cx.error_spanned_by(
            path,
            "`references` names a column constant: write `references = Other::ID`",
        );
    }
}

fn check_column_check(cx: &Ctxt, column: &Column) {
    not_blank(
        cx,
        column.attrs.check.get(),
        "`check` needs an SQL condition, such as `check = \"rating >= 0\"`",
    );
}

/// The insert type implements `Debug` and `Clone` already, the patch
/// `Default`: deriving them again would be a conflict reported far from
/// the attribute.
fn check_insert_derive(cx: &Ctxt, table: &Table) {
    for path in table.attrs.insert_derive.get().into_iter().flatten() {
        let Some(last) = path.segments.last() else {
            continue;
        };
        let name = last.ident.to_string();
        if ["Debug", "Clone", "Default"].contains(&name.as_str()) {
            cx.error_spanned_by(
                path,
                format_args!(
                    "`{name}` is implemented already (the insert type has `Debug` and `Clone`, the patch `Default`): leave it out of `insert_derive(...)`"
                ),
            );
        }
    }
}

fn check_table_indexes(cx: &Ctxt, table: &Table) {
    for index in &table.attrs.indexes {
        not_blank(
            cx,
            index.using.as_ref(),
            "`using` names an index method, such as `using = \"gin\"`",
        );
        if let Some(name) = &index.name {
            check_identifier(cx, name.span(), "the index name", &name.value());
        }
        not_blank(
            cx,
            index.predicate.as_ref(),
            "`where` needs an SQL condition, such as `where = \"deleted_at IS NULL\"`",
        );
    }
}

fn check_table_checks(cx: &Ctxt, table: &Table) {
    for check in &table.attrs.checks {
        match &check.name {
            Some(name) => check_identifier(cx, name.span(), "the check name", &name.value()),
            None => cx.error_at(
                check.span,
                "a table-level `check` needs a name: write `check(name = \"posts_dates_check\", expr = \"...\")`",
            ),
        }
        match &check.expr {
            Some(expr) if !expr.value().trim().is_empty() => {}
            Some(expr) => cx.error_spanned_by(expr, "`expr` needs an SQL condition"),
            None => cx.error_at(
                check.span,
                "a table-level `check` needs an SQL condition: write `check(name = \"...\", expr = \"starts_at < ends_at\")`",
            ),
        }
    }
}

/// `primary_key(a, b)`, `unique(a, b)` and `index(a, b)` must name
/// distinct fields of the struct.
/// One error, on the second of the `keys` given, when two of them are: they
/// set the same thing (`why`).
pub(super) fn at_most_one(cx: &Ctxt, keys: &[(&str, Option<Span>)], why: &str) {
    let mut given = keys.iter().filter_map(|(key, span)| Some((*key, (*span)?)));
    if let (Some((first, _)), Some((second, span))) = (given.next(), given.next()) {
        cx.error_at(
            span,
            format_args!("`{second}` conflicts with `{first}`: {why}; keep one of them"),
        );
    }
}

/// An error on `text` when it is given but blank (an SQL expression,
/// type or name the attribute needs).
pub(super) fn not_blank(cx: &Ctxt, text: Option<&LitStr>, message: &str) {
    if let Some(text) = text
        && text.value().trim().is_empty()
    {
        cx.error_spanned_by(text, message);
    }
}
