//! Reading a live database back into a snapshot, to compare it with the
//! compiled schema (`check`).
//!
//! PostgreSQL spells things its own way (`character varying(255)` for
//! `varchar(255)`, `'draft'::post_status` for a default of `'draft'`,
//! `CHECK ((rating >= 0))`), so the compiled side is not compared as pgtable
//! writes it: it is built in scratch schemas and read back the same way
//! ([`super::scratch`]).

use std::collections::HashMap;

use super::MigrateError;
use super::diff::{Change, diff};
use super::runner::TABLE;
use super::scratch;
use crate::db::{Db, Executor};
use crate::error::Error;
use crate::query::{Built, fetch_rows, sql};
use crate::schema::Schema;
use crate::snapshot::{
    Check, Column, Enum, ForeignKey, Index, IndexKey, Policy, PrimaryKey, Sequence, Snapshot,
    Table, Unique, VERSION, View, index_keys,
};

const ENUMS: &str =
    "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1) GROUP BY 1, 2 ORDER BY 1, 2";

const TABLES: &str = "SELECT c.oid, n.nspname::text, c.relname::text, c.relrowsecurity
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

const POLICIES: &str = "SELECT p.polrelid, p.polname::text, p.polpermissive, p.polcmd::text,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
             FROM unnest(p.polroles) r ORDER BY 1),
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
FROM pg_policy p WHERE p.polrelid = ANY($1) ORDER BY 2";

const VIEWS: &str =
    "SELECT n.nspname::text, c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid, true)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) ORDER BY 1, 2";

/// Sequences that are schema items: not those a column owns (serial,
/// identity).
const SEQUENCES: &str = "SELECT n.nspname::text, c.relname::text, s.seqincrement, s.seqmin, s.seqmax,
       s.seqstart, s.seqcache, s.seqcycle
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
ORDER BY 1, 2";

const ROLES: &str = "SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1";

/// Reads the catalog through pgtable's statement path.
struct Catalog<'a, E: ?Sized>(&'a E);

impl<E: Executor + ?Sized> Catalog<'_, E> {
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

/// A policy's command from `pg_policy.polcmd`.
fn command(code: &str) -> &'static str {
    match code {
        "r" => "select",
        "a" => "insert",
        "w" => "update",
        "d" => "delete",
        _ => "all",
    }
}

/// The snapshot of the live database, for the schemas `of` uses (and
/// `public`), leaving out pgtable's bookkeeping table. Defaults, checks and
/// types are spelled as PostgreSQL prints them.
pub async fn introspect<E: Executor + ?Sized>(
    exec: &E,
    of: &Snapshot,
) -> Result<Snapshot, MigrateError> {
    let mut schemas = schemas_of(of);
    if !schemas.iter().any(|s| s == "public") {
        schemas.push("public".to_owned());
    }
    let mut live = read(exec, &schemas).await?;
    live.roles = Catalog(exec)
        .query(ROLES, &[&of.roles])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(live)
}

/// The schemas a snapshot's enums and tables are in.
pub(super) fn schemas_of(of: &Snapshot) -> Vec<String> {
    let mut schemas: Vec<String> = Vec::new();
    for s in of
        .enums
        .iter()
        .map(|e| &e.schema)
        .chain(of.tables.iter().map(|t| &t.schema))
        .chain(of.views.iter().map(|v| &v.schema))
        .chain(of.sequences.iter().map(|q| &q.schema))
    {
        if !schemas.contains(s) {
            schemas.push(s.clone());
        }
    }
    schemas
}

/// The snapshot of what is in `schemas`, but pgtable's bookkeeping table.
pub(super) async fn read<E: Executor + ?Sized>(
    exec: &E,
    schemas: &[String],
) -> Result<Snapshot, MigrateError> {
    // Through pgtable's statements, so that PgBouncer mode applies.
    let conn = Catalog(exec);
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
                    rls: r.get(3),
                    policies: Vec::new(),
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
            concurrently: false,
        });
    }
    for r in conn.query(POLICIES, &[&oids]).await? {
        let Some(t) = table(&mut tables, &index, r.get(0)) else {
            continue;
        };
        let permissive: bool = r.get(2);
        t.policies.push(Policy {
            name: r.get(1),
            kind: if permissive {
                "permissive"
            } else {
                "restrictive"
            }
            .to_owned(),
            command: command(&r.get::<_, String>(3)).to_owned(),
            to: r.get(4),
            using: r.get(5),
            with_check: r.get(6),
        });
    }
    let views = conn
        .query(VIEWS, &[&schemas])
        .await?
        .iter()
        .map(|r| View {
            schema: r.get(0),
            name: r.get(1),
            materialized: r.get(2),
            definition: r
                .get::<_, String>(3)
                .trim()
                .trim_end_matches(';')
                .to_owned(),
        })
        .collect();
    let sequences = conn
        .query(SEQUENCES, &[&schemas])
        .await?
        .iter()
        .map(|r| Sequence {
            schema: r.get(0),
            name: r.get(1),
            increment: r.get(2),
            min: r.get(3),
            max: r.get(4),
            start: r.get(5),
            cache: r.get(6),
            cycle: r.get(7),
        })
        .collect();
    Ok(Snapshot {
        version: VERSION,
        enums,
        tables: tables.into_iter().map(|(_, t)| t).collect(),
        roles: Vec::new(),
        views,
        sequences,
    })
}

/// The differences between the live database and the compiled schema, as
/// the changes a migration would make. Empty means no drift.
///
/// Both sides are read from the catalog in one transaction on the primary,
/// which is rolled back: the live schemas, then the compiled schema built
/// in scratch schemas, so that both are spelled by PostgreSQL. It needs the
/// CREATE privilege on the database.
pub async fn drift(db: &Db, schema: &Schema) -> Result<Vec<Change>, MigrateError> {
    let (live, expected) = live_and_expected(db, &Snapshot::of(schema)).await?;
    Ok(diff(&live, &expected))
}

/// The live database and `compiled` as the server would store it, both
/// read from the catalog in one transaction that is rolled back, with
/// their lists in the same order.
pub(super) async fn live_and_expected(
    db: &Db,
    compiled: &Snapshot,
) -> Result<(Snapshot, Snapshot), MigrateError> {
    let tx = db.begin().await?;
    // Both sides print names relative to the same search path.
    sql("SELECT set_config('search_path', 'public', true)")
        .execute(&tx)
        .await?;
    let live = introspect(&tx, compiled).await?;
    let expected = scratch::expected(&tx, compiled).await?;
    tx.rollback().await?;
    Ok((sorted(live), sorted(expected)))
}

/// Constraint and index lists in name order, on both sides alike.
fn sorted(mut snapshot: Snapshot) -> Snapshot {
    for table in &mut snapshot.tables {
        table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        table.policies.sort_by(|a, b| a.name.cmp(&b.name));
    }
    snapshot
}
