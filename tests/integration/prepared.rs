//! Prepared queries: the SQL written once, placeholders bound per run.

use crate::common;

use common::TestDb;
use pgtable::Error;
use pgtable::prelude::*;
use pgtable::query::placeholder;

#[table(name = "people")]
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
    pub age: Option<i32>,
}

#[tokio::test]
async fn placeholders_are_bound_per_run() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Person>()).await;
    let db = test.db();
    for (name, age) in [("ann", 30), ("bob", 40), ("cy", 50)] {
        Person::insert(NewPerson {
            name: name.into(),
            age: Some(age),
        })
        .execute(&db)
        .await?;
    }
    let query = Person::select()
        .filter(
            Person::NAME
                .eq(placeholder::<String>("name"))
                .or(Person::AGE.ge(placeholder::<i32>("min_age"))),
        )
        .order_by(Person::ID)
        .prepare();
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "name", "age" FROM "people" WHERE ("people"."name" = $1 OR "people"."age" >= $2) ORDER BY "people"."id" ASC"#
    );
    let names = |rows: Vec<Person>| rows.into_iter().map(|p| p.name).collect::<Vec<_>>();
    let found = query
        .bind("name", "ann")
        .bind("min_age", 45)
        .fetch_all(&db)
        .await?;
    assert_eq!(names(found), ["ann", "cy"]);
    // The same prepared query, other values.
    let found = query
        .bind("name", String::from("bob"))
        .bind("min_age", 100)
        .fetch_all(&db)
        .await?;
    assert_eq!(names(found), ["bob"]);
    let one = query
        .bind("name", "nobody")
        .bind("min_age", 50)
        .fetch_one(&db)
        .await?;
    assert_eq!(one.name, "cy");

    // A name used twice takes its value at both places.
    let twice = Person::select()
        .filter(
            Person::AGE
                .ge(placeholder::<i32>("age"))
                .and(Person::AGE.le(placeholder::<i32>("age"))),
        )
        .prepare();
    assert_eq!(names(twice.bind("age", 40).fetch_all(&db).await?), ["bob"]);

    // Mistakes are errors before anything is sent.
    let err = query.bind("name", "ann").fetch_all(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `min_age`: it has no value: call .bind(\"min_age\", value) before running the query"
    );
    let err = query
        .bind("name", 7_i64)
        .bind("min_age", 1)
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `name`: it takes a `String`, but was given a `i64`"
    );
    let err = query.bind("nmae", "ann").fetch_all(&db).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "placeholder `nmae`: the query has no such placeholder; it has: name, min_age"
    );
    Ok(())
}

#[tokio::test]
async fn fixed_values_are_kept_with_the_prepared_text() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Person>()).await;
    let db = test.db();
    for (name, age) in [("ann", 30), ("bob", 40), ("cy", 50), ("dee", 60)] {
        Person::insert(NewPerson {
            name: name.into(),
            age: Some(age),
        })
        .execute(&db)
        .await?;
    }
    // Values given when building (a list, a comparison, limit and offset)
    // beside a placeholder: each run sends the fixed ones with the bound one.
    let query = Person::select()
        .filter(
            Person::NAME
                .is_in(vec!["ann".to_owned(), "bob".to_owned(), "cy".to_owned()])
                .and(Person::AGE.ge(placeholder::<i32>("min_age")))
                .and(Person::AGE.lt(100)),
        )
        .order_by(Person::ID)
        .limit(2)
        .offset(1)
        .prepare();
    assert_eq!(
        query.to_sql(),
        r#"SELECT "id", "name", "age" FROM "people" WHERE ("people"."name" = ANY($1) AND "people"."age" >= $2 AND "people"."age" < $3) ORDER BY "people"."id" ASC LIMIT $4 OFFSET $5"#
    );
    let names = |rows: Vec<Person>| rows.into_iter().map(|p| p.name).collect::<Vec<_>>();
    for _ in 0..2 {
        let found = query.bind("min_age", 0).fetch_all(&db).await?;
        assert_eq!(names(found), ["bob", "cy"]);
    }
    let found = query.bind("min_age", 45).fetch_all(&db).await?;
    assert_eq!(names(found), Vec::<String>::new());
    Ok(())
}

#[table(name = "accounts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar(8), unique)]
    pub handle: String,
    #[column(default = 0)]
    pub logins: i32,
    pub note: Option<String>,
}

