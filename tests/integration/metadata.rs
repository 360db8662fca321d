//! The static metadata `#[table]` generates: column constants, the
//! `TableDef`, and the insert type's shape. No database needed.

use crate::schema;

use chrono::NaiveDateTime;
use pgtable::prelude::*;
use pgtable::{SqlTypeName, TableDef};
use schema::{NewUser, User};
use uuid::Uuid;

#[test]
fn column_constants_know_table_name_and_type() {
    let id: Column<User, Uuid> = User::ID;
    let email: Column<User, String> = User::EMAIL;
    let created_at: Column<User, Option<NaiveDateTime>> = User::CREATED_AT;
    assert_eq!(
        [id.name(), email.name(), created_at.name()],
        ["id", "email", "created_at"]
    );
    assert_eq!([id.index(), email.index(), created_at.index()], [0, 1, 2]);
    assert_eq!(email.def().sql_type, SqlTypeName::builtin("varchar(255)"));
    assert!(created_at.def().nullable);
    assert_eq!(created_at.def().default, Some("now()"));
}

#[test]
fn table_def_describes_the_table() {
    let def: &'static TableDef = User::table();
    assert_eq!(def.name, "users");
    assert_eq!(def.schema, None);
    let columns: Vec<(&str, String, bool)> = def
        .columns
        .iter()
        .map(|c| (c.name, c.sql_type.to_string(), c.nullable))
        .collect();
    assert_eq!(
        columns,
        [
            ("id", "uuid".to_owned(), false),
            ("email", "varchar(255)".to_owned(), false),
            ("created_at", "timestamp".to_owned(), true),
        ]
    );
    assert_eq!(def.primary_key_columns(), ["id"]);
    let unique: Vec<_> = def
        .unique_constraints()
        .into_iter()
        .map(|(name, cols)| (name.into_owned(), cols))
        .collect();
    assert_eq!(unique, [("users_email_unique".to_owned(), &["email"][..])]);
    // The static is shared: create_table() renders once.
    assert!(std::ptr::eq(User::create_table(), User::create_table()));
}

#[table(name = "settings")]
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(default = "{}")]
    pub value: String,
    pub note: Option<String>,
}

#[test]
fn insert_type_leaves_out_identity_and_defaults_when_all_optional() {
    // Every field is optional, so the insert type is Default.
    let draft = NewSetting::default();
    assert_eq!((draft.value, draft.note), (None, None));
    assert_eq!(<NewSetting as Insertable>::COLUMNS, &[1, 2]);
    assert_eq!(<NewUser as Insertable>::COLUMNS, &[0, 1, 2]);

    let draft = NewSetting {
        value: None,
        note: Some("x".into()),
    };
    let mut values = Vec::new();
    draft.push_values(&mut values);
    assert!(matches!(
        values.as_slice(),
        [pgtable::InsertValue::Default, pgtable::InsertValue::Bind(_)]
    ));
}

// `#[derive]` above `#[table]` and no derives at all: the insert type is
// Debug and Clone either way.
#[derive(Debug)]
#[table(name = "derive_first")]
pub struct DeriveFirst {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_now)]
    pub at: chrono::NaiveDate,
}

#[table(name = "no_derives")]
pub struct NoDerives {
    #[column(primary_key)]
    pub id: i64,
    pub label: Option<String>,
}

#[test]
fn insert_type_is_debug_and_clone_whatever_the_struct_derives() {
    let a = NewDeriveFirst { id: 1, at: None };
    assert_eq!(
        format!("{:?}", a.clone()),
        "NewDeriveFirst { id: 1, at: None }"
    );
    let b = NewNoDerives {
        id: 2,
        label: Some("x".into()),
    };
    assert_eq!(
        format!("{:?}", b.clone()),
        "NewNoDerives { id: 2, label: Some(\"x\") }"
    );
}

/// A table in a schema of its own, with names that need quoting.
#[table(name = "odd \"names\"", schema = "app space")]
struct OddNames {
    #[column(primary_key, name = "the \"id\"")]
    id: i32,
    plain: String,
}

#[test]
fn quoted_names_written_by_the_macro_match_the_runtime_quoting() {
    use pgtable::sql::{quote_ident, table_name};
    for def in [User::table(), OddNames::table()] {
        let quoted = def.quoted.0.expect("the macro writes the quoted names");
        let table = table_name(def.schema.unwrap_or("public"), def.name);
        assert_eq!(quoted.table, table);
        let columns: Vec<String> = def.columns.iter().map(|c| quote_ident(c.name)).collect();
        assert_eq!(quoted.columns, columns.join(", "));
        let qualified: Vec<String> = columns.iter().map(|c| format!("{table}.{c}")).collect();
        assert_eq!(quoted.qualified_columns, qualified.join(", "));
        for column in def.columns {
            assert_eq!(
                column.qualified.0,
                Some(format!("{table}.{}", quote_ident(column.name)).as_str())
            );
        }
    }
    // The quoted names are a cache: a definition written by hand, without
    // them, is still equal.
    assert_eq!(
        OddNames::table().columns[1],
        pgtable::ColumnDef::new("plain", "plain", SqlTypeName::builtin("text"), false)
    );
    assert_eq!(
        OddNames::select().filter(OddNames::ID.eq(1)).to_sql(),
        r#"SELECT "the ""id""", "plain" FROM "app space"."odd ""names""" WHERE "app space"."odd ""names"""."the ""id""" = $1"#
    );
}

#[test]
fn an_insert_type_says_whether_every_row_binds_every_column() {
    use pgtable::Insertable;
    // `created_at` falls back to `now()` when `None`.
    let always_bound = [
        <NewUser as Insertable>::ALWAYS_BOUND,
        <NewOddNames as Insertable>::ALWAYS_BOUND,
    ];
    assert_eq!(always_bound, [false, true]);
}
