use pgtable::prelude::*;

#[table(name = "users")]
pub struct User<T> {
    #[column(primary_key)]
    pub id: T,
}

fn main() {}
