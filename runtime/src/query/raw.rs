//! Raw SQL with bind parameters and typed rows, for what the builder
//! cannot say.
//!
//! ```no_run
//! # use pgtable::prelude::*;
//! # #[table(name = "users")]
//! # pub struct User {
//! #     #[column(primary_key, identity)]
//! #     pub id: i64,
//! #     pub email: String,
//! # }
//! # async fn run(db: &pgtable::Db) -> Result<(), pgtable::Error> {
//! // Rows of a table...
//! let users: Vec<User> = pgtable::sql("SELECT * FROM users WHERE email ~* $1")
//!     .bind("^a")
//!     .fetch_all(db)
//!     .await?;
//! // ...or tuples of column values...
//! let per_domain: Vec<(String, i64)> = pgtable::sql(
//!     "SELECT split_part(email, '@', 2), count(*) FROM users GROUP BY 1",
//! )
//! .fetch_all(db)
//! .await?;
//! // ...or nothing but a row count.
//! let n: u64 = pgtable::sql("DELETE FROM users WHERE id > $1").bind(100_i64).execute(db).await?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;

use postgres_types::ToSql;
use tokio_postgres::Row;

use super::{Built, execute, fetch_rows};
use crate::conn::Executor;
use crate::error::{Error, decode_error};
use crate::schema::SequenceDef;
use crate::table::{Table, View};
use crate::types::SqlType;

/// A raw SQL statement; `$1`, `$2`, … are the values given to
/// [`bind`](RawQuery::bind), in order.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct RawQuery {
    sql: Cow<'static, str>,
    params: Vec<Box<dyn ToSql + Send + Sync>>,
}

/// A raw SQL statement: `pgtable::sql("SELECT … WHERE id = $1").bind(id)`.
pub fn sql(text: impl Into<Cow<'static, str>>) -> RawQuery {
    RawQuery {
        sql: text.into(),
        params: Vec::new(),
    }
}

/// `REFRESH MATERIALIZED VIEW` of a materialized `#[view]`, to run with
/// `.execute(&db)`; `concurrently` lets reads go on meanwhile (it needs a
/// unique index on the view).
pub fn refresh_view<V: View>(concurrently: bool) -> RawQuery {
    let def = V::VIEW.table;
    let name = crate::sql::full_name(def.schema.unwrap_or("public"), def.name);
    let how = if concurrently { "CONCURRENTLY " } else { "" };
    sql(format!("REFRESH MATERIALIZED VIEW {how}{name}"))
}

/// The next number of a sequence (`nextval`), taken in its own statement:
/// `let number = pgtable::next_value(&ORDER_NUMBERS, &db).await?`.
pub async fn next_value<E: Executor + ?Sized>(
    sequence: &SequenceDef,
    exec: &E,
) -> Result<i64, Error> {
    let name = crate::sql::full_name(sequence.schema.unwrap_or("public"), sequence.name);
    let (value,): (i64,) = sql("SELECT nextval($1::text::regclass)")
        .bind(name)
        .fetch_one(exec)
        .await?;
    Ok(value)
}

impl RawQuery {
    /// Binds the next parameter (`$1`, then `$2`, …).
    pub fn bind<V: ToSql + Send + Sync + 'static>(mut self, value: V) -> Self {
        self.params.push(Box::new(value));
        self
    }

    /// The statement's SQL text, as given.
    pub fn to_sql(&self) -> String {
        self.sql.to_string()
    }

    fn build(&self) -> Built<'_> {
        Built::raw(
            self.sql.to_string(),
            self.params
                .iter()
                .map(|p| &**p as &(dyn ToSql + Sync))
                .collect(),
        )
    }

    /// Every row, decoded as `R`: a `#[table]` struct or a tuple.
    pub async fn fetch_all<R: FromRow, E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Vec<R>, Error> {
        let rows = fetch_rows(exec, &self.build()).await?;
        rows.iter().map(R::decode_row).collect()
    }

    /// The first row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<R: FromRow, E: Executor + ?Sized>(self, exec: &E) -> Result<R, Error> {
        self.fetch_optional(exec).await?.ok_or(Error::NotFound {
            table: "(raw query)",
        })
    }

    /// The first row, if any.
    pub async fn fetch_optional<R: FromRow, E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<R>, Error> {
        let rows = fetch_rows(exec, &self.build()).await?;
        rows.first().map(R::decode_row).transpose()
    }

    /// Runs the statement; returns how many rows it affected.
    pub async fn execute<E: Executor + ?Sized>(self, exec: &E) -> Result<u64, Error> {
        execute(exec, &self.build()).await
    }
}

/// A Rust value one row of a raw query decodes into: a `#[table]` struct
/// (its columns in declaration order) or a tuple of column values.
pub trait FromRow: Sized + Send {
    /// Decodes one row.
    fn decode_row(row: &Row) -> Result<Self, Error>;
}

impl<T: Table> FromRow for T {
    fn decode_row(row: &Row) -> Result<T, Error> {
        T::from_row(row)
    }
}

fn decode<V: SqlType>(row: &Row, index: usize) -> Result<V, Error> {
    row.try_get::<_, V>(index).map_err(|source| {
        let column = row
            .columns()
            .get(index)
            .map_or("(missing)", |_| "(raw column)");
        decode_error(
            row,
            index,
            "(raw query)",
            column,
            std::any::type_name::<V>(),
            source,
        )
    })
}

macro_rules! tuple_from_row {
    ($($v:ident $i:tt),+) => {
        impl<$($v: SqlType),+> FromRow for ($($v,)+) {
            fn decode_row(row: &Row) -> Result<Self, Error> {
                Ok(($(decode::<$v>(row, $i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
