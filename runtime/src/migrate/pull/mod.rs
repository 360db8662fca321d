//! `pull` (drizzle-kit pull, diesel print-schema): a live database read
//! back into Rust source, `#[table]` structs and `PgEnum`s with their keys,
//! uniques, checks, indexes, foreign keys and defaults, so that the output
//! compiled and checked against the same database shows no drift.
//! Defaults are kept as the catalog spells them (`default_sql`), which is
//! exactly what `check` compares.

use std::fmt::Write;

use super::MigrateError;
use super::introspect::read;
use crate::db::Db;
use crate::names;
use crate::query::sql;
use crate::schema::SequenceDef;
use crate::snapshot::{Column, Enum, Sequence, Snapshot, Table};

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
    let snapshot = read(&tx, &schemas).await?;
    tx.rollback().await?;
    Ok(to_rust(&snapshot))
}

/// The Rust source declaring `snapshot`: enums, tables and `schema()`.
pub fn to_rust(snapshot: &Snapshot) -> String {
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
    out.push_str("/// Every table pulled.\npub fn schema() -> Schema {\n    Schema::new()");
    for seq in &snapshot.sequences {
        let _ = write!(out, "\n        .sequence(&{})", sequence_const(&seq.name));
    }
    for table in &snapshot.tables {
        let _ = write!(out, "\n        .table::<{}>()", struct_name(&table.name));
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
        .filter(|fk| fk.columns == [column.name.clone()] && fk.foreign_columns.len() == 1)
    {
        let target = struct_name(&fk.foreign_table);
        let constant = field(&fk.foreign_columns[0])
            .trim_start_matches("r#")
            .to_uppercase();
        attrs.push(format!("references = {target}::{constant}"));
        let default = names::stored(&format!(
            "{}_{}_{}_{}_fk",
            table.name, column.name, fk.foreign_table, fk.foreign_columns[0]
        ))
        .to_owned();
        if fk.name != default {
            attrs.push(format!("fk_name = {}", lit(&fk.name)));
        }
        for (key, action) in [("on_delete", &fk.on_delete), ("on_update", &fk.on_update)] {
            if action != "no action" {
                attrs.push(format!("{key} = {}", action.replace(' ', "_")));
            }
        }
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

fn fields(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Rust field name for a column.
fn field(column: &str) -> String {
    let name = snake(column);
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c_{name}")
    } else {
        name
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
];

/// `posts_to_categories` -> `PostsToCategory`: PascalCase, the last word
/// made singular.
fn struct_name(table: &str) -> String {
    let name = pascal(table);
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with('s') && !name.ends_with("ss") {
        name[..name.len() - 1].to_owned()
    } else {
        name
    }
}

fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            if upper {
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'V');
    }
    out
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// A Rust string literal.
fn lit(text: &str) -> String {
    format!("{text:?}")
}
