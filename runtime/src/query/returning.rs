//! `RETURNING`: every column of the table (`.returning()`), or the
//! columns chosen (`.returning_columns((User::ID, User::EMAIL))`), on an
//! insert, update or delete.

use super::select::Selection;
use super::{BuildSql, Built, fetch_decoded, fetch_first};
use crate::conn::Executor;
use crate::error::Error;
use crate::table::Table;

/// A query with `RETURNING` every column of its table: `.returning()` on an
/// insert, update or delete.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Returning<Q>(pub(crate) Q);

impl<Q: BuildSql> Returning<Q> {
    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.0.build(true).into_sql()
    }

    /// Every returned row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<Q::Table>, Error> {
        self.0.check()?;
        if self.0.is_empty() {
            return Ok(Vec::new());
        }
        fetch_decoded(exec, self.0.build(true), Q::Table::from_row).await
    }

    /// The one returned row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<Q::Table, Error> {
        self.fetch_optional(exec).await?.ok_or(Error::NotFound {
            table: Q::Table::table().name,
        })
    }

    /// The first returned row, if any. The statement runs to its end (every
    /// row is written), but only the first returned row is decoded and
    /// kept; the others are read past as they arrive.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<Q::Table>, Error> {
        self.0.check()?;
        if self.0.is_empty() {
            return Ok(None);
        }
        fetch_first(exec, self.0.build(true), Q::Table::from_row).await
    }
}

/// A query with `RETURNING` the columns (or computed values) `S` of its
/// table: `.returning_columns((User::ID, User::EMAIL))` gives `(i64, String)`
/// rows.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct ReturningColumns<Q, S> {
    pub(crate) query: Q,
    pub(crate) columns: S,
}

impl<Q: BuildSql, S: Selection<Q::Table>> ReturningColumns<Q, S> {
    fn build(&self) -> Built<'_> {
        let mut out = self.query.build(false);
        out.push(" RETURNING ");
        self.columns.write(&mut out, false);
        out
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.build().into_sql()
    }

    /// Every returned row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(Vec::new());
        }
        fetch_decoded(exec, self.build(), |row| self.columns.decode_at(row, 0)).await
    }

    /// The one returned row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let table = Q::Table::table().name;
        self.fetch_optional(exec)
            .await?
            .ok_or(Error::NotFound { table })
    }

    /// The first returned row, if any; the statement runs to its end.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(None);
        }
        fetch_first(exec, self.build(), |row| self.columns.decode_at(row, 0)).await
    }
}
