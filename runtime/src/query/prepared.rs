//! Prepared queries (Drizzle's `.prepare()` with `sql.placeholder`): the
//! SQL is written once; each run only collects the values and sends them.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::query::placeholder;
//!
//! #[table(name = "users")]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub email: String,
//! }
//!
//! let by_email = User::select()
//!     .filter(User::EMAIL.eq(placeholder::<String>("email")))
//!     .prepare();
//! assert_eq!(
//!     by_email.to_sql(),
//!     r#"SELECT "id", "email" FROM "users" WHERE "users"."email" = $1"#
//! );
//! # async fn run(db: &pgtable::Db, by_email: &pgtable::query::PreparedSelect<User>) -> Result<(), pgtable::Error> {
//! let user: Option<User> = by_email.bind("email", "a@x.io").fetch_optional(db).await?;
//! # Ok(()) }
//! ```
//!
//! A placeholder bound to a value of another type than it was declared
//! with, a name the query does not have, or a placeholder left unbound is
//! [`Error::Placeholder`], before anything is sent.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use postgres_types::ToSql;

use super::expr::{Node, NodeKind, Operand};
use super::select::{Select, Selection};
use super::{Built, fetch_rows};
use crate::conn::Executor;
use crate::error::Error;
use crate::sql::{Slot, SqlWriter};
use crate::types::SqlType;

/// A named value of Rust type `V`, given when a prepared query runs.
pub struct Placeholder<V> {
    name: &'static str,
    _type: PhantomData<fn() -> V>,
}

/// A placeholder named `name` for a value of type `V`, in a condition of a
/// query that will be [prepared](Select::prepare).
pub fn placeholder<V: SqlType + 'static>(name: &'static str) -> Placeholder<V> {
    Placeholder {
        name,
        _type: PhantomData,
    }
}

impl<V: 'static> Placeholder<V> {
    fn node(self) -> Node {
        Node(NodeKind::Placeholder {
            name: self.name,
            type_id: TypeId::of::<V>(),
            type_name: std::any::type_name::<V>(),
        })
    }
}

impl<T, V: SqlType + 'static> Operand<T, V> for Placeholder<V> {
    type Shape = T;

    fn into_node(self) -> Node {
        self.node()
    }
}

impl<T, V: SqlType + 'static> Operand<T, Option<V>> for Placeholder<V> {
    type Shape = T;

    fn into_node(self) -> Node {
        self.node()
    }
}

/// A select whose SQL is written: run it with [`PreparedSelect::bind`]
/// and a terminal method, as often as needed.
pub struct PreparedSelect<Src, S = super::All> {
    select: Select<Src, S>,
    sql: String,
    slots: Vec<Slot>,
    reads: bool,
}

impl<Src, S: Selection<Src>> Select<Src, S> {
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedSelect<Src, S> {
        let (sql, slots, reads) = {
            let built = self.build();
            (built.sql, built.slots, built.reads)
        };
        PreparedSelect {
            select: self,
            sql,
            slots,
            reads,
        }
    }
}

impl<Src, S: Selection<Src>> PreparedSelect<Src, S> {
    /// The SQL text, written once.
    pub fn to_sql(&self) -> &str {
        &self.sql
    }

    /// The query with placeholder `name` given `value`.
    pub fn bind<V: ToSql + Send + Sync + 'static>(
        &self,
        name: &str,
        value: V,
    ) -> Bound<'_, Src, S> {
        Bound {
            query: self,
            values: Vec::with_capacity(self.slots.len()),
            error: None,
        }
        .bind(name, value)
    }

    /// Every matching row (a query with no placeholders).
    pub async fn fetch_all<E: Executor + ?Sized>(&self, exec: &E) -> Result<Vec<S::Output>, Error> {
        self.unbound().fetch_all(exec).await
    }

    /// The first matching row, if any (a query with no placeholders).
    pub async fn fetch_optional<E: Executor + ?Sized>(
        &self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        self.unbound().fetch_optional(exec).await
    }

    fn unbound(&self) -> Bound<'_, Src, S> {
        Bound {
            query: self,
            values: Vec::new(),
            error: None,
        }
    }
}

