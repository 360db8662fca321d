//! `pull` (drizzle-kit pull, diesel print-schema): a live database read
//! back into Rust source, `#[table]` structs and `PgEnum`s with their keys,
//! uniques, checks, indexes, foreign keys (of one column or several),
//! defaults, policies, sequences and `#[view]`s, so that the output
//! compiled and checked against the same database shows no drift.
//! Defaults are kept as the catalog spells them (`default_sql`), which is
//! exactly what `check` compares.

use std::fmt::Write;

mod rust_names;

use rust_names::{field, fields, lit, pascal, snake, struct_name};

use super::MigrateError;
use super::introspect::read;
use crate::db::Db;
use crate::names;
use crate::query::sql;
use crate::schema::SequenceDef;
use crate::snapshot::{Column, Enum, ForeignKey, Sequence, Snapshot, Table, View};

/// Reads every user schema of the database behind `db` into Rust source.
pub async fn pull(db: &Db) -> Result<String, MigrateError> {
    let schemas: Vec<(String,)> = sql("SELECT nspname::text FROM pg_namespace
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1")
    .fetch_all(db)
    .await?;
    let schemas: Vec<String> = schemas.into_iter().map(|(s,)| s).collect();
    let tx = db.begin().await?;
    // Names of the public schema print unqualified, as the DDL writes them.
    sql("SELECT set_config('search_path', 'public', true)")
        .execute(&tx)
        .await?;
    let mut snapshot = read(&tx, &schemas).await?;
    let reads: Vec<(String, String, String, String)> =
        sql(VIEW_READS).bind(schemas.clone()).fetch_all(&tx).await?;
    order_views(&mut snapshot.views, &reads);
    let view_columns = sql(VIEW_COLUMNS)
        .bind(schemas)
        .fetch_all(&tx)
        .await?
        .into_iter()
        .map(|(schema, view, name, sql_type)| ViewColumn {
            schema,
            view,
            name,
            sql_type,
        })
        .collect::<Vec<_>>();
    tx.rollback().await?;
    Ok(to_rust(&snapshot, &view_columns))
}

/// The columns of every view and materialized view, in order.
const VIEW_COLUMNS: &str = "SELECT n.nspname::text, c.relname::text, a.attname::text,
       format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum";

/// Which views read which other views: (schema, view, its schema, the
/// view it reads).
const VIEW_READS: &str =
    "SELECT DISTINCT vn.nspname::text, v.relname::text, dn.nspname::text, d.relname::text
FROM pg_rewrite r
JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid
     AND dep.refclassid = 'pg_class'::regclass
JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class d ON d.oid = dep.refobjid JOIN pg_namespace dn ON dn.oid = d.relnamespace
WHERE v.relkind IN ('v', 'm') AND d.relkind IN ('v', 'm') AND d.oid <> v.oid
  AND vn.nspname = ANY($1)";

/// Orders `views` so that a view comes after the views it reads, as
/// `Schema::view` must be called; otherwise keeps the catalog's order.
fn order_views(views: &mut Vec<View>, reads: &[(String, String, String, String)]) {
    let mut pending = std::mem::take(views);
    while !pending.is_empty() {
        let waits = |v: &View| {
            reads.iter().any(|(s, n, ds, dn)| {
                (s, n) == (&v.schema, &v.name)
                    && pending.iter().any(|p| (&p.schema, &p.name) == (ds, dn))
            })
        };
        // A cycle cannot be created in PostgreSQL; if one were read, the
        // first view goes next rather than looping.
        let next = pending.iter().position(|v| !waits(v)).unwrap_or(0);
        views.push(pending.remove(next));
    }
}

/// A column of a view, as the catalog describes it. A snapshot keeps a
/// view's query only (that is what `check` compares); `pull` needs the
/// columns as well to declare the view's struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewColumn {
    /// The view's schema.
    pub schema: String,
    /// The view's name.
    pub view: String,
    /// The column's name.
    pub name: String,
    /// Its type, as `format_type` spells it.
    pub sql_type: String,
}

