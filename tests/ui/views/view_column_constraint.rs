use pgtable::prelude::*;

#[view(name = "recent", sql = "SELECT id FROM events")]
pub struct Recent {
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
