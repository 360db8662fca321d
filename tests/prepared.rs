//! Prepared queries: the SQL written once, placeholders bound per run.

mod common;

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