/// The Rust source declaring `snapshot`: enums, sequences, tables, views
/// (whose columns are `view_columns`) and `schema()`.
pub fn to_rust(snapshot: &Snapshot, view_columns: &[ViewColumn]) -> String {
    let mut out = String::from(
        "//! Pulled from a database by `pgtable pull`. Review it: names and types\n\
         //! are pgtable's guesses from the catalog.\n\n\
         #![allow(dead_code)]\n\n\
         use pgtable::prelude::*;\n\n",
    );
    for e in &snapshot.enums {
        write_enum(&mut out, e);
    }
    for seq in &snapshot.sequences {
        write_sequence(&mut out, seq);
    }
    for table in &snapshot.tables {
        write_table(&mut out, snapshot, table);
    }
    for view in &snapshot.views {
        write_view(&mut out, snapshot, view, view_columns);
    }
    out.push_str("/// Everything pulled.\npub fn schema() -> Schema {\n    Schema::new()");
    for seq in &snapshot.sequences {
        let _ = write!(out, "\n        .sequence(&{})", sequence_const(&seq.name));
    }
    for table in &snapshot.tables {
        let _ = write!(out, "\n        .table::<{}>()", struct_name(&table.name));
    }
    for view in &snapshot.views {
        let _ = write!(out, "\n        .view::<{}>()", struct_name(&view.name));
    }
    out.push_str("\n}\n");
    out
}

fn write_enum(out: &mut String, e: &Enum) {
    let _ = writeln!(out, "#[derive(Debug, Clone, Copy, PartialEq, Eq, PgEnum)]");
    let schema = if e.schema == "public" {
        String::new()
    } else {
        format!(", schema = {}", lit(&e.schema))
    };
    let _ = writeln!(out, "#[pg_enum(name = {}{schema})]", lit(&e.name));
    let _ = writeln!(out, "pub enum {} {{", pascal(&e.name));
    for value in &e.values {
        let variant = pascal(value);
        if snake(&variant) != *value {
            let _ = writeln!(out, "    #[pg_enum(rename = {})]", lit(value));
        }
        let _ = writeln!(out, "    {variant},");
    }
    out.push_str("}\n\n");
}

fn sequence_const(name: &str) -> String {
    snake(name).to_uppercase()
}

/// A sequence as a `SequenceDef` constant, naming only what differs from
/// PostgreSQL's defaults.
fn write_sequence(out: &mut String, seq: &Sequence) {
    let mut def = format!("pgtable::SequenceDef::new({})", lit(&seq.name));
    if seq.schema != "public" {
        let _ = write!(def, ".schema({})", lit(&seq.schema));
    }
    if seq.increment != 1 {
        let _ = write!(def, ".increment_by({})", seq.increment);
    }
    let defaults = SequenceDef::new("").increment_by(seq.increment).bounds();
    if seq.min != defaults.0 {
        let _ = write!(def, ".min_value({})", seq.min);
    }
    if seq.max != defaults.1 {
        let _ = write!(def, ".max_value({})", seq.max);
    }
    let default_start = if seq.increment > 0 { seq.min } else { seq.max };
    if seq.start != default_start {
        let _ = write!(def, ".start_with({})", seq.start);
    }
    if seq.cache != 1 {
        let _ = write!(def, ".cache({})", seq.cache);
    }
    if seq.cycle {
        def.push_str(".cycle()");
    }
    let _ = writeln!(
        out,
        "/// Sequence `{}`.\npub const {}: pgtable::SequenceDef = {def};\n",
        seq.name,
        sequence_const(&seq.name)
    );
}

