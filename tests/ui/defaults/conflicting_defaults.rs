use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity, default = 0)]
    pub id: i64,
}

fn main() {}
