//! Selections across joins: columns, aggregates and fragments of any
//! joined table, a left-joined column as an `Option`.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::sql;

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[table(name = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID)]
    pub author_id: i64,
    pub title: String,
    pub subtitle: Option<String>,
}

async fn blog() -> TestDb {
    let test = TestDb::with_schema(&Schema::new().table::<User>().table::<Post>()).await;
    let db = test.db();
    for email in ["ann@x.io", "bob@x.io", "cy@x.io"] {
        User::insert(NewUser {
            email: email.into(),
        })
        .execute(&db)
        .await
        .unwrap();
    }
    Post::insert_many([(1, "a", Some("s")), (1, "b", None), (2, "c", None)].map(
        |(author_id, title, subtitle)| NewPost {
            author_id,
            title: title.into(),
            subtitle: subtitle.map(Into::into),
        },
    ))
    .execute(&db)
    .await
    .unwrap();
    test
}

#[tokio::test]
async fn a_count_per_user_across_a_left_join() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    // select email, count(posts.id) from users left join posts … group by email
    let query = User::select_columns((User::EMAIL, Post::ID.count()))
        .left_join(Post::AUTHOR_ID.eq(User::ID))
        .group_by(User::EMAIL)
        .order_by(User::EMAIL);
    assert_eq!(
        query.to_sql(),
        r#"SELECT "users"."email", count("posts"."id") FROM "users" LEFT JOIN "posts" ON "posts"."author_id" = "users"."id" GROUP BY "users"."email" ORDER BY "users"."email" ASC"#
    );
    let rows: Vec<(String, i64)> = query.fetch_all(&db).await?;
    assert_eq!(
        rows,
        [
            ("ann@x.io".to_owned(), 2),
            ("bob@x.io".to_owned(), 1),
            ("cy@x.io".to_owned(), 0)
        ]
    );
    Ok(())
}

#[tokio::test]
async fn left_joined_columns_decode_as_options() -> Result<(), pgtable::Error> {
    let test = blog().await;
    let db = test.db();
    let rows: Vec<(String, Option<String>)> = User::select_columns((User::EMAIL, Post::TITLE))
        .left_join(Post::AUTHOR_ID.eq(User::ID))
        .order_by(User::ID)
        .order_by(Post::ID)
        .fetch_all(&db)
        .await?;
    assert_eq!(
        rows,
        [
            ("ann@x.io".to_owned(), Some("a".to_owned())),
            ("ann@x.io".to_owned(), Some("b".to_owned())),
            ("bob@x.io".to_owned(), Some("c".to_owned())),
            ("cy@x.io".to_owned(), None),
        ]
    );
    // A nullable column of a left-joined table: the outer `None` is a NULL.
    let subtitles: Vec<Option<Option<String>>> = User::select_columns(Post::SUBTITLE)
        .left_join(Post::AUTHOR_ID.eq(User::ID))
        .filter(User::ID.eq(3))
        .fetch_all(&db)
        .await?;
    assert_eq!(subtitles, [None]);
    // An inner join's columns are never NULL; fragments and values of
    // either table go in too.
    let rows: Vec<(String, String, String)> = Post::select_columns((
        Post::TITLE,
        User::EMAIL,
        sql!("upper({})", User::EMAIL).typed::<String>(),
    ))
    .inner_join(User::ID.eq(Post::AUTHOR_ID))
    .filter(Post::ID.eq(3))
    .fetch_all(&db)
    .await?;
    assert_eq!(
        rows,
        [("c".to_owned(), "bob@x.io".to_owned(), "BOB@X.IO".to_owned())]
    );
    let first = Post::select_columns((Post::TITLE, User::EMAIL))
        .inner_join(User::ID.eq(Post::AUTHOR_ID))
        .order_by(Post::ID)
        .fetch_one(&db)
        .await?;
    assert_eq!(first, ("a".to_owned(), "ann@x.io".to_owned()));
    Ok(())
}

#[table(name = "employees")]
#[derive(Debug, Clone, PartialEq)]
pub struct Employee {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
    pub manager_id: Option<i64>,
}