fn write_table(out: &mut String, snapshot: &Snapshot, table: &Table) {
    let mut args = vec![format!("name = {}", lit(&table.name))];
    if table.schema != "public" {
        args.push(format!("schema = {}", lit(&table.schema)));
    }
    let inline_pk = table.inline_primary_key().map(str::to_owned);
    if let Some(pk) = table.primary_key.as_ref().filter(|_| inline_pk.is_none()) {
        args.push(format!("primary_key({})", fields(&pk.columns)));
    }
    for u in &table.uniques {
        if !single_unique(table, &u.name, &u.columns) {
            let nnd = if u.nulls_not_distinct {
                ", nulls_not_distinct"
            } else {
                ""
            };
            args.push(format!(
                "unique(name = {}, columns({}){nnd})",
                lit(&u.name),
                fields(&u.columns)
            ));
        }
    }
    for index in &table.indexes {
        let keys: Vec<String> = index
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut key = field(c);
                if let Some(k) = index.keys.get(i) {
                    if k.desc {
                        key.push_str(" desc");
                    }
                    if let Some(nulls) = &k.nulls {
                        let _ = write!(key, " nulls_{nulls}");
                    }
                    if let Some(opclass) = &k.opclass {
                        let _ = write!(key, " opclass = {}", lit(opclass));
                    }
                }
                key
            })
            .collect();
        let mut arg = format!(
            "index(name = {}, columns({})",
            lit(&index.name),
            keys.join(", ")
        );
        if index.unique {
            arg.push_str(", unique");
        }
        if index.using != "btree" {
            let _ = write!(arg, ", using = {}", lit(&index.using));
        }
        if let Some(predicate) = &index.predicate {
            let _ = write!(arg, ", where = {}", lit(predicate));
        }
        arg.push(')');
        args.push(arg);
    }
    if table.rls && table.policies.is_empty() {
        args.push("rls".into());
    }
    for policy in &table.policies {
        let mut arg = format!("policy(name = {}", lit(&policy.name));
        if policy.kind != "permissive" {
            let _ = write!(arg, ", as = {}", lit(&policy.kind));
        }
        if policy.command != "all" {
            let _ = write!(arg, ", for = {}", lit(&policy.command));
        }
        if policy.to != ["public"] {
            let roles: Vec<String> = policy.to.iter().map(|r| lit(r)).collect();
            let _ = write!(arg, ", to({})", roles.join(", "));
        }
        if let Some(using) = &policy.using {
            let _ = write!(arg, ", using = {}", lit(using));
        }
        if let Some(check) = &policy.with_check {
            let _ = write!(arg, ", with_check = {}", lit(check));
        }
        arg.push(')');
        args.push(arg);
    }
    for check in &table.checks {
        args.push(format!(
            "check(name = {}, expr = {})",
            lit(&check.name),
            lit(&check.expr)
        ));
    }
    for fk in table.foreign_keys.iter().filter(|fk| !on_one_column(fk)) {
        args.push(table_foreign_key(table, fk));
    }
    // As rustfmt lays it out: on one line when it fits in 100 columns.
    let one_line = format!("#[table({})]", args.join(", "));
    if one_line.len() <= 100 {
        let _ = writeln!(out, "{one_line}");
    } else {
        let _ = writeln!(out, "#[table(\n    {}\n)]", args.join(",\n    "));
    }
    let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq)]");
    let _ = writeln!(out, "pub struct {} {{", struct_name(&table.name));
    for column in &table.columns {
        write_column(out, snapshot, table, column, inline_pk.as_deref());
    }
    out.push_str("}\n\n");
}

