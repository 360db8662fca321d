use pgtable::prelude::*;

#[table(name = "users", insert_derive(Debug))]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

fn main() {}
