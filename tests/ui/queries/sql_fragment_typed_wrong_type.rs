use pgtable::prelude::*;
use pgtable::sql;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

fn main() {
    let _ = User::select().filter(sql!("lower({})", User::EMAIL).typed::<String>().eq(5));
}
