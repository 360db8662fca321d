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
    pub author_id: i64,
}

#[table(name = "comments")]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i64,
    pub post_id: i64,
}

fn main() {
    let _ = Post::select().inner_join(Comment::POST_ID.eq(User::ID));
}
