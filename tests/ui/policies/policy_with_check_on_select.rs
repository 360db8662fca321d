use pgtable::prelude::*;

#[table(
    name = "notes",
    policy(name = "own_notes", for = "select", with_check = "owner = current_user")
)]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub owner: String,
}

fn main() {}
