use pgtable::prelude::*;

#[table(name = "counters")]
pub struct Counter {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = 100000)]
    pub small: i16,
}

fn main() {}
