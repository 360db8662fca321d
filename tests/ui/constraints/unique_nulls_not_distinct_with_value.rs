use pgtable::prelude::*;

#[table(name = "handles", unique(columns(org_id, handle), nulls_not_distinct = true))]
pub struct Handle {
    #[column(primary_key, identity)]
    pub id: i64,
    pub org_id: Option<i64>,
    pub handle: String,
}

fn main() {}
