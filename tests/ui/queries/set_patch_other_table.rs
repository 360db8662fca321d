use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
}

fn main() {
    let patch = PostPatch { title: Some("x".into()) };
    let _ = User::update().set_patch(patch).filter(User::ID.eq(1));
}
