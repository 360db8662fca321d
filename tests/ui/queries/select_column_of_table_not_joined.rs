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
    #[column(references = User::ID)]
    pub author_id: i64,
}

#[table(name = "tags")]
pub struct Tag {
    #[column(primary_key, identity)]
    pub id: i64,
}

async fn run(db: &Db) {
    // Tag is not joined.
    let _ = User::select_columns((User::EMAIL, Tag::ID))
        .left_join(Post::AUTHOR_ID.eq(User::ID))
        .fetch_all(db)
        .await;
}

fn main() {}
