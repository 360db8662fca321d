use pgtable::prelude::*;

#[table(name = "tickets")]
pub struct Ticket {
    #[column(primary_key, identity(sometimes))]
    pub id: i64,
}

fn main() {}
