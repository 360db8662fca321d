//! `UNION` and `UNION ALL` of selects with the same row type.
//!
//! ```
//! use pgtable::prelude::*;
//!
//! #[table(name = "users")]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub email: String,
//! }
//!
//! #[table(name = "admins")]
//! pub struct Admin {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub login: String,
//! }
//!
//! let everyone = User::select_columns(User::EMAIL).union(Admin::select_columns(Admin::LOGIN));
//! assert_eq!(
//!     everyone.to_sql(),
//!     r#"(SELECT "email" FROM "users") UNION (SELECT "login" FROM "admins")"#
//! );
//! ```

use super::select::{Select, Selection};
use super::subquery::{Subquery, WriteSubquery};
use super::{Built, fetch_decoded};
use crate::conn::Executor;
use crate::error::Error;

/// Selects of the same row type, one after the other: rows of each, once
/// (`UNION`) or all of them (`UNION ALL`), in no particular order.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Union<Src, S> {
    first: Select<Src, S>,
    rest: Vec<(&'static str, Box<dyn WriteSubquery>)>,
}

impl<Src: 'static, S: Selection<Src> + 'static> Select<Src, S> {
    /// `(this) UNION (other)`: the rows of both, each different row once.
    pub fn union<Q: Subquery<Output = S::Output>>(self, other: Q) -> Union<Src, S> {
        Union {
            first: self,
            rest: Vec::new(),
        }
        .union(other)
    }

    /// `(this) UNION ALL (other)`: every row of both.
    pub fn union_all<Q: Subquery<Output = S::Output>>(self, other: Q) -> Union<Src, S> {
        Union {
            first: self,
            rest: Vec::new(),
        }
        .union_all(other)
    }
}

impl<Src: 'static, S: Selection<Src> + 'static> Union<Src, S> {
    /// A further select, each different row once.
    pub fn union<Q: Subquery<Output = S::Output>>(mut self, other: Q) -> Self {
        self.rest.push((" UNION ", Box::new(other)));
        self
    }

    /// A further select, every row.
    pub fn union_all<Q: Subquery<Output = S::Output>>(mut self, other: Q) -> Self {
        self.rest.push((" UNION ALL ", Box::new(other)));
        self
    }

    fn build(&self) -> Built<'_> {
        let mut out = Built::read();
        self.first.write_subquery(&mut out);
        for (op, query) in &self.rest {
            out.push(op);
            query.write_subquery(&mut out);
        }
        out
    }

    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.build().into_sql()
    }

    /// Every row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        fetch_decoded(exec, self.build(), |row| self.first.decode(row)).await
    }
}