#[tokio::test]
async fn a_prepared_insert_is_written_once_per_pattern_of_defaults() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    let db = test.db();
    let insert = Account::prepare_insert();
    let row = |handle: &str, logins: Option<i32>| NewAccount {
        handle: handle.into(),
        logins,
        note: None,
    };
    assert_eq!(
        insert.to_sql(&row("ann", None)),
        r#"INSERT INTO "accounts" ("handle", "logins", "note") VALUES ($1, DEFAULT, $2)"#
    );
    assert_eq!(
        insert.to_sql(&row("ann", Some(3))),
        r#"INSERT INTO "accounts" ("handle", "logins", "note") VALUES ($1, $2, $3)"#
    );
    assert_eq!(insert.execute(&db, &row("ann", None)).await?, 1);
    assert_eq!(insert.execute(&db, &row("bob", Some(3))).await?, 1);
    assert_eq!(insert.execute(&db, &row("cy", None)).await?, 1);
    let dee = insert.fetch_one(&db, &row("dee", Some(7))).await?;
    assert_eq!((dee.handle.as_str(), dee.logins), ("dee", 7));
    let rows = Account::select()
        .order_by(Account::ID)
        .fetch_all(&db)
        .await?;
    let got: Vec<(&str, i32)> = rows.iter().map(|a| (a.handle.as_str(), a.logins)).collect();
    assert_eq!(got, [("ann", 0), ("bob", 3), ("cy", 0), ("dee", 7)]);

    // Shared by tasks: one statement, run from many.
    let shared = std::sync::Arc::new(Account::prepare_insert());
    let tasks: Vec<_> = ["e1", "e2", "e3"]
        .into_iter()
        .map(|handle| {
            let (insert, db) = (shared.clone(), db.clone());
            tokio::spawn(async move { insert.execute(&db, &row(handle, None)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("the task ran")?, 1);
    }

    // A duplicate is the same error as from `Account::insert`.
    let err = insert.execute(&db, &row("ann", None)).await.unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    // A value over the column's limit names the column, as ad hoc.
    let err = insert
        .execute(&db, &row("too-long-a-handle", None))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ValueTooLong { column: Some(c), limit: Some(8), .. } if c == "handle"),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_prepared_upsert_keeps_its_fixed_values() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Account>()).await;
    let db = test.db();
    let upsert = Account::prepare_insert()
        .on_conflict(Account::HANDLE)
        .do_update(|c| {
            let note = c.excluded(Account::NOTE);
            c.set(Account::LOGINS, Account::LOGINS.add(10))
                .set(Account::NOTE, note)
        });
    let row = |note: &str| NewAccount {
        handle: "ann".into(),
        logins: None,
        note: Some(note.into()),
    };
    assert_eq!(
        upsert.to_sql(&row("x")),
        r#"INSERT INTO "accounts" ("handle", "logins", "note") VALUES ($1, DEFAULT, $2) ON CONFLICT ("handle") DO UPDATE SET "logins" = "accounts"."logins" + $3, "note" = excluded."note""#
    );
    for (run, note) in ["first", "second", "third"].into_iter().enumerate() {
        let ann = upsert.fetch_one(&db, &row(note)).await?;
        assert_eq!(
            (ann.logins, ann.note.as_deref()),
            (10 * run as i32, Some(note))
        );
    }

    let skip = Account::prepare_insert().on_conflict_do_nothing();
    assert_eq!(skip.execute(&db, &row("skipped")).await?, 0);
    assert_eq!(skip.fetch_optional(&db, &row("skipped")).await?, None);
    let err = skip.fetch_one(&db, &row("skipped")).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { table: "accounts" }),
        "{err:?}"
    );
    let by_handle = Account::prepare_insert()
        .on_conflict(Account::HANDLE)
        .do_nothing();
    assert_eq!(by_handle.execute(&db, &row("skipped")).await?, 0);

    // A placeholder has no value to take in an insert: an error, not a NULL.
    let wrong = Account::prepare_insert()
        .on_conflict(Account::HANDLE)
        .do_update(|c| c.set(Account::LOGINS, placeholder::<i32>("logins")));
    let err = wrong.execute(&db, &row("x")).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("placeholder `logins`: a prepared insert"),
        "{err}"
    );
    let stored = Account::select().fetch_all(&db).await?;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].note.as_deref(), Some("third"));
    Ok(())
}
