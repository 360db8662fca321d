use pgtable::prelude::*;

#[table(name = "posts", index(columns(author_id), where = " "))]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub author_id: i64,
}

fn main() {}
