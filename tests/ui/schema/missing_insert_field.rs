use pgtable::prelude::*;

#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    #[column(default = "member")]
    pub role: String,
}

fn main() {
    let _ = NewUser { id: 1, role: None };
}
