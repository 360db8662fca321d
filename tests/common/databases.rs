//! Where a test's database comes from: made for it, or one an earlier test
//! of the same process used, reset to what a new database holds.
//!
//! `CREATE DATABASE` and `DROP DATABASE` cost about 0.1 s of the server's
//! time each (they copy and then delete a 7.5 MB template), which was most
//! of what the integration tests cost. A reset drops every schema and
//! re-creates `public`, a few milliseconds; a database that a reset leaves
//! different from a new one (an object outside any schema, a changed
//! database privilege or setting) is dropped and replaced instead. Every
//! database the process made is dropped when it exits.

use std::sync::Mutex;

use tokio_postgres::{Client, NoTls};

use super::{admin_config, config_for, connect};

/// Databases no test holds now, to be reset before they are handed out.
static SPARE: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Every database this process made and has not dropped: dropped at exit.
static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A clean database for a test: its name and a client connected to it.
pub(super) async fn take() -> (Client, String) {
    loop {
        let Some(name) = SPARE.lock().unwrap().pop() else {
            break;
        };
        let client = connect(&config_for(&name)).await;
        match reset(&client).await {
            Ok(()) => return (client, name),
            Err(why) => {
                drop(client);
                eprintln!("note: test database {name} is made anew: {why}");
                drop_database(&name).await;
            }
        }
    }
    let name = format!("pgtable_test_{}", uuid::Uuid::new_v4().simple());
    let admin = connect(&admin_config()).await;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("the test user must be allowed to create databases");
    remember_made(&name);
    (connect(&config_for(&name)).await, name)
}

/// Hands a database back for the next test; it is reset when taken.
pub(super) fn give_back(name: String) {
    SPARE.lock().unwrap().push(name);
}

/// Ends every other session on the database (a test's pools may not have
/// closed yet, and a session could hold locks), drops every schema, makes
/// `public` as a new database has it, and checks that nothing else is left.
pub async fn reset(client: &Client) -> Result<(), String> {
    end_other_sessions(client).await?;
    client.batch_execute(RESET).await.map_err(|err| {
        err.as_db_error()
            .map_or_else(|| err.to_string(), |db| db.message().to_owned())
    })
}

async fn end_other_sessions(client: &Client) -> Result<(), String> {
    const OTHERS: &str = "FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let query = |sql: String| async move {
        client
            .query_one(&sql, &[])
            .await
            .map(|row| row.get::<_, i64>(0))
            .map_err(|err| err.to_string())
    };
    query(format!("SELECT count(pg_terminate_backend(pid)) {OTHERS}")).await?;
    // pg_terminate_backend only signals: wait until they have gone.
    for _ in 0..500 {
        if query(format!("SELECT count(*) {OTHERS}")).await? == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    Err("other sessions on it did not end within 5 s".to_owned())
}

/// The reset, one batch. `public` is made as initdb makes it (owned by
/// `pg_database_owner`, usable by everyone). The check counts, in every
/// catalog of this database that has OIDs, the rows a user made (OID
/// 16384 and up: `FirstNormalObjectId`), besides `public` and the
/// temporary schemas, and looks at the database's own privileges,
/// settings and dependencies on roles.
const RESET: &str = r#"
SET client_min_messages = warning;
DO $reset$
DECLARE
    s name;
    catalog regclass;
    n bigint;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
    LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
    CREATE SCHEMA public AUTHORIZATION pg_database_owner;
    GRANT USAGE ON SCHEMA public TO PUBLIC;
    COMMENT ON SCHEMA public IS 'standard public schema';

    FOR catalog IN SELECT c.oid FROM pg_class c
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'oid'
                   WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'
                     AND NOT c.relisshared AND c.oid <> 'pg_namespace'::regclass
    LOOP
        EXECUTE format('SELECT count(*) FROM %s WHERE oid >= 16384', catalog) INTO n;
        IF n > 0 THEN
            RAISE EXCEPTION '% holds % object(s) no schema owns', catalog, n;
        END IF;
    END LOOP;
    IF EXISTS (SELECT FROM pg_namespace WHERE oid >= 16384 AND nspname <> 'public'
               AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%') THEN
        RAISE EXCEPTION 'a schema is left';
    END IF;
    IF EXISTS (SELECT FROM pg_database d WHERE d.datname = current_database()
               AND (d.datacl IS NOT NULL
                    OR EXISTS (SELECT FROM pg_db_role_setting WHERE setdatabase = d.oid)
                    OR d.datdba <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
                    OR EXISTS (SELECT FROM pg_shdepend WHERE dbid = d.oid)
                    OR EXISTS (SELECT FROM pg_shdescription WHERE objoid = d.oid))) THEN
        RAISE EXCEPTION 'its privileges, owner, settings or comment were changed';
    END IF;
END
$reset$;
RESET client_min_messages;
"#;

fn remember_made(name: &str) {
    let mut made = MADE.lock().unwrap();
    if made.is_empty() {
        // SAFETY: `drop_made_databases` is an `extern "C" fn()` that
        // never unwinds; registering it has no other precondition.
        let registered = unsafe { libc::atexit(drop_made_databases) };
        assert_eq!(
            registered, 0,
            "could not register the test databases' clean-up"
        );
    }
    made.push(name.to_owned());
}

/// Drops a database that a reset refused; it is made anew instead.
async fn drop_database(name: &str) {
    drop_databases(&[name.to_owned()]).await;
    MADE.lock().unwrap().retain(|made| made != name);
}

/// Drops each of `names`, saying which could not be dropped and why.
async fn drop_databases(names: &[String]) {
    let admin = match admin_config().connect(NoTls).await {
        Ok((admin, connection)) => {
            tokio::spawn(connection);
            admin
        }
        Err(err) => {
            eprintln!("warning: could not connect to drop the test databases {names:?}: {err}");
            return;
        }
    };
    for name in names {
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        if let Err(err) = admin.batch_execute(&drop).await {
            eprintln!("warning: could not drop test database {name}: {err}");
        }
    }
}

/// Runs when the test process exits: drops every database it made, from a
/// thread with a runtime of its own (the tests' runtimes are gone).
extern "C" fn drop_made_databases() {
    let names = match MADE.lock() {
        Ok(mut made) => std::mem::take(&mut *made),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    if names.is_empty() {
        return;
    }
    let dropped = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(drop_databases(&names)))
    })
    .join();
    match dropped {
        Ok(Ok(())) => {}
        Ok(Err(err)) => eprintln!("warning: no runtime to drop the test databases: {err}"),
        Err(_) => eprintln!("warning: dropping the test databases panicked"),
    }
}
