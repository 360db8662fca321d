use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, default_random)]
    pub id: String,
}

fn main() {}
