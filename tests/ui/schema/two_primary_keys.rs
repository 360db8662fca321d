use pgtable::prelude::*;

#[table(name = "post_tags")]
pub struct PostTag {
    #[column(primary_key)]
    pub post_id: i64,
    #[column(primary_key)]
    pub tag_id: i64,
}

fn main() {}
