use pgtable::prelude::*;

#[derive(Debug, Clone, Copy, PgEnum)]
#[pg_enum(name = "status")]
#[pg_enum(name = "post_status")]
pub enum Status {
    Draft,
    Published,
}

fn main() {}
