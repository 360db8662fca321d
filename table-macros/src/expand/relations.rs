//! Relations declared on a foreign key: `relation(belongs_to = "author",
//! has_many = "posts")` generates `Post::author()` and `User::posts()`,
//! with every type parameter written for the user.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::constraints::{column_path, table_of};
use crate::internals::ast::Table;

pub fn relations(table: &Table) -> TokenStream {
    let this = table.ident();
    let vis = table.vis();
    table
        .columns
        .iter()
        .filter_map(|c| {
            let names = c.attrs.relation.get()?;
            let target = c.attrs.references.get()?;
            let owner = table_of(table, target);
            let key = column_path(table, target);
            let field_ty = c.ty;
            let foreign = c.const_ident();
            let key_ty = quote_spanned!(field_ty.span()=> <#field_ty as ::pgtable::relations::KeyOf>::Key);
            let field = c.ident;
            let belongs_to = names.belongs_to.as_ref().map(|name| {
                let function = format_ident!("{}", name.value(), span = name.span());
                let doc = format!(
                    "The row this row's `{field}` refers to: the relation `{}` (declared on `{this}::{field}`).",
                    name.value()
                );
                quote! {
                    #[allow(dead_code)]
                    impl #this {
                        #[doc = #doc]
                        #vis fn #function() -> ::pgtable::relations::BelongsTo<#this, #owner, #field_ty, #key_ty> {
                            ::pgtable::relations::BelongsTo::new(#this::#foreign, #key)
                        }
                    }
                }
            });
            let has_many = names.has_many.as_ref().map(|name| {
                let function = format_ident!("{}", name.value(), span = name.span());
                let doc = format!(
                    "The `{this}` rows whose `{field}` refers to this row: the relation `{}` (declared on `{this}::{field}`).",
                    name.value()
                );
                quote! {
                    #[allow(dead_code)]
                    impl #owner {
                        #[doc = #doc]
                        #vis fn #function() -> ::pgtable::relations::HasMany<#owner, #this, #key_ty, #field_ty> {
                            ::pgtable::relations::HasMany::new(#key, #this::#foreign)
                        }
                    }
                }
            });
            Some(quote!(#belongs_to #has_many))
        })
        .collect()
}
