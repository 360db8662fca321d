use pgtable::prelude::*;

#[table(name = "tickets")]
pub struct Ticket {
    #[column(primary_key, identity, serial)]
    pub id: i64,
}

fn main() {}
