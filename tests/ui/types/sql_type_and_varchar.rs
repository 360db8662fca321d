use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(varchar(10), sql_type = "citext")]
    pub email: String,
}

fn main() {}
