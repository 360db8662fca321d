//! `#[view(name = "…", sql = "…")]`: a struct whose rows a query gives,
//! selected from like a table (column constants, `Table`) but never
//! written to (no insert type, no `Writable`), plus `View` with its query.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::{Item, LitStr};

use super::{QuotedNames, column_consts, column_def, row_methods, strip_column_attrs};
use crate::internals::ast::Table;
use crate::internals::attr::{TableAttrs, is_column_attr};
use crate::internals::check;
use crate::internals::ctxt::Ctxt;
use crate::internals::keys::{key_span, no_value, unknown_key};

/// The keys `#[view(...)]` accepts.
const VIEW_KEYS: &[&str] = &["name", "schema", "sql", "materialized"];

/// `#[view(args)] item` -> the struct and its `Table` and `View` impls; or
/// the struct without `#[column]`, plus every error found.
pub fn view(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: Item = match syn::parse2(input) {
        Ok(item) => item,
        Err(err) => return err.to_compile_error(),
    };
    let cx = Ctxt::new();
    let (attrs, sql, materialized) = parse_args(&cx, args);
    only_names(&cx, &item);
    let model = Table::from_attrs(&cx, attrs, &item, "view");
    if let Some(model) = &model {
        check::check_view(&cx, model);
    }
    match (cx.check(), model, sql) {
        (Ok(()), Some(model), Some(sql)) => expand(&model, &sql, materialized),
        (result, _, _) => {
            let item = match &item {
                Item::Struct(s) => strip_column_attrs(s).into_token_stream(),
                other => other.into_token_stream(),
            };
            let errors = result.err().map(|e| e.to_compile_error());
            quote!(#item #errors)
        }
    }
}

/// `name`, `schema` (kept as the table model's), `sql` and `materialized`.
fn parse_args(cx: &Ctxt, args: TokenStream) -> (TableAttrs, Option<LitStr>, bool) {
    let mut attrs = TableAttrs::parse(cx, TokenStream::new());
    let mut sql: Option<LitStr> = None;
    let mut materialized = false;
    let parser = syn::meta::parser(|meta| {
        let span = key_span(&meta);
        if meta.path.is_ident("name") {
            attrs.name.set(cx, span, meta.value()?.parse()?);
        } else if meta.path.is_ident("schema") {
            attrs.schema.set(cx, span, meta.value()?.parse()?);
        } else if meta.path.is_ident("sql") {
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().trim().is_empty() {
                cx.error_spanned_by(&lit, "`sql` needs the view's query, such as `sql = \"SELECT id, title FROM posts WHERE published\"`");
            }
            sql = Some(lit);
        } else if meta.path.is_ident("materialized") {
            no_value(&meta)?;
            materialized = true;
        } else {
            unknown_key(cx, &meta, "view", VIEW_KEYS)?;
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    if sql.is_none() {
        cx.error_at(
            Span::call_site(),
            "missing view query: write `#[view(name = \"…\", sql = \"SELECT … FROM …\")]`",
        );
    }
    (attrs, sql, materialized)
}

/// A view's column takes only `name`: its type, constraints and defaults
/// belong to the tables the query reads.
fn only_names(cx: &Ctxt, item: &Item) {
    let Item::Struct(item) = item else { return };
    for attr in item
        .fields
        .iter()
        .flat_map(|f| &f.attrs)
        .filter(|a| is_column_attr(a))
    {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let _: LitStr = meta.value()?.parse()?;
            } else {
                cx.error_spanned_by(
                    &meta.path,
                    "a view's column takes only `name = \"…\"`: constraints, defaults and types belong to the tables its query reads",
                );
                if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    let _: TokenStream = meta.input.parse()?;
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
}

fn expand(view: &Table, sql: &LitStr, materialized: bool) -> TokenStream {
    let item = strip_column_attrs(view.item);
    let consts = column_consts(view);
    let ident = view.ident();
    let name = &view.name;
    let quoted = QuotedNames::of(view);
    let columns = view.columns.iter().map(|c| column_def(c, &quoted));
    let mut def = quote!(::pgtable::TableDef::new(#name, COLUMNS));
    if let Some(schema) = view.attrs.schema.get() {
        def.extend(quote!(.schema(#schema)));
    }
    def.extend(quoted.table_call());
    let materialized = materialized.then(|| quote!(.materialized()));
    let row_methods = row_methods(view);
    quote! {
        #item
        #consts

        impl ::pgtable::Table for #ident {
            const TABLE: &'static ::pgtable::TableDef = {
                const COLUMNS: &[::pgtable::ColumnDef] = &[#(#columns),*];
                &#def
            };

            fn create_table() -> &'static str {
                static DDL: ::pgtable::__private::OnceLock<::std::string::String> =
                    ::pgtable::__private::OnceLock::new();
                DDL.get_or_init(|| ::pgtable::ddl::create_view(<Self as ::pgtable::View>::VIEW))
            }

            #row_methods
        }

        impl ::pgtable::View for #ident {
            const VIEW: &'static ::pgtable::ViewDef = &::pgtable::ViewDef::new(
                <Self as ::pgtable::Table>::TABLE,
                #sql,
            )#materialized;
        }
    }
}
