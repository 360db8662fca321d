//! Foreign keys, indexes, checks and policies: the table-level lists of the
//! `TableDef`, gathered from column and table attributes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Path, PathSegment};

use crate::internals::ast::Table;
use crate::internals::index_key::IndexKey;
use crate::internals::resolve::{Action, Resolved};

/// Constants to define inside the `TableDef` constant, and the builder
/// calls that attach them.
pub struct Definitions {
    pub consts: TokenStream,
    pub builder_calls: TokenStream,
}

pub fn definitions(table: &Table, resolved: &Resolved) -> Definitions {
    let mut consts = TokenStream::new();
    let mut builder_calls = TokenStream::new();
    let lists = [
        (
            "FOREIGN_KEYS",
            "ForeignKeyDef",
            "foreign_keys",
            foreign_keys(table, resolved),
        ),
        ("INDEXES", "IndexDef", "indexes", indexes(table, resolved)),
        ("CHECKS", "CheckDef", "checks", checks(table)),
        ("POLICIES", "PolicyDef", "policies", policies(table)),
    ];
    for (name, ty, method, items) in lists {
        if items.is_empty() {
            continue;
        }
        let name = format_ident!("{name}");
        let ty = format_ident!("{ty}");
        let method = format_ident!("{method}");
        consts.extend(quote!(const #name: &[::pgtable::#ty] = &[#(#items),*];));
        builder_calls.extend(quote!(.#method(#name)));
    }
    Definitions {
        consts,
        builder_calls,
    }
}

/// The table type of `Other::COLUMN` (`Self` becomes the struct itself).
pub(super) fn table_of(table: &Table, column: &Path) -> Path {
    let mut path = column.clone();
    path.segments.pop();
    path.segments.pop_punct();
    if path.is_ident("Self") {
        path = PathSegment::from(table.ident().clone()).into();
    }
    path
}

/// `Other::COLUMN` as a path to the constant (`Self` becomes the struct).
pub(super) fn column_path(table: &Table, column: &Path) -> TokenStream {
    let mut path = column.clone();
    if let Some(first) = path.segments.first_mut()
        && first.ident == "Self"
    {
        first.ident = table.ident().clone();
    }
    quote!(#path)
}

fn foreign_keys(table: &Table, resolved: &Resolved) -> Vec<TokenStream> {
    let by_column = table.columns.iter().filter_map(|c| {
        let target = c.attrs.references.get()?;
        let (on_delete, on_update) = (c.attrs.on_delete.get(), c.attrs.on_update.get());
        let name = &c.name;
        Some(foreign_key(
            table,
            &[quote!(#name)],
            std::slice::from_ref(target),
            c.attrs.fk_name.get(),
            [on_delete, on_update],
        ))
    });
    let by_table = table
        .attrs
        .foreign_keys
        .iter()
        .zip(&resolved.foreign_keys)
        .map(|(fk, columns)| {
            let names: Vec<TokenStream> = columns
                .iter()
                .map(|&i| {
                    let name = &table.columns[i].name;
                    quote!(#name)
                })
                .collect();
            foreign_key(
                table,
                &names,
                &fk.references,
                fk.name.as_ref(),
                [fk.on_delete.as_ref(), fk.on_update.as_ref()],
            )
        });
    by_column.chain(by_table).collect()
}

/// One `ForeignKeyDef`: `columns` of this table referencing the column
/// constants `targets` (all of one table).
fn foreign_key(
    table: &Table,
    columns: &[TokenStream],
    targets: &[Path],
    name: Option<&syn::LitStr>,
    [on_delete, on_update]: [Option<&Action>; 2],
) -> TokenStream {
    let owner = table_of(table, &targets[0]);
    let foreign = targets.iter().map(|t| column_path(table, t));
    let mut def = quote! {
        ::pgtable::ForeignKeyDef::new(
            &[#(#columns),*],
            || <#owner as ::pgtable::Table>::table(),
            &[#(#foreign.name()),*],
        )
    };
    if let Some(name) = name {
        def.extend(quote!(.named(#name)));
    }
    for (method, action) in [("on_delete", on_delete), ("on_update", on_update)] {
        if let Some(action) = action {
            let method = format_ident!("{method}");
            let variant = format_ident!("{}", action.kind.variant());
            def.extend(quote!(.#method(::pgtable::ReferentialAction::#variant)));
        }
    }
    def
}

fn indexes(table: &Table, resolved: &Resolved) -> Vec<TokenStream> {
    let by_column = table
        .columns
        .iter()
        .filter(|c| c.attrs.index.is_set())
        .map(|c| {
            let name = &c.name;
            quote!(::pgtable::IndexDef::new(&[#name]))
        });
    let by_table = table
        .attrs
        .indexes
        .iter()
        .zip(&resolved.indexes)
        .map(|(index, columns)| {
            let names = columns.iter().map(|&i| &table.columns[i].name);
            let mut def = quote!(::pgtable::IndexDef::new(&[#(#names),*]));
            if let Some(name) = &index.name {
                def.extend(quote!(.named(#name)));
            }
            if index.keys.iter().any(IndexKey::has_options) {
                let keys = index.keys.iter().map(|key| {
                    let mut def = quote!(::pgtable::IndexKeyDef::ASC);
                    if key.desc {
                        def.extend(quote!(.desc()));
                    }
                    if let Some(first) = key.nulls_first {
                        def.extend(quote!(.nulls_first(#first)));
                    }
                    if let Some(opclass) = &key.opclass {
                        def.extend(quote!(.opclass(#opclass)));
                    }
                    def
                });
                def.extend(quote!(.keys(&[#(#keys),*])));
            }
            if let Some(predicate) = &index.predicate {
                def.extend(quote!(.predicate(#predicate)));
            }
            if index.unique {
                def.extend(quote!(.unique()));
            }
            if index.concurrently {
                def.extend(quote!(.concurrently()));
            }
            if let Some(using) = &index.using {
                def.extend(quote!(.using(#using)));
            }
            def
        });
    by_column.chain(by_table).collect()
}

fn checks(table: &Table) -> Vec<TokenStream> {
    let by_column = table.columns.iter().filter_map(|c| {
        let expr = c.attrs.check.get()?;
        // Drizzle's name for a column's check.
        let name = format!("{}_{}_check", table.name, c.name);
        Some(quote!(::pgtable::CheckDef::new(#name, #expr)))
    });
    let by_table = table.attrs.checks.iter().filter_map(|check| {
        let name = check.name.as_ref()?;
        let expr = check.expr.as_ref()?;
        Some(quote!(::pgtable::CheckDef::new(#name, #expr)))
    });
    by_column.chain(by_table).collect()
}

fn policies(table: &Table) -> Vec<TokenStream> {
    table
        .attrs
        .policies
        .iter()
        .filter_map(|policy| {
            let name = policy.name.as_ref()?;
            let mut def = quote!(::pgtable::PolicyDef::new(#name));
            if policy
                .kind
                .as_ref()
                .is_some_and(|k| k.value() == "restrictive")
            {
                def.extend(quote!(.restrictive()));
            }
            if let Some(command) = &policy.command {
                def.extend(quote!(.command(#command)));
            }
            if !policy.to.is_empty() {
                let roles = &policy.to;
                def.extend(quote!(.to(&[#(#roles),*])));
            }
            if let Some(using) = &policy.using {
                def.extend(quote!(.using(#using)));
            }
            if let Some(check) = &policy.with_check {
                def.extend(quote!(.with_check(#check)));
            }
            Some(def)
        })
        .collect()
}

/// A foreign key has the referenced column's type (or an `Option` of it):
/// checked on the field's type.
pub fn reference_checks(table: &Table) -> Vec<TokenStream> {
    let by_column = table
        .columns
        .iter()
        .filter_map(|c| Some((c.ty, c.attrs.references.get()?)));
    let by_table = table.attrs.foreign_keys.iter().flat_map(|fk| {
        fk.columns
            .iter()
            .zip(&fk.references)
            .filter_map(|(field, target)| Some((table.column_by_field(field)?.1.ty, target)))
    });
    by_column
        .chain(by_table)
        .map(|(ty, target)| {
            let foreign = column_path(table, target);
            quote_spanned!(ty.span()=> ::pgtable::__private::require_reference::<#ty, _>(#foreign);)
        })
        .collect()
}

/// PostgreSQL cuts names to 63 bytes: two constraint or index names of the
/// table that it would store the same are refused at compile time, by a
/// `const` evaluation whose panic message names them and says how to name
/// one. It runs on the resolved `TableDef`, so the names checked are the
/// names the DDL uses; foreign tables' names come from their own `TABLE`.
pub fn name_check(table: &Table) -> TokenStream {
    let ident = table.ident();
    let targets = table
        .columns
        .iter()
        .filter_map(|c| c.attrs.references.get());
    let targets = targets.chain(table.attrs.foreign_keys.iter().map(|fk| &fk.references[0]));
    let foreign = targets.map(|target| {
        let owner = table_of(table, target);
        quote!(<#owner as ::pgtable::Table>::TABLE.name)
    });
    quote_spanned! {ident.span()=>
        const _: () = ::pgtable::__private::check_derived_names(
            <#ident as ::pgtable::Table>::TABLE,
            &[#(#foreign),*],
        );
    }
}
