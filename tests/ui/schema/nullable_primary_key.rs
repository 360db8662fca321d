use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: Option<i64>,
}

fn main() {}
