//! What `#[table]` emits beside its errors: the column constants and stub
//! `Table` and `Writable` impls, so that code elsewhere using `User::EMAIL`
//! or `User::select()` resolves, and the user sees the mistake in the
//! attributes once rather than again at every use.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::column_consts_of;
use crate::internals::ast::Table;

pub fn fallback(table: &Table) -> TokenStream {
    // Each constant once, even where two fields clash (one of the errors).
    let mut seen = Vec::new();
    let columns = table.columns.iter().enumerate().filter(|(_, c)| {
        let name = c.const_ident().to_string();
        let first = !seen.contains(&name);
        seen.push(name);
        first
    });
    let consts = column_consts_of(table, columns);
    let ident = table.ident();
    let name = &table.name;
    let insert = format_ident!("__{}PgtableFallbackInsert", ident);
    quote! {
        #consts

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub enum #insert {}

        impl ::pgtable::Insertable for #insert {
            type Table = #ident;
            const COLUMNS: &'static [usize] = &[];
            fn push_values<'a>(&'a self, _: &mut ::std::vec::Vec<::pgtable::InsertValue<'a>>) {
                match *self {}
            }
        }

        impl ::pgtable::Writable for #ident {
            type Insert = #insert;
        }

        impl ::pgtable::Table for #ident {
            const TABLE: &'static ::pgtable::TableDef = &::pgtable::TableDef::new(#name, &[]);

            fn create_table() -> &'static str {
                ::core::unreachable!("the table has errors, reported at compile time")
            }

            fn from_row_at(
                _: &::pgtable::__private::Row,
                _: usize,
            ) -> ::core::result::Result<Self, ::pgtable::Error> {
                ::core::unreachable!("the table has errors, reported at compile time")
            }
        }
    }
}
