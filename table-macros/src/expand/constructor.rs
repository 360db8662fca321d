//! `NewUser::new(required…)` and a setter for each optional field, so that
//! adding a nullable or defaulted column does not break every literal of
//! the insert type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::internals::ast::{InsertField, Table, option_inner};

/// The constructor and setters of the insert type; nothing when a field
/// is named `new` (the constructor's name).
pub fn constructor(table: &Table) -> TokenStream {
    let carried: Vec<_> = table
        .columns
        .iter()
        .filter(|c| c.insert_field() != InsertField::Absent)
        .collect();
    if carried.iter().any(|c| c.ident == "new") {
        return TokenStream::new();
    }
    let vis = table.vis();
    let ident = &table.insert_ident;
    let required: Vec<_> = carried
        .iter()
        .filter(|c| c.insert_field() == InsertField::AsDeclared && !c.is_option)
        .collect();
    let params = required.iter().map(|c| {
        let (name, ty) = (c.ident, c.ty);
        quote!(#name: #ty)
    });
    let fields = carried.iter().map(|c| {
        let name = c.ident;
        if required.iter().any(|r| r.ident == c.ident) {
            quote!(#name)
        } else {
            quote!(#name: ::core::option::Option::None)
        }
    });
    let setters = carried
        .iter()
        .filter(|c| !required.iter().any(|r| r.ident == c.ident))
        .map(|c| {
            let name = c.ident;
            // A defaulted field holds `Option<T>` of its declared type; a
            // nullable one is declared `Option<T>` itself.
            let value = match c.insert_field() {
                InsertField::DefaultIfNone => c.ty,
                _ => option_inner(c.ty).unwrap_or(c.ty),
            };
            let doc = format!("Sets `{name}` (left out, it is NULL or its default).");
            quote! {
                #[doc = #doc]
                #vis fn #name(mut self, value: #value) -> Self {
                    self.#name = ::core::option::Option::Some(value);
                    self
                }
            }
        });
    let doc = format!(
        "A new row from its required fields; the others are NULL or take their defaults until set (`.{}(…)`).",
        carried
            .iter()
            .find(|c| !required.iter().any(|r| r.ident == c.ident))
            .map_or_else(|| "field".to_owned(), |c| c.ident.to_string())
    );
    quote! {
        // Generated for every table: not a warning where it goes unused.
        #[allow(dead_code)]
        impl #ident {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn new(#(#params),*) -> Self {
                #ident { #(#fields),* }
            }

            #(#setters)*
        }
    }
}
