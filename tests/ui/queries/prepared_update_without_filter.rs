use pgtable::prelude::*;
use pgtable::query::placeholder;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

fn main() {
    let _rename = User::update()
        .set(User::EMAIL, placeholder::<String>("email"))
        .prepare();
}
