//! Prepared updates and deletes: the SQL written once, placeholders bound
//! per run, on a real server.

use std::sync::Arc;

use crate::common;
use crate::prepared::{Account, AccountPatch, NewAccount};

use common::TestDb;
use pgtable::Error;
use pgtable::prelude::*;
use pgtable::query::placeholder;

async fn accounts(handles: &[&str]) -> Result<TestDb, Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    let db = test.db();
    for handle in handles {
        Account::insert(NewAccount {
            handle: (*handle).into(),
            logins: None,
            note: None,
        })
        .execute(&db)
        .await?;
    }
    Ok(test)
}

async fn logins(db: &Db) -> Result<Vec<(String, i32)>, Error> {
    Account::select_columns((Account::HANDLE, Account::LOGINS))
        .order_by(Account::ID)
        .fetch_all(db)
        .await
}

#[tokio::test]
async fn a_prepared_update_runs_with_new_values_each_time() -> Result<(), Error> {
    let test = accounts(&["ann", "bob", "cy"]).await?;
    let db = test.db();
    // A fixed value (the 1 added) beside placeholders in SET and WHERE.
    let login = Account::update()
        .set(Account::LOGINS, Account::LOGINS.add(1))
        .set(Account::NOTE, placeholder::<Option<String>>("note"))
        .filter(Account::HANDLE.eq(placeholder::<String>("handle")))
        .prepare();
    assert_eq!(
        login.to_sql(),
        r#"UPDATE "accounts" SET "logins" = "accounts"."logins" + $1, "note" = $2 WHERE "accounts"."handle" = $3"#
    );
    let run = |handle: &'static str| {
        login
            .bind("note", Some(format!("{handle} was here")))
            .bind("handle", handle)
            .execute(&db)
    };
    assert_eq!(run("ann").await?, 1);
    assert_eq!(run("ann").await?, 1);
    assert_eq!(run("cy").await?, 1);
    assert_eq!(run("nobody").await?, 0);
    assert_eq!(
        logins(&db).await?,
        [("ann".into(), 2), ("bob".into(), 0), ("cy".into(), 1)]
    );

    // One statement, run from many tasks.
    let shared = Arc::new(login);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (login, db) = (shared.clone(), db.clone());
            tokio::spawn(async move {
                login
                    .bind("note", None::<String>)
                    .bind("handle", "bob")
                    .execute(&db)
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("the task ran")?, 1);
    }
    assert_eq!(logins(&db).await?[1], ("bob".into(), 4));

    // A value over the column's limit names the column, as ad hoc.
    let rename = Account::update()
        .set(Account::HANDLE, placeholder::<String>("to"))
        .filter(Account::HANDLE.eq(placeholder::<String>("from")))
        .prepare();
    let err = rename
        .bind("to", "too-long-a-handle")
        .bind("from", "ann")
        .execute(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ValueTooLong { column: Some(c), limit: Some(8), .. } if c == "handle"),
        "{err:?}"
    );
    // So is a duplicate.
    let err = rename
        .bind("to", "bob")
        .bind("from", "ann")
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_prepared_delete_returns_what_it_removed() -> Result<(), Error> {
    let test = accounts(&["ann", "bob", "cy", "dee"]).await?;
    let db = test.db();
    let remove = Account::delete()
        .filter(Account::HANDLE.eq(placeholder::<String>("handle")))
        .returning()
        .prepare();
    assert_eq!(
        remove.to_sql(),
        r#"DELETE FROM "accounts" WHERE "accounts"."handle" = $1 RETURNING "id", "handle", "logins", "note""#
    );
    let ann = remove.bind("handle", "ann").fetch_one(&db).await?;
    assert_eq!(ann.handle, "ann");
    assert_eq!(
        remove.bind("handle", "ann").fetch_optional(&db).await?,
        None
    );
    let err = remove
        .bind("handle", "ann")
        .fetch_one(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { table: "accounts" }),
        "{err:?}"
    );

    // Chosen columns, and a statement with no placeholder run as it is.
    let older = Account::delete()
        .filter(Account::ID.gt(placeholder::<i64>("after")))
        .returning_columns((Account::ID, Account::HANDLE))
        .prepare();
    let gone = older.bind("after", ann.id + 2).fetch_all(&db).await?;
    assert_eq!(gone, [(ann.id + 3, "dee".to_owned())]);
    let everything = Account::delete().all_rows().returning().prepare();
    let rest: Vec<String> = everything
        .fetch_all(&db)
        .await?
        .into_iter()
        .map(|a| a.handle)
        .collect();
    assert_eq!(rest, ["bob", "cy"]);
    let plain = Account::delete().all_rows().prepare();
    assert_eq!(plain.execute(&db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn mistakes_are_errors_before_anything_is_sent() -> Result<(), Error> {
    let test = accounts(&["ann"]).await?;
    let db = test.db();
    let remove = Account::delete()
        .filter(Account::HANDLE.eq(placeholder::<String>("handle")))
        .prepare();
    let err = remove.execute(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `handle`: it has no value: call .bind(\"handle\", value) before running the query"
    );
    let err = remove.bind("handle", 7_i32).execute(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `handle`: it takes a `String`, but was given a `i32`"
    );
    let err = remove.bind("name", "ann").execute(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `name`: the query has no such placeholder; it has: handle"
    );
    let plain = Account::delete().filter(Account::ID.lt(0)).prepare();
    let err = plain.bind("id", 1_i64).execute(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `id`: the query has no such placeholder; it has none"
    );
    // An update whose patch sets nothing cannot run, prepared or not.
    let nothing = Account::update()
        .set_patch(AccountPatch::default())
        .filter(Account::HANDLE.eq("ann"))
        .prepare();
    let err = nothing.execute(&db).await.unwrap_err();
    assert!(
        matches!(&err, Error::Statement(reason) if reason.contains("sets no column")),
        "{err:?}"
    );
    assert_eq!(logins(&db).await?, [("ann".into(), 0)]);
    Ok(())
}
