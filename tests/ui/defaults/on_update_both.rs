use pgtable::prelude::*;

#[table(name = "notes")]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(on_update_now, on_update_sql = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn main() {}
