//! `#[derive(PgEnum)]`: a fieldless Rust enum stored as a PostgreSQL enum.
//!
//! Parse and validate into a small model, then expand; errors are collected
//! in a context like `#[table]`'s.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, LitStr};

use crate::internals::attr::Attr;
use crate::internals::case::{RENAME_RULES, rename, snake};
use crate::internals::ctxt::Ctxt;
use crate::internals::default::quote_literal;
use crate::internals::keys::{key_span, unknown_key};

const ENUM_KEYS: &[&str] = &["name", "schema", "rename_all"];
const VARIANT_KEYS: &[&str] = &["rename"];

struct Model {
    ident: Ident,
    name: String,
    schema: Option<String>,
    variants: Vec<(Ident, String)>,
}

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    let cx = Ctxt::new();
    let model = parse(&cx, &input);
    match cx.check() {
        Ok(()) => expand(&model),
        Err(err) => err.to_compile_error(),
    }
}

fn parse(cx: &Ctxt, input: &DeriveInput) -> Model {
    // The table macro's slots: a key given twice is an error, not an
    // overwrite, and an unknown one is named with the valid keys.
    let mut name: Attr<LitStr> = Attr::none("pg_enum", "name");
    let mut schema: Attr<LitStr> = Attr::none("pg_enum", "schema");
    let mut rule: Attr<LitStr> = Attr::none("pg_enum", "rename_all");
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("pg_enum")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = key_span(&meta);
            if meta.path.is_ident("name") {
                name.set(cx, span, meta.value()?.parse()?);
            } else if meta.path.is_ident("schema") {
                schema.set(cx, span, meta.value()?.parse()?);
            } else if meta.path.is_ident("rename_all") {
                rule.set(cx, span, meta.value()?.parse()?);
            } else {
                unknown_key(cx, &meta, "pg_enum", ENUM_KEYS)?;
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    let (name, schema, rule) = (
        name.get().cloned(),
        schema.get().cloned(),
        rule.get().cloned(),
    );
    if let Some(rule) = &rule
        && rename("x", &rule.value()).is_none()
    {
        cx.error_spanned_by(
            rule,
            format_args!(
                "unknown `rename_all` rule; expected one of: {}",
                RENAME_RULES.join(", ")
            ),
        );
    }
    for (what, lit) in [("type name", &name), ("schema name", &schema)] {
        if let Some(lit) = lit
            && lit.value().is_empty()
        {
            cx.error_spanned_by(lit, format_args!("the {what} cannot be empty"));
        }
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(&input.generics, "`PgEnum` enums cannot be generic");
    }

    let mut variants = Vec::new();
    match &input.data {
        Data::Enum(data) => {
            if data.variants.is_empty() {
                cx.error_spanned_by(&input.ident, "a `PgEnum` needs at least one variant");
            }
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    cx.error_spanned_by(
                        &variant.fields,
                        "`PgEnum` variants cannot carry data: a PostgreSQL enum value is a label only",
                    );
                }
                let value = variant_value(cx, variant, rule.as_ref());
                if let Some((first, _)) = variants
                    .iter()
                    .find(|(_, v): &&(Ident, String)| *v == value)
                {
                    cx.error_spanned_by(
                        &variant.ident,
                        format_args!(
                            "the value `{value}` is already taken by `{first}`: give one of them `#[pg_enum(rename = \"...\")]`"
                        ),
                    );
                }
                variants.push((variant.ident.clone(), value));
            }
        }
        _ => cx.error_at(
            Span::call_site(),
            "`PgEnum` derives for enums without fields, such as `enum Status { Draft, Published }`",
        ),
    }
    Model {
        ident: input.ident.clone(),
        name: name.map_or_else(|| snake(&input.ident.to_string()), |n| n.value()),
        schema: schema.map(|s| s.value()),
        variants,
    }
}

fn variant_value(cx: &Ctxt, variant: &syn::Variant, rule: Option<&LitStr>) -> String {
    let mut renamed: Attr<String> = Attr::none("pg_enum variant", "rename");
    for attr in variant
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("pg_enum"))
    {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    cx.error_spanned_by(&lit, "an enum value cannot be empty");
                }
                renamed.set(cx, key_span(&meta), lit.value());
                Ok(())
            } else {
                unknown_key(cx, &meta, "pg_enum variant", VARIANT_KEYS)
            }
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    let ident = variant.ident.to_string();
    renamed.get().cloned().unwrap_or_else(|| match rule {
        Some(rule) => rename(&ident, &rule.value()).unwrap_or(ident),
        None => snake(&ident),
    })
}

fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let name = &model.name;
    let values: Vec<&String> = model.variants.iter().map(|(_, v)| v).collect();
    let variants: Vec<&Ident> = model.variants.iter().map(|(i, _)| i).collect();
    let literals = values
        .iter()
        .map(|v| syn::LitByteStr::new(v.as_bytes(), Span::call_site()));
    let (def, sql_type) = match &model.schema {
        Some(schema) => (
            quote!(::pgtable::EnumDef::new(#name, &[#(#values),*]).schema(#schema)),
            quote!(::pgtable::SqlTypeName::user_defined_in(#schema, #name)),
        ),
        None => (
            quote!(::pgtable::EnumDef::new(#name, &[#(#values),*])),
            quote!(::pgtable::SqlTypeName::user_defined(#name)),
        ),
    };
    let sql_literals = values.iter().map(|v| quote_literal(v));
    let pt = quote!(::pgtable::postgres_types);
    quote! {
        impl ::pgtable::PgEnum for #ident {
            const DEF: &'static ::pgtable::EnumDef = &#def;
        }

        impl ::pgtable::__private::EnumDefault for #ident {
            type Enum = Self;
        }

        impl #ident {
            /// The variant as an SQL literal, for `#[column(default = …)]`.
            #[doc(hidden)]
            pub const fn __pgtable_default_sql(&self) -> &'static str {
                match self {
                    #(Self::#variants => #sql_literals,)*
                }
            }
        }

        impl ::pgtable::SqlType for #ident {
            const SQL_TYPE: ::pgtable::SqlTypeName = #sql_type;
            const ENUM: ::core::option::Option<&'static ::pgtable::EnumDef> =
                ::core::option::Option::Some(<Self as ::pgtable::PgEnum>::DEF);
        }

        impl ::pgtable::ArrayElement for #ident {}

        impl #pt::ToSql for #ident {
            fn to_sql(
                &self,
                _ty: &#pt::Type,
                out: &mut ::pgtable::__private::BytesMut,
            ) -> ::core::result::Result<#pt::IsNull, ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>> {
                let label: &str = match self {
                    #(Self::#variants => #values,)*
                };
                out.extend_from_slice(label.as_bytes());
                ::core::result::Result::Ok(#pt::IsNull::No)
            }

            fn accepts(ty: &#pt::Type) -> bool {
                ty.name() == #name
            }

            #pt::to_sql_checked!();
        }

        impl<'a> #pt::FromSql<'a> for #ident {
            fn from_sql(
                _ty: &#pt::Type,
                raw: &'a [u8],
            ) -> ::core::result::Result<Self, ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>> {
                match raw {
                    #(#literals => ::core::result::Result::Ok(Self::#variants),)*
                    other => ::core::result::Result::Err(::std::format!(
                        "`{}` is not a value of enum {}",
                        ::std::string::String::from_utf8_lossy(other),
                        #name,
                    ).into()),
                }
            }

            fn accepts(ty: &#pt::Type) -> bool {
                ty.name() == #name
            }
        }
    }
}
