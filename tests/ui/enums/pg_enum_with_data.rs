use pgtable::prelude::*;

#[derive(Debug, Clone, PgEnum)]
pub enum Shape {
    Circle(f64),
    Square,
}

fn main() {}
