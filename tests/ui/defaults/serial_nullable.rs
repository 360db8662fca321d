use pgtable::prelude::*;

#[table(name = "categories")]
pub struct Category {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(serial)]
    pub position: Option<i32>,
}

fn main() {}
