use pgtable::prelude::*;
use pgtable::sql;

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub metadata: serde_json::Value,
}

fn main() {
    let _ = Post::update()
        .set(Post::METADATA, sql!("{} || '{\"k\":1}'", Post::METADATA))
        .filter(Post::ID.eq(1));
}
