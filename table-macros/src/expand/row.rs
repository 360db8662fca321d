//! Decoding a row into the struct: `from_row_at`, the faster
//! `__from_row_at_nullable` of a table keyed by one column, and `__field`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::type_label;
use crate::internals::ast::{Column, Table};

/// `from_row_at` and `__field` of the `Table` impl: decoding a row by
/// position, and reading a decoded row's field by column index.
pub(crate) fn row_methods(table: &Table) -> TokenStream {
    let fields_by_index = table.columns.iter().enumerate().map(|(i, c)| {
        let field = c.ident;
        quote!(#i => ::core::option::Option::Some(&self.#field))
    });
    let decode = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| decode_field(i, c));
    let nullable = nullable_row_method(table);
    quote! {
            fn from_row_at(
                row: &::pgtable::__private::Row,
                offset: usize,
            ) -> ::core::result::Result<Self, ::pgtable::Error> {
                ::core::result::Result::Ok(Self {
                    #(#decode,)*
                })
            }

            #nullable

            fn __field(&self, index: usize) -> ::core::option::Option<&dyn ::core::any::Any> {
                match index {
                    #(#fields_by_index,)*
                    _ => ::core::option::Option::None,
                }
            }
    }
}

/// `field: <Type as SqlType>::__decode(row, offset + i, …)?`: column `i`
/// of a row, decoded into its field.
fn decode_field(i: usize, c: &Column) -> TokenStream {
    let ident = c.ident;
    let ty = c.ty;
    let label = type_label(ty);
    quote_spanned! {ty.span()=>
        #ident: <#ty as ::pgtable::SqlType>::__decode(row, offset + #i, Self::TABLE, #i, #label)?
    }
}

/// `__from_row_at_nullable` for a table whose key is one column: the key
/// is decoded once, as an `Option`, and a NULL key (a left join that found
/// no row) is `None` without reading the other columns. Other tables keep
/// the trait's, which checks every key column first.
fn nullable_row_method(table: &Table) -> TokenStream {
    let mut keys = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.attrs.primary_key.is_set());
    let (Some((key_index, key)), None, false) =
        (keys.next(), keys.next(), table.attrs.primary_key.is_set())
    else {
        return TokenStream::new();
    };
    let decode = table.columns.iter().enumerate().map(|(i, c)| {
        if i == key_index {
            let ident = c.ident;
            quote!(#ident: __key)
        } else {
            decode_field(i, c)
        }
    });
    let (ty, label) = (key.ty, type_label(key.ty));
    quote! {
            fn __from_row_at_nullable(
                row: &::pgtable::__private::Row,
                offset: usize,
            ) -> ::core::result::Result<::core::option::Option<Self>, ::pgtable::Error> {
                // Not the field's name, which could be `row` or `offset`.
                let ::core::option::Option::Some(__key) =
                    <::core::option::Option<#ty> as ::pgtable::SqlType>::__decode(
                        row,
                        offset + #key_index,
                        Self::TABLE,
                        #key_index,
                        #label,
                    )?
                else {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                };
                ::core::result::Result::Ok(::core::option::Option::Some(Self {
                    #(#decode,)*
                }))
            }
    }
}
