//! `#[column(default = <value>)]`: a typed default, written as a Rust value
//! and rendered by pgtable as an SQL literal. SQL text goes in
//! `default_sql = "…"` instead.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, Path, UnOp};

/// What `default = …` holds, by the kind of value written.
pub enum DefaultKind {
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal, possibly negative; `sql` is its decimal text.
    Int { sql: String },
    /// A literal with a fraction or exponent, possibly negative.
    Float { sql: String },
    /// A string literal: text, quoted by pgtable.
    Text(String),
    /// A path such as `PostStatus::Draft`: a variant of a `PgEnum`.
    Variant(Path),
}

/// A parsed `default = …` value with the tokens it was written as.
pub struct DefaultValue {
    pub kind: DefaultKind,
    /// The value as written, for spans and type checks.
    pub expr: Expr,
}

const EXPECTED: &str = "`default` takes a value: `true`, `0`, `2.5`, `\"text\"` or an enum variant such as `Status::Draft`; for SQL such as `now()` write `default_sql = \"now()\"`";

impl syn::parse::Parse for DefaultValue {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let expr: Expr = input.parse()?;
        let kind = kind_of(&expr).ok_or_else(|| syn::Error::new(expr.span(), EXPECTED))?;
        if let DefaultKind::Text(text) = &kind
            && text.contains('\0')
        {
            return Err(syn::Error::new(
                expr.span(),
                "a text default cannot contain a NUL character: PostgreSQL text cannot hold one",
            ));
        }
        Ok(DefaultValue { kind, expr })
    }
}

fn kind_of(expr: &Expr) -> Option<DefaultKind> {
    match expr {
        Expr::Lit(ExprLit { lit, attrs }) if attrs.is_empty() => match lit {
            Lit::Bool(b) => Some(DefaultKind::Bool(b.value)),
            Lit::Int(i) => Some(DefaultKind::Int {
                sql: i.base10_digits().to_owned(),
            }),
            Lit::Float(f) => Some(DefaultKind::Float {
                sql: f.base10_digits().to_owned(),
            }),
            Lit::Str(s) => Some(DefaultKind::Text(s.value())),
            _ => None,
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            attrs,
        }) if attrs.is_empty() => match kind_of(expr)? {
            DefaultKind::Int { sql } => Some(DefaultKind::Int {
                sql: format!("-{sql}"),
            }),
            DefaultKind::Float { sql } => Some(DefaultKind::Float {
                sql: format!("-{sql}"),
            }),
            _ => None,
        },
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            Some(DefaultKind::Variant(path.path.clone()))
        }
        _ => None,
    }
}

impl DefaultValue {
    pub fn span(&self) -> Span {
        self.expr.span()
    }

    /// The default as an SQL expression: a `&'static str` expression for
    /// `ColumnDef::default`. A variant's label is only known once the enum
    /// is compiled, so it is read from the enum's derive.
    pub fn sql_tokens(&self) -> TokenStream {
        match &self.kind {
            DefaultKind::Bool(b) => {
                let sql = if *b { "true" } else { "false" };
                quote!(#sql)
            }
            DefaultKind::Int { sql } | DefaultKind::Float { sql } => quote!(#sql),
            DefaultKind::Text(text) => {
                let sql = quote_literal(text);
                quote!(#sql)
            }
            DefaultKind::Variant(path) => {
                quote::quote_spanned!(self.span()=> (#path).__pgtable_default_sql())
            }
        }
    }

    /// A statement, for a `const` block, that fails to compile on the
    /// value unless it fits the field's type.
    pub fn type_check(&self, field_ty: &syn::Type) -> TokenStream {
        let value = self.expr.to_token_stream();
        let span = self.span();
        // Reported on the value: it is what the user wrote wrong, or the
        // field type right beside it.
        let field_ty = located_at(field_ty.to_token_stream(), span);
        match &self.kind {
            DefaultKind::Bool(_) => quote::quote_spanned!(span=>
                ::pgtable::__private::require_bool_default::<#field_ty>();
            ),
            DefaultKind::Int { .. } => quote::quote_spanned!(span=>
                let _: <#field_ty as ::pgtable::__private::IntDefault>::Literal = #value;
            ),
            DefaultKind::Float { .. } => quote::quote_spanned!(span=>
                let _: <#field_ty as ::pgtable::__private::FloatDefault>::Literal = #value;
            ),
            DefaultKind::Text(_) => quote::quote_spanned!(span=>
                ::pgtable::__private::require_text_default::<#field_ty>();
            ),
            DefaultKind::Variant(_) => quote::quote_spanned!(span=>
                let _: <#field_ty as ::pgtable::__private::EnumDefault>::Enum = #value;
            ),
        }
    }
}

/// `tokens`, resolved where they were written but reported at `span`.
fn located_at(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), located_at(group.stream(), span));
                inner.set_span(group.span().located_at(span));
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(tree.span().located_at(span));
            }
            tree
        })
        .collect()
}

/// `text` as an SQL string literal.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> syn::Result<DefaultValue> {
        syn::parse_str(src)
    }

    fn sql(src: &str) -> String {
        let tokens = parse(src).unwrap().sql_tokens();
        syn::parse2::<syn::LitStr>(tokens).unwrap().value()
    }

    #[test]
    fn literals_render_as_sql() {
        assert_eq!(sql("true"), "true");
        assert_eq!(sql("false"), "false");
        assert_eq!(sql("0"), "0");
        assert_eq!(sql("-12"), "-12");
        assert_eq!(sql("1_000i64"), "1000");
        assert_eq!(sql("0x10"), "16");
        assert_eq!(sql("2.5"), "2.5");
        assert_eq!(sql("-0.5"), "-0.5");
        assert_eq!(sql("1e3"), "1e3");
        assert_eq!(sql(r#""draft""#), "'draft'");
        assert_eq!(sql(r#""it's""#), "'it''s'");
    }

    #[test]
    fn sql_text_and_expressions_are_refused() {
        for bad in ["now()", "1 + 2", "-true", "-\"x\"", "'a'", "[1]"] {
            let err = match parse(bad) {
                Ok(_) => panic!("{bad} parsed"),
                Err(err) => err.to_string(),
            };
            assert!(
                err.contains("default_sql") || err.contains("expected"),
                "{bad}: {err}"
            );
        }
        let nul = parse(r#""a\0b""#).err().unwrap().to_string();
        assert!(nul.contains("NUL"), "{nul}");
    }
}
