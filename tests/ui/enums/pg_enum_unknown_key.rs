use pgtable::prelude::*;

#[derive(Debug, Clone, Copy, PgEnum)]
pub enum Status {
    Draft,
    #[pg_enum(rname = "live")]
    Published,
}

fn main() {}
