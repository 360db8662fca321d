use pgtable::prelude::*;

#[table(name = "products")]
pub struct Product {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(numeric(3, 5))]
    pub rating: rust_decimal::Decimal,
}

fn main() {}
