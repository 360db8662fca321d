use pgtable::prelude::*;

#[table(name = "posts", index(columns(metadata opclass = "jsonb_path_ops; DROP TABLE posts"), using = "gin"))]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    pub metadata: serde_json::Value,
}

fn main() {}
