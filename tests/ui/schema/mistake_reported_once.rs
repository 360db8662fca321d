use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(uniq)]
    pub active: bool,
    pub email: String,
}

// Code elsewhere that uses the table still resolves: the one error is the
// attribute above.
pub fn active_emails() -> impl Sized {
    User::select_columns(User::EMAIL).filter(User::ID.gt(10))
}

fn main() {}
