//! Reading a live database back into a snapshot, to compare it with the
//! compiled schema (`check`).
//!
//! PostgreSQL spells things its own way (`character varying(255)` for
//! `varchar(255)`, `'draft'::post_status` for a default of `'draft'`,
//! `CHECK ((rating >= 0))`), so both sides are normalized before they are
//! compared.

use std::collections::HashMap;

use super::MigrateError;
use super::diff::{Change, diff};
use super::runner::TABLE;
use crate::db::Db;
use crate::error::Error;
use crate::query::{Built, fetch_rows};
use crate::schema::Schema;
use crate::snapshot::{
    Check, Column, Enum, ForeignKey, Index, IndexKey, PrimaryKey, Snapshot, Table, Unique, VERSION,
    index_keys,
};

const ENUMS: &str =
    "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1) GROUP BY 1, 2 ORDER BY 1, 2";

const TABLES: &str = "SELECT c.oid, n.nspname::text, c.relname::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND c.relname <> $2 ORDER BY 2, 3";

const COLUMNS: &str =
    "SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity::text,
       pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) IS NOT NULL,
       a.attgenerated::text
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";

const CONSTRAINTS: &str = "SELECT con.conrelid, con.conname::text, con.contype::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
       fn.nspname::text, fc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i),
       con.confdeltype::text, con.confupdtype::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con
LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'c', 'f') ORDER BY con.conname";

const INDEXES: &str = "SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o),
       i.indoption::int2[],
       ARRAY(SELECT CASE WHEN oc.opcdefault THEN NULL ELSE oc.opcname::text END
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY k(c, o)
             JOIN pg_opclass oc ON oc.oid = k.c ORDER BY k.o),
       pg_get_expr(i.indpred, i.indrelid)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY 2";

/// Reads the catalog through pgtable's statement path (on the primary).
struct Catalog<'a>(&'a Db);

impl Catalog<'_> {
    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, Error> {
        fetch_rows(self.0, &Built::raw(sql, params.to_vec())).await
    }
}

fn action(code: &str) -> String {
    match code {
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        "r" => "restrict",
        _ => "no action",
    }
    .to_owned()
}

