use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
