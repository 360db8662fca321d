//! Row-level security: `rls` and `policy(…)` on a table, roles as schema
//! items, the DDL (drizzle-kit's), policies enforced by the server for a
//! role whose requests set `app.user_id` with `Transaction::set_local`,
//! migrations adding and changing policies, and `check`.

use crate::common;

use common::TestDb;
use pgtable::migrate::{self, diff};
use pgtable::prelude::*;
use pgtable::snapshot::Snapshot;
use uuid::Uuid;

const OWN_ROWS: &str = "owner_id = current_setting('app.user_id')::uuid";

/// Policies for every role (`to` left out is `public`), so that each test
/// can use a role of its own.
#[table(
    name = "notes",
    policy(
        name = "own_notes",
        using = "owner_id = current_setting('app.user_id')::uuid",
        with_check = "owner_id = current_setting('app.user_id')::uuid"
    ),
    policy(
        name = "hide_archived",
        as = "restrictive",
        for = "select",
        using = "not archived"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    pub owner_id: Uuid,
    pub body: String,
    #[column(default = false)]
    pub archived: bool,
}

mod named_role {
    use pgtable::prelude::*;

    /// Only for `rls_tenant`, a role the schema creates.
    #[table(
        name = "invoices",
        rls,
        policy(
            name = "tenant_reads",
            for = "select",
            to = "pgtable_rls_tenant",
            using = "tenant = current_user"
        ),
        policy(
            name = "tenant_writes",
            for = "insert",
            to("pgtable_rls_tenant", "current_user"),
            with_check = "tenant = current_user"
        )
    )]
    pub struct Invoice {
        #[column(primary_key, identity)]
        pub id: i64,
        pub tenant: String,
    }

    pub fn schema() -> Schema {
        Schema::new().role("pgtable_rls_tenant").table::<Invoice>()
    }
}

#[test]
fn the_ddl_is_drizzle_kits() {
    let sql = named_role::schema().to_sql();
    let statements: Vec<&str> = sql.split("\n\n").map(str::trim).collect();
    assert_eq!(statements[0], r#"CREATE ROLE "pgtable_rls_tenant";"#);
    assert_eq!(
        statements[2..],
        [
            r#"ALTER TABLE "invoices" ENABLE ROW LEVEL SECURITY;"#,
            r#"CREATE POLICY "tenant_reads" ON "invoices" AS PERMISSIVE FOR SELECT TO "pgtable_rls_tenant" USING (tenant = current_user);"#,
            r#"CREATE POLICY "tenant_writes" ON "invoices" AS PERMISSIVE FOR INSERT TO current_user, "pgtable_rls_tenant" WITH CHECK (tenant = current_user);"#,
        ]
    );
    let notes = Schema::new().table::<Note>().to_sql();
    assert!(
        notes.ends_with(&format!(
            "ALTER TABLE \"notes\" ENABLE ROW LEVEL SECURITY;\n\n\
             CREATE POLICY \"own_notes\" ON \"notes\" AS PERMISSIVE FOR ALL TO public USING ({OWN_ROWS}) WITH CHECK ({OWN_ROWS});\n\n\
             CREATE POLICY \"hide_archived\" ON \"notes\" AS RESTRICTIVE FOR SELECT TO public USING (not archived);\n"
        )),
        "{notes}"
    );
}

/// A role of this test's own (roles belong to the whole server), allowed
/// to use the notes table; dropped by the caller.
async fn tenant_role(test: &TestDb) -> String {
    let role = format!("{}_tenant", test.name());
    test.client
        .batch_execute(&format!(
            "CREATE ROLE \"{role}\" NOLOGIN;
             GRANT ALL ON notes TO \"{role}\";"
        ))
        .await
        .unwrap();
    role
}

/// Drops the role, after what it was granted in the test's database.
async fn drop_role(test: &TestDb, role: &str) {
    test.client
        .batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\""))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_server_shows_each_user_their_own_rows() -> Result<(), pgtable::Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Note>()).await;
    let role = tenant_role(&test).await;
    // One connection: whatever a request sets must not reach the next.
    let db = test.db_builder().max_size(1).build()?;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    // As the table's owner (a superuser here), policies do not apply.
    let note = |owner, body: &str, archived| NewNote {
        owner_id: owner,
        body: body.into(),
        archived: Some(archived),
    };
    Note::insert_many([
        note(alice, "alice's", false),
        note(alice, "alice's old", true),
        note(bob, "bob's", false),
    ])
    .execute(&db)
    .await?;

    let tx = db.begin().await?;
    tx.batch_execute(&format!("SET LOCAL ROLE \"{role}\""))
        .await?;
    tx.set_local("app.user_id", alice).await?;
    let seen: Vec<String> = Note::select()
        .fetch_all(&tx)
        .await?
        .into_iter()
        .map(|n| n.body)
        .collect();
    assert_eq!(seen, ["alice's"]);
    // Writing a row for someone else is refused by the policy's check.
    let err = Note::insert(note(bob, "forged", false))
        .execute(&tx)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{err}"
    );
    tx.rollback().await?;

    // The next transaction on the same connection starts clean.
    let (setting,): (Option<String>,) = pgtable::sql("SELECT current_setting('app.user_id', true)")
        .fetch_one(&db)
        .await?;
    assert!(setting.unwrap_or_default().is_empty());

    // And a value is bound, not spliced: any text is just a setting.
    let tx = db.begin().await?;
    tx.batch_execute(&format!("SET LOCAL ROLE \"{role}\""))
        .await?;
    tx.set_local("app.user_id", "x'; DROP TABLE notes; --")
        .await?;
    assert!(Note::select().fetch_all(&tx).await.is_err(), "not a uuid");
    tx.rollback().await?;
    assert_eq!(Note::select().count(&db).await?, 3);

    drop(db);
    drop_role(&test, &role).await;
    Ok(())
}

