use pgtable::prelude::*;

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(relation(belongs_to = "author"))]
    pub author_id: i64,
}

fn main() {}
