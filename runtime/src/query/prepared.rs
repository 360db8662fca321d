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
use tokio_postgres::Row;

use super::expr::{Node, NodeKind, Operand};
use super::plan::{Bindings, Plan};
use super::select::{Listed, Picks, Select, Selection};
use super::shape::{Join, LeftJoin};
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
            value_type: value_type::<V>,
        })
    }
}

/// The `TypeId` and name of `V`.
fn value_type<V: 'static>() -> (TypeId, &'static str) {
    (TypeId::of::<V>(), std::any::type_name::<V>())
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
/// and a terminal method, as often as needed. It remembers the statement
/// each connection prepared for it, so a run on a connection it ran on
/// before does not look its text up in the connection's statement cache.
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

impl<Src, S> PreparedSelect<Src, S> {
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

    fn unbound(&self) -> Bound<'_, Src, S> {
        Bound {
            query: self,
            values: self.plan.unbound(),
        }
    }
}

impl<Src, S: Selection<Src>> PreparedSelect<Src, S> {
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
}

/// A prepared select with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Bound<'q, Src, S> {
    query: &'q PreparedSelect<Src, S>,
    values: Bindings,
}

impl<Src, S> Bound<'_, Src, S> {
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

    /// Runs the statement, decoding each row with `decode`.
    async fn all<E: Executor + ?Sized, O>(
        &self,
        exec: &E,
        decode: impl Fn(&Row) -> Result<O, Error>,
    ) -> Result<Vec<O>, Error> {
        fetch_decoded(exec, self.values.statement(&self.query.plan)?, decode).await
    }

    /// Runs the statement, decoding its first row with `decode`.
    async fn first<E: Executor + ?Sized, O>(
        &self,
        exec: &E,
        decode: impl FnOnce(&Row) -> Result<O, Error>,
    ) -> Result<Option<O>, Error> {
        fetch_first(exec, self.values.statement(&self.query.plan)?, decode).await
    }

    /// [`Error::NotFound`] for the table the select reads from.
    fn not_found(&self) -> Error {
        Error::NotFound {
            table: self.query.select.base_table().name,
        }
    }
}

impl<Src, S: Selection<Src>> Bound<'_, Src, S> {
    /// Every matching row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        self.all(exec, |row| self.query.select.decode(row)).await
    }

    /// The first matching row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let first = self
            .first(exec, |row| self.query.select.decode(row))
            .await?;
        first.ok_or_else(|| self.not_found())
    }

    /// The first matching row, if any. The statement runs to its end: add
    /// `.limit(1)` before preparing to have the server send only that one.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        self.first(exec, |row| self.query.select.decode(row)).await
    }
}

/// Prepared selects of columns of joined tables (`select_columns` with a
/// join): the same methods, with the list's rows.
macro_rules! prepared_over_joins {
    ($source:ident) => {
        impl<A, B, S> Select<$source<A, B>, Listed<S>> {
            /// Writes the SQL once, for running many times with different
            /// placeholder values.
            pub fn prepare<I>(self) -> PreparedSelect<$source<A, B>, Listed<S>>
            where
                S: Picks<$source<A, B>, I>,
            {
                let plan = Plan::new(self.build_listed(true));
                PreparedSelect { select: self, plan }
            }
        }

        impl<A, B, S> PreparedSelect<$source<A, B>, Listed<S>> {
            /// Every matching row (a query with no placeholders).
            pub async fn fetch_all<E: Executor + ?Sized, I>(
                &self,
                exec: &E,
            ) -> Result<Vec<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.unbound().fetch_all(exec).await
            }

            /// The first matching row, if any (a query with no placeholders).
            pub async fn fetch_optional<E: Executor + ?Sized, I>(
                &self,
                exec: &E,
            ) -> Result<Option<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.unbound().fetch_optional(exec).await
            }
        }

        impl<A, B, S> Bound<'_, $source<A, B>, Listed<S>> {
            /// Every matching row.
            pub async fn fetch_all<E: Executor + ?Sized, I>(
                self,
                exec: &E,
            ) -> Result<Vec<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.all(exec, |row| self.query.select.decode_listed(row))
                    .await
            }

            /// The first matching row; [`Error::NotFound`] when there is none.
            pub async fn fetch_one<E: Executor + ?Sized, I>(
                self,
                exec: &E,
            ) -> Result<S::Output, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                let first = self
                    .first(exec, |row| self.query.select.decode_listed(row))
                    .await?;
                first.ok_or_else(|| self.not_found())
            }

            /// The first matching row, if any; the statement runs to its end.
            pub async fn fetch_optional<E: Executor + ?Sized, I>(
                self,
                exec: &E,
            ) -> Result<Option<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.first(exec, |row| self.query.select.decode_listed(row))
                    .await
            }
        }
    };
}

prepared_over_joins!(Join);
prepared_over_joins!(LeftJoin);
