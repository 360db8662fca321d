use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary)]
    pub id: i64,
}

fn main() {}
