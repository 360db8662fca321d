//! Code generation from a checked table model.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Item, ItemStruct, LitStr};

mod constraints;
mod constructor;
mod fallback;
mod patch;
mod relations;
mod row;
mod view;

pub use view::view;

use crate::internals::ast::{Column, InsertField, Table};
use crate::internals::attr::is_column_attr;
use crate::internals::resolve::{self, Resolved};
use crate::internals::{check, ctxt::Ctxt};
pub(crate) use row::row_methods;

/// `#[table(args)] item` -> the struct, its insert type and trait impls; or
/// the struct unchanged but for `#[column]`, plus every error found.
pub fn table(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: Item = match syn::parse2(input) {
        Ok(item) => item,
        Err(err) => return err.to_compile_error(),
    };
    let cx = Ctxt::new();
    let model = Table::from_ast(&cx, args, &item);
    let resolved = model.as_ref().map(|model| {
        check::check(&cx, model);
        resolve::resolve(&cx, model)
    });
    let result = cx.check();
    if let (Ok(()), Some(model), Some(resolved)) = (&result, &model, &resolved) {
        return expand(model, resolved);
    }
    // Keep the struct so that code using it still resolves, and the column
    // constants and stub impls, so that the user sees only the errors that
    // matter.
    let item = match &item {
        Item::Struct(s) => strip_column_attrs(s).into_token_stream(),
        other => other.into_token_stream(),
    };
    let errors = result.err().map(|err| err.to_compile_error());
    let fallback = model.as_ref().map(fallback::fallback);
    quote!(#item #errors #fallback)
}

pub(crate) fn strip_column_attrs(item: &ItemStruct) -> ItemStruct {
    let mut item = item.clone();
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !is_column_attr(a));
    }
    item
}

fn expand(table: &Table, resolved: &Resolved) -> TokenStream {
    let item = strip_column_attrs(table.item);
    let insert_struct = insert_struct(table);
    let constructor = constructor::constructor(table);
    let patch = patch::patch(table);
    let relations = relations::relations(table);
    let column_consts = column_consts(table);
    let table_impl = table_impl(table, resolved);
    let insertable_impl = insertable_impl(table);
    let primary_key_impl = primary_key_impl(table, resolved);
    let type_checks = type_checks(table);
    let name_check = constraints::name_check(table);
    quote! {
        #item
        #insert_struct
        #constructor
        #patch
        #column_consts
        #relations
        #table_impl
        #insertable_impl
        #primary_key_impl
        #type_checks
        #name_check
    }
}