#[tokio::test]
async fn a_table_joined_with_itself_through_an_alias() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Employee>()).await;
    let db = test.db();
    for (name, manager_id) in [("boss", None), ("ann", Some(1)), ("bob", Some(2))] {
        Employee::insert(NewEmployee {
            name: name.into(),
            manager_id,
        })
        .execute(&db)
        .await?;
    }
    let manager = Employee::alias("manager");
    let query = Employee::select_columns((Employee::NAME, manager.col(Employee::NAME)))
        .left_join(manager.col(Employee::ID).eq(Employee::MANAGER_ID))
        .order_by(Employee::ID);
    assert_eq!(
        query.to_sql(),
        r#"SELECT "employees"."name", "manager"."name" FROM "employees" LEFT JOIN "employees" AS "manager" ON "manager"."id" = "employees"."manager_id" ORDER BY "employees"."id" ASC"#
    );
    let rows: Vec<(String, Option<String>)> = query.fetch_all(&db).await?;
    assert_eq!(
        rows,
        [
            ("boss".to_owned(), None),
            ("ann".to_owned(), Some("boss".to_owned())),
            ("bob".to_owned(), Some("ann".to_owned())),
        ]
    );
    // Filtered and ordered by the alias's columns, over an inner join.
    let rows: Vec<(String, String)> =
        Employee::select_columns((Employee::NAME, manager.col(Employee::NAME)))
            .inner_join(Employee::MANAGER_ID.eq(manager.col(Employee::ID)))
            .filter(manager.col(Employee::NAME).ne("nobody"))
            .order_by(manager.col(Employee::NAME).desc())
            .fetch_all(&db)
            .await?;
    assert_eq!(
        rows,
        [
            ("ann".to_owned(), "boss".to_owned()),
            ("bob".to_owned(), "ann".to_owned()),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_selection_across_a_join_can_be_prepared() -> Result<(), pgtable::Error> {
    use pgtable::query::placeholder;
    let test = blog().await;
    let db = test.db();
    let by_author = User::select_columns((User::EMAIL, Post::TITLE))
        .left_join(Post::AUTHOR_ID.eq(User::ID))
        .filter(User::ID.ge(placeholder::<i64>("from")))
        .order_by(User::ID)
        .order_by(Post::ID)
        .prepare();
    assert_eq!(
        by_author.to_sql(),
        r#"SELECT "users"."email", "posts"."title" FROM "users" LEFT JOIN "posts" ON "posts"."author_id" = "users"."id" WHERE "users"."id" >= $1 ORDER BY "users"."id" ASC, "posts"."id" ASC"#
    );
    let rows: Vec<(String, Option<String>)> = by_author.bind("from", 2_i64).fetch_all(&db).await?;
    assert_eq!(
        rows,
        [
            ("bob@x.io".to_owned(), Some("c".to_owned())),
            ("cy@x.io".to_owned(), None),
        ]
    );
    let first = by_author.bind("from", 1_i64).fetch_one(&db).await?;
    assert_eq!(first, ("ann@x.io".to_owned(), Some("a".to_owned())));
    assert_eq!(
        by_author.bind("from", 9_i64).fetch_optional(&db).await?,
        None
    );
    let err = by_author
        .bind("from", 9_i64)
        .fetch_one(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(err, pgtable::Error::NotFound { table: "users" }),
        "{err:?}"
    );
    let err = by_author
        .bind("from", "x")
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, pgtable::Error::Placeholder { .. }), "{err:?}");

    // An inner join with nothing to bind.
    let titles = Post::select_columns((Post::TITLE, User::EMAIL))
        .inner_join(User::ID.eq(Post::AUTHOR_ID))
        .filter(User::EMAIL.eq("ann@x.io"))
        .order_by(Post::ID)
        .prepare();
    let rows = titles.fetch_all(&db).await?;
    assert_eq!(
        rows,
        [
            ("a".to_owned(), "ann@x.io".to_owned()),
            ("b".to_owned(), "ann@x.io".to_owned()),
        ]
    );
    assert_eq!(titles.fetch_optional(&db).await?, Some(rows[0].clone()));
    Ok(())
}
