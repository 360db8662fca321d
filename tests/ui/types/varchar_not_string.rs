use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(varchar(3))]
    pub age: i32,
}

fn main() {}
