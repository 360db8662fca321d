//! The diff as the pure function it is: each kind of change as exact SQL,
//! with no server. (`tests/integration/migrations.rs` applies the same kinds of change
//! to a real server.)

use super::diff::diff;
use crate::snapshot::{
    Check, Column, Enum, ForeignKey, Index, PrimaryKey, Snapshot, Table, Unique, VERSION,
};

fn col(name: &str, sql_type: &str, nullable: bool) -> Column {
    Column {
        name: name.into(),
        renamed_from: None,
        sql_type: sql_type.into(),
        nullable,
        default: None,
        identity: false,
        identity_by_default: false,
        generated: None,
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        renamed_from: None,
        columns,
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        checks: vec![],
        foreign_keys: vec![],
        indexes: vec![],
        rls: false,
        policies: vec![],
    }
}

fn users() -> Table {
    table(
        "users",
        vec![col("id", "integer", false), col("email", "text", false)],
    )
}

fn snapshot(tables: Vec<Table>) -> Snapshot {
    Snapshot {
        version: VERSION,
        enums: vec![],
        tables,
        roles: vec![],
        views: vec![],
        sequences: vec![],
    }
}

/// The statements of the diff from `old` to `new`, each change's joined.
fn sql(old: &Snapshot, new: &Snapshot) -> Vec<String> {
    diff(old, new)
        .into_iter()
        .map(|c| c.statements.join("\n"))
        .collect()
}

fn with(mut t: Table, f: impl FnOnce(&mut Table)) -> Table {
    f(&mut t);
    t
}

#[test]
fn no_change_no_statement() {
    let s = snapshot(vec![users()]);
    assert!(diff(&s, &s).is_empty());
}

#[test]
fn create_and_drop_tables() {
    let empty = snapshot(vec![]);
    let one = snapshot(vec![users()]);
    assert_eq!(
        sql(&empty, &one),
        [
            "CREATE TABLE \"users\" (\n\t\"id\" integer PRIMARY KEY NOT NULL,\n\t\"email\" text NOT NULL\n);"
        ]
    );
    let changes = diff(&one, &empty);
    assert_eq!(changes[0].statements, ["DROP TABLE \"users\" CASCADE;"]);
    assert!(changes[0].destructive);
}

#[test]
fn columns_added_dropped_renamed_and_altered() {
    let before = snapshot(vec![users()]);
    let after = snapshot(vec![with(users(), |t| {
        t.columns.push(col("bio", "text", true));
    })]);
    assert_eq!(
        sql(&before, &after),
        ["ALTER TABLE \"users\" ADD COLUMN \"bio\" text;"]
    );
    let dropped = diff(&after, &before);
    assert_eq!(
        dropped[0].statements,
        ["ALTER TABLE \"users\" DROP COLUMN \"bio\";"]
    );
    assert!(dropped[0].destructive);

    let renamed = snapshot(vec![with(users(), |t| {
        t.columns[1].name = "mail".into();
        t.columns[1].renamed_from = Some("email".into());
    })]);
    assert_eq!(
        sql(&before, &renamed),
        ["ALTER TABLE \"users\" RENAME COLUMN \"email\" TO \"mail\";"]
    );

    let altered = snapshot(vec![with(users(), |t| {
        t.columns[1].sql_type = "varchar(255)".into();
        t.columns[1].nullable = true;
        t.columns[1].default = Some("'x'".into());
    })]);
    assert_eq!(
        sql(&before, &altered),
        [
            "ALTER TABLE \"users\" ALTER COLUMN \"email\" SET DATA TYPE varchar(255) USING \"email\"::varchar(255);\n\
             ALTER TABLE \"users\" ALTER COLUMN \"email\" SET DEFAULT 'x';\n\
             ALTER TABLE \"users\" ALTER COLUMN \"email\" DROP NOT NULL;"
        ]
    );
}

