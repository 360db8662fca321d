//! The insert type for services: `insert_derive(serde::Deserialize)`, so a
//! handler takes it and the patch straight from JSON, and `NewUser::new`
//! with setters.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;

#[table(name = "users", insert_derive(serde::Deserialize, PartialEq))]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub nickname: Option<String>,
    #[column(default = 0)]
    pub karma: i32,
}

#[tokio::test]
async fn the_insert_type_and_the_patch_come_from_json() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&Schema::new().table::<User>()).await;
    let db = test.db();
    // A missing `karma` takes the column's default; a missing nullable
    // `nickname` is NULL.
    let new: NewUser = serde_json::from_str(r#"{"email": "ann@x.io"}"#)?;
    assert_eq!(
        new,
        NewUser {
            email: "ann@x.io".into(),
            nickname: None,
            karma: None,
        }
    );
    let user = User::insert(new).returning().fetch_one(&db).await?;
    assert_eq!((user.karma, user.nickname.as_deref()), (0, None));

    // A patch sets the fields the JSON has.
    let patch: UserPatch = serde_json::from_str(r#"{"nickname": "annie", "karma": 5}"#)?;
    let user = User::update()
        .set_patch(patch)
        .filter(User::ID.eq(user.id))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!((user.nickname.as_deref(), user.karma), (Some("annie"), 5));
    assert_eq!(user.email, "ann@x.io");

    // A JSON body that lacks a required field is serde's error, before any SQL.
    assert!(serde_json::from_str::<NewUser>(r#"{"nickname": "x"}"#).is_err());
    Ok(())
}

#[tokio::test]
async fn the_insert_type_has_a_constructor_and_setters() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<User>()).await;
    let db = test.db();
    // Only the required field is an argument: a nullable or defaulted
    // column added later does not break this line.
    let plain = NewUser::new("bob@x.io".into());
    assert_eq!(
        plain,
        NewUser {
            email: "bob@x.io".into(),
            nickname: None,
            karma: None,
        }
    );
    let user = User::insert(
        NewUser::new("cy@x.io".into())
            .nickname("cy".into())
            .karma(3),
    )
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!(
        (user.email.as_str(), user.nickname.as_deref(), user.karma),
        ("cy@x.io", Some("cy"), 3)
    );
    Ok(())
}
