//! Columns set on every `update()` that does not set them (Drizzle's
//! `$onUpdate`): `on_update_now` and `on_update_sql`.

use crate::common;

use chrono::{DateTime, Utc};
use common::TestDb;
use pgtable::prelude::*;

#[table(name = "notes")]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
    #[column(default_now, on_update_now)]
    pub updated_at: DateTime<Utc>,
    #[column(default = 0, on_update_sql = "revision + 1")]
    pub revision: i32,
}

fn long_ago() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap() // 2000-01-01
}

#[tokio::test]
async fn an_update_sets_them_unless_it_sets_them_itself() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Note>()).await;
    let db = test.db();
    let note = Note::insert(NewNote {
        title: "draft".into(),
        updated_at: Some(long_ago()),
        revision: None,
    })
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!((note.updated_at, note.revision), (long_ago(), 0));

    let rename = Note::update()
        .set(Note::TITLE, "final")
        .filter(Note::ID.eq(note.id));
    assert_eq!(
        rename.to_sql(),
        r#"UPDATE "notes" SET "title" = $1, "updated_at" = now(), "revision" = revision + 1 WHERE "notes"."id" = $2"#
    );
    let renamed = rename.returning().fetch_one(&db).await?;
    assert!(renamed.updated_at > long_ago());
    assert_eq!(renamed.revision, 1);

    // A patch too; and a column the update sets itself keeps that value.
    let patched = Note::update()
        .set_patch(NotePatch {
            title: Some("again".into()),
            updated_at: Some(long_ago()),
            ..Default::default()
        })
        .filter(Note::ID.eq(note.id))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(patched.updated_at, long_ago());
    assert_eq!(patched.revision, 2);
    Ok(())
}
