//! The tables: Drizzle's `schema.ts`, as Rust structs.

use pgtable::chrono::NaiveDateTime;
use pgtable::prelude::*;
use serde::{Deserialize, Serialize};

/// A user of the service.
#[table(name = "users", insert_derive(Deserialize))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// Numbered by the database.
    #[column(primary_key, identity)]
    pub id: i64,
    /// Unique, at most 64 characters.
    #[column(varchar(64), unique)]
    pub email: String,
    /// At most 40 characters.
    #[column(varchar(40))]
    pub name: String,
    /// Filled in by the database.
    #[column(default_now)]
    pub created_at: Option<NaiveDateTime>,
}
