//! Prints the example schema's DDL; needs no database.
//!
//! ```sh
//! cargo run --example dump_ddl            # print it
//! cargo run --example dump_ddl | psql     # create the tables
//! ```

#[path = "schema/mod.rs"]
mod schema;

fn main() {
    print!("{}", schema::schema().to_sql());
}