fn insert_struct(table: &Table) -> TokenStream {
    let vis = table.vis();
    let ident = &table.insert_ident;
    let select = table.ident();
    let doc = format!(
        "The insert type of [`{select}`] (table `{}`): the values of one new row.\n\n\
         Columns with a default are `Option`s here (`None` takes the default); \
         identity columns are left out.",
        table.name
    );
    let mut all_optional = true;
    let fields = table.columns.iter().filter_map(|c| {
        let field_vis = &c.field.vis;
        let name = c.ident;
        let docs = c.field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let ty = c.ty;
        let ty = match c.insert_field() {
            InsertField::Absent => return None,
            InsertField::AsDeclared => {
                all_optional &= c.is_option;
                quote!(#ty)
            }
            InsertField::DefaultIfNone => quote!(::core::option::Option<#ty>),
        };
        Some(quote!(#(#docs)* #field_vis #name: #ty))
    });
    let fields: Vec<TokenStream> = fields.collect();
    let default = all_optional.then(|| quote!(#[derive(::core::default::Default)]));
    let debug_clone = insert_debug_clone(table);
    let derives = table.insert_derives();
    quote! {
        #[doc = #doc]
        #default
        #derives
        #vis struct #ident {
            #(#fields,)*
        }
        #debug_clone
    }
}

/// `Debug` and `Clone` for the insert type. Written out rather than derived
/// so that each field goes through `<#ty as SqlType>` on its own span: a
/// column type with no mapping is then one error, not three.
fn insert_debug_clone(table: &Table) -> TokenStream {
    let ident = &table.insert_ident;
    let name = ident.to_string();
    let carried: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.insert_field() != InsertField::Absent)
        .collect();
    let debug_fields = carried.iter().map(|c| {
        let field = c.ident;
        let label = field.unraw().to_string();
        let ty = c.ty;
        match c.insert_field() {
            InsertField::DefaultIfNone => quote_spanned! {ty.span()=>
                .field(#label, &self.#field.as_ref().map(<#ty as ::pgtable::SqlType>::__debug))
            },
            _ => quote_spanned! {ty.span()=>
                .field(#label, <#ty as ::pgtable::SqlType>::__debug(&self.#field))
            },
        }
    });
    let clone_fields = carried.iter().map(|c| {
        let field = c.ident;
        let ty = c.ty;
        match c.insert_field() {
            InsertField::DefaultIfNone => quote_spanned! {ty.span()=>
                #field: self.#field.as_ref().map(<#ty as ::pgtable::SqlType>::__clone)
            },
            _ => quote_spanned! {ty.span()=>
                #field: <#ty as ::pgtable::SqlType>::__clone(&self.#field)
            },
        }
    });
    quote! {
        impl ::core::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#name)
                    #(#debug_fields)*
                    .finish()
            }
        }

        impl ::core::clone::Clone for #ident {
            fn clone(&self) -> Self {
                Self {
                    #(#clone_fields,)*
                }
            }
        }
    }
}

pub(crate) fn column_consts(table: &Table) -> TokenStream {
    column_consts_of(table, table.columns.iter().enumerate())
}

/// The constants of the columns given, by their index in the table.
pub(crate) fn column_consts_of<'c>(
    table: &Table,
    columns: impl Iterator<Item = (usize, &'c Column<'c>)>,
) -> TokenStream {
    let select = table.ident();
    let consts = columns.map(|(i, c)| {
        let vis = &c.field.vis;
        let name = c.const_ident();
        let ty = c.ty;
        let sql_name = &c.name;
        let doc = format!("Column `{sql_name}` of table `{}`.", table.name);
        quote! {
            #[doc = #doc]
            #vis const #name: ::pgtable::Column<#select, #ty> = ::pgtable::Column::new(#i, #sql_name);
        }
    });
    quote! {
        #[allow(dead_code)]
        impl #select {
            #(#consts)*
        }
    }
}

/// A table's (or view's) quoted names, written here once rather than by
/// every query: its name (`"users"`, or `"app"."users"`) and its columns'
/// list, unqualified (`"id", "email"`) and qualified by the table
/// (`"users"."id", "users"."email"`, for joins).
pub(crate) struct QuotedNames {
    table: String,
    columns: String,
    qualified_columns: String,
}

impl QuotedNames {
    pub(crate) fn of(table: &Table) -> Self {
        let schema = table.attrs.schema.get().map(LitStr::value);
        let table_name =
            pgtable_naming::table_name(schema.as_deref().unwrap_or("public"), &table.name);
        let (mut columns, mut qualified_columns) = (String::new(), String::new());
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                columns.push_str(", ");
                qualified_columns.push_str(", ");
            }
            pgtable_naming::push_ident(&mut columns, &column.name);
            qualified_columns.push_str(&table_name);
            qualified_columns.push('.');
            pgtable_naming::push_ident(&mut qualified_columns, &column.name);
        }
        QuotedNames {
            table: table_name,
            columns,
            qualified_columns,
        }
    }

    /// `.quoted(..)` for the `TableDef`, after every other builder call
    /// (`.schema(..)` clears it).
    pub(crate) fn table_call(&self) -> TokenStream {
        let (table, columns, qualified) = (&self.table, &self.columns, &self.qualified_columns);
        quote!(.quoted(#table, #columns, #qualified))
    }

    /// `.qualified(..)` for a column's `ColumnDef`: `"users"."email"`.
    fn column_call(&self, column: &Column) -> TokenStream {
        let mut qualified = format!("{}.", self.table);
        pgtable_naming::push_ident(&mut qualified, &column.name);
        quote!(.qualified(#qualified))
    }
}

pub(crate) fn column_def(c: &Column, quoted: &QuotedNames) -> TokenStream {
    let ty = c.ty;
    let name = &c.name;
    let field = c.ident.to_string();
    let sql_type = match c.sql_type_override() {
        Some(sql) => quote!(::pgtable::SqlTypeName::builtin(#sql)),
        None => quote_spanned!(ty.span()=> <#ty as ::pgtable::SqlType>::SQL_TYPE),
    };
    let nullable = quote_spanned!(ty.span()=> <#ty as ::pgtable::SqlType>::NULLABLE);
    let enum_type = quote_spanned!(ty.span()=> <#ty as ::pgtable::SqlType>::ENUM);
    let mut def = quote!(::pgtable::ColumnDef::new(#name, #field, #sql_type, #nullable).enum_type(#enum_type));
    if c.attrs.primary_key.is_set() {
        def.extend(quote!(.primary_key()));
    }
    if c.attrs.unique.is_set() {
        def.extend(quote!(.unique()));
    }
    if let Some(default) = c.default_sql() {
        def.extend(quote!(.default(#default)));
    }
    if c.attrs.identity.is_set() {
        if c.attrs.identity_by_default {
            def.extend(quote!(.identity_by_default()));
        } else {
            def.extend(quote!(.identity()));
        }
    }
    if c.attrs.serial.is_set() {
        def.extend(quote!(.serial()));
    }
    if let Some(expr) = c.attrs.generated.get() {
        def.extend(quote!(.generated(#expr)));
    }
    if c.attrs.on_update_now.is_set() {
        def.extend(quote!(.on_update("now()")));
    } else if let Some(expr) = c.attrs.on_update_sql.get() {
        def.extend(quote!(.on_update(#expr)));
    }
    if let Some(old) = c.attrs.renamed_from.get() {
        def.extend(quote!(.renamed_from(#old)));
    }
    def.extend(quoted.column_call(c));
    def
}

fn table_impl(table: &Table, resolved: &Resolved) -> TokenStream {
    let select = table.ident();
    let insert = &table.insert_ident;
    let name = &table.name;
    let quoted = QuotedNames::of(table);
    let columns = table.columns.iter().map(|c| column_def(c, &quoted));

    let mut def = quote!(::pgtable::TableDef::new(#name, COLUMNS));
    if let Some(schema) = table.attrs.schema.get() {
        def.extend(quote!(.schema(#schema)));
    }
    if let Some(old) = table.attrs.renamed_from.get() {
        def.extend(quote!(.renamed_from(#old)));
    }
    if table.attrs.rls.is_set() {
        def.extend(quote!(.rls()));
    }
    if let Some(key) = &resolved.primary_key {
        let names = key.iter().map(|&i| &table.columns[i].name);
        def.extend(quote!(.primary_key(&[#(#names),*])));
    }
    let unique = table
        .attrs
        .unique
        .iter()
        .zip(&resolved.uniques)
        .map(|(unique, columns)| {
            let names = columns.iter().map(|&i| &table.columns[i].name);
            let mut def = quote!(::pgtable::UniqueDef::new(&[#(#names),*]));
            if let Some(name) = &unique.name {
                def.extend(quote!(.named(#name)));
            }
            if unique.nulls_not_distinct {
                def.extend(quote!(.nulls_not_distinct()));
            }
            def
        });
    let unique: Vec<TokenStream> = unique.collect();
    if !unique.is_empty() {
        def.extend(quote!(.unique(UNIQUE)));
    }
    let constraints = constraints::definitions(table, resolved);
    def.extend(constraints.builder_calls);
    def.extend(quoted.table_call());
    let constraint_consts = constraints.consts;

    let row_methods = row_methods(table);

    quote! {
        impl ::pgtable::Writable for #select {
            type Insert = #insert;
        }

        impl ::pgtable::Table for #select {
            const TABLE: &'static ::pgtable::TableDef = {
                const COLUMNS: &[::pgtable::ColumnDef] = &[#(#columns),*];
                const UNIQUE: &[::pgtable::UniqueDef] = &[#(#unique),*];
                #constraint_consts
                &#def
            };

            fn create_table() -> &'static str {
                static DDL: ::pgtable::__private::OnceLock<::std::string::String> =
                    ::pgtable::__private::OnceLock::new();
                DDL.get_or_init(|| ::pgtable::ddl::create_table(<Self as ::pgtable::Table>::TABLE))
            }

            #row_methods
        }
    }
}

fn insertable_impl(table: &Table) -> TokenStream {
    let select = table.ident();
    let insert = &table.insert_ident;
    let carried: Vec<(usize, &Column)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.insert_field() != InsertField::Absent)
        .collect();
    let indices = carried.iter().map(|(i, _)| i);
    let always_bound = carried
        .iter()
        .all(|(_, c)| c.insert_field() != InsertField::DefaultIfNone && !c.none_is_default());
    // Every use names `<#ty as SqlType>` on the field's span, so a type
    // with no mapping is one error there, not one per use.
    let pushes = carried.iter().map(|(_, c)| {
        let ident = c.ident;
        let ty = c.ty;
        let bind = |value: TokenStream| quote_spanned!(ty.span()=> <#ty as ::pgtable::SqlType>::__bind(#value));
        match c.insert_field() {
            InsertField::DefaultIfNone => {
                let bind = bind(quote!(value));
                quote! {
                    out.push(match &self.#ident {
                        ::core::option::Option::Some(value) => #bind,
                        ::core::option::Option::None => ::pgtable::InsertValue::Default,
                    });
                }
            }
            // A nullable column with a default: `None` is the default too.
            _ if c.none_is_default() => {
                let bind = bind(quote!(&self.#ident));
                quote! {
                    out.push(match &self.#ident {
                        ::core::option::Option::Some(_) => #bind,
                        ::core::option::Option::None => ::pgtable::InsertValue::Default,
                    });
                }
            }
            _ => {
                let bind = bind(quote!(&self.#ident));
                quote!(out.push(#bind);)
            }
        }
    });
    quote! {
        impl ::pgtable::Insertable for #insert {
            type Table = #select;

            const COLUMNS: &'static [usize] = &[#(#indices),*];
            const ALWAYS_BOUND: bool = #always_bound;

            fn push_values<'a>(
                &'a self,
                out: &mut ::std::vec::Vec<::pgtable::InsertValue<'a>>,
            ) {
                let _ = &out;
                #(#pushes)*
            }
        }
    }
}

/// `impl PrimaryKey`: the key is the primary key column's type, or a tuple
/// of the types of a `primary_key(a, b)`. No key, no impl.
fn primary_key_impl(table: &Table, resolved: &Resolved) -> TokenStream {
    let select = table.ident();
    let columns: Vec<&Column> = match &resolved.primary_key {
        Some(key) => key.iter().map(|&i| &table.columns[i]).collect(),
        None => table
            .columns
            .iter()
            .filter(|c| c.attrs.primary_key.is_set())
            .collect(),
    };
    let (key, filter) = match columns.as_slice() {
        [] => return TokenStream::new(),
        [column] => {
            let ty = column.ty;
            let name = column.const_ident();
            (quote!(#ty), quote!(Self::#name.eq(key)))
        }
        columns => {
            let types = columns.iter().map(|c| c.ty);
            let conditions = columns.iter().enumerate().map(|(i, c)| {
                let name = c.const_ident();
                let i = syn::Index::from(i);
                quote!(Self::#name.eq(key.#i))
            });
            (
                quote!((#(#types,)*)),
                quote!(::pgtable::Expr::all([#(#conditions),*])),
            )
        }
    };
    quote! {
        impl ::pgtable::PrimaryKey for #select {
            type Key = #key;

            fn key_filter(key: Self::Key) -> ::pgtable::Expr<Self> {
                #filter
            }
        }
    }
}

/// Attribute/type fit checks, each reported on the field's type.
fn type_checks(table: &Table) -> TokenStream {
    let checks = table.columns.iter().flat_map(|c| {
        let ty = c.ty;
        let a = &c.attrs;
        [
            (a.default_now.is_set(), "require_now_default"),
            (a.default_random.is_set(), "require_random_default"),
            (a.identity.is_set(), "require_identity"),
            (a.serial.is_set(), "require_serial"),
            (a.on_update_now.is_set(), "require_on_update_now"),
            (a.varchar.is_set() || a.char.is_set(), "require_text"),
            (a.numeric.is_set(), "require_numeric"),
            (a.timestamp.is_set(), "require_timestamp"),
            (a.timestamptz.is_set(), "require_timestamptz"),
            (a.json.is_set(), "require_json"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(move |(_, check)| {
            let check = syn::Ident::new(check, ty.span());
            quote_spanned!(ty.span()=> ::pgtable::__private::#check::<#ty>();)
        })
    });
    let mut checks: Vec<TokenStream> = checks.collect();
    checks.extend(
        table
            .columns
            .iter()
            .filter_map(|c| Some(c.attrs.default.get()?.type_check(c.ty))),
    );
    checks.extend(constraints::reference_checks(table));
    if checks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = {
            #(#checks)*
        };
    }
}

/// The field's type as a person writes it: `Option<NaiveDateTime>`.
pub(crate) fn type_label(ty: &syn::Type) -> String {
    let raw = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let glue = matches!(prev, Some('<' | ':' | '&' | '(' | '['))
                || matches!(next, Some('<' | '>' | ':' | ',' | ';' | ')' | ']'));
            if glue {
                continue;
            }
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::type_label;

    #[test]
    fn type_labels_read_like_source() {
        let ty: syn::Type = syn::parse_quote!(Option<chrono::DateTime<chrono::Utc>>);
        assert_eq!(type_label(&ty), "Option<chrono::DateTime<chrono::Utc>>");
        let ty: syn::Type = syn::parse_quote!(Vec<(i32, [u8; 4])>);
        assert_eq!(type_label(&ty), "Vec<(i32, [u8; 4])>");
    }
}

#[cfg(test)]
mod snapshots;
