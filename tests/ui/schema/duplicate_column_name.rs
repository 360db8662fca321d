use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    #[column(name = "email")]
    pub contact: String,
}

fn main() {}
