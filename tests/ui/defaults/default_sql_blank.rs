use pgtable::prelude::*;

#[table(name = "events")]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_sql = " ")]
    pub at: Option<String>,
}

fn main() {}
