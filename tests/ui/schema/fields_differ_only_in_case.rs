use pgtable::prelude::*;

#[table(name = "users")]
#[allow(non_snake_case)]
pub struct User {
    #[column(primary_key)]
    pub id: i32,
    pub ab: String,
    #[column(name = "a_b")]
    pub aB: String,
}

fn main() {}
