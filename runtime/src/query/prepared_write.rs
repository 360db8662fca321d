//! Prepared updates and deletes: Drizzle's `.prepare()` on `db.update` and
//! `db.delete`. The SQL is written once; each run only collects the
//! placeholders' values and sends them.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::query::{PreparedReturning, PreparedWrite, placeholder};
//!
//! #[table(name = "users")]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub email: String,
//!     pub logins: i32,
//! }
//!
//! let rename: PreparedWrite<User> = User::update()
//!     .set(User::EMAIL, placeholder::<String>("email"))
//!     .filter(User::ID.eq(placeholder::<i64>("id")))
//!     .prepare();
//! assert_eq!(
//!     rename.to_sql(),
//!     r#"UPDATE "users" SET "email" = $1 WHERE "users"."id" = $2"#
//! );
//! let remove: PreparedReturning<User> = User::delete()
//!     .filter(User::ID.eq(placeholder::<i64>("id")))
//!     .returning()
//!     .prepare();
//! # async fn run(
//! #     db: &pgtable::Db,
//! #     rename: &PreparedWrite<User>,
//! #     remove: &PreparedReturning<User>,
//! # ) -> Result<(), pgtable::Error> {
//! let changed: u64 = rename.bind("email", "b@x.io").bind("id", 7_i64).execute(db).await?;
//! let removed: Option<User> = remove.bind("id", 7_i64).fetch_optional(db).await?;
//! # Ok(()) }
//! ```
//!
//! As for a prepared select, a placeholder bound to a value of another
//! type, a name the statement does not have, or a placeholder left unbound
//! is [`Error::Placeholder`], before anything is sent. An update whose
//! patch sets no column is [`Error::Statement`] on every run, as it is for
//! the update run unprepared.

use std::marker::PhantomData;

use postgres_types::ToSql;

use super::plan::{Bindings, Plan};
use super::select::{All, Selection};
use super::write::{FilterGiven, Mutation, Operation};
use super::{Built, Returning, ReturningColumns, execute, fetch_decoded, fetch_first};
use crate::conn::Executor;
use crate::error::Error;
use crate::table::Table;

/// Written once, with what keeps it from running, if anything does.
struct Written {
    plan: Plan,
    /// Why the statement cannot run (an update setting no column).
    problem: Option<String>,
}

impl Written {
    fn new<'a, T: Table, F, Op: Operation>(
        query: &'a Mutation<T, F, Op>,
        returning: impl FnOnce(&mut Built<'a>),
    ) -> Written {
        let mut out = Built::new();
        out.keep_values();
        query.write_into(&mut out);
        returning(&mut out);
        let problem = query.problem().err().map(|err| match err {
            Error::Statement(reason) => reason,
            other => other.to_string(),
        });
        Written {
            plan: Plan::new(out),
            problem,
        }
    }

    fn statement<'q>(&'q self, values: &'q Bindings) -> Result<Built<'q>, Error> {
        if let Some(problem) = &self.problem {
            return Err(Error::Statement(problem.clone()));
        }
        values.statement(&self.plan)
    }
}

/// An `UPDATE` or `DELETE` of table `T` whose SQL is written: run it with
/// [`PreparedWrite::bind`] and [`BoundWrite::execute`], as often as needed,
/// from any number of tasks. Made by `.prepare()` on an update or delete
/// with a filter (or `.all_rows()`). Like a
/// [`PreparedSelect`](super::PreparedSelect), it remembers the statement
/// each connection prepared for it.
pub struct PreparedWrite<T> {
    written: Written,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table, F, Op: Operation> Mutation<T, F, Op> {
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedWrite<T>
    where
        F: FilterGiven,
    {
        PreparedWrite {
            written: Written::new(&self, |_| {}),
            _table: PhantomData,
        }
    }
}

impl<T: Table> PreparedWrite<T> {
    /// The SQL text, written once.
    pub fn to_sql(&self) -> &str {
        self.written.plan.sql()
    }

