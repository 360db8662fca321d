use pgtable::prelude::*;

#[table(name = "counters")]
pub struct Counter {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = 2.5)]
    pub hits: i32,
}

fn main() {}
