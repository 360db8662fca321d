use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i32,
    pub nickname: Option<Option<String>>,
}

fn main() {}
