//! Strings that would break hand-built SQL are stored and read back as
//! plain data: every value is a bind parameter, every identifier quoted.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;

#[table(name = "we\"ird; table")]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(name = "body\"; DROP TABLE x; --")]
    pub body: String,
    pub label: Option<String>,
}

fn hostile() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        "'",
        "''",
        "\"",
        "'; DROP TABLE notes; --",
        "\"; DROP TABLE notes; --",
        "$1",
        "$1::text || $2",
        "\\",
        "\\'",
        "E'\\x00'",
        "%_\\%",
        "/* comment */ SELECT 1;",
        "ümlaut ñ 日本語 🐘 \u{202e}rtl\u{200b}",
        "line\nbreak\r\ttab",
    ]
    .map(str::to_owned)
    .to_vec();
    values.push("x".repeat(1 << 20));
    values
}

#[tokio::test]
async fn hostile_strings_are_plain_data() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Note>()).await;
    let db = test.db();
    let values = hostile();
    let rows: Vec<NewNote> = values
        .iter()
        .map(|v| NewNote {
            body: v.clone(),
            label: Some(v.clone()),
        })
        .collect();
    let inserted = Note::insert_many(rows).returning().fetch_all(&db).await?;
    assert_eq!(inserted.len(), values.len());

    for value in &values {
        // Equality finds exactly the row holding the value.
        let found = Note::select()
            .filter(Note::BODY.eq(value.as_str()))
            .fetch_all(&db)
            .await?;
        assert_eq!(found.len(), 1, "{:?}", &value[..value.len().min(40)]);
        assert_eq!(&found[0].body, value);
        assert_eq!(found[0].label.as_ref(), Some(value));
        // Updating with the value and filtering on it leaves it unchanged.
        let n = Note::update()
            .set(Note::LABEL, value.as_str())
            .filter(Note::LABEL.eq(value.as_str()))
            .execute(&db)
            .await?;
        assert_eq!(n, 1);
        // Through `sql!` fragments a value is a parameter too, in a
        // condition and in a SET.
        let found = Note::select()
            .filter(pgtable::sql!("{} = {}", Note::BODY, value.as_str()))
            .count(&db)
            .await?;
        assert_eq!(found, 1, "{:?}", &value[..value.len().min(40)]);
        let n = Note::update()
            .set(Note::LABEL, pgtable::sql!("{} || ''", value))
            .filter(pgtable::sql!("{} = {}", Note::LABEL, value))
            .execute(&db)
            .await?;
        assert_eq!(n, 1);
    }
    // LIKE patterns are values too: `%_\%` only matches what LIKE says.
    let like = Note::select()
        .filter(Note::BODY.like("\\%\\_\\\\\\%"))
        .count(&db)
        .await?;
    assert_eq!(like, 1);
    assert_eq!(Note::select().count(&db).await?, values.len() as i64);
    Ok(())
}

/// PostgreSQL's text cannot hold a NUL byte, and its error does not say
/// which value held one: pgtable names the column.
#[tokio::test]
async fn a_nul_byte_in_text_names_its_column() {
    let test = TestDb::with_schema(&Schema::new().table::<Note>()).await;
    let db = test.db();
    let expected = "the value for column label of table we\"ird; table contains a NUL byte (\\0), \
                    which PostgreSQL text cannot store: remove it, or store the value as bytea (Vec<u8>)";

    let err = Note::insert(NewNote {
        body: "fine".into(),
        label: Some("nul\0byte".into()),
    })
    .execute(&db)
    .await
    .unwrap_err();
    assert!(matches!(err, pgtable::Error::NulInText { .. }), "{err:?}");
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.column(), Some("label"));

    Note::insert(NewNote {
        body: "fine".into(),
        label: None,
    })
    .execute(&db)
    .await
    .unwrap();
    let err = Note::update()
        .set(Note::LABEL, "nul\0byte")
        .filter(Note::BODY.eq("fine"))
        .execute(&db)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), expected);

    // The bulk path (COPY) names it from PostgreSQL's context line.
    let rows: Vec<NewNote> = (0..pgtable::query::COPY_THRESHOLD)
        .map(|i| NewNote {
            body: format!("row {i}"),
            label: Some(if i == 7 { "nul\0".into() } else { "ok".into() }),
        })
        .collect();
    let err = Note::insert_many(rows).execute(&db).await.unwrap_err();
    assert_eq!(err.to_string(), expected);
}
