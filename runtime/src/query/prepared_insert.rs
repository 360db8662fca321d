//! Prepared inserts: the `INSERT` of one row, written once per pattern of
//! `DEFAULT`s and run with nothing but the row's values to collect.
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::query::PreparedInsert;
//!
//! #[table(name = "users")]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     #[column(unique)]
//!     pub email: String,
//!     #[column(default = 0)]
//!     pub logins: i32,
//! }
//!
//! let insert: PreparedInsert<User> = User::prepare_insert()
//!     .on_conflict(User::EMAIL)
//!     .do_update(|c| c.set(User::LOGINS, User::LOGINS.add(1)));
//! let row = NewUser { email: "a@x.io".into(), logins: None };
//! assert_eq!(
//!     insert.to_sql(&row),
//!     r#"INSERT INTO "users" ("email", "logins") VALUES ($1, DEFAULT) ON CONFLICT ("email") DO UPDATE SET "logins" = "users"."logins" + $2"#
//! );
//! # async fn run(db: &pgtable::Db, insert: &PreparedInsert<User>, row: &NewUser) -> Result<(), pgtable::Error> {
//! let user: User = insert.fetch_one(db, row).await?;
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex, PoisonError};

use postgres_types::ToSql;

use super::insert::{Conflict, ConflictTarget, DoUpdate, OnConflict, write_insert};
use super::{Built, execute, fetch_first};
use crate::conn::Executor;
use crate::error::Error;
use crate::sql::{SharedValue, SqlWriter, StatementMemo, Target};
use crate::table::{InsertValue, Insertable, Writable};

/// An `INSERT` of one row into table `T` at a time, its SQL written once
/// for each pattern of `DEFAULT`s the rows have (a row leaving a column
/// with a default to it is written `DEFAULT`, not bound): Drizzle's
/// prepared insert.
///
/// Build it with [`WriteQueries::prepare_insert`](super::WriteQueries::prepare_insert),
/// add `ON CONFLICT` as on an [`Insert`](super::Insert), and run it with a
/// row as often as needed, from any number of tasks. Like a
/// [`PreparedSelect`](super::PreparedSelect), it remembers the statement
/// each connection prepared for it.
pub struct PreparedInsert<T: Writable> {
    conflict: Option<Conflict>,
    /// The statements written so far, one per pattern of `DEFAULT`s and
    /// `RETURNING` or not.
    written: Mutex<Vec<Arc<Written>>>,
    _table: std::marker::PhantomData<fn() -> T>,
}

/// One statement of a prepared insert.
struct Written {
    /// For each column the row type carries, whether it is `DEFAULT`.
    defaults: Box<[bool]>,
    returning: bool,
    sql: String,
    /// Where each parameter's value comes from.
    params: Box<[Source]>,
    targets: Box<[Target]>,
    /// The statement as prepared on each connection it ran on.
    memo: StatementMemo,
}

/// Where a parameter of a prepared insert gets its value.
enum Source {
    /// The next value the row binds.
    Row,
    /// A value of the `ON CONFLICT … DO UPDATE` clause, fixed when it was built.
    Value(SharedValue),
}

impl<T: Writable> PreparedInsert<T> {
    pub(super) fn new() -> Self {
        PreparedInsert {
            conflict: None,
            written: Mutex::new(Vec::new()),
            _table: std::marker::PhantomData,
        }
    }

    fn with_conflict(mut self, conflict: Conflict) -> Self {
        self.conflict = Some(conflict);
        self.written = Mutex::new(Vec::new());
        self
    }

    /// Skips a row that would violate any unique constraint: `ON CONFLICT DO NOTHING`.
    pub fn on_conflict_do_nothing(self) -> Self {
        self.with_conflict(Conflict::Nothing(Vec::new()))
    }

    /// Names the unique columns whose conflict to handle; follow with
    /// `do_update` or `do_nothing`, as on an [`Insert`](super::Insert).
    pub fn on_conflict(self, target: impl ConflictTarget<T>) -> OnConflict<T, Self> {
        OnConflict::new(self, target.columns())
    }

    /// The statement's SQL text for a row like `row` (its `DEFAULT`s are
    /// part of the text).
    pub fn to_sql(&self, row: &T::Insert) -> String {
        self.write(row, false).into_sql()
    }

    /// Inserts `row`; returns how many rows were inserted (0 when a
    /// conflict skipped it).
    pub async fn execute<E: Executor + ?Sized>(
        &self,
        exec: &E,
        row: &T::Insert,
    ) -> Result<u64, Error> {
        let mut values = Vec::with_capacity(<T::Insert as Insertable>::COLUMNS.len());
        row.push_values(&mut values);
        let written = self.written_for(&values, false, row)?;
        execute(exec, &written.statement(&values)).await
    }

