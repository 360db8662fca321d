use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub age: Option<i32>,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
}

fn main() {
    let _ = User::select().filter(User::AGE.like("4%"));
}
