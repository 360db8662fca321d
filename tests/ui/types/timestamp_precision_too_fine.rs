use chrono::NaiveDateTime;
use pgtable::prelude::*;

#[table(name = "events")]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    #[column(timestamp(9))]
    pub at: NaiveDateTime,
}

fn main() {}
