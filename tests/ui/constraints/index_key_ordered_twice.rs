use pgtable::prelude::*;

#[table(name = "posts", index(columns(created_at asc desc)))]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub created_at: chrono::NaiveDateTime,
}

fn main() {}
