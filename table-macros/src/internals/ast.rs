//! The model of one table, built from the struct and its attributes. It is
//! the only input of validation and expansion.

use proc_macro2::{Span, TokenStream};
use quote::format_ident;
use syn::ext::IdentExt;
use syn::{
    Field, Fields, GenericArgument, Ident, Item, ItemStruct, PathArguments, Type, Visibility,
};

use super::attr::{ColumnAttrs, TableAttrs};
use super::ctxt::Ctxt;

/// A struct annotated with `#[table]`.
pub struct Table<'a> {
    pub item: &'a ItemStruct,
    pub attrs: TableAttrs,
    /// The SQL table name.
    pub name: String,
    /// The insert type's name (`NewUser` unless `insert = "..."`).
    pub insert_ident: Ident,
    pub columns: Vec<Column<'a>>,
}

/// One field, and so one column.
pub struct Column<'a> {
    pub field: &'a Field,
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: ColumnAttrs,
    /// The SQL column name.
    pub name: String,
    /// The Rust type is written `Option<...>`.
    pub is_option: bool,
}

/// How a column appears in the insert type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertField {
    /// Not in the insert type: the database always generates it (identity).
    Absent,
    /// Present as the field's own type.
    AsDeclared,
    /// Present as `Option<field type>`: `None` takes the column's default.
    DefaultIfNone,
}

impl<'a> Table<'a> {
    /// Builds the model; reports what is wrong with the item's shape and
    /// attributes. Returns `None` when the item is not a struct with named fields.
    pub fn from_ast(cx: &Ctxt, args: TokenStream, item: &'a Item) -> Option<Self> {
        let attrs = TableAttrs::parse(cx, args);
        Self::from_attrs(cx, attrs, item, "table")
    }

    /// Builds the model from attributes already parsed, for `#[table]` or
    /// `#[view]` (`macro_name`, for messages).
    pub fn from_attrs(
        cx: &Ctxt,
        attrs: TableAttrs,
        item: &'a Item,
        macro_name: &str,
    ) -> Option<Self> {
        let item = struct_item(cx, item, macro_name)?;

        let name = match attrs.name.get() {
            Some(lit) => lit.value(),
            None => {
                cx.error_at(
                    Span::call_site(),
                    format_args!(
                        "missing {macro_name} name: write `#[{macro_name}(name = \"{}\")]`",
                        suggested_table_name(&item.ident.to_string())
                    ),
                );
                String::new()
            }
        };
        let insert_ident = match attrs.insert.get() {
            Some(ident) => ident.clone(),
            None => format_ident!("New{}", item.ident),
        };
        let columns = match &item.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .map(|f| Column::from_ast(cx, f))
                .collect(),
            _ => unreachable!("struct_item only accepts named fields"),
        };
        Some(Table {
            item,
            attrs,
            name,
            insert_ident,
            columns,
        })
    }

    pub fn ident(&self) -> &'a Ident {
        &self.item.ident
    }

    /// `#[derive(…)]` of `insert_derive(…)`, for the insert type and the
    /// patch; nothing when not given.
    pub fn insert_derives(&self) -> proc_macro2::TokenStream {
        match self.attrs.insert_derive.get() {
            Some(paths) if !paths.is_empty() => quote::quote!(#[derive(#(#paths),*)]),
            _ => proc_macro2::TokenStream::new(),
        }
    }

    pub fn vis(&self) -> &'a Visibility {
        &self.item.vis
    }

    /// The column declared by the Rust field `ident`.
    pub fn column_by_field(&self, ident: &Ident) -> Option<(usize, &Column<'a>)> {
        self.columns
            .iter()
            .enumerate()
            .find(|(_, c)| c.ident == ident)
    }
}

impl<'a> Column<'a> {
    fn from_ast(cx: &Ctxt, field: &'a Field) -> Self {
        let attrs = ColumnAttrs::parse(cx, &field.attrs);
        let ident = field.ident.as_ref().expect("named field");
        let name = match attrs.name.get() {
            Some(lit) => lit.value(),
            None => ident.unraw().to_string(),
        };
        Column {
            field,
            ident,
            ty: &field.ty,
            is_option: option_inner(&field.ty).is_some(),
            attrs,
            name,
        }
    }

