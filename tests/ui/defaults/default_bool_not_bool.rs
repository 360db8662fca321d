use pgtable::prelude::*;

#[table(name = "flags")]
pub struct Flag {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = true)]
    pub label: Option<String>,
}

fn main() {}
