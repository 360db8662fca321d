use pgtable::prelude::*;

#[table(name = "users")]
pub struct User;

fn main() {}
