use pgtable::prelude::*;

#[table(name = "users")]
pub struct User(i64, String);

fn main() {}
