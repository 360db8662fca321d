use pgtable::prelude::*;

#[table(name = "users")]
#[derive(Clone)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[table(name = "posts")]
#[derive(Clone)]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID, relation(has_many = "posts"))]
    pub author_id: i64,
    pub title: String,
}

fn main() {
    // The posts' columns are `Post::…`; `User::EMAIL` is the parent's.
    let _ = User::select().with(User::posts().columns((Post::TITLE, User::EMAIL)));
}
