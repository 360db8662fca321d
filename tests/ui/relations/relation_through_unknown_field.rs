use pgtable::prelude::*;

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
}

#[table(name = "post_tags", primary_key(post_id, tag_id))]
pub struct PostTag {
    #[column(references = Post::ID, relation(many_to_many = "tags", through = tag))]
    pub post_id: i64,
    pub tag_id: i64,
}

fn main() {}