    /// Inserts `row` and returns it as stored (`RETURNING` every column);
    /// [`Error::NotFound`] when a conflict skipped it.
    pub async fn fetch_one<E: Executor + ?Sized>(
        &self,
        exec: &E,
        row: &T::Insert,
    ) -> Result<T, Error> {
        self.fetch_optional(exec, row)
            .await?
            .ok_or(Error::NotFound {
                table: T::table().name,
            })
    }

    /// Inserts `row` and returns it as stored, or `None` when a conflict
    /// skipped it.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        &self,
        exec: &E,
        row: &T::Insert,
    ) -> Result<Option<T>, Error> {
        let mut values = Vec::with_capacity(<T::Insert as Insertable>::COLUMNS.len());
        row.push_values(&mut values);
        let written = self.written_for(&values, true, row)?;
        fetch_first(exec, written.statement(&values), T::from_row).await
    }

    /// The whole statement for `row`, written now.
    fn write<'a>(&'a self, row: &'a T::Insert, returning: bool) -> Built<'a> {
        let mut out = SqlWriter::new();
        out.keep_values();
        write_insert::<T>(
            &mut out,
            std::slice::from_ref(row),
            self.conflict.as_ref(),
            returning,
        );
        out
    }

    /// The statement written for rows with `values`' pattern of
    /// `DEFAULT`s, written now if it is the first such row.
    fn written_for(
        &self,
        values: &[InsertValue<'_>],
        returning: bool,
        row: &T::Insert,
    ) -> Result<Arc<Written>, Error> {
        let mut all = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        let found = all
            .iter()
            .find(|w| w.returning == returning && w.fits(values));
        if let Some(written) = found {
            return Ok(Arc::clone(written));
        }
        let written = Arc::new(Written::from(
            self.write(row, returning),
            values,
            returning,
        )?);
        all.push(Arc::clone(&written));
        Ok(written)
    }
}

impl Written {
    fn from(built: Built<'_>, values: &[InsertValue<'_>], returning: bool) -> Result<Self, Error> {
        if let Some(slot) = built.slots.first() {
            return Err(Error::Placeholder {
                name: slot.name.to_owned(),
                reason: "a prepared insert takes its values from the row it is run with; \
                         placeholders are for prepared selects"
                    .to_owned(),
            });
        }
        let mut params: Vec<Source> = (0..built.params.len()).map(|_| Source::Row).collect();
        for (param, value) in &built.kept {
            params[*param] = Source::Value(value.clone());
        }
        let defaults = values
            .iter()
            .map(|v| matches!(v, InsertValue::Default))
            .collect();
        Ok(Written {
            defaults,
            returning,
            targets: built.targets.iter().copied().collect(),
            params: params.into(),
            memo: StatementMemo::default(),
            sql: built.into_sql(),
        })
    }

    /// Whether a row with `values` has this statement's `DEFAULT`s.
    fn fits(&self, values: &[InsertValue<'_>]) -> bool {
        self.defaults.len() == values.len()
            && self
                .defaults
                .iter()
                .zip(values)
                .all(|(default, value)| *default == matches!(value, InsertValue::Default))
    }

    /// The statement with the row's `values` bound, in order.
    fn statement<'a>(&'a self, values: &'a [InsertValue<'a>]) -> Built<'a> {
        let mut binds = values.iter().filter_map(|value| match value {
            InsertValue::Bind(value) => Some(*value),
            InsertValue::Default => None,
        });
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(self.params.len());
        for source in &self.params {
            params.push(match source {
                Source::Row => binds.next().expect("the row binds what its pattern says"),
                Source::Value(value) => value.as_sql(),
            });
        }
        let mut built = SqlWriter::written(&self.sql, params);
        built.targets = std::borrow::Cow::Borrowed(&self.targets);
        built.memo = Some(&self.memo);
        built
    }
}

impl<T: Writable> OnConflict<T, PreparedInsert<T>> {
    /// Skips a conflicting row: `ON CONFLICT (…) DO NOTHING`.
    pub fn do_nothing(self) -> PreparedInsert<T> {
        self.query.with_conflict(Conflict::Nothing(self.target))
    }

    /// Updates the existing row instead: `ON CONFLICT (…) DO UPDATE SET …`.
    /// With no `set`, a conflicting row is skipped as by `do_nothing`.
    pub fn do_update(
        self,
        f: impl FnOnce(&mut DoUpdate<T>) -> &mut DoUpdate<T>,
    ) -> PreparedInsert<T> {
        let conflict = Self::update(self.target, f);
        self.query.with_conflict(conflict)
    }
}