fn write_column(
    out: &mut String,
    snapshot: &Snapshot,
    table: &Table,
    column: &Column,
    inline_pk: Option<&str>,
) {
    let mut attrs: Vec<String> = Vec::new();
    let ident = field(&column.name);
    if ident.trim_start_matches("r#") != column.name {
        attrs.push(format!("name = {}", lit(&column.name)));
    }
    if inline_pk == Some(column.name.as_str()) {
        attrs.push("primary_key".into());
    }
    if table
        .uniques
        .iter()
        .any(|u| u.columns == [column.name.clone()] && single_unique(table, &u.name, &u.columns))
    {
        attrs.push("unique".into());
    }
    let (ty, type_attr) = rust_type(snapshot, column);
    attrs.extend(type_attr);
    if column.identity {
        attrs.push(if column.identity_by_default {
            "identity(by_default)".into()
        } else {
            "identity".into()
        });
    }
    match column.default.as_deref() {
        None => {}
        Some("now()") => attrs.push("default_now".into()),
        Some("gen_random_uuid()") => attrs.push("default_random".into()),
        Some(sql) => attrs.push(format!("default_sql = {}", lit(sql))),
    }
    if let Some(expr) = &column.generated {
        attrs.push(format!("generated = {}", lit(expr)));
    }
    for fk in table
        .foreign_keys
        .iter()
        .filter(|fk| on_one_column(fk) && fk.columns[0] == column.name)
    {
        let target = struct_name(&fk.foreign_table);
        let constant = constant(&fk.foreign_columns[0]);
        attrs.push(format!("references = {target}::{constant}"));
        let default = names::stored(&format!(
            "{}_{}_{}_{}_fk",
            table.name, column.name, fk.foreign_table, fk.foreign_columns[0]
        ))
        .to_owned();
        if fk.name != default {
            attrs.push(format!("fk_name = {}", lit(&fk.name)));
        }
        attrs.extend(actions(fk));
    }
    if !attrs.is_empty() {
        let _ = writeln!(out, "    #[column({})]", attrs.join(", "));
    }
    let ty = if column.nullable && inline_pk != Some(column.name.as_str()) {
        format!("Option<{ty}>")
    } else {
        ty
    };
    let _ = writeln!(out, "    pub {ident}: {ty},");
}

/// Whether `fk` is written on its column (`references = Other::ID`).
fn on_one_column(fk: &ForeignKey) -> bool {
    fk.columns.len() == 1 && fk.foreign_columns.len() == 1
}

/// `on_delete = cascade`, `on_update = set_null`: the actions that are
/// not the default.
fn actions(fk: &ForeignKey) -> Vec<String> {
    [("on_delete", &fk.on_delete), ("on_update", &fk.on_update)]
        .into_iter()
        .filter(|(_, action)| *action != "no action")
        .map(|(key, action)| format!("{key} = {}", action.replace(' ', "_")))
        .collect()
}

/// `foreign_key(columns(a, b), references(Other::A, Other::B), …)`.
fn table_foreign_key(table: &Table, fk: &ForeignKey) -> String {
    let target = struct_name(&fk.foreign_table);
    let references: Vec<String> = fk
        .foreign_columns
        .iter()
        .map(|c| format!("{target}::{}", constant(c)))
        .collect();
    let mut parts: Vec<&str> = vec![&table.name];
    parts.extend(fk.columns.iter().map(String::as_str));
    parts.push(&fk.foreign_table);
    parts.extend(fk.foreign_columns.iter().map(String::as_str));
    parts.push("fk");
    let mut args = Vec::new();
    if fk.name != names::derived(&parts) {
        args.push(format!("name = {}", lit(&fk.name)));
    }
    args.push(format!("columns({})", fields(&fk.columns)));
    args.push(format!("references({})", references.join(", ")));
    args.extend(actions(fk));
    format!("foreign_key({})", args.join(", "))
}

/// The column constant `#[table]` generates for a column (`USER_ID`).
fn constant(column: &str) -> String {
    field(column).trim_start_matches("r#").to_uppercase()
}

/// A `#[view]` struct. The catalog does not say whether a view's column
/// can be NULL, so every field is an `Option`; the type is the one its
/// column has in the catalog, without the attributes a table's column
/// takes (a view's field takes none but `name`).
fn write_view(out: &mut String, snapshot: &Snapshot, view: &View, columns: &[ViewColumn]) {
    let mut args = vec![format!("name = {}", lit(&view.name))];
    if view.schema != "public" {
        args.push(format!("schema = {}", lit(&view.schema)));
    }
    if view.materialized {
        args.push("materialized".into());
    }
    args.push(format!("sql = {}", lit(&view.definition)));
    let _ = writeln!(out, "#[view(\n    {}\n)]", args.join(",\n    "));
    let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq)]");
    let _ = writeln!(out, "pub struct {} {{", struct_name(&view.name));
    for column in columns
        .iter()
        .filter(|c| c.schema == view.schema && c.view == view.name)
    {
        let ident = field(&column.name);
        if ident.trim_start_matches("r#") != column.name {
            let _ = writeln!(out, "    #[column(name = {})]", lit(&column.name));
        }
        let as_column = Column {
            name: column.name.clone(),
            renamed_from: None,
            sql_type: column.sql_type.clone(),
            nullable: true,
            default: None,
            identity: false,
            identity_by_default: false,
            generated: None,
        };
        let (ty, _) = rust_type(snapshot, &as_column);
        let _ = writeln!(out, "    pub {ident}: Option<{ty}>,");
    }
    out.push_str("}\n\n");
}

