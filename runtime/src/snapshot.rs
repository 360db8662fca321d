//! An owned, serializable picture of a schema: what the DDL renderer
//! draws, what migrations store beside their SQL (`migrations/meta/`), and
//! what the diff engine compares.
//!
//! Names of constraints and indexes are resolved (Drizzle's defaults
//! filled in), column-level keys and uniques are lifted to the table, and
//! everything is in a fixed order, so the JSON is stable and diffs well.

use serde::{Deserialize, Serialize};

use crate::names;
use crate::schema::{PolicyDef, Schema, SequenceDef, TableDef, ViewDef};
use crate::types::EnumDef;

/// The snapshot format's version, written into every file.
pub const VERSION: u32 = 1;

/// A whole schema.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The format version ([`VERSION`]).
    pub version: u32,
    /// Enum types, in creation order.
    pub enums: Vec<Enum>,
    /// Tables, referenced ones first where possible.
    pub tables: Vec<Table>,
    /// Roles the schema creates (`CREATE ROLE`), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Views, in creation order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    /// Sequences that are schema items (not a column's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
}

/// A sequence, with PostgreSQL's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    /// Its schema (`public` by default).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// The step.
    pub increment: i64,
    /// The smallest value.
    pub min: i64,
    /// The largest value.
    pub max: i64,
    /// The first value.
    pub start: i64,
    /// Values a session takes at once.
    pub cache: i64,
    /// Whether it starts over after the last value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

impl From<&SequenceDef> for Sequence {
    fn from(def: &SequenceDef) -> Sequence {
        let (min, max, start) = def.bounds();
        Sequence {
            schema: def.schema.unwrap_or("public").to_owned(),
            name: def.name.to_owned(),
            increment: def.increment,
            min,
            max,
            start,
            cache: def.cache,
            cycle: def.cycle,
        }
    }
}

/// A view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Its schema (`public` by default).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// The query defining it.
    pub definition: String,
    /// Whether it is materialized.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
}

impl From<&ViewDef> for View {
    fn from(def: &ViewDef) -> View {
        View {
            schema: def.table.schema.unwrap_or("public").to_owned(),
            name: def.table.name.to_owned(),
            definition: def.sql.trim().trim_end_matches(';').to_owned(),
            materialized: def.materialized,
        }
    }
}

/// An enum type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    /// Its schema (`public` by default).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// A table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Its schema (`public` by default).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// The name it had before, when the schema says it was renamed.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Its primary key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// Unique constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// Check constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Foreign keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Whether row-level security is enabled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls: bool,
    /// Row-level security policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
}

/// A column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// The name it had before, when the schema says it was renamed.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// Its type as DDL writes it: `integer`, `varchar(255)`, `"status"[]`.
    #[serde(rename = "type")]
    pub sql_type: String,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Its default, as an SQL expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Whether it is an identity column (`GENERATED ALWAYS AS IDENTITY`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity: bool,
    /// Whether an identity column is `GENERATED BY DEFAULT` instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_by_default: bool,
    /// A generated column's expression (stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
}

impl Column {
    /// The integer type under a `serial` type (`serial` -> `integer`), or
    /// the type itself.
    pub fn base_type(&self) -> &str {
        match self.sql_type.as_str() {
            "smallserial" => "smallint",
            "serial" => "integer",
            "bigserial" => "bigint",
            other => other,
        }
    }

    /// Whether the column is `serial`, `smallserial` or `bigserial`.
    pub fn is_serial(&self) -> bool {
        self.base_type() != self.sql_type
    }
}

/// A primary key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    /// The constraint name (`<table>_pkey` for one column, as PostgreSQL
    /// names it; `<table>_<cols>_pk` for several, as Drizzle does).
    pub name: String,
    /// The key's columns.
    pub columns: Vec<String>,
}

/// A unique constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unique {
    /// The constraint name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
}

