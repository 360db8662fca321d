use pgtable::prelude::*;

#[table(name = "line_items")]
pub struct LineItem {
    #[column(primary_key, identity)]
    pub id: i64,
    pub price: i32,
    #[column(generated = "price * 2", on_update_sql = "0")]
    pub total: i32,
}

fn main() {}
