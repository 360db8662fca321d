use pgtable::prelude::*;

pub struct Money {
    pub cents: i64,
}

#[table(name = "orders")]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    pub total: Money,
}

fn main() {}
