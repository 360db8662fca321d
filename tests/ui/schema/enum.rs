use pgtable::prelude::*;

#[table(name = "status")]
pub enum Status {
    Draft,
    Published,
}

fn main() {}
