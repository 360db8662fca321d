use pgtable::prelude::*;

#[table(name = "line_items")]
pub struct LineItem {
    #[column(primary_key, identity)]
    pub id: i32,
    pub price: i32,
    #[column(default = 0, generated = "price * 2")]
    pub total: i32,
}

fn main() {}
