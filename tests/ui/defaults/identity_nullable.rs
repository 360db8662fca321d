use pgtable::prelude::*;

#[table(name = "events")]
pub struct Event {
    #[column(identity)]
    pub seq: Option<i64>,
    pub name: String,
}

fn main() {}
