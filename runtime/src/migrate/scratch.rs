//! The compiled schema as PostgreSQL spells it, for `check`.
//!
//! PostgreSQL stores a default of `9000000000` as `'9000000000'::bigint`, a
//! check `rating between 1 and 5` as `((rating >= 1) AND (rating <= 5))`,
//! a type `varchar(255)` as `character varying(255)`. Rather than guess
//! those spellings, `check` builds the compiled schema in scratch schemas
//! inside the transaction it reads the live database in, reads it back
//! through the same catalog queries, and rolls everything back. Both sides
//! are then spelled by the server, and compared as they are.

use super::MigrateError;
use super::diff::diff;
use super::introspect::{read, schemas_of};
use crate::query::sql;
use crate::snapshot::Snapshot;
use crate::sql::{quote_ident, quote_literal};
use crate::transaction::Transaction;

/// Builds `compiled` in scratch schemas in `tx` (which the caller rolls
/// back) and reads it back as the catalog spells it, with the schemas'
/// real names.
pub(super) async fn expected(
    tx: &Transaction,
    compiled: &Snapshot,
) -> Result<Snapshot, MigrateError> {
    // Unique while the transaction lives, which is as long as the scratch
    // schemas do.
    let (xid,): (i64,) = sql("SELECT txid_current()").fetch_one(tx).await?;
    let prefix = format!("pgtable_check_{xid}_");
    let scratch = renamed(compiled, &prefix);
    // Unqualified names (tables and types of `public`) are created in the
    // scratch `public`; what is already in `public` (extension types and
    // functions) stays visible behind it.
    let search_path = format!("{}, public", quote_ident(&format!("{prefix}public")));
    run(
        tx,
        &format!(
            "SELECT set_config('search_path', {}, true)",
            quote_literal(&search_path)
        ),
    )
    .await?;
    for change in diff(&Snapshot::default(), &scratch) {
        for statement in &change.statements {
            run(tx, statement).await?;
        }
    }
    let mut schemas = schemas_of(&scratch);
    schemas.push(format!("{prefix}public"));
    let mut built = without_prefix(read(tx, &schemas).await?, &prefix);
    // Roles are the cluster's, not the scratch schemas': the policies were
    // built for `public`, and name their roles as the schema does, but for
    // `current_user` and the like, which PostgreSQL resolves when the
    // policy is created (the catalog then holds that role).
    built.roles = compiled.roles.clone();
    let (current, session): (String, String) = sql("SELECT current_user::text, session_user::text")
        .fetch_one(tx)
        .await?;
    let resolve = |role: &String| match role.as_str() {
        "current_user" | "current_role" => current.clone(),
        "session_user" => session.clone(),
        _ => role.clone(),
    };
    for table in &mut built.tables {
        let Some(declared) = compiled.table(&table.schema, &table.name) else {
            continue;
        };
        for policy in &mut table.policies {
            if let Some(p) = declared.policies.iter().find(|p| p.name == policy.name) {
                policy.to = p.to.iter().map(resolve).collect();
                policy.to.sort();
                policy.to.dedup();
            }
        }
    }
    Ok(built)
}

async fn run(tx: &Transaction, statement: &str) -> Result<(), MigrateError> {
    tx.batch_execute(statement)
        .await
        .map_err(|source| MigrateError::Scratch {
            statement: statement.to_owned(),
            source: Box::new(source),
        })
}

/// `snapshot` with every schema `s` (`public` too) named `<prefix><s>`, in
/// the names of tables and enums, foreign keys' targets and column types.
fn renamed(snapshot: &Snapshot, prefix: &str) -> Snapshot {
    let mut out = snapshot.clone();
    // Creating roles would need CREATEROLE and outlive nothing: policies
    // are built for `public` instead (see `expected`).
    out.roles.clear();
    for t in &mut out.tables {
        for policy in &mut t.policies {
            policy.to = vec!["public".to_owned()];
        }
    }
    let scratch = |schema: &str| format!("{prefix}{schema}");
    let mut schemas: Vec<String> = Vec::new();
    for e in &mut out.enums {
        schemas.push(e.schema.clone());
        e.schema = scratch(&e.schema);
    }
    for t in &mut out.tables {
        schemas.push(t.schema.clone());
        t.schema = scratch(&t.schema);
        t.renamed_from = None;
        for fk in &mut t.foreign_keys {
            fk.foreign_schema = scratch(&fk.foreign_schema);
        }
    }
    for v in &mut out.views {
        schemas.push(v.schema.clone());
        v.schema = scratch(&v.schema);
    }
    for q in &mut out.sequences {
        schemas.push(q.schema.clone());
        q.schema = scratch(&q.schema);
    }
    schemas.sort();
    schemas.dedup();
    // A column type names its enum's schema as `"extra"."level"`.
    for t in &mut out.tables {
        for c in &mut t.columns {
            c.renamed_from = None;
            for schema in &schemas {
                let from = format!("{}.", quote_ident(schema));
                if c.sql_type.contains(&from) {
                    let to = format!("{}.", quote_ident(&scratch(schema)));
                    c.sql_type = c.sql_type.replace(&from, &to);
                }
            }
        }
    }
    out
}

/// `built` with the scratch prefix taken out of every name and every piece
/// of SQL the catalog spelled (`'LOW'::pgtable_check_…_extra.level`).
fn without_prefix(mut built: Snapshot, prefix: &str) -> Snapshot {
    let strip = |s: &mut String| {
        if s.contains(prefix) {
            *s = s.replace(prefix, "");
        }
    };
    for e in &mut built.enums {
        strip(&mut e.schema);
    }
    for v in &mut built.views {
        strip(&mut v.schema);
        strip(&mut v.definition);
    }
    for q in &mut built.sequences {
        strip(&mut q.schema);
    }
    for t in &mut built.tables {
        strip(&mut t.schema);
        for c in &mut t.columns {
            strip(&mut c.sql_type);
            for sql in [&mut c.default, &mut c.generated].into_iter().flatten() {
                strip(sql);
            }
        }
        for check in &mut t.checks {
            strip(&mut check.expr);
        }
        for fk in &mut t.foreign_keys {
            strip(&mut fk.foreign_schema);
        }
        for index in &mut t.indexes {
            if let Some(predicate) = &mut index.predicate {
                strip(predicate);
            }
        }
        for policy in &mut t.policies {
            for sql in [&mut policy.using, &mut policy.with_check]
                .into_iter()
                .flatten()
            {
                strip(sql);
            }
        }
    }
    built
}
