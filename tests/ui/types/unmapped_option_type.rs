use pgtable::prelude::*;

pub struct Money {
    pub cents: i64,
}

#[table(name = "orders")]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_sql = "0")]
    pub refund: Option<Money>,
}

fn main() {}
