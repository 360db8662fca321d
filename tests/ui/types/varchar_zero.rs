use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(varchar(0))]
    pub email: String,
}

fn main() {}
