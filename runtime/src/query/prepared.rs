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

use std::any::TypeId;
use std::marker::PhantomData;

use postgres_types::ToSql;

use super::expr::{Node, NodeKind, Operand};
use super::plan::{Bindings, Plan};
use super::select::{Select, Selection};
use super::{fetch_decoded, fetch_first};
use crate::conn::Executor;
use crate::error::Error;
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
    plan: Plan,
}

impl<Src, S: Selection<Src>> Select<Src, S> {
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedSelect<Src, S> {
        let plan = Plan::new(self.build_keeping());
        PreparedSelect { select: self, plan }
    }
}

impl<Src, S: Selection<Src>> PreparedSelect<Src, S> {
    /// The SQL text, written once.
    pub fn to_sql(&self) -> &str {
        self.plan.sql()
    }

    /// The query with placeholder `name` given `value`.
    pub fn bind<V: ToSql + Send + Sync + 'static>(
        &self,
        name: &str,
        value: V,
    ) -> Bound<'_, Src, S> {
        self.unbound().bind(name, value)
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
            values: self.plan.unbound(),
        }
    }
}

/// A prepared select with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Bound<'q, Src, S> {
    query: &'q PreparedSelect<Src, S>,
    values: Bindings,
}

impl<Src, S: Selection<Src>> Bound<'_, Src, S> {
    /// Gives placeholder `name` a value too (a name used at several places
    /// takes it at each).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, name: &str, value: V) -> Self {
        self.values.bind(&self.query.plan, name, value);
        self
    }

    /// Assembles the statement and says how many parameters it binds: what
    /// a run costs before it reaches the server, for the benchmarks.
    #[doc(hidden)]
    pub fn statement_len(&self) -> Result<usize, Error> {
        self.values
            .statement(&self.query.plan)
            .map(|built| built.params.len())
    }

    /// Every matching row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        let built = self.values.statement(&self.query.plan)?;
        fetch_decoded(exec, built, |row| self.query.select.decode(row)).await
    }

    /// The first matching row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let table = self.query.select.base_table();
        self.fetch_optional(exec)
            .await?
            .ok_or(Error::NotFound { table: table.name })
    }

    /// The first matching row, if any. The statement runs to its end: add
    /// `.limit(1)` before preparing to have the server send only that one.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        let built = self.values.statement(&self.query.plan)?;
        fetch_first(exec, built, |row| self.query.select.decode(row)).await
    }
}
