use pgtable::prelude::*;

#[table(name = "events")]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    #[column(json)]
    pub body: String,
}

fn main() {}
