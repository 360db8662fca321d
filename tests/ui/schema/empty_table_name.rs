use pgtable::prelude::*;

#[table(name = "")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
