use pgtable::prelude::*;

#[table(name = "events", check(expr = "starts_at < ends_at"))]
pub struct Event {
    #[column(primary_key, identity)]
    pub id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
}

fn main() {}
