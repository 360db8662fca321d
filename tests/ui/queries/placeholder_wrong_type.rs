use pgtable::prelude::*;
use pgtable::query::placeholder;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i32,
    pub email: String,
}

fn main() {
    // A placeholder's type is checked against the column's, like a value's.
    let _ = User::select().filter(User::EMAIL.eq(placeholder::<i32>("email")));
}
