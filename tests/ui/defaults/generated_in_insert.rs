use pgtable::prelude::*;

#[table(name = "line_items")]
pub struct LineItem {
    #[column(primary_key, identity)]
    pub id: i32,
    pub price: i32,
    pub quantity: i32,
    #[column(generated = "price * quantity")]
    pub total: i32,
}

fn main() {
    // The server computes `total`: the insert type has no such field.
    let _ = NewLineItem {
        price: 1,
        quantity: 2,
        total: 2,
    };
}
