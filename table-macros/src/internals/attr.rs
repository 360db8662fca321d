//! Parsing of `#[table(...)]` arguments and `#[column(...)]` field attributes.
//!
//! Every key is parsed into a typed slot that remembers its span; an unknown
//! or repeated key is reported by name, with the valid keys listed, and
//! parsing goes on so that every mistake is reported in one compile.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Ident, LitInt, LitStr, Path};

use super::constraint::{TableCheck, TableForeignKey, table_check, table_foreign_key};
use super::ctxt::Ctxt;
use super::default::DefaultValue;
use super::index_key::{IndexKey, parse_keys};
use super::keys::{field_list, key_span, no_value, unknown_key};
use super::policy::{TablePolicy, table_policy};
use super::resolve::Action;

/// The keys `#[table(...)]` accepts.
pub const TABLE_KEYS: &[&str] = &[
    "name",
    "schema",
    "insert",
    "insert_derive",
    "primary_key",
    "unique",
    "index",
    "check",
    "foreign_key",
    "relation",
    "renamed_from",
    "rls",
    "policy",
];

/// The keys of a table-level `index(...)` in its long form.
pub const INDEX_KEYS: &[&str] = &[
    "name",
    "columns",
    "unique",
    "using",
    "where",
    "concurrently",
];

/// The keys of a table-level `unique(...)` in its long form.
pub const UNIQUE_KEYS: &[&str] = &["name", "columns", "nulls_not_distinct"];

/// The keys of a column's `relation(...)`.
pub const RELATION_KEYS: &[&str] = &["belongs_to", "has_many", "many_to_many", "through"];

/// The actions `on_delete` and `on_update` accept.
pub const ACTIONS: &[&str] = &[
    "cascade",
    "set_null",
    "set_default",
    "restrict",
    "no_action",
];

/// The keys `#[column(...)]` accepts.
pub const COLUMN_KEYS: &[&str] = &[
    "primary_key",
    "unique",
    "name",
    "varchar",
    "numeric",
    "char",
    "timestamp",
    "timestamptz",
    "json",
    "sql_type",
    "default",
    "default_sql",
    "default_now",
    "default_random",
    "identity",
    "serial",
    "generated",
    "on_update_now",
    "on_update_sql",
    "references",
    "fk_name",
    "on_delete",
    "on_update",
    "index",
    "check",
    "relation",
    "renamed_from",
];

/// One attribute slot: empty, or set once at a span.
pub struct Attr<T> {
    key: &'static str,
    scope: &'static str,
    value: Option<(Span, T)>,
}

impl<T> Attr<T> {
    pub(crate) fn none(scope: &'static str, key: &'static str) -> Self {
        Attr {
            key,
            scope,
            value: None,
        }
    }

    pub(crate) fn set(&mut self, cx: &Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            cx.error_at(
                span,
                format_args!(
                    "duplicate {} attribute `{}`: give it once",
                    self.scope, self.key
                ),
            );
        } else {
            self.value = Some((span, value));
        }
    }

    pub fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, v)| v)
    }

    pub fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(s, _)| *s)
    }

    pub fn is_set(&self) -> bool {
        self.value.is_some()
    }
}

/// The parsed arguments of `#[table(...)]`.
pub struct TableAttrs {
    pub name: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    pub insert: Attr<Ident>,
    /// `insert_derive(serde::Deserialize, …)`: derives for the insert type
    /// and the patch.
    pub insert_derive: Attr<Vec<Path>>,
    pub renamed_from: Attr<LitStr>,
    pub primary_key: Attr<Vec<Ident>>,
    /// Table-level unique constraints.
    pub unique: Vec<TableUnique>,
    /// Table-level indexes.
    pub indexes: Vec<TableIndex>,
    /// Table-level CHECK constraints.
    pub checks: Vec<TableCheck>,
    /// Table-level foreign keys, `foreign_key(...)`.
    pub foreign_keys: Vec<TableForeignKey>,
    /// `rls`: row-level security enabled (also implied by a policy).
    pub rls: Attr<()>,
    /// Row-level security policies.
    pub policies: Vec<TablePolicy>,
}

