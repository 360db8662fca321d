//! Every query example of DESIGN.md ("Queries"), compiled and run as written
//! against the seed `users` table.

use crate::common;
use crate::schema;

use chrono::{NaiveDateTime, Utc};
use common::TestDb;
use pgtable::prelude::*;
use schema::{NewUser, User};
use uuid::Uuid;

fn new_user(email: &str) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        email: email.into(),
        created_at: None,
    }
}

#[tokio::test]
async fn design_query_examples_run_as_written() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&schema::schema()).await;
    let db = test.db();
    let id = Uuid::new_v4();

    let inserted: u64 = User::insert(NewUser {
        id,
        email: "a@x.io".into(),
        created_at: None,
    })
    .execute(&db)
    .await?;
    assert_eq!(inserted, 1);

    let new = new_user("one@x.io");
    let u: User = User::insert(new).returning().fetch_one(&db).await?;
    assert_eq!(u.email, "one@x.io");
    assert!(u.created_at.is_some());

    let news: Vec<NewUser> = (0..30)
        .map(|i| new_user(&format!("user{i:02}@x.io")))
        .collect();
    let us: Vec<User> = User::insert_many(news).returning().fetch_all(&db).await?;
    assert_eq!(us.len(), 30);

    // A duplicate email is skipped.
    let new = new_user("a@x.io");
    let skipped = User::insert(new)
        .on_conflict_do_nothing()
        .execute(&db)
        .await?;
    assert_eq!(skipped, 0);

    // A duplicate email updates the existing row's created_at instead.
    let at =
        NaiveDateTime::parse_from_str("2001-02-03 04:05:06.789", "%Y-%m-%d %H:%M:%S%.f").unwrap();
    let new = NewUser {
        id: Uuid::new_v4(),
        email: "a@x.io".into(),
        created_at: Some(at),
    };
    let upserted = User::insert(new)
        .on_conflict(User::EMAIL)
        .do_update(|c| c.set(User::CREATED_AT, c.excluded(User::CREATED_AT)))
        .execute(&db)
        .await?;
    assert_eq!(upserted, 1);

    let u: Option<User> = User::find(id).fetch_optional(&db).await?;
    assert_eq!(
        u.map(|u| (u.email, u.created_at)),
        Some(("a@x.io".to_owned(), Some(at)))
    );

    let page: Vec<User> = User::select()
        .filter(
            User::EMAIL
                .like("%@x.io")
                .and(User::CREATED_AT.is_not_null()),
        )
        .order_by(User::CREATED_AT.desc())
        .limit(10)
        .offset(20)
        .fetch_all(&db)
        .await?;
    // 32 users match; the page holds the 21st to the 30th.
    assert_eq!(page.len(), 10);

    let n: i64 = User::select()
        .filter(User::EMAIL.eq("a@x.io"))
        .count(&db)
        .await?;
    assert_eq!(n, 1);

    let pairs: Vec<(Uuid, String)> = User::select_columns((User::ID, User::EMAIL))
        .fetch_all(&db)
        .await?;
    assert_eq!(pairs.len(), 32);
    assert!(pairs.contains(&(id, "a@x.io".to_owned())));

    let updated = User::update()
        .set(User::EMAIL, "b@x.io")
        .filter(User::ID.eq(id))
        .execute(&db)
        .await?;
    assert_eq!(updated, 1);

    let deleted: Vec<User> = User::delete()
        .filter(User::ID.eq(id))
        .returning()
        .fetch_all(&db)
        .await?;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].email, "b@x.io");
    assert!(
        deleted[0]
            .created_at
            .is_some_and(|t| t < Utc::now().naive_utc())
    );
    Ok(())
}

#[tokio::test]
async fn connect_checks_the_url_and_from_env_reads_database_url() -> Result<(), pgtable::Error> {
    let db = Db::connect(&common::database_url()).await?;
    let conn = db.conn().await?;
    let one: i32 = conn.query_one("SELECT 1", &[]).await?.get(0);
    assert_eq!(one, 1);

    // scripts/test always sets DATABASE_URL; a bare `cargo test` may not.
    if std::env::var_os("DATABASE_URL").is_some() {
        let db = Db::from_env().await?;
        assert!(db.conn().await.is_ok());
    }
    Ok(())
}
