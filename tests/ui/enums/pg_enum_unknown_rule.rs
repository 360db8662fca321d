use pgtable::prelude::*;

#[derive(Debug, Clone, PgEnum)]
#[pg_enum(rename_all = "Title Case")]
pub enum Status {
    Draft,
}

fn main() {}
