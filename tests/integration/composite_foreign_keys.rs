//! `foreign_key(columns(..), references(..))`: a foreign key over several
//! columns, as Drizzle's `foreignKey({ columns, foreignColumns })`. The DDL,
//! what the server enforces, and that `check` finds the database clean.

use crate::common;

use common::TestDb;
use pgtable::Error;
use pgtable::prelude::*;

#[table(name = "teams", primary_key(org_id, team_id))]
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub org_id: i32,
    pub team_id: i32,
    pub name: String,
}

#[table(
    name = "members",
    foreign_key(columns(org_id, team_id), references(Team::ORG_ID, Team::TEAM_ID), on_delete = set_null),
    foreign_key(name = "members_home_team", columns(org_id, home_team), references(Team::ORG_ID, Team::TEAM_ID))
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    #[column(primary_key, identity)]
    pub id: i64,
    pub org_id: Option<i32>,
    pub team_id: Option<i32>,
    pub home_team: i32,
}

fn schema() -> Schema {
    Schema::new().table::<Team>().table::<Member>()
}

#[test]
fn the_ddl_names_every_column_in_order() {
    let sql = schema().to_sql();
    for expected in [
        r#"ALTER TABLE "members" ADD CONSTRAINT "members_org_id_team_id_teams_org_id_team_id_fk" FOREIGN KEY ("org_id","team_id") REFERENCES "public"."teams"("org_id","team_id") ON DELETE set null ON UPDATE no action;"#,
        r#"ALTER TABLE "members" ADD CONSTRAINT "members_home_team" FOREIGN KEY ("org_id","home_team") REFERENCES "public"."teams"("org_id","team_id") ON DELETE no action ON UPDATE no action;"#,
    ] {
        assert!(sql.contains(expected), "no {expected} in\n{sql}");
    }
}

#[tokio::test]
async fn the_server_enforces_both_columns_together() -> Result<(), Box<dyn std::error::Error>> {
    let test = TestDb::with_schema(&schema()).await;
    let db = test.db();
    Team::insert(NewTeam::new(1, 10, "core".into()))
        .execute(&db)
        .await?;
    let member = NewMember::new(10).org_id(1).team_id(10);
    Member::insert(member).execute(&db).await?;

    // Team 10 exists in organisation 1 only.
    let stray = NewMember::new(10).org_id(2).team_id(10);
    match Member::insert(stray).execute(&db).await {
        Err(error @ Error::ForeignKeyViolation { .. }) => assert_eq!(
            error.constraint(),
            Some("members_org_id_team_id_teams_org_id_team_id_fk")
        ),
        other => panic!("expected a foreign key violation, got {other:?}"),
    }

    // Deleting the team sets both columns of the first key to NULL; the
    // second key then has a NULL column, so (MATCH SIMPLE) it holds too.
    Team::delete()
        .filter(Team::TEAM_ID.eq(10))
        .execute(&db)
        .await?;
    let left = Member::select().fetch_one(&db).await?;
    assert_eq!(
        (left.org_id, left.team_id, left.home_team),
        (None, None, 10)
    );

    let drift = common::drift_descriptions(&db, &schema()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    Ok(())
}
