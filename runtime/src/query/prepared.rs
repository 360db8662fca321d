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
use super::{Built, fetch_decoded, fetch_rows};
use crate::conn::Executor;
use crate::error::Error;
use crate::sql::{SharedValue, SqlWriter};
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

/// Where a parameter of a prepared query gets its value when it runs.
enum Source {
    /// A value fixed when the query was built.
    Value(SharedValue),
    /// The value given to the placeholder with this index.
    Placeholder(usize),
}

/// A placeholder of a prepared query: its name and the type it takes.
struct Named {
    name: &'static str,
    type_id: TypeId,
    type_name: &'static str,
}

/// A select whose SQL is written: run it with [`PreparedSelect::bind`]
/// and a terminal method, as often as needed.
pub struct PreparedSelect<Src, S = super::All> {
    select: Select<Src, S>,
    sql: String,
    /// Each parameter's value, in order.
    params: Vec<Source>,
    /// The placeholders, each name once.
    placeholders: Vec<Named>,
    reads: bool,
}

impl<Src, S: Selection<Src>> Select<Src, S> {
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedSelect<Src, S> {
        let (sql, params, placeholders, reads) = {
            let mut built = self.build_keeping();
            assert!(!built.lost, "every value a select binds can be kept");
            let mut placeholders: Vec<Named> = Vec::new();
            let mut params: Vec<Option<Source>> = (0..built.params.len()).map(|_| None).collect();
            for (param, value) in std::mem::take(&mut built.kept) {
                params[param] = Some(Source::Value(value));
            }
            for slot in &built.slots {
                let index = match placeholders.iter().position(|p| p.name == slot.name) {
                    Some(index) => index,
                    None => {
                        placeholders.push(Named {
                            name: slot.name,
                            type_id: slot.type_id,
                            type_name: slot.type_name,
                        });
                        placeholders.len() - 1
                    }
                };
                params[slot.param] = Some(Source::Placeholder(index));
            }
            let params = params
                .into_iter()
                .map(|source| source.expect("every parameter is a value or a placeholder"))
                .collect();
            let reads = built.reads;
            (built.into_sql(), params, placeholders, reads)
        };
        PreparedSelect {
            select: self,
            sql,
            params,
            placeholders,
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
            values: self.placeholders.iter().map(|_| None).collect(),
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
            values: self.placeholders.iter().map(|_| None).collect(),
            error: None,
        }
    }
}

/// A prepared select with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Bound<'q, Src, S> {
    query: &'q PreparedSelect<Src, S>,
    /// Each placeholder's value, once given.
    values: Vec<Option<Box<dyn ToSql + Send + Sync>>>,
    /// The first mistake in binding: the placeholder's name and what is wrong.
    error: Option<Box<(String, String)>>,
}

impl<Src, S: Selection<Src>> Bound<'_, Src, S> {
    /// Gives placeholder `name` a value too (a name used at several places
    /// takes it at each).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, name: &str, value: V) -> Self {
        if self.error.is_some() {
            return self;
        }
        let placeholders = &self.query.placeholders;
        // The same literal, as when the name is a constant, is found
        // without reading the text.
        let index = placeholders
            .iter()
            .position(|p| std::ptr::eq(p.name, name))
            .or_else(|| placeholders.iter().position(|p| p.name == name));
        let Some(index) = index else {
            let known: Vec<&str> = placeholders.iter().map(|p| p.name).collect();
            self.error = Some(Box::new((
                name.to_owned(),
                format!(
                    "the query has no such placeholder; it has: {}",
                    known.join(", ")
                ),
            )));
            return self;
        };
        let placeholder = &placeholders[index];
        let value: Box<dyn ToSql + Send + Sync> = if TypeId::of::<V>() == placeholder.type_id {
            Box::new(value)
        } else if let (true, Some(text)) = (
            placeholder.type_id == TypeId::of::<String>(),
            (&value as &dyn Any).downcast_ref::<&'static str>(),
        ) {
            // A `&str` goes to the server as text, as a `String` would.
            Box::new(*text)
        } else {
            self.error = Some(Box::new((
                name.to_owned(),
                format!(
                    "it takes a `{}`, but was given a `{}`",
                    short_type_name(placeholder.type_name),
                    short_type_name(std::any::type_name::<V>())
                ),
            )));
            return self;
        };
        self.values[index] = Some(value);
        self
    }

    /// The statement: the SQL written at `prepare`, with the values kept
    /// then and those bound now, without walking the query again.
    fn statement(&self) -> Result<Built<'_>, Error> {
        if let Some(error) = &self.error {
            let (name, reason) = &**error;
            return Err(Error::Placeholder {
                name: name.clone(),
                reason: reason.clone(),
            });
        }
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(self.query.params.len());
        for source in &self.query.params {
            params.push(match source {
                Source::Value(value) => &**value,
                Source::Placeholder(index) => match &self.values[*index] {
                    Some(value) => &**value,
                    None => {
                        let name = self.query.placeholders[*index].name;
                        return Err(Error::Placeholder {
                            name: name.to_owned(),
                            reason: format!(
                                "it has no value: call .bind(\"{name}\", value) before running the query"
                            ),
                        });
                    }
                },
            });
        }
        let mut built = SqlWriter::written(&self.query.sql, params);
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
        fetch_decoded(exec, self.statement()?, |row| self.query.select.decode(row)).await
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
