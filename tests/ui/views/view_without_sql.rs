use pgtable::prelude::*;

#[view(name = "recent")]
pub struct Recent {
    pub id: i64,
}

fn main() {}
