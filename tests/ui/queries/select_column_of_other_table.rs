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
}

async fn run(db: &Db) {
    let _ = User::select_columns((User::EMAIL, Post::ID)).fetch_all(db).await;
}

fn main() {}
