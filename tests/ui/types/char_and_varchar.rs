use pgtable::prelude::*;

#[table(name = "products")]
pub struct Product {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar(3), char(3))]
    pub currency: String,
}

fn main() {}
