use pgtable::prelude::*;

#[table]
pub struct BlogPost {
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
