//! Every error variant, provoked on the real server, with the message a
//! person reads in the log.

use crate::common;
use crate::schema;

use std::time::Duration;

use common::TestDb;
use pgtable::error::PoolTimeout;
use pgtable::prelude::*;
use pgtable::{Db, Error};
use schema::{NewUser, User};
use uuid::Uuid;

#[table(name = "notes")]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    pub author_id: Uuid,
    pub nick: Option<String>,
    pub score: i32,
}

/// The example schema plus `notes`, with the constraints `#[table]` cannot
/// declare yet added by hand.
async fn setup() -> (TestDb, Db, Uuid) {
    let test = TestDb::with_schema(&schema::schema().table::<Note>()).await;
    test.client
        .batch_execute(
            r#"ALTER TABLE "notes" ADD CONSTRAINT "notes_author_id_users_id_fk"
                 FOREIGN KEY ("author_id") REFERENCES "users"("id");
               ALTER TABLE "notes" ALTER COLUMN "nick" SET NOT NULL;
               ALTER TABLE "notes" ADD CONSTRAINT "notes_score_check" CHECK ("score" >= 0);"#,
        )
        .await
        .unwrap();
    let db = test.db();
    let id = Uuid::new_v4();
    User::insert(NewUser {
        id,
        email: "a@x.io".into(),
        created_at: None,
    })
    .execute(&db)
    .await
    .unwrap();
    (test, db, id)
}

fn note(author_id: Uuid, nick: Option<&str>, score: i32) -> NewNote {
    NewNote {
        author_id,
        nick: nick.map(str::to_owned),
        score,
    }
}

#[tokio::test]
async fn unique_violation_names_table_constraint_and_column() {
    let (_test, db, _) = setup().await;
    let err = User::insert(NewUser {
        id: Uuid::new_v4(),
        email: "a@x.io".into(),
        created_at: None,
    })
    .execute(&db)
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::UniqueViolation { table: Some(t), constraint: Some(c), columns, .. }
            if t == "users" && c == "users_email_unique" && columns == &["email"]),
        "{err:?}"
    );
    assert_eq!(
        (err.table(), err.constraint(), err.column()),
        (Some("users"), Some("users_email_unique"), Some("email"))
    );
    assert_eq!(
        err.to_string(),
        "duplicate value for email in table users (unique constraint users_email_unique)"
    );
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    );
}

#[tokio::test]
async fn foreign_key_violation_both_ways() {
    let (_test, db, author) = setup().await;
    let err = Note::insert(note(Uuid::nil(), Some("x"), 1))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ForeignKeyViolation { table: Some(t), constraint: Some(c), columns, .. }
            if t == "notes" && c == "notes_author_id_users_id_fk" && columns == &["author_id"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "foreign key notes_author_id_users_id_fk on table notes rejects the change to author_id: \
         Key (author_id)=(00000000-0000-0000-0000-000000000000) is not present in table \"users\"."
    );

    Note::insert(note(author, Some("x"), 1))
        .execute(&db)
        .await
        .unwrap();
    let err = User::delete()
        .filter(User::ID.eq(author))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("notes_author_id_users_id_fk"));
}

#[tokio::test]
async fn not_null_and_check_violations() {
    let (_test, db, author) = setup().await;
    let err = Note::insert(note(author, None, 1))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotNullViolation { table: Some(t), column: Some(c), .. } if t == "notes" && c == "nick"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "column nick of table notes cannot be NULL");

    let err = Note::insert(note(author, Some("x"), -1))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CheckViolation { table: Some(t), constraint: Some(c), .. } if t == "notes" && c == "notes_score_check"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "check constraint notes_score_check on table notes rejects the row"
    );
}

#[tokio::test]
async fn an_exhausted_pool_times_out() {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test
        .db_builder()
        .max_size(1)
        .wait_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let held = db.conn().await.unwrap();
    let err = User::select().count(&db).await.unwrap_err();
    assert!(
        matches!(err, Error::PoolTimeout { kind: PoolTimeout::Wait, after: Some(d) } if d == Duration::from_millis(100)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "timed out after 100ms waiting for a free connection: every pooled connection is in use (raise the pool size or hold connections for less time)"
    );
    drop(held);
    assert_eq!(User::select().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn bad_configuration_and_unreachable_servers() {
    let err = Db::builder("postgres://u:s3cret@host:notaport/db")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("configuration error: invalid PostgreSQL URL"),
        "{msg}"
    );
    assert!(
        !msg.contains("s3cret"),
        "the password is not repeated: {msg}"
    );
}

/// Every connection error names where (host:port/database and user, never
/// the password) and why, in the server's or the operating system's words.
#[tokio::test]
async fn connection_errors_name_the_target_and_the_cause() {
    let err = Db::connect("postgres://postgres:s3cret@127.0.0.1:1/postgres")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot connect to PostgreSQL at 127.0.0.1:1/postgres as user postgres: Connection refused (os error 111)"
    );

    let test = TestDb::new().await;
    let url = test.url();
    let (base, _) = url.rsplit_once('/').unwrap();
    let target = base
        .trim_start_matches("postgres://")
        .split_once('@')
        .unwrap()
        .1;

    let err = Db::connect(&format!("{base}/pgtable_no_such_database"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to PostgreSQL at {target}/pgtable_no_such_database as user postgres: database \"pgtable_no_such_database\" does not exist"
        )
    );

    let no_user = format!("postgres://pgtable_no_such_user@{target}/{}", test.name());
    let err = Db::connect(&no_user).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to PostgreSQL at {target}/{} as user pgtable_no_such_user: role \"pgtable_no_such_user\" does not exist",
            test.name()
        )
    );
    assert!(err.source_postgres().is_some());
}

#[tokio::test]
async fn other_server_errors_say_what_postgres_said() {
    let (test, db, _) = setup().await;
    test.client
        .batch_execute(r#"DROP TABLE "notes""#)
        .await
        .unwrap();
    let err = Note::select().fetch_all(&db).await.unwrap_err();
    assert!(matches!(err, Error::Postgres(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#"ERROR: relation "notes" does not exist (SQLSTATE 42P01)"#
    );
}
