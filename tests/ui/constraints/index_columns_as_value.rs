use pgtable::prelude::*;

#[table(name = "posts", index(name = "posts_title_idx", columns = [title]))]
pub struct Post {
    #[column(primary_key)]
    pub id: i32,
    pub title: String,
}

fn main() {}
