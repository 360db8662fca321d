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

async fn run(db: &Db) -> Result<u64, pgtable::Error> {
    User::delete().execute(db).await
}

fn main() {}
