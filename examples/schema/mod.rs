//! The example application's schema, shared by every example and test
//! (`#[path = "../examples/schema/mod.rs"] mod schema;`).
//!
//! It starts with Drizzle's seed table:
//!
//! ```ts
//! export const users = pgTable('users', {
//!   id: uuid('id').primaryKey(),
//!   email: varchar('email', { length: 255 }).unique(),
//!   createdAt: timestamp('created_at').defaultNow(),
//! });
//! ```

// Each example or test uses only part of the schema.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use pgtable::prelude::*;
use uuid::Uuid;

/// A user of the application.
#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The user's id, chosen by the application.
    #[column(primary_key)]
    pub id: Uuid,
    /// The user's email address, unique.
    #[column(varchar(255), unique)]
    pub email: String,
    /// When the user signed up; the database fills it in.
    #[column(default_now)]
    pub created_at: Option<NaiveDateTime>,
}

/// Every table of the example application.
pub fn schema() -> Schema {
    Schema::new().table::<User>()
}