/// A check constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The constraint name.
    pub name: String,
    /// The SQL condition.
    pub expr: String,
}

/// A row-level security policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy name.
    pub name: String,
    /// `permissive` or `restrictive`.
    #[serde(rename = "as")]
    pub kind: String,
    /// `all`, `select`, `insert`, `update` or `delete`.
    #[serde(rename = "for")]
    pub command: String,
    /// The roles it applies to, sorted; `public` for every role.
    pub to: Vec<String>,
    /// The condition on existing rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// The condition on written rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

impl From<&PolicyDef> for Policy {
    fn from(def: &PolicyDef) -> Policy {
        let mut to = strings(def.to);
        if to.is_empty() {
            to.push("public".to_owned());
        }
        to.sort();
        Policy {
            name: names::stored(def.name).to_owned(),
            kind: if def.restrictive {
                "restrictive"
            } else {
                "permissive"
            }
            .to_owned(),
            command: def.command.to_owned(),
            to,
            using: def.using.map(str::to_owned),
            with_check: def.with_check.map(str::to_owned),
        }
    }
}

/// A foreign key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    /// The constraint name.
    pub name: String,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table's schema.
    pub foreign_schema: String,
    /// The referenced table.
    pub foreign_table: String,
    /// The referenced columns.
    pub foreign_columns: Vec<String>,
    /// `cascade`, `set null`, `set default`, `restrict` or `no action`.
    pub on_delete: String,
    /// Same, on update.
    pub on_update: String,
}

/// An index. Two are equal when they index the same way: `concurrently`
/// says how a migration builds it, not what it is.
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// The index name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// Whether it is unique.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Its access method.
    pub using: String,
    /// How each column is ordered and compared, in the columns' order;
    /// empty when every column takes the defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<IndexKey>,
    /// A partial index's predicate.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// Built with `CREATE INDEX CONCURRENTLY` when added to an existing
    /// table (the catalog does not record it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub concurrently: bool,
}

impl PartialEq for Index {
    fn eq(&self, other: &Index) -> bool {
        self.name == other.name
            && self.columns == other.columns
            && self.unique == other.unique
            && self.using == other.using
            && self.keys == other.keys
            && self.predicate == other.predicate
    }
}

/// How one column of an index is ordered and compared, where it differs
/// from PostgreSQL's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKey {
    /// Descending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub desc: bool,
    /// `"first"` or `"last"`, when not the default for the order (first
    /// when descending, last when ascending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<String>,
    /// The operator class, when not the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

impl IndexKey {
    /// The key with these options, NULLs given only where they are not
    /// the default for the order.
    pub fn new(desc: bool, nulls_first: Option<bool>, opclass: Option<String>) -> Self {
        let nulls = nulls_first
            .filter(|&first| first != desc)
            .map(|first| if first { "first" } else { "last" }.to_owned());
        IndexKey {
            desc,
            nulls,
            opclass,
        }
    }

    /// Whether every option is the default.
    pub fn is_default(&self) -> bool {
        *self == IndexKey::default()
    }
}

/// The keys of an index, empty when all take the defaults.
pub fn index_keys(keys: impl IntoIterator<Item = IndexKey>) -> Vec<IndexKey> {
    let keys: Vec<IndexKey> = keys.into_iter().collect();
    if keys.iter().all(IndexKey::is_default) {
        Vec::new()
    } else {
        keys
    }
}

impl Snapshot {
    /// The snapshot of a compiled schema.
    pub fn of(schema: &Schema) -> Snapshot {
        Snapshot {
            version: VERSION,
            enums: schema.enums().into_iter().map(Enum::from).collect(),
            tables: schema
                .tables_in_dependency_order()
                .into_iter()
                .map(Table::from)
                .collect(),
            roles: schema.roles().iter().map(|r| (*r).to_owned()).collect(),
            views: schema.views().iter().map(|v| View::from(*v)).collect(),
            sequences: schema
                .sequences()
                .iter()
                .map(|s| Sequence::from(*s))
                .collect(),
        }
    }

