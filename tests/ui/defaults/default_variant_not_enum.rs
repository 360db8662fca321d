use pgtable::prelude::*;

#[derive(Debug, Clone, Copy, PgEnum)]
pub enum Status {
    Draft,
    Published,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = Status::Draft)]
    pub status: String,
}

fn main() {}
