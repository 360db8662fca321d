use pgtable::prelude::*;

#[table(name = "posts", index(name = "posts_created_idx", columns(created_at dsc)))]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub created_at: chrono::NaiveDateTime,
}

fn main() {}
