//! `INSERT`: one row or many in one statement, `ON CONFLICT`, `RETURNING`.

use std::marker::PhantomData;

use super::expr::{Node, NodeKind, Operand, ValueExpr};
use super::select::Selection;
use super::shape::Within;
use super::{BuildSql, Built, Returning, ReturningColumns, execute};
use crate::conn::Executor;
use crate::error::Error;
use crate::table::{Column, InsertValue, Insertable, Writable};

/// From this many rows on, `insert_many(..).execute(..)` copies them in
/// with binary `COPY` instead of an `INSERT` statement.
pub const COPY_THRESHOLD: usize = 1_000;

pub(super) enum Conflict {
    Nothing(Vec<&'static str>),
    Update(Vec<&'static str>, Vec<(&'static str, Node)>),
}

/// An `INSERT` of one or more rows into table `T`.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "users")]
/// pub struct User {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     #[column(unique)]
///     pub email: String,
///     #[column(default = 0)]
///     pub logins: i32,
/// }
///
/// let upsert = User::insert(NewUser { email: "a@x.io".into(), logins: None })
///     .on_conflict(User::EMAIL)
///     .do_update(|c| c.set(User::LOGINS, User::LOGINS.add(1)));
/// assert_eq!(
///     upsert.to_sql(),
///     r#"INSERT INTO "users" ("email", "logins") VALUES ($1, DEFAULT) ON CONFLICT ("email") DO UPDATE SET "logins" = "users"."logins" + $2"#
/// );
/// ```
#[must_use = "a query does nothing until a terminal method such as `.execute(&db)` runs it"]
pub struct Insert<T: Writable> {
    rows: Vec<T::Insert>,
    conflict: Option<Conflict>,
}

impl<T: Writable> Insert<T> {
    pub(crate) fn new(rows: Vec<T::Insert>) -> Self {
        Insert {
            rows,
            conflict: None,
        }
    }

    /// Skips rows that would violate any unique constraint: `ON CONFLICT DO NOTHING`.
    pub fn on_conflict_do_nothing(mut self) -> Self {
        self.conflict = Some(Conflict::Nothing(Vec::new()));
        self
    }

    /// Names the unique columns whose conflict to handle; follow with
    /// [`do_update`](OnConflict::do_update) or [`do_nothing`](OnConflict::do_nothing).
    pub fn on_conflict(self, target: impl ConflictTarget<T>) -> OnConflict<T> {
        OnConflict::new(self, target.columns())
    }

    /// Returns the inserted (or upserted) rows.
    pub fn returning(self) -> Returning<Self> {
        Returning(self)
    }

    /// Returns the chosen columns of each inserted row, as tuples:
    /// `.returning_columns((User::ID, User::EMAIL))`.
    pub fn returning_columns<S: Selection<T>>(self, columns: S) -> ReturningColumns<Self, S> {
        ReturningColumns {
            query: self,
            columns,
        }
    }

    /// The statement's SQL text (empty for an insert of no rows).
    pub fn to_sql(&self) -> String {
        self.build(false).into_sql()
    }

    /// Runs the insert; returns how many rows were inserted. An insert of
    /// no rows sends nothing and returns 0.
    ///
    /// From [`COPY_THRESHOLD`] rows on, without `ON CONFLICT`, the rows go
    /// by binary `COPY … FROM STDIN`: no SQL text grows with the rows, and
    /// PostgreSQL's 65,535-parameter limit does not apply. (When some rows
    /// leave a column to its default and others do not, COPY cannot say
    /// so, and a plain `INSERT` is sent instead.)
    pub async fn execute<E: Executor + ?Sized>(self, exec: &E) -> Result<u64, Error> {
        if self.rows.is_empty() {
            return Ok(0);
        }
        if self.conflict.is_none()
            && self.rows.len() >= COPY_THRESHOLD
            && let Some(n) = super::copy::copy_in::<T, E>(exec, &self.rows).await?
        {
            return Ok(n);
        }
        execute(exec, &self.build(false)).await
    }
}

impl<T: Writable> BuildSql for Insert<T> {
    type Table = T;

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn build(&self, returning: bool) -> Built<'_> {
        let mut out = Built::new();
        write_insert::<T>(&mut out, &self.rows, self.conflict.as_ref(), returning);
        out
    }
}

