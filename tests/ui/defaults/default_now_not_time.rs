use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_now)]
    pub created_at: String,
}

fn main() {}
