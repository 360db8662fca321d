use pgtable::prelude::*;

#[table(name = "users", tablename = "people")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
