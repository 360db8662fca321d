use chrono::{DateTime, Utc};
use pgtable::prelude::*;

#[table(name = "events")]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    #[column(timestamp(3))]
    pub at: DateTime<Utc>,
}

fn main() {}
