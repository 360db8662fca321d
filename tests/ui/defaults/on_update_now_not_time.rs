use pgtable::prelude::*;

#[table(name = "notes")]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(on_update_now)]
    pub revision: i32,
}

fn main() {}
