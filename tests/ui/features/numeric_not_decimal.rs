use pgtable::prelude::*;

#[table(name = "products")]
pub struct Product {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(numeric(10, 2))]
    pub price: f64,
}

fn main() {}