/// Writes `INSERT INTO … VALUES (…), … [ON CONFLICT …] [RETURNING …]` for
/// `rows` (nothing for no rows): the statement of an [`Insert`] and of a
/// [`PreparedInsert`](super::PreparedInsert), which writes it for one row.
pub(super) fn write_insert<'a, T: Writable>(
    out: &mut Built<'a>,
    rows: &'a [T::Insert],
    conflict: Option<&'a Conflict>,
    returning: bool,
) {
    if rows.is_empty() {
        return;
    }
    let table = T::table();
    // An insert type with no columns (every column generated) still
    // names one column, to give each row a `DEFAULT`.
    let carried = <T::Insert as Insertable>::COLUMNS;
    let columns: &[usize] = if carried.is_empty() { &[0] } else { carried };

    out.push("INSERT INTO ");
    out.table(table);
    out.push(" (");
    for (i, &column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(", ");
        }
        out.ident(table.columns[column].name);
    }
    out.push(") VALUES ");
    // Each value is `$n` (at most `$65535`) and a separator.
    let params = rows.len() * columns.len();
    out.reserve(params, params * 8 + rows.len() * 4);
    let mut values = Vec::with_capacity(columns.len());
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push(", ");
        }
        values.clear();
        row.push_values(&mut values);
        out.values_row(
            table.name,
            columns.iter().enumerate().map(|(i, &column)| {
                let value = match values.get(i) {
                    Some(InsertValue::Bind(value)) => Some(*value),
                    Some(InsertValue::Default) | None => None,
                };
                (value, table.columns[column].name)
            }),
        );
    }
    match conflict {
        None => {}
        Some(Conflict::Nothing(target)) => {
            out.push(" ON CONFLICT");
            conflict_target(out, target);
            out.push(" DO NOTHING");
        }
        Some(Conflict::Update(target, sets)) => {
            out.push(" ON CONFLICT");
            conflict_target(out, target);
            out.push(" DO UPDATE SET ");
            for (i, (column, value)) in sets.iter().enumerate() {
                if i > 0 {
                    out.push(", ");
                }
                out.ident(column);
                out.push(" = ");
                out.node_for(value, table, column);
            }
        }
    }
    if returning {
        out.returning(table);
    }
}

fn conflict_target(out: &mut Built<'_>, target: &[&str]) {
    if target.is_empty() {
        return;
    }
    out.push(" (");
    for (i, column) in target.iter().enumerate() {
        if i > 0 {
            out.push(", ");
        }
        out.ident(column);
    }
    out.push(")");
}

/// An insert waiting to be told what to do on a conflict: `Q` is the
/// [`Insert`] (or [`PreparedInsert`](super::PreparedInsert)) it returns to.
#[must_use = "follow `.on_conflict(...)` with `.do_update(...)` or `.do_nothing()`"]
pub struct OnConflict<T: Writable, Q = Insert<T>> {
    pub(super) query: Q,
    pub(super) target: Vec<&'static str>,
    _table: PhantomData<fn() -> T>,
}

impl<T: Writable, Q> OnConflict<T, Q> {
    pub(super) fn new(query: Q, target: Vec<&'static str>) -> Self {
        OnConflict {
            query,
            target,
            _table: PhantomData,
        }
    }

    /// The clause `do_update` gives: with no `set`, conflicting rows are
    /// skipped.
    pub(super) fn update(
        target: Vec<&'static str>,
        f: impl FnOnce(&mut DoUpdate<T>) -> &mut DoUpdate<T>,
    ) -> Conflict {
        let mut update = DoUpdate {
            sets: Vec::new(),
            _table: PhantomData,
        };
        f(&mut update);
        if update.sets.is_empty() {
            Conflict::Nothing(target)
        } else {
            Conflict::Update(target, update.sets)
        }
    }
}

impl<T: Writable> OnConflict<T> {
    /// Skips conflicting rows: `ON CONFLICT (…) DO NOTHING`.
    pub fn do_nothing(mut self) -> Insert<T> {
        self.query.conflict = Some(Conflict::Nothing(self.target));
        self.query
    }

    /// Updates the existing row instead: `ON CONFLICT (…) DO UPDATE SET …`.
    /// With no `set`, conflicting rows are skipped as by `do_nothing`.
    pub fn do_update(mut self, f: impl FnOnce(&mut DoUpdate<T>) -> &mut DoUpdate<T>) -> Insert<T> {
        self.query.conflict = Some(Self::update(self.target, f));
        self.query
    }
}

/// The assignments of `ON CONFLICT … DO UPDATE`.
pub struct DoUpdate<T> {
    sets: Vec<(&'static str, Node)>,
    _table: PhantomData<fn() -> T>,
}

impl<T: Writable> DoUpdate<T> {
    /// `column = value`.
    pub fn set<V, R, I>(&mut self, column: Column<T, V>, value: R) -> &mut Self
    where
        R: Operand<T, V>,
        R::Shape: Within<T, I>,
    {
        self.sets.push((column.name(), value.into_node()));
        self
    }

    /// The value the row would have had: `excluded."column"`.
    pub fn excluded<V>(&self, column: Column<T, V>) -> ValueExpr<T, V> {
        ValueExpr::new(Node(NodeKind::Excluded(column.name())))
    }
}

/// The unique column(s) an `ON CONFLICT` names: a column or a tuple of them.
pub trait ConflictTarget<T> {
    /// The SQL column names.
    #[doc(hidden)]
    fn columns(self) -> Vec<&'static str>;
}

impl<T, V> ConflictTarget<T> for Column<T, V> {
    fn columns(self) -> Vec<&'static str> {
        vec![self.name()]
    }
}

macro_rules! tuple_target {
    ($($v:ident $i:tt),+) => {
        impl<T, $($v),+> ConflictTarget<T> for ($(Column<T, $v>,)+) {
            fn columns(self) -> Vec<&'static str> {
                vec![$(self.$i.name()),+]
            }
        }
    };
}

tuple_target!(A 0, B 1);
tuple_target!(A 0, B 1, C 2);
tuple_target!(A 0, B 1, C 2, D 3);