#[test]
fn constraints_and_indexes_are_dropped_and_added() {
    let before = snapshot(vec![
        users(),
        table(
            "posts",
            vec![
                col("id", "integer", false),
                col("author_id", "integer", false),
            ],
        ),
    ]);
    let after = snapshot(vec![
        with(users(), |t| {
            t.uniques.push(Unique {
                name: "users_email_unique".into(),
                columns: vec!["email".into()],
                nulls_not_distinct: false,
            });
            t.checks.push(Check {
                name: "users_email_check".into(),
                expr: "email <> ''".into(),
            });
        }),
        with(
            table(
                "posts",
                vec![
                    col("id", "integer", false),
                    col("author_id", "integer", false),
                ],
            ),
            |t| {
                t.foreign_keys.push(ForeignKey {
                    name: "posts_author_id_users_id_fk".into(),
                    columns: vec!["author_id".into()],
                    foreign_schema: "public".into(),
                    foreign_table: "users".into(),
                    foreign_columns: vec!["id".into()],
                    on_delete: "cascade".into(),
                    on_update: "no action".into(),
                });
                t.indexes.push(Index {
                    name: "posts_author_id_index".into(),
                    columns: vec!["author_id".into()],
                    unique: false,
                    using: "btree".into(),
                    keys: Vec::new(),
                    predicate: None,
                    concurrently: false,
                });
            },
        ),
    ]);
    let added = sql(&before, &after);
    assert_eq!(
        added,
        [
            "ALTER TABLE \"users\" ADD CONSTRAINT \"users_email_unique\" UNIQUE(\"email\");",
            "ALTER TABLE \"users\" ADD CONSTRAINT \"users_email_check\" CHECK (email <> '');",
            "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_author_id_users_id_fk\" FOREIGN KEY (\"author_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE cascade ON UPDATE no action;",
            "CREATE INDEX \"posts_author_id_index\" ON \"posts\" USING btree (\"author_id\");",
        ]
    );
    let dropped = sql(&after, &before);
    assert_eq!(
        dropped,
        [
            "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_author_id_users_id_fk\";",
            "DROP INDEX \"public\".\"posts_author_id_index\";",
            "ALTER TABLE \"users\" DROP CONSTRAINT \"users_email_unique\";",
            "ALTER TABLE \"users\" DROP CONSTRAINT \"users_email_check\";",
        ]
    );
    // A changed primary key is dropped and added.
    let composite = snapshot(vec![
        with(users(), |t| {
            t.primary_key = Some(PrimaryKey {
                name: "users_id_email_pk".into(),
                columns: vec!["id".into(), "email".into()],
            });
        }),
        before.tables[1].clone(),
    ]);
    assert_eq!(
        sql(&before, &composite),
        [
            "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";",
            "ALTER TABLE \"users\" ADD CONSTRAINT \"users_id_email_pk\" PRIMARY KEY(\"id\",\"email\");",
        ]
    );
}

#[test]
fn enums_created_extended_and_dropped() {
    let status = |values: &[&str]| Enum {
        schema: "public".into(),
        name: "status".into(),
        values: values.iter().map(|v| (*v).into()).collect(),
    };
    let none = snapshot(vec![]);
    let two = Snapshot {
        enums: vec![status(&["draft", "published"])],
        ..snapshot(vec![])
    };
    assert_eq!(
        sql(&none, &two),
        ["CREATE TYPE \"public\".\"status\" AS ENUM('draft', 'published');"]
    );
    let three = Snapshot {
        enums: vec![status(&["draft", "review", "published"])],
        ..snapshot(vec![])
    };
    assert_eq!(
        sql(&two, &three),
        ["ALTER TYPE \"public\".\"status\" ADD VALUE 'review' BEFORE 'published';"]
    );
    let changes = diff(&two, &none);
    assert_eq!(changes[0].statements, ["DROP TYPE \"public\".\"status\";"]);
}
