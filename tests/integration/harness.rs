//! The test harness hands a later test a database an earlier one used
//! (`common::databases`): the reset must leave it as a new database is,
//! and refuse one it cannot make so.

use tokio_postgres::Client;

use crate::common::{self, TestDb};

async fn count(client: &Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn a_reset_database_is_as_new() {
    let test = TestDb::new().await;
    let new_public: (String, String) = {
        let row = test
            .client
            .query_one(
                "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = 'public'",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    test.client
        .batch_execute(
            "CREATE SCHEMA extra;
             CREATE TYPE mood AS ENUM ('ok');
             CREATE TABLE extra.a (id serial PRIMARY KEY);
             CREATE TABLE b (id bigserial PRIMARY KEY, m mood, a int REFERENCES extra.a);
             CREATE VIEW v AS SELECT * FROM b;
             CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
             CREATE TEMP TABLE t (x int);
             SELECT pg_advisory_lock(42);",
        )
        .await
        .unwrap();
    // Another session, idle in a transaction that holds a lock on `b`.
    let (other, connection) = common::config_for(test.name())
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    other
        .batch_execute("BEGIN; LOCK TABLE b; SELECT pg_advisory_lock(7)")
        .await
        .unwrap();

    // A database made for a test, to compare with.
    let fresh = TestDb::new().await;
    let (client, connection) = common::config_for(test.name())
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    common::databases::reset(&client).await.unwrap();

    let user_objects = "SELECT (SELECT count(*) FROM pg_class WHERE oid >= 16384)
             + (SELECT count(*) FROM pg_type WHERE oid >= 16384)
             + (SELECT count(*) FROM pg_proc WHERE oid >= 16384)
             + (SELECT count(*) FROM pg_namespace
                WHERE oid >= 16384 AND nspname <> 'public' AND nspname NOT LIKE 'pg\\_%')";
    assert_eq!(
        count(&client, user_objects).await,
        count(&fresh.client, user_objects).await,
        "what a new database holds"
    );
    let row = client
        .query_one(
            "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = 'public'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((row.get(0), row.get(1)), new_public);
    let advisory = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    assert_eq!(count(&client, advisory).await, 0);
    assert!(other.is_closed() || other.simple_query("SELECT 1").await.is_err());
    // What a test can make that the reset must not paper over.
    client
        .batch_execute(&format!(
            "REVOKE CONNECT ON DATABASE \"{}\" FROM PUBLIC",
            test.name()
        ))
        .await
        .unwrap();
    let refused = common::databases::reset(&client).await.unwrap_err();
    assert!(refused.contains("privileges"), "{refused}");
    client
        .batch_execute(&format!(
            "GRANT CONNECT ON DATABASE \"{}\" TO PUBLIC",
            test.name()
        ))
        .await
        .unwrap();
}
