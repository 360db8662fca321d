//! Statements without names, for PgBouncer in transaction mode.
//!
//! PgBouncer (before 1.21, or without `max_prepared_statements`) may run
//! each round trip of a client on a different server connection, so a
//! statement prepared under a name in one round trip and executed in the
//! next is not there. In PgBouncer mode pgtable sends every statement
//! unnamed, with its parameter types, in a single round trip
//! (tokio-postgres's `query_typed`).
//!
//! The parameter types of a statement are learned once per pool: one
//! simple-query round trip prepares it under a name, reads the types from
//! `pg_prepared_statements` and deallocates it again, all in one message,
//! so on one server connection. Types PostgreSQL does not build in (enums,
//! domains, arrays of them) are read from `pg_type`.
//!
//! tokio-postgres itself looks up result types it does not know with
//! statements it names; so that it never needs to behind PgBouncer, every
//! new connection first learns the database's own types inside a
//! transaction (which PgBouncer keeps on one server connection) and
//! deallocates what that prepared.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use postgres_types::{Kind, Oid, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

/// What a pool knows of statements' parameter types and of the database's
/// own types. Shared by all of a pool's connections (and its replicas',
/// which have the same types).
#[derive(Debug, Default)]
pub(crate) struct TypeCache {
    params: Mutex<HashMap<String, Arc<[Type]>>>,
    custom: Mutex<HashMap<Oid, Type>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl TypeCache {
    /// The parameter types of `sql`, asked of the server the first time.
    pub(crate) async fn param_types(
        &self,
        client: &Client,
        sql: &str,
    ) -> Result<Arc<[Type]>, tokio_postgres::Error> {
        if let Some(types) = lock(&self.params).get(sql) {
            return Ok(Arc::clone(types));
        }
        let oids = describe(client, sql).await?;
        let mut types = Vec::with_capacity(oids.len());
        for oid in oids {
            types.push(self.type_of(client, oid).await?);
        }
        let types: Arc<[Type]> = types.into();
        lock(&self.params).insert(sql.to_owned(), Arc::clone(&types));
        Ok(types)
    }

    /// The type with `oid`: built in, or read from `pg_type`.
    async fn type_of(&self, client: &Client, oid: Oid) -> Result<Type, tokio_postgres::Error> {
        if let Some(ty) = Type::from_oid(oid) {
            return Ok(ty);
        }
        if let Some(ty) = lock(&self.custom).get(&oid) {
            return Ok(ty.clone());
        }
        let row = client
            .query_typed_one(
                "SELECT t.typname::text, n.nspname::text, t.typtype::text, t.typelem, t.typbasetype,
                        ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1",
                &[(&oid, Type::OID)],
            )
            .await?;
        let (name, schema, kind): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let (element, base): (Oid, Oid) = (row.get(3), row.get(4));
        let kind = match kind.as_str() {
            "e" => Kind::Enum(row.get(5)),
            "d" => Kind::Domain(Box::pin(self.type_of(client, base)).await?),
            _ if element != 0 => Kind::Array(Box::pin(self.type_of(client, element)).await?),
            _ => Kind::Simple,
        };
        let ty = Type::new(name, oid, kind, schema);
        lock(&self.custom).insert(oid, ty.clone());
        Ok(ty)
    }
}

/// The parameter types of `sql`, in one simple-query round trip that
/// leaves nothing prepared behind.
async fn describe(client: &Client, sql: &str) -> Result<Vec<Oid>, tokio_postgres::Error> {
    let text = format!(
        "PREPARE pgtable_describe AS {sql};
SELECT array_to_string(parameter_types::oid[], ',') FROM pg_prepared_statements WHERE name = 'pgtable_describe';
DEALLOCATE pgtable_describe"
    );
    let messages = client.simple_query(&text).await?;
    let listed = messages.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    });
    Ok(listed
        .unwrap_or_default()
        .split(',')
        .filter(|oid| !oid.is_empty())
        .filter_map(|oid| oid.parse().ok())
        .collect())
}

/// Teaches a new connection's client the database's own types (enums,
/// domains, ranges, and arrays of them) inside one transaction, then
/// deallocates the statements that took: afterwards tokio-postgres never
/// prepares a named statement of its own on this connection.
pub(crate) async fn learn_types(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        let row = client
            .query_typed_one(
                "SELECT coalesce(string_agg(format('NULL::%s', t.oid::regtype), ', '), '')
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                   AND (t.typtype IN ('e', 'd', 'r', 'm')
                        OR t.typelem IN (SELECT oid FROM pg_type WHERE typtype IN ('e', 'd', 'r', 'm')))",
                &[],
            )
            .await?;
        let columns: String = row.get(0);
        if !columns.is_empty() {
            // Preparing it makes tokio-postgres look up every result type.
            client.prepare(&format!("SELECT {columns}")).await?;
        }
        Ok::<_, tokio_postgres::Error>(())
    }
    .await;
    // Within the same transaction, so on the same server connection.
    let cleaned = client.batch_execute("DEALLOCATE ALL; COMMIT").await;
    result.and(cleaned)
}