/// `unique(a, b)` or `unique(name = "…", columns(a, b), nulls_not_distinct)`.
pub struct TableUnique {
    pub span: Span,
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: bool,
    /// A key in it was already reported as wrong.
    pub malformed: bool,
}

/// `index(a, b)` or `index(name = "…", columns(a, b desc nulls_last),
/// unique, using = "gin", where = "…")`.
pub struct TableIndex {
    pub span: Span,
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    /// The options of each column, in order, when given in `columns(...)`.
    pub keys: Vec<IndexKey>,
    pub unique: bool,
    pub using: Option<LitStr>,
    /// `where = "…"`: a partial index's predicate.
    pub predicate: Option<LitStr>,
    /// `concurrently`: migrations build it without blocking writes.
    pub concurrently: bool,
    /// A key in it was already reported as wrong.
    pub malformed: bool,
}

impl TableAttrs {
    /// Parses the tokens inside `#[table(...)]`.
    pub fn parse(cx: &Ctxt, args: TokenStream) -> Self {
        let mut attrs = TableAttrs {
            name: Attr::none("table", "name"),
            schema: Attr::none("table", "schema"),
            insert: Attr::none("table", "insert"),
            insert_derive: Attr::none("table", "insert_derive"),
            renamed_from: Attr::none("table", "renamed_from"),
            primary_key: Attr::none("table", "primary_key"),
            unique: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            rls: Attr::none("table", "rls"),
            policies: Vec::new(),
        };
        let parser = syn::meta::parser(|meta| {
            let span = key_span(&meta);
            if meta.path.is_ident("name") {
                attrs.name.set(cx, span, meta.value()?.parse()?);
            } else if meta.path.is_ident("schema") {
                attrs.schema.set(cx, span, meta.value()?.parse()?);
            } else if meta.path.is_ident("renamed_from") {
                attrs.renamed_from.set(cx, span, meta.value()?.parse()?);
            } else if meta.path.is_ident("insert") {
                let lit: LitStr = meta.value()?.parse()?;
                match lit.parse::<Ident>() {
                    Ok(ident) => attrs.insert.set(cx, span, ident),
                    Err(_) => cx.error_spanned_by(
                        &lit,
                        "`insert` names the insert type: write a Rust type name such as `insert = \"UserDraft\"`",
                    ),
                }
            } else if meta.path.is_ident("insert_derive") {
                let mut paths = Vec::new();
                meta.parse_nested_meta(|inner| {
                    paths.push(inner.path.clone());
                    Ok(())
                })?;
                attrs.insert_derive.set(cx, span, paths);
            } else if meta.path.is_ident("primary_key") {
                attrs.primary_key.set(cx, span, field_list(&meta)?);
            } else if meta.path.is_ident("unique") {
                attrs.unique.push(table_unique(cx, &meta, span)?);
            } else if meta.path.is_ident("index") {
                attrs.indexes.push(table_index(cx, &meta, span)?);
            } else if meta.path.is_ident("check") {
                attrs.checks.push(table_check(cx, &meta, span)?);
            } else if meta.path.is_ident("foreign_key") {
                attrs.foreign_keys.push(table_foreign_key(cx, &meta, span)?);
            } else if meta.path.is_ident("rls") {
                no_value(&meta)?;
                attrs.rls.set(cx, span, ());
            } else if meta.path.is_ident("policy") {
                attrs.policies.push(table_policy(cx, &meta, span)?);
            } else {
                unknown_key(cx, &meta, "table", TABLE_KEYS)?;
            }
            Ok(())
        });
        if let Err(err) = parser.parse2(args) {
            cx.syn_error(err);
        }
        attrs
    }
}