#[tokio::test]
async fn policies_migrate_and_check_sees_them() -> Result<(), Box<dyn std::error::Error>> {
    mod v1 {
        use pgtable::prelude::*;

        #[table(name = "notes")]
        pub struct Note {
            #[column(primary_key, identity)]
            pub id: i64,
            pub owner_id: uuid::Uuid,
            pub body: String,
            #[column(default = false)]
            pub archived: bool,
        }
    }
    let v1 = Schema::new().table::<v1::Note>();
    let v2 = Schema::new().table::<Note>();
    let test = TestDb::with_schema(&v1).await;
    let db = test.db();
    let changes = diff(&Snapshot::of(&v1), &Snapshot::of(&v2));
    let described = common::descriptions(&changes);
    assert_eq!(
        described,
        [
            r#"enable row-level security on "notes""#,
            r#"create policy "own_notes" on "notes""#,
            r#"create policy "hide_archived" on "notes""#,
        ]
    );
    common::apply(&test.client, &changes).await?;
    let drift = migrate::drift(&db, &v2).await?;
    assert!(drift.is_empty(), "{drift:#?}");

    // A policy changed behind pgtable's back is reported as that policy.
    test.client
        .batch_execute("ALTER POLICY hide_archived ON notes USING (not archived and body <> '')")
        .await?;
    let drift = common::drift_descriptions(&db, &v2).await?;
    assert_eq!(
        drift,
        [
            r#"drop policy "hide_archived" on "notes""#,
            r#"create policy "hide_archived" on "notes""#,
        ]
    );

    // And back to no policies, row-level security off.
    test.client
        .batch_execute("ALTER POLICY hide_archived ON notes USING (not archived)")
        .await?;
    common::apply(&test.client, &diff(&Snapshot::of(&v2), &Snapshot::of(&v1))).await?;
    assert!(migrate::drift(&db, &v1).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_role_the_schema_creates_is_created_and_checked() -> Result<(), Box<dyn std::error::Error>>
{
    let test = TestDb::new().await;
    let db = test.db();
    // The role is the whole server's: another run may have left it.
    test.client
        .batch_execute("DROP ROLE IF EXISTS pgtable_rls_tenant")
        .await?;
    let schema = named_role::schema();
    let changes = diff(&Snapshot::default(), &Snapshot::of(&schema));
    assert_eq!(
        changes[0].description,
        r#"create role "pgtable_rls_tenant""#
    );
    common::apply(&test.client, &changes).await?;
    let drift = migrate::drift(&db, &schema).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    drop(db);
    test.client
        .batch_execute(
            "DROP POLICY tenant_reads ON invoices; DROP POLICY tenant_writes ON invoices",
        )
        .await?;
    let drift = common::drift_descriptions(&test.db(), &schema).await?;
    assert_eq!(
        drift,
        [
            r#"create policy "tenant_reads" on "invoices""#,
            r#"create policy "tenant_writes" on "invoices""#,
        ]
    );
    drop_role(&test, "pgtable_rls_tenant").await;
    Ok(())
}
