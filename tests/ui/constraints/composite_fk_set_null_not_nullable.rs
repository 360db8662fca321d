use pgtable::prelude::*;

#[table(name = "teams", primary_key(org_id, team_id))]
pub struct Team {
    pub org_id: i32,
    pub team_id: i32,
}

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i32,
}

#[table(name = "members", foreign_key(columns(org_id, team_id), references(Team::ORG_ID, Team::TEAM_ID), on_delete = set_null))]
pub struct Member {
    #[column(primary_key)]
    pub id: i64,
    pub org_id: Option<i32>,
    pub team_id: i32,
}

fn main() {}
