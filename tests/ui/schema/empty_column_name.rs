use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, name = "")]
    pub id: i64,
}

fn main() {}