/// A prepared select with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Bound<'q, Src, S> {
    query: &'q PreparedSelect<Src, S>,
    values: Vec<(&'static str, Box<dyn ToSql + Send + Sync>)>,
    /// The first mistake in binding: the placeholder's name and what is wrong.
    error: Option<(String, String)>,
}

impl<Src, S: Selection<Src>> Bound<'_, Src, S> {
    /// Gives placeholder `name` a value too (a name used at several places
    /// takes it at each).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, name: &str, value: V) -> Self {
        if self.error.is_some() {
            return self;
        }
        let Some(slot) = self.query.slots.iter().find(|s| s.name == name) else {
            let mut known: Vec<&str> = self.query.slots.iter().map(|s| s.name).collect();
            known.dedup();
            self.error = Some((
                name.to_owned(),
                format!(
                    "the query has no such placeholder; it has: {}",
                    known.join(", ")
                ),
            ));
            return self;
        };
        let value: Box<dyn ToSql + Send + Sync> = if TypeId::of::<V>() == slot.type_id {
            Box::new(value)
        } else if let (true, Some(text)) = (
            slot.type_id == TypeId::of::<String>(),
            (&value as &dyn Any).downcast_ref::<&'static str>(),
        ) {
            // A `&str` goes to the server as text, as a `String` would.
            Box::new(*text)
        } else {
            self.error = Some((
                name.to_owned(),
                format!(
                    "it takes a `{}`, but was given a `{}`",
                    short_type_name(slot.type_name),
                    short_type_name(std::any::type_name::<V>())
                ),
            ));
            return self;
        };
        self.values.retain(|(n, _)| *n != slot.name);
        self.values.push((slot.name, value));
        self
    }

    /// The statement: the SQL written at `prepare`, with the values
    /// collected in one pass that writes no text.
    fn statement(&self) -> Result<Built<'_>, Error> {
        if let Some((name, reason)) = &self.error {
            return Err(Error::Placeholder {
                name: name.clone(),
                reason: reason.clone(),
            });
        }
        let mut values = SqlWriter::binds_only();
        self.query.select.write_select(&mut values);
        let mut params = values.params;
        for slot in &self.query.slots {
            let Some((_, value)) = self.values.iter().find(|(name, _)| *name == slot.name) else {
                return Err(Error::Placeholder {
                    name: slot.name.to_owned(),
                    reason: format!(
                        "it has no value: call .bind(\"{}\", value) before running the query",
                        slot.name
                    ),
                });
            };
            params[slot.param] = &**value;
        }
        let mut built = SqlWriter::raw(self.query.sql.clone(), params);
        built.reads = self.query.reads;
        Ok(built)
    }

    /// Assembles the statement and says how many parameters it binds: what
    /// a run costs before it reaches the server, for the benchmarks.
    #[doc(hidden)]
    pub fn statement_len(&self) -> Result<usize, Error> {
        self.statement().map(|built| built.params.len())
    }

    /// Every matching row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        let rows = fetch_rows(exec, &self.statement()?).await?;
        rows.iter()
            .map(|row| self.query.select.decode(row))
            .collect()
    }

    /// The first matching row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let table = self.query.select.base_table();
        self.fetch_optional(exec)
            .await?
            .ok_or(Error::NotFound { table: table.name })
    }

    /// The first matching row, if any (add `.limit(1)` before preparing to
    /// have the server send only that one).
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        let rows = fetch_rows(exec, &self.statement()?).await?;
        rows.first()
            .map(|row| self.query.select.decode(row))
            .transpose()
    }
}

/// A type's name as a person writes it: `Option<String>`, not
/// `core::option::Option<alloc::string::String>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            segment.clear();
        } else if c.is_alphanumeric() || c == '_' {
            segment.push(c);
        } else {
            out.push_str(&segment);
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(&segment);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_names_read_as_written() {
        assert_eq!(super::short_type_name("alloc::string::String"), "String");
        assert_eq!(
            super::short_type_name("core::option::Option<alloc::string::String>"),
            "Option<String>"
        );
        assert_eq!(super::short_type_name("&str"), "&str");
    }
}
