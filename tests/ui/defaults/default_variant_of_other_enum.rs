use pgtable::prelude::*;

#[derive(Debug, Clone, Copy, PgEnum)]
pub enum Status {
    Draft,
    Published,
}

#[derive(Debug, Clone, Copy, PgEnum)]
pub enum Mood {
    Happy,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = Mood::Happy)]
    pub status: Status,
}

fn main() {}