/// The snapshot of the live database, for the schemas `of` uses (and
/// `public`), leaving out pgtable's bookkeeping table.
pub async fn introspect(db: &Db, of: &Snapshot) -> Result<Snapshot, MigrateError> {
    let mut schemas: Vec<String> = vec!["public".to_owned()];
    for s in of
        .enums
        .iter()
        .map(|e| &e.schema)
        .chain(of.tables.iter().map(|t| &t.schema))
    {
        if !schemas.contains(s) {
            schemas.push(s.clone());
        }
    }
    // Through pgtable's statements, so that PgBouncer mode applies.
    let conn = Catalog(db);
    let enums = conn
        .query(ENUMS, &[&schemas])
        .await?
        .iter()
        .map(|r| Enum {
            schema: r.get(0),
            name: r.get(1),
            values: r.get(2),
        })
        .collect();

    let table_rows = conn.query(TABLES, &[&schemas, &TABLE]).await?;
    let oids: Vec<u32> = table_rows.iter().map(|r| r.get(0)).collect();
    let mut tables: Vec<(u32, Table)> = table_rows
        .iter()
        .map(|r| {
            (
                r.get::<_, u32>(0),
                Table {
                    schema: r.get(1),
                    name: r.get(2),
                    renamed_from: None,
                    columns: Vec::new(),
                    primary_key: None,
                    uniques: Vec::new(),
                    checks: Vec::new(),
                    foreign_keys: Vec::new(),
                    indexes: Vec::new(),
                },
            )
        })
        .collect();
    let index: HashMap<u32, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (oid, _))| (*oid, i))
        .collect();
    fn table<'t>(
        tables: &'t mut [(u32, Table)],
        index: &HashMap<u32, usize>,
        oid: u32,
    ) -> Option<&'t mut Table> {
        index.get(&oid).map(|&i| &mut tables[i].1)
    }

    for r in conn.query(COLUMNS, &[&oids]).await? {
        let Some(t) = table(&mut tables, &index, r.get(0)) else {
            continue;
        };
        let identity: String = r.get(5);
        let mut sql_type: String = r.get(2);
        let mut default: Option<String> = r.get(4);
        // A column filling itself from a sequence it owns is `serial`,
        // as DDL writes it.
        let owns_sequence: bool = r.get(6);
        if identity.is_empty()
            && owns_sequence
            && default
                .as_deref()
                .is_some_and(|d| d.starts_with("nextval("))
        {
            let serial = match sql_type.as_str() {
                "smallint" => Some("smallserial"),
                "integer" => Some("serial"),
                "bigint" => Some("bigserial"),
                _ => None,
            };
            if let Some(serial) = serial {
                sql_type = serial.to_owned();
                default = None;
            }
        }
        // A stored generated column's expression is where a default is.
        let generated_kind: String = r.get(7);
        let generated = if generated_kind == "s" {
            default.take()
        } else {
            None
        };
        t.columns.push(Column {
            name: r.get(1),
            renamed_from: None,
            sql_type,
            nullable: r.get(3),
            default,
            identity: !identity.is_empty(),
            identity_by_default: identity == "d",
            generated,
        });
    }
    for r in conn.query(CONSTRAINTS, &[&oids]).await? {
        let Some(t) = table(&mut tables, &index, r.get(0)) else {
            continue;
        };
        let name: String = r.get(1);
        let kind: String = r.get(2);
        let columns: Vec<String> = r.get(3);
        match kind.as_str() {
            "p" => t.primary_key = Some(PrimaryKey { name, columns }),
            "u" => {
                let definition: String = r.get(9);
                t.uniques.push(Unique {
                    name,
                    columns,
                    nulls_not_distinct: definition.contains("NULLS NOT DISTINCT"),
                });
            }
            "c" => {
                let definition: String = r.get(9);
                let expr = definition
                    .strip_prefix("CHECK ")
                    .unwrap_or(&definition)
                    .to_owned();
                t.checks.push(Check { name, expr });
            }
            _ => t.foreign_keys.push(ForeignKey {
                name,
                columns,
                foreign_schema: r.get(4),
                foreign_table: r.get(5),
                foreign_columns: r.get(6),
                on_delete: action(&r.get::<_, String>(7)),
                on_update: action(&r.get::<_, String>(8)),
            }),
        }
    }
    for r in conn.query(INDEXES, &[&oids]).await? {
        let Some(t) = table(&mut tables, &index, r.get(0)) else {
            continue;
        };
        // indoption: bit 0 is DESC, bit 1 NULLS FIRST.
        let options: Vec<i16> = r.get(5);
        let opclasses: Vec<Option<String>> = r.get(6);
        let keys = options.into_iter().zip(opclasses).map(|(option, opclass)| {
            IndexKey::new(option & 1 != 0, Some(option & 2 != 0), opclass)
        });
        t.indexes.push(Index {
            name: r.get(1),
            unique: r.get(2),
            using: r.get(3),
            columns: r.get(4),
            keys: index_keys(keys),
            predicate: r.get(7),
        });
    }
    Ok(Snapshot {
        version: VERSION,
        enums,
        tables: tables.into_iter().map(|(_, t)| t).collect(),
    })
}

/// The differences between the live database and the compiled schema, as
/// the changes a migration would make. Empty means no drift.
pub async fn drift(db: &Db, schema: &Schema) -> Result<Vec<Change>, MigrateError> {
    let compiled = Snapshot::of(schema);
    let live = introspect(db, &compiled).await?;
    Ok(diff(&normalize(live), &normalize(compiled)))
}