    /// The column's default, as an expression of type `&'static str` (SQL),
    /// if it has one.
    pub fn default_sql(&self) -> Option<TokenStream> {
        if let Some(value) = self.attrs.default.get() {
            Some(value.sql_tokens())
        } else if let Some(lit) = self.attrs.default_sql.get() {
            Some(quote::quote!(#lit))
        } else if self.attrs.default_now.is_set() {
            Some(quote::quote!("now()"))
        } else if self.attrs.default_random.is_set() {
            Some(quote::quote!("gen_random_uuid()"))
        } else {
            None
        }
    }

    /// Whether the column has a default of any of the `default*` kinds.
    pub fn has_default(&self) -> bool {
        self.attrs.default.is_set()
            || self.attrs.default_sql.is_set()
            || self.attrs.default_now.is_set()
            || self.attrs.default_random.is_set()
    }

    pub fn insert_field(&self) -> InsertField {
        if (self.attrs.identity.is_set() && !self.attrs.identity_by_default)
            || self.attrs.generated.is_set()
        {
            InsertField::Absent
        } else if self.none_is_default() && !self.is_option {
            InsertField::DefaultIfNone
        } else {
            InsertField::AsDeclared
        }
    }

    /// `None` in the insert type means "the default" (rather than NULL).
    pub fn none_is_default(&self) -> bool {
        self.has_default()
            || self.attrs.serial.is_set()
            || (self.attrs.identity.is_set() && self.attrs.identity_by_default)
    }

    /// The SQL type given by `varchar(N)`, `numeric(P, S)`, `char(N)`,
    /// `timestamp(P)`, `timestamptz(P)`, `json` or `sql_type = "..."`, if
    /// any, spelled as drizzle-kit writes it.
    pub fn sql_type_override(&self) -> Option<String> {
        if let Some(len) = self.attrs.varchar.get() {
            Some(format!("varchar({})", len.base10_digits()))
        } else if let Some((precision, scale)) = self.attrs.numeric.get() {
            Some(match scale {
                Some(scale) => format!(
                    "numeric({}, {})",
                    precision.base10_digits(),
                    scale.base10_digits()
                ),
                None => format!("numeric({})", precision.base10_digits()),
            })
        } else if let Some(len) = self.attrs.char.get() {
            Some(format!("char({})", len.base10_digits()))
        } else if let Some(p) = self.attrs.timestamp.get() {
            Some(format!("timestamp ({})", p.base10_digits()))
        } else if let Some(p) = self.attrs.timestamptz.get() {
            Some(format!("timestamp ({}) with time zone", p.base10_digits()))
        } else if self.attrs.json.is_set() {
            Some("json".to_owned())
        } else {
            self.attrs.sql_type.get().map(|lit| lit.value())
        }
    }

    /// The associated constant's name: `created_at` -> `CREATED_AT`.
    pub fn const_ident(&self) -> Ident {
        let name = self.ident.unraw().to_string().to_uppercase();
        Ident::new(&name, self.ident.span())
    }
}

/// The struct behind `#[table]` (or `#[view]`), or an error saying what
/// the macro needs.
fn struct_item<'a>(cx: &Ctxt, item: &'a Item, macro_name: &str) -> Option<&'a ItemStruct> {
    let what = match item {
        Item::Struct(s) => match &s.fields {
            Fields::Named(_)
                if s.generics.params.is_empty() && s.generics.where_clause.is_none() =>
            {
                return Some(s);
            }
            Fields::Named(_) => {
                cx.error_spanned_by(
                    &s.generics,
                    format_args!("`#[{macro_name}]` structs cannot be generic: a {macro_name} has one fixed set of column types; remove the generic parameters"),
                );
                return None;
            }
            Fields::Unnamed(_) => {
                cx.error_spanned_by(
                    &s.fields,
                    format_args!("`#[{macro_name}]` needs named fields, one per column: write `struct Name {{ id: i64, ... }}` instead of a tuple struct"),
                );
                return None;
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &s.ident,
                    format_args!("`#[{macro_name}]` needs named fields, one per column: write `struct Name {{ id: i64, ... }}` instead of a unit struct"),
                );
                return None;
            }
        },
        Item::Enum(e) => (&e.enum_token as &dyn quote::ToTokens, "an enum"),
        Item::Union(u) => (&u.union_token as &dyn quote::ToTokens, "a union"),
        _ => (item as &dyn quote::ToTokens, "this item"),
    };
    cx.error_spanned_by(
        what.0,
        format_args!(
            "`#[{macro_name}]` goes on a struct with named fields, one per column, not on {}",
            what.1
        ),
    );
    None
}

/// `T` when `ty` is written `Option<T>` (or `std::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// A plural snake_case guess at a table name, for the missing-name message.
fn suggested_table_name(struct_name: &str) -> String {
    format!("{}s", super::case::snake(struct_name))
}