    /// The statement with placeholder `name` given `value`.
    pub fn bind<V: ToSql + Send + Sync + 'static>(
        &self,
        name: &str,
        value: V,
    ) -> BoundWrite<'_, T> {
        self.unbound().bind(name, value)
    }

    /// Runs a statement with no placeholders; returns how many rows it
    /// changed or removed.
    pub async fn execute<E: Executor + ?Sized>(&self, exec: &E) -> Result<u64, Error> {
        self.unbound().execute(exec).await
    }

    fn unbound(&self) -> BoundWrite<'_, T> {
        BoundWrite {
            query: self,
            values: self.written.plan.unbound(),
        }
    }
}

/// A prepared update or delete with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.execute(&db)` runs it"]
pub struct BoundWrite<'q, T> {
    query: &'q PreparedWrite<T>,
    values: Bindings,
}

impl<T: Table> BoundWrite<'_, T> {
    /// Gives placeholder `name` a value too (a name used at several places
    /// takes it at each).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, name: &str, value: V) -> Self {
        self.values.bind(&self.query.written.plan, name, value);
        self
    }

    /// Runs the statement; returns how many rows it changed or removed.
    pub async fn execute<E: Executor + ?Sized>(self, exec: &E) -> Result<u64, Error> {
        execute(exec, &self.query.written.statement(&self.values)?).await
    }
}

/// An `UPDATE` or `DELETE … RETURNING` of table `T` whose SQL is written:
/// every column (`S` = [`All`], rows of `T`) from `.returning().prepare()`,
/// or the chosen ones from `.returning_columns(..).prepare()`.
pub struct PreparedReturning<T, S = All> {
    written: Written,
    columns: S,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table, F: FilterGiven, Op: Operation> Returning<Mutation<T, F, Op>> {
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedReturning<T> {
        PreparedReturning {
            written: Written::new(&self.0, |out| out.returning(T::table())),
            columns: All,
            _table: PhantomData,
        }
    }
}

impl<T: Table, F: FilterGiven, Op: Operation, S: Selection<T>>
    ReturningColumns<Mutation<T, F, Op>, S>
{
    /// Writes the SQL once, for running many times with different
    /// placeholder values.
    pub fn prepare(self) -> PreparedReturning<T, S> {
        let written = Written::new(&self.query, |out| {
            out.push(" RETURNING ");
            self.columns.write(out, false);
        });
        PreparedReturning {
            written,
            columns: self.columns,
            _table: PhantomData,
        }
    }
}

impl<T: Table, S: Selection<T>> PreparedReturning<T, S> {
    /// The SQL text, written once.
    pub fn to_sql(&self) -> &str {
        self.written.plan.sql()
    }

    /// The statement with placeholder `name` given `value`.
    pub fn bind<V: ToSql + Send + Sync + 'static>(
        &self,
        name: &str,
        value: V,
    ) -> BoundReturning<'_, T, S> {
        self.unbound().bind(name, value)
    }

    /// Every changed or removed row (a statement with no placeholders).
    pub async fn fetch_all<E: Executor + ?Sized>(&self, exec: &E) -> Result<Vec<S::Output>, Error> {
        self.unbound().fetch_all(exec).await
    }

    fn unbound(&self) -> BoundReturning<'_, T, S> {
        BoundReturning {
            query: self,
            values: self.written.plan.unbound(),
        }
    }
}

/// A prepared `… RETURNING` with values for its placeholders.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct BoundReturning<'q, T, S> {
    query: &'q PreparedReturning<T, S>,
    values: Bindings,
}

impl<T: Table, S: Selection<T>> BoundReturning<'_, T, S> {
    /// Gives placeholder `name` a value too (a name used at several places
    /// takes it at each).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, name: &str, value: V) -> Self {
        self.values.bind(&self.query.written.plan, name, value);
        self
    }

    /// Every changed or removed row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        let built = self.query.written.statement(&self.values)?;
        fetch_decoded(exec, built, |row| self.query.columns.decode_at(row, 0)).await
    }

    /// The one changed or removed row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        self.fetch_optional(exec).await?.ok_or(Error::NotFound {
            table: T::table().name,
        })
    }

    /// The first changed or removed row, if any; the statement runs to its
    /// end.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        let built = self.query.written.statement(&self.values)?;
        fetch_first(exec, built, |row| self.query.columns.decode_at(row, 0)).await
    }
}
