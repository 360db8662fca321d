use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID, relation(belongs_to = "author", has_many = "posts"))]
    pub author_id: i32,
}

fn main() {}
