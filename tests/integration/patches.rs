//! Typed writes: patches (`UserPatch`) and partial `RETURNING`.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub bio: Option<String>,
    #[column(default = 0)]
    pub visits: i32,
}

#[table(name = "memberships", primary_key(user_id, team))]
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub user_id: i64,
    pub team: String,
    pub role: String,
}

#[tokio::test]
async fn a_patch_sets_its_some_fields_only() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>()).await;
    let db = test.db();
    let user = User::insert(NewUser {
        email: "a@x.io".into(),
        bio: Some("hi".into()),
        visits: Some(3),
    })
    .returning()
    .fetch_one(&db)
    .await?;

    let patch = UserPatch {
        email: Some("b@x.io".into()),
        ..Default::default()
    };
    let update = User::update().set_patch(patch).filter(User::ID.eq(user.id));
    assert_eq!(
        update.to_sql(),
        r#"UPDATE "users" SET "email" = $1 WHERE "users"."id" = $2"#
    );
    let updated = update.returning().fetch_one(&db).await?;
    assert_eq!(
        updated,
        User {
            email: "b@x.io".into(),
            ..user.clone()
        }
    );

    // `Some(None)` sets a nullable column to NULL; a patch goes with set().
    let patch = UserPatch {
        bio: Some(None),
        ..Default::default()
    };
    let n = User::update()
        .set(User::VISITS, User::VISITS.add(1))
        .set_patch(patch)
        .filter(User::ID.eq(user.id))
        .execute(&db)
        .await?;
    assert_eq!(n, 1);
    let now = User::find(user.id).fetch_one(&db).await?;
    assert_eq!((now.bio, now.visits), (None, 4));
    Ok(())
}

#[tokio::test]
async fn an_empty_patch_is_an_error_not_an_empty_set() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>()).await;
    let db = test.db();
    let err = User::update()
        .set_patch(UserPatch::default())
        .filter(User::ID.eq(1))
        .execute(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, pgtable::Error::Statement(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot send the statement: the update of table users sets no column: its patch has no field set; give one a value (Some(..)), or skip the update"
    );
    let err = User::update()
        .set_patch(UserPatch::default())
        .filter(User::ID.eq(1))
        .returning()
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(matches!(err, pgtable::Error::Statement(_)), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_composite_key_stays_out_of_the_patch() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Membership>()).await;
    let db = test.db();
    Membership::insert(NewMembership {
        user_id: 1,
        team: "core".into(),
        role: "member".into(),
    })
    .execute(&db)
    .await?;
    // The key columns are not in the patch: only `role` is.
    let patch = MembershipPatch {
        role: Some("lead".into()),
    };
    Membership::update()
        .set_patch(patch)
        .filter(Membership::USER_ID.eq(1).and(Membership::TEAM.eq("core")))
        .execute(&db)
        .await?;
    let rows = Membership::select().fetch_all(&db).await?;
    assert_eq!(rows[0].role, "lead");
    Ok(())
}

#[tokio::test]
async fn returning_chosen_columns_gives_tuples() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>()).await;
    let db = test.db();
    // returning id, email
    let insert = User::insert(NewUser {
        email: "a@x.io".into(),
        bio: None,
        visits: None,
    })
    .returning_columns((User::ID, User::EMAIL));
    assert_eq!(
        insert.to_sql(),
        r#"INSERT INTO "users" ("email", "bio", "visits") VALUES ($1, $2, DEFAULT) RETURNING "id", "email""#
    );
    let (id, email) = insert.fetch_one(&db).await?;
    assert_eq!((id, email.as_str()), (1, "a@x.io"));

    let many = User::insert_many((0..3).map(|i| NewUser {
        email: format!("u{i}@x.io"),
        bio: None,
        visits: Some(i),
    }))
    .returning_columns(User::VISITS)
    .fetch_all(&db)
    .await?;
    assert_eq!(many, [0, 1, 2]);

    let changed: Vec<(i64, i32)> = User::update()
        .set(User::VISITS, User::VISITS.add(10))
        .filter(User::ID.gt(2))
        .returning_columns((User::ID, User::VISITS))
        .fetch_all(&db)
        .await?;
    assert_eq!(changed, [(3, 11), (4, 12)]);

    let gone = User::delete()
        .filter(User::ID.eq(1))
        .returning_columns(User::EMAIL)
        .fetch_optional(&db)
        .await?;
    assert_eq!(gone.as_deref(), Some("a@x.io"));
    Ok(())
}