/// Both sides spelled alike: PostgreSQL's canonical type names, defaults
/// and checks without the casts PostgreSQL adds, sorted constraint lists.
fn normalize(mut snapshot: Snapshot) -> Snapshot {
    for table in &mut snapshot.tables {
        for column in &mut table.columns {
            column.sql_type = normalize_type(&column.sql_type);
            column.default = column.default.as_deref().map(normalize_expr);
            column.generated = column.generated.as_deref().map(condition_key);
        }
        for check in &mut table.checks {
            check.expr = condition_key(&check.expr);
        }
        for index in &mut table.indexes {
            index.predicate = index.predicate.as_deref().map(condition_key);
        }
        table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    snapshot
}

/// A condition (a check's, a partial index's) as both sides can spell it:
/// without casts, spaces or parentheses, which PostgreSQL adds.
fn condition_key(condition: &str) -> String {
    normalize_expr(condition)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect()
}

/// `varchar(255)` -> `character varying(255)`, `"post_status"[]` ->
/// `post_status[]`, `"public"."x"` -> `x`.
fn normalize_type(sql_type: &str) -> String {
    let mut base = sql_type.trim();
    let mut arrays = 0;
    while let Some(stripped) = base.strip_suffix("[]") {
        base = stripped.trim_end();
        arrays += 1;
    }
    let unquoted = base.replace('"', "");
    let unqualified = unquoted
        .strip_prefix("public.")
        .unwrap_or(&unquoted)
        .to_lowercase();
    let (name, args) = match unqualified.find('(') {
        Some(i) => (
            unqualified[..i].trim().to_owned(),
            unqualified[i..].replace(' ', ""),
        ),
        None => (unqualified.clone(), String::new()),
    };
    let canonical = match name.as_str() {
        "varchar" => "character varying",
        "char" | "bpchar" => "character",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        "time" => "time without time zone",
        "timetz" => "time with time zone",
        "int" | "int4" => "integer",
        "int2" => "smallint",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bool" => "boolean",
        "decimal" => "numeric",
        other => other,
    };
    // `numeric(20)` is `numeric(20,0)`, as PostgreSQL prints it.
    let args = if canonical == "numeric" && args.starts_with('(') && !args.contains(',') {
        args.replacen(')', ",0)", 1)
    } else {
        args
    };
    format!("{canonical}{args}{}", "[]".repeat(arrays))
}

/// An expression without the casts PostgreSQL adds: `'draft'::post_status`
/// -> `'draft'`, `'{}'::text[]` -> `'{}'`.
fn normalize_expr(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.trim().chars().peekable();
    let mut in_string = false;
    while let Some(ch) = chars.next() {
        if ch == '\'' {
            in_string = !in_string;
            out.push(ch);
        } else if !in_string && ch == ':' && chars.peek() == Some(&':') {
            chars.next();
            // Skip the type name: words, quotes, spaces between words, [].
            while let Some(&next) = chars.peek() {
                if next.is_alphanumeric() || matches!(next, '_' | '"' | '.' | '[' | ']') {
                    chars.next();
                } else if next == ' ' {
                    let rest: String = chars
                        .clone()
                        .skip(1)
                        .take_while(|c| c.is_alphabetic())
                        .collect();
                    if ["varying", "precision", "without", "with", "time", "zone"]
                        .contains(&rest.as_str())
                    {
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_spelled_alike() {
        assert_eq!(normalize_type("varchar(255)"), "character varying(255)");
        assert_eq!(
            normalize_type("character varying(255)"),
            "character varying(255)"
        );
        assert_eq!(normalize_type("timestamp"), "timestamp without time zone");
        assert_eq!(normalize_type("\"post_status\"[]"), "post_status[]");
        assert_eq!(normalize_type("\"public\".\"post_status\""), "post_status");
        assert_eq!(normalize_type("\"extra\".\"level\""), "extra.level");
        assert_eq!(normalize_type("numeric(10, 2)"), "numeric(10,2)");
        assert_eq!(normalize_type("numeric(20)"), "numeric(20,0)");
        assert_eq!(normalize_type("char(3)"), "character(3)");
    }

    #[test]
    fn casts_are_dropped_from_expressions() {
        assert_eq!(normalize_expr("'draft'::post_status"), "'draft'");
        assert_eq!(normalize_expr("'{}'::text[]"), "'{}'");
        assert_eq!(normalize_expr("'a::b'::character varying"), "'a::b'");
        assert_eq!(normalize_expr("(slug <> ''::text)"), "(slug <> '')");
        assert_eq!(normalize_expr("now()"), "now()");
        assert_eq!(normalize_expr("'x'::timestamp without time zone"), "'x'");
    }
}
