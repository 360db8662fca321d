use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key = true)]
    pub id: i64,
}

fn main() {}