/// The parsed `#[column(...)]` attributes of one field.
pub struct ColumnAttrs {
    pub primary_key: Attr<()>,
    pub unique: Attr<()>,
    pub name: Attr<LitStr>,
    pub varchar: Attr<LitInt>,
    /// `numeric(P, S)` (or `numeric(P)`): precision and scale.
    pub numeric: Attr<(LitInt, Option<LitInt>)>,
    /// `char(N)`.
    pub char: Attr<LitInt>,
    /// `timestamp(P)`: a timestamp with P fractional digits.
    pub timestamp: Attr<LitInt>,
    /// `timestamptz(P)`: the same, with time zone.
    pub timestamptz: Attr<LitInt>,
    /// `json`: `json` rather than `jsonb`.
    pub json: Attr<()>,
    pub sql_type: Attr<LitStr>,
    /// `default = <value>`: a typed default.
    pub default: Attr<DefaultValue>,
    /// `default_sql = "…"`: a default as SQL.
    pub default_sql: Attr<LitStr>,
    pub default_now: Attr<()>,
    pub default_random: Attr<()>,
    pub identity: Attr<()>,
    /// `identity(by_default)`: generated unless an insert gives a value.
    pub identity_by_default: bool,
    pub serial: Attr<()>,
    /// `generated = "price * qty"`: a stored generated column.
    pub generated: Attr<LitStr>,
    /// `on_update_now`: `now()` on every update that does not set it.
    pub on_update_now: Attr<()>,
    /// `on_update_sql = "…"`: that SQL on every update that does not set it.
    pub on_update_sql: Attr<LitStr>,
    pub references: Attr<Path>,
    pub fk_name: Attr<LitStr>,
    pub on_delete: Attr<Action>,
    pub on_update: Attr<Action>,
    pub index: Attr<()>,
    pub check: Attr<LitStr>,
    pub renamed_from: Attr<LitStr>,
    pub relation: Attr<RelationNames>,
}

/// `relation(belongs_to = "author", has_many = "posts")` on a foreign key:
/// the functions to generate on this table and on the referenced one.
pub struct RelationNames {
    pub belongs_to: Option<LitStr>,
    pub has_many: Option<LitStr>,
    /// On a join table: the many-to-many relation to generate on the
    /// referenced table, through the field `through` (the other foreign key).
    pub many_to_many: Option<LitStr>,
    pub through: Option<Ident>,
}

