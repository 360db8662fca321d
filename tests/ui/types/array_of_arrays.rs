use pgtable::prelude::*;

#[table(name = "grids")]
pub struct Grid {
    #[column(primary_key, identity)]
    pub id: i64,
    pub cells: Vec<Vec<i32>>,
}

fn main() {}
