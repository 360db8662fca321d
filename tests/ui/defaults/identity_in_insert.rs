use pgtable::prelude::*;

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
}

fn main() {
    let _ = NewPost { id: 1, title: "hello".into() };
}