impl ColumnAttrs {
    /// Parses every `#[column(...)]` among `attrs`; other attributes are ignored.
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut col = ColumnAttrs {
            primary_key: Attr::none("column", "primary_key"),
            unique: Attr::none("column", "unique"),
            name: Attr::none("column", "name"),
            varchar: Attr::none("column", "varchar"),
            numeric: Attr::none("column", "numeric"),
            char: Attr::none("column", "char"),
            timestamp: Attr::none("column", "timestamp"),
            timestamptz: Attr::none("column", "timestamptz"),
            json: Attr::none("column", "json"),
            sql_type: Attr::none("column", "sql_type"),
            default: Attr::none("column", "default"),
            default_sql: Attr::none("column", "default_sql"),
            default_now: Attr::none("column", "default_now"),
            default_random: Attr::none("column", "default_random"),
            identity: Attr::none("column", "identity"),
            identity_by_default: false,
            serial: Attr::none("column", "serial"),
            generated: Attr::none("column", "generated"),
            on_update_now: Attr::none("column", "on_update_now"),
            on_update_sql: Attr::none("column", "on_update_sql"),
            references: Attr::none("column", "references"),
            fk_name: Attr::none("column", "fk_name"),
            on_delete: Attr::none("column", "on_delete"),
            on_update: Attr::none("column", "on_update"),
            index: Attr::none("column", "index"),
            check: Attr::none("column", "check"),
            renamed_from: Attr::none("column", "renamed_from"),
            relation: Attr::none("column", "relation"),
        };
        for attr in attrs.iter().filter(|a| is_column_attr(a)) {
            let result = attr.parse_nested_meta(|meta| {
                let span = key_span(&meta);
                let flag = |slot: &mut Attr<()>| -> syn::Result<()> {
                    no_value(&meta)?;
                    slot.set(cx, span, ());
                    Ok(())
                };
                if meta.path.is_ident("primary_key") {
                    flag(&mut col.primary_key)?;
                } else if meta.path.is_ident("unique") {
                    flag(&mut col.unique)?;
                } else if meta.path.is_ident("default_now") {
                    flag(&mut col.default_now)?;
                } else if meta.path.is_ident("default_random") {
                    flag(&mut col.default_random)?;
                } else if meta.path.is_ident("identity") {
                    if meta.input.peek(syn::token::Paren) {
                        // `identity(by_default)` or `identity(always)`.
                        meta.parse_nested_meta(|kind| {
                            if kind.path.is_ident("by_default") {
                                col.identity_by_default = true;
                            } else if !kind.path.is_ident("always") {
                                return Err(kind.error(
                                    "an identity is `identity` (GENERATED ALWAYS), `identity(always)` or `identity(by_default)`",
                                ));
                            }
                            Ok(())
                        })?;
                        col.identity.set(cx, span, ());
                    } else {
                        flag(&mut col.identity)?;
                    }
                } else if meta.path.is_ident("serial") {
                    flag(&mut col.serial)?;
                } else if meta.path.is_ident("generated") {
                    col.generated.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("on_update_now") {
                    flag(&mut col.on_update_now)?;
                } else if meta.path.is_ident("on_update_sql") {
                    col.on_update_sql.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("index") {
                    flag(&mut col.index)?;
                } else if meta.path.is_ident("references") {
                    col.references.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("fk_name") {
                    col.fk_name.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("on_delete") {
                    if let Some(action) = Action::resolve(cx, "on_delete", meta.value()?.parse()?) {
                        col.on_delete.set(cx, span, action);
                    }
                } else if meta.path.is_ident("on_update") {
                    if let Some(action) = Action::resolve(cx, "on_update", meta.value()?.parse()?) {
                        col.on_update.set(cx, span, action);
                    }
                } else if meta.path.is_ident("check") {
                    col.check.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("renamed_from") {
                    col.renamed_from.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("name") {
                    col.name.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("sql_type") {
                    col.sql_type.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("default") {
                    col.default.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("default_sql") {
                    col.default_sql.set(cx, span, meta.value()?.parse()?);
                } else if meta.path.is_ident("relation") && meta.input.peek(syn::token::Paren) {
                    let mut names = RelationNames {
                        belongs_to: None,
                        has_many: None,
                        many_to_many: None,
                        through: None,
                    };
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("belongs_to") {
                            names.belongs_to = Some(inner.value()?.parse()?);
                        } else if inner.path.is_ident("has_many") {
                            names.has_many = Some(inner.value()?.parse()?);
                        } else if inner.path.is_ident("many_to_many") {
                            names.many_to_many = Some(inner.value()?.parse()?);
                        } else if inner.path.is_ident("through") {
                            names.through = Some(inner.value()?.parse()?);
                        } else {
                            unknown_key(cx, &inner, "relation", RELATION_KEYS)?;
                        }
                        Ok(())
                    })?;
                    col.relation.set(cx, span, names);
                } else if meta.path.is_ident("varchar") {
                    col.varchar.set(cx, span, in_parens(&meta)?);
                } else if meta.path.is_ident("timestamp") {
                    col.timestamp.set(cx, span, in_parens(&meta)?);
                } else if meta.path.is_ident("timestamptz") {
                    col.timestamptz.set(cx, span, in_parens(&meta)?);
                } else if meta.path.is_ident("json") {
                    flag(&mut col.json)?;
                } else if meta.path.is_ident("numeric") {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let precision: LitInt = content.parse()?;
                    let scale = if content.is_empty() {
                        None
                    } else {
                        content.parse::<syn::Token![,]>()?;
                        Some(content.parse()?)
                    };
                    col.numeric.set(cx, span, (precision, scale));
                } else if meta.path.is_ident("char") {
                    col.char.set(cx, span, in_parens(&meta)?);
                } else {
                    unknown_key(cx, &meta, "column", COLUMN_KEYS)?;
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }
        col
    }
}

/// The one value of `key(value)`, such as the length of `varchar(255)`.
fn in_parens<T: syn::parse::Parse>(meta: &ParseNestedMeta) -> syn::Result<T> {
    let content;
    syn::parenthesized!(content in meta.input);
    let value = content.parse()?;
    if !content.is_empty() {
        return Err(content.error("expected one value in the parentheses"));
    }
    Ok(value)
}

/// Whether `attr` is one of ours, `#[column(...)]`.
pub fn is_column_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("column")
}

/// What `index(...)` and `unique(...)` share: `name = "…"`, and columns as
/// `columns(a, b)` or in the short form `(a, b)`.
struct ColumnList {
    name: Option<LitStr>,
    columns: Vec<Ident>,
    malformed: bool,
}

/// Parses a `scope(...)` list; `own` takes the keys only that scope has
/// and says whether it took one.
fn column_list(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    scope: &str,
    keys: &[&str],
    mut own: impl FnMut(&ParseNestedMeta) -> syn::Result<bool>,
) -> syn::Result<ColumnList> {
    let mut list = ColumnList {
        name: None,
        columns: Vec::new(),
        malformed: false,
    };
    meta.parse_nested_meta(|inner| {
        if own(&inner)? {
        } else if inner.path.is_ident("name") && inner.input.peek(syn::Token![=]) {
            list.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("columns") && inner.input.peek(syn::token::Paren) {
            list.columns.extend(field_list(&inner)?);
        } else if inner.input.peek(syn::Token![=]) || inner.input.peek(syn::token::Paren) {
            list.malformed = true;
            unknown_key(cx, &inner, scope, keys)?;
        } else {
            // The short form lists fields.
            list.columns.push(inner.path.require_ident()?.clone());
        }
        Ok(())
    })?;
    Ok(list)
}

fn table_index(cx: &Ctxt, meta: &ParseNestedMeta, span: Span) -> syn::Result<TableIndex> {
    let (mut unique, mut using, mut predicate, mut keys) = (false, None, None, Vec::new());
    let mut concurrently = false;
    let list = column_list(cx, meta, "index", INDEX_KEYS, |inner| {
        if inner.path.is_ident("using") && inner.input.peek(syn::Token![=]) {
            using = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("where") && inner.input.peek(syn::Token![=]) {
            predicate = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("columns") && inner.input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in inner.input);
            keys.extend(parse_keys(&content)?);
        } else if inner.path.is_ident("unique") && !inner.input.peek(syn::Token![=]) {
            unique = true;
        } else if inner.path.is_ident("concurrently") {
            no_value(inner)?;
            concurrently = true;
        } else {
            return Ok(false);
        }
        Ok(true)
    })?;
    // Columns of the short form, `index(a, b)`, have no options.
    keys.extend(list.columns.into_iter().map(IndexKey::plain));
    Ok(TableIndex {
        span,
        name: list.name,
        columns: keys.iter().map(|key| key.field.clone()).collect(),
        keys,
        unique,
        using,
        predicate,
        concurrently,
        malformed: list.malformed,
    })
}

fn table_unique(cx: &Ctxt, meta: &ParseNestedMeta, span: Span) -> syn::Result<TableUnique> {
    let mut nulls_not_distinct = false;
    let list = column_list(cx, meta, "unique", UNIQUE_KEYS, |inner| {
        if inner.path.is_ident("nulls_not_distinct") {
            no_value(inner)?;
            nulls_not_distinct = true;
            return Ok(true);
        }
        Ok(false)
    })?;
    Ok(TableUnique {
        span,
        name: list.name,
        columns: list.columns,
        nulls_not_distinct,
        malformed: list.malformed,
    })
}
