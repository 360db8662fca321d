use pgtable::prelude::*;

#[table(name = "post_tags", primary_key(post_id, tag))]
pub struct PostTag {
    pub post_id: i64,
    pub tag_id: i64,
}

fn main() {}
