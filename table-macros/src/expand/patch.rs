//! The patch type (`UserPatch`): a partial update, Drizzle's
//! `db.update(users).set({ name })`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::internals::ast::{Column, Table};

/// Whether a column is part of the primary key (on the column or in the
/// table's `primary_key(..)`).
fn is_key(table: &Table, column: &Column) -> bool {
    column.attrs.primary_key.is_set()
        || table
            .attrs
            .primary_key
            .get()
            .is_some_and(|fields| fields.iter().any(|f| f == column.ident))
}

/// `UserPatch`: every column but the key, identity and generated columns, as an
/// `Option` (`Option<Option<T>>` for a nullable one), and its
/// `pgtable::query::Patch` impl.
pub fn patch(table: &Table) -> TokenStream {
    let vis = table.vis();
    let select = table.ident();
    let ident = format_ident!("{}Patch", select);
    let columns: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| !is_key(table, c) && !c.attrs.identity.is_set() && !c.attrs.generated.is_set())
        .collect();
    let doc = format!(
        "A partial update of [`{select}`] (table `{}`): each field that is `Some` is set, \
         the others are left as they are (`Some(None)` sets a nullable column to NULL). \
         Apply it with `{select}::update().set_patch(patch)`.",
        table.name
    );
    let fields = columns.iter().map(|c| {
        let field_vis = &c.field.vis;
        let name = c.ident;
        let ty = c.ty;
        let docs = c.field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        quote!(#(#docs)* #field_vis #name: ::core::option::Option<#ty>)
    });
    let sets = columns.iter().map(|c| {
        let name = c.ident;
        let column = c.const_ident();
        quote_spanned! {c.ty.span()=>
            if let ::core::option::Option::Some(value) = self.#name {
                sets.push(::pgtable::query::__patch_set(#select::#column, value));
            }
        }
    });
    let derives = table.insert_derives();
    quote! {
        #[doc = #doc]
        // Generated for every table: not a warning where it goes unused.
        #[allow(dead_code)]
        #[derive(::core::default::Default)]
        #derives
        #vis struct #ident {
            #(#fields,)*
        }

        impl ::pgtable::query::Patch<#select> for #ident {
            fn __sets(self) -> ::std::vec::Vec<(&'static str, ::pgtable::query::Node)> {
                let mut sets = ::std::vec::Vec::new();
                #(#sets)*
                sets
            }
        }
    }
}
