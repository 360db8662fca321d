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
                            ::pgtable::relations::BelongsTo::new(#this::#foreign, ::pgtable::__private::referenced_column(#key))
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
                            ::pgtable::relations::HasMany::new(::pgtable::__private::referenced_column(#key), #this::#foreign)
                        }
                    }
                }
            });
            let many_to_many = names.many_to_many.as_ref().and_then(|name| {
                let (_, other) = table.column_by_field(names.through.as_ref()?)?;
                let other_target = other.attrs.references.get()?;
                let target = column_path(table, other_target);
                let target_owner = table_of(table, other_target);
                let other_ty = other.ty;
                let other_const = other.const_ident();
                let function = format_ident!("{}", name.value(), span = name.span());
                let doc = format!(
                    "The `{}` rows related through the join table `{this}`: the relation `{}` (declared on `{this}::{field}`).",
                    quote!(#target_owner),
                    name.value()
                );
                Some(quote! {
                    #[allow(dead_code)]
                    impl #owner {
                        #[doc = #doc]
                        #vis fn #function() -> ::pgtable::relations::ManyToMany<#owner, #this, #target_owner, #field_ty, #other_ty> {
                            ::pgtable::relations::ManyToMany::new(
                                ::pgtable::__private::referenced_column(#key),
                                #this::#foreign,
                                #this::#other_const,
                                ::pgtable::__private::referenced_column(#target),
                            )
                        }
                    }
                })
            });
            Some(quote!(#belongs_to #has_many #many_to_many))
        })
        .collect()
}