/// The Rust type of a column as the catalog names its type, and the
/// attribute that gives the exact SQL type where the Rust type alone
/// does not.
fn rust_type(snapshot: &Snapshot, column: &Column) -> (String, Option<String>) {
    let sql_type = column.sql_type.as_str();
    if let Some(element) = sql_type.strip_suffix("[]") {
        let inner = Column {
            sql_type: element.to_owned(),
            ..column.clone()
        };
        let (ty, attr) = rust_type(snapshot, &inner);
        return match attr {
            None => (format!("Vec<{ty}>"), None),
            Some(_) => (
                "Vec<String>".into(),
                Some(format!("sql_type = {}", lit(sql_type))),
            ),
        };
    }
    let plain = |ty: &str| (ty.to_owned(), None);
    match sql_type {
        "boolean" => plain("bool"),
        "smallint" => plain("i16"),
        "integer" => plain("i32"),
        "bigint" => plain("i64"),
        "smallserial" => ("i16".into(), Some("serial".into())),
        "serial" => ("i32".into(), Some("serial".into())),
        "bigserial" => ("i64".into(), Some("serial".into())),
        "real" => plain("f32"),
        "double precision" => plain("f64"),
        "text" => plain("String"),
        "bytea" => plain("Vec<u8>"),
        "uuid" => plain("pgtable::uuid::Uuid"),
        "timestamp without time zone" => plain("pgtable::chrono::NaiveDateTime"),
        "timestamp with time zone" => plain("pgtable::chrono::DateTime<pgtable::chrono::Utc>"),
        "date" => plain("pgtable::chrono::NaiveDate"),
        "time without time zone" => plain("pgtable::chrono::NaiveTime"),
        "jsonb" => plain("serde_json::Value"),
        "json" => ("serde_json::Value".into(), Some("json".into())),
        "interval" => plain("pgtable::Interval"),
        "inet" => plain("std::net::IpAddr"),
        "numeric" => plain("rust_decimal::Decimal"),
        _ => {
            if let Some(len) = arg_of(sql_type, "character varying") {
                return ("String".into(), Some(format!("varchar({len})")));
            }
            if let Some(len) = arg_of(sql_type, "character") {
                return ("String".into(), Some(format!("char({len})")));
            }
            if let Some(ps) = arg_of(sql_type, "numeric") {
                let ps = ps.replace(',', ", ");
                return (
                    "rust_decimal::Decimal".into(),
                    Some(format!("numeric({ps})")),
                );
            }
            if let Some(e) = snapshot
                .enums
                .iter()
                .find(|e| sql_type == e.name || sql_type == format!("{}.{}", e.schema, e.name))
            {
                return plain(&pascal(&e.name));
            }
            (
                "String".into(),
                Some(format!("sql_type = {}", lit(sql_type))),
            )
        }
    }
}

/// `3` of `character varying(3)`, `10,2` of `numeric(10,2)`.
fn arg_of<'a>(sql_type: &'a str, name: &str) -> Option<&'a str> {
    sql_type
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// A one-column unique named as `#[column(unique)]` names it.
fn single_unique(table: &Table, name: &str, columns: &[String]) -> bool {
    columns.len() == 1 && name == names::stored(&format!("{}_{}_unique", table.name, columns[0]))
}