    /// The snapshot as pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a snapshot always serializes");
        json.push('\n');
        json
    }

    /// Reads a snapshot written by [`to_json`](Snapshot::to_json).
    pub fn from_json(json: &str) -> Result<Snapshot, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The table `schema.name`.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.schema == schema && t.name == name)
    }
}

impl From<&EnumDef> for Enum {
    fn from(def: &EnumDef) -> Enum {
        Enum {
            schema: def.schema.unwrap_or("public").to_owned(),
            name: def.name.to_owned(),
            values: def.values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl From<&TableDef> for Table {
    fn from(def: &TableDef) -> Table {
        let columns = def
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.to_owned(),
                renamed_from: c.renamed_from.map(str::to_owned),
                sql_type: c.ddl_type(),
                nullable: c.nullable && !c.primary_key,
                default: c.default.map(str::to_owned),
                identity: c.identity,
                identity_by_default: c.identity_by_default,
                generated: c.generated.map(str::to_owned),
            })
            .collect();
        let key = def.primary_key_columns();
        let primary_key = (!key.is_empty()).then(|| PrimaryKey {
            name: def
                .composite_primary_key_name()
                .unwrap_or_else(|| names::pkey_name(def.name)),
            columns: strings(&key),
        });
        Table {
            schema: def.schema.unwrap_or("public").to_owned(),
            name: def.name.to_owned(),
            renamed_from: def.renamed_from.map(str::to_owned),
            columns,
            primary_key,
            uniques: def
                .unique_constraints()
                .into_iter()
                // In the same order: the columns' constraints, then the table's.
                .zip(
                    def.columns
                        .iter()
                        .filter(|c| c.unique)
                        .map(|_| false)
                        .chain(def.unique.iter().map(|u| u.nulls_not_distinct)),
                )
                .map(|((name, columns), nulls_not_distinct)| Unique {
                    name: names::stored(&name).to_owned(),
                    columns: strings(columns),
                    nulls_not_distinct,
                })
                .collect(),
            checks: def
                .checks
                .iter()
                .map(|c| Check {
                    name: names::stored(c.name).to_owned(),
                    expr: c.expr.to_owned(),
                })
                .collect(),
            foreign_keys: def
                .foreign_keys
                .iter()
                .map(|fk| {
                    let target = fk.foreign_table();
                    ForeignKey {
                        name: names::stored(&fk.name_in(def)).to_owned(),
                        columns: strings(fk.columns),
                        foreign_schema: target.schema.unwrap_or("public").to_owned(),
                        foreign_table: target.name.to_owned(),
                        foreign_columns: strings(fk.foreign_columns),
                        on_delete: fk.on_delete.sql().to_owned(),
                        on_update: fk.on_update.sql().to_owned(),
                    }
                })
                .collect(),
            indexes: def
                .indexes
                .iter()
                .map(|i| Index {
                    name: names::stored(&i.name_in(def)).to_owned(),
                    columns: strings(i.columns),
                    unique: i.unique,
                    using: i.using.unwrap_or("btree").to_owned(),
                    keys: index_keys(i.keys.iter().map(|k| {
                        IndexKey::new(k.desc, k.nulls_first, k.opclass.map(str::to_owned))
                    })),
                    predicate: i.predicate.map(str::to_owned),
                    concurrently: i.concurrently,
                })
                .collect(),
            rls: def.rls,
            policies: def.policies.iter().map(Policy::from).collect(),
        }
    }
}

impl Table {
    /// Whether the table's key is one column named by PostgreSQL, so the
    /// DDL writes `PRIMARY KEY` on that column.
    pub fn inline_primary_key(&self) -> Option<&str> {
        match &self.primary_key {
            Some(pk) if pk.columns.len() == 1 && pk.name == names::pkey_name(&self.name) => {
                Some(&pk.columns[0])
            }
            _ => None,
        }
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}
