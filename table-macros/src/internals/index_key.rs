//! The keys of an index in `index(columns(a, b desc nulls_last))`: a
//! field, then how it is ordered and compared.

use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

/// What may follow a field in an index's `columns(...)`.
pub const KEY_OPTIONS: &[&str] = &["asc", "desc", "nulls_first", "nulls_last", "opclass"];

/// One key of an index: its field, and its options where given.
pub struct IndexKey {
    pub field: Ident,
    /// `desc` (`asc` is the default).
    pub desc: bool,
    /// `nulls_first` (`Some(true)`) or `nulls_last` (`Some(false)`).
    pub nulls_first: Option<bool>,
    /// `opclass = "jsonb_path_ops"`.
    pub opclass: Option<LitStr>,
}

impl IndexKey {
    /// A field with no options.
    pub fn plain(field: Ident) -> Self {
        IndexKey {
            field,
            desc: false,
            nulls_first: None,
            opclass: None,
        }
    }

    /// Whether it says more than its field.
    pub fn has_options(&self) -> bool {
        self.desc || self.nulls_first.is_some() || self.opclass.is_some()
    }
}

/// Parses `a, b desc nulls_last, c opclass = "…"`.
pub fn parse_keys(input: ParseStream) -> syn::Result<Vec<IndexKey>> {
    let keys = Punctuated::<IndexKey, Token![,]>::parse_terminated_with(input, parse_key)?;
    Ok(keys.into_iter().collect())
}

fn parse_key(input: ParseStream) -> syn::Result<IndexKey> {
    let mut key = IndexKey {
        field: input.parse()?,
        desc: false,
        nulls_first: None,
        opclass: None,
    };
    let (mut order, mut nulls): (Option<Ident>, Option<Ident>) = (None, None);
    while !input.is_empty() && !input.peek(Token![,]) {
        let option: Ident = input.parse()?;
        let word = option.to_string();
        match word.as_str() {
            "asc" | "desc" => {
                if let Some(first) = &order {
                    return Err(syn::Error::new(
                        option.span(),
                        format!(
                            "`{}` already orders `{}`: write one of `asc` and `desc`",
                            first, key.field
                        ),
                    ));
                }
                key.desc = word == "desc";
                order = Some(option);
            }
            "nulls_first" | "nulls_last" => {
                if let Some(first) = &nulls {
                    return Err(syn::Error::new(
                        option.span(),
                        format!(
                            "`{}` already places the NULLs of `{}`: write one of `nulls_first` and `nulls_last`",
                            first, key.field
                        ),
                    ));
                }
                key.nulls_first = Some(word == "nulls_first");
                nulls = Some(option);
            }
            "opclass" => {
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        option.span(),
                        "`opclass` names an operator class: write `opclass = \"jsonb_path_ops\"`",
                    ));
                }
                input.parse::<Token![=]>()?;
                let class: LitStr = input.parse()?;
                let name = class.value();
                let word = |part: &str| {
                    part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                };
                if !name.split('.').all(word) {
                    return Err(syn::Error::new(
                        class.span(),
                        "`opclass` names an operator class, such as `opclass = \"jsonb_path_ops\"` (a name, optionally schema-qualified)",
                    ));
                }
                key.opclass = Some(class);
            }
            _ => {
                let mut msg = format!("unknown option `{word}` after `{}` in an index", key.field);
                if let Some(near) = super::keys::closest(&word, KEY_OPTIONS) {
                    msg.push_str(&format!("; did you mean `{near}`?"));
                }
                msg.push_str(
                    "\nafter a column, an index takes: asc, desc, nulls_first, nulls_last, opclass = \"…\"",
                );
                return Err(syn::Error::new(option.span(), msg));
            }
        }
    }
    Ok(key)
}
