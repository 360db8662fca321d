//! `sql!("lower({})", User::EMAIL)`: SQL text with arguments where it says
//! `{}`, split at compile time into its pieces, so a count of `{}` that
//! differs from the arguments is a compile error on the text.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Token};

struct Input {
    text: LitStr,
    args: Punctuated<Expr, Token![,]>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let text: LitStr = input.parse()?;
        let args = if input.is_empty() {
            Punctuated::new()
        } else {
            input.parse::<Token![,]>()?;
            Punctuated::parse_terminated(input)?
        };
        Ok(Input { text, args })
    }
}

pub fn sql(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let Input { text, args } = syn::parse2(input)?;
    let pieces = split(&text.value()).map_err(|reason| syn::Error::new(text.span(), reason))?;
    let holes = pieces.len() - 1;
    if holes != args.len() {
        return Err(syn::Error::new(
            text.span(),
            format!(
                "this fragment has {holes} `{{}}` but {} argument{} given: put one argument for each `{{}}` (write `{{{{` and `}}}}` for a literal brace)",
                args.len(),
                if args.len() == 1 { " was" } else { "s were" },
            ),
        ));
    }
    let args = args.iter().map(|arg| {
        quote_spanned! {syn::spanned::Spanned::span(arg)=> .__arg(#arg) }
    });
    Ok(quote! {
        ::pgtable::query::SqlFragment::__new(&[#(#pieces),*]) #(#args)*
    })
}

/// The text between the `{}`s, with `{{` and `}}` as literal braces.
fn split(text: &str) -> Result<Vec<String>, String> {
    let mut pieces = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                pieces.last_mut().expect("one piece at least").push(c);
            }
            ('{', Some('}')) => {
                chars.next();
                pieces.push(String::new());
            }
            ('{', _) => {
                return Err("a lone `{` in an `sql!` fragment: write `{}` for an argument, or `{{` for a literal brace".into());
            }
            ('}', _) => {
                return Err(
                    "a lone `}` in an `sql!` fragment: write `}}` for a literal brace".into(),
                );
            }
            _ => pieces.last_mut().expect("one piece at least").push(c),
        }
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn text_splits_at_each_hole_and_keeps_escaped_braces() {
        assert_eq!(split("lower({})").unwrap(), ["lower(", ")"]);
        assert_eq!(
            split("{} || '{{\"k\":1}}'").unwrap(),
            ["", " || '{\"k\":1}'"]
        );
        assert_eq!(split("now()").unwrap(), ["now()"]);
        assert!(split("{x}").is_err());
        assert!(split("a } b").is_err());
    }
}
