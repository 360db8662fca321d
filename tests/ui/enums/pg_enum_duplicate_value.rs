use pgtable::prelude::*;

#[derive(Debug, Clone, PgEnum)]
pub enum Status {
    Draft,
    #[pg_enum(rename = "draft")]
    Unpublished,
}

fn main() {}
