use pgtable::prelude::*;

#[view(name = "recent", sql = "SELECT id FROM events WHERE at > now() - interval '1 day'")]
pub struct Recent {
    pub id: i64,
}

fn main() {
    let _ = Recent::delete();
}
