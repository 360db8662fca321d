//! `SELECT`: whole rows, chosen columns, joins, counts and existence.

use std::marker::PhantomData;

use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use tokio_postgres::Row;

use super::expr::{Expr, Node, Order, and_into};
use super::group_key::GroupKey;
pub use super::joined::{Inner, JoinKind, JoinSelection, Joined, LeftOuter};
pub use super::selection::{All, Listed, Pick, Picks, SelectItem, Selection};
use super::shape::{Join, JoinOn, Joinable, LeftJoin, Within};
use super::{Built, fetch_decoded, fetch_rows, one, stream_rows};
use crate::conn::Executor;
use crate::error::Error;
use crate::schema::TableDef;
use crate::sql::Direction;
use crate::table::{Column, Table};

struct JoinClause {
    kind: &'static str,
    table: &'static TableDef,
    /// The joined table's alias, in a self-join.
    alias: Option<&'static str>,
    on: Node,
}

/// A `SELECT` over `Src` (a table, or a join of tables), returning `S` per row.
///
/// ```
/// use pgtable::prelude::*;
///
/// #[table(name = "users")]
/// pub struct User {
///     #[column(primary_key, identity)]
///     pub id: i64,
///     pub email: String,
///     pub age: Option<i32>,
/// }
///
/// let query = User::select()
///     .filter(User::EMAIL.like("%@x.io").and(User::AGE.ge(18)))
///     .order_by(User::ID.desc())
///     .limit(10);
/// assert_eq!(
///     query.to_sql(),
///     r#"SELECT "id", "email", "age" FROM "users" WHERE ("users"."email" LIKE $1 AND "users"."age" >= $2) ORDER BY "users"."id" DESC LIMIT $3"#
/// );
/// ```
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct Select<Src, S = All> {
    selection: S,
    clauses: Clauses,
    _source: PhantomData<fn() -> Src>,
}

/// Everything of a select but what it selects: kept together, so that a
/// join, which changes the selection's type, moves them at once. The
/// clauses most queries have are held here; the rest are boxed apart, so
/// that each step of building a query moves less.
struct Clauses {
    base: &'static TableDef,
    filter: Option<Node>,
    order: Vec<(Node, Direction)>,
    limit: Option<i64>,
    more: Option<Box<MoreClauses>>,
}

/// The clauses of a select that fewer queries have.
#[derive(Default)]
struct MoreClauses {
    /// `DISTINCT` (an empty list) or `DISTINCT ON (…)`.
    distinct: Option<Vec<Node>>,
    joins: Vec<JoinClause>,
    group_by: Vec<Node>,
    having: Option<Node>,
    offset: Option<i64>,
    for_update: bool,
}

/// What a select without any of [`MoreClauses`] has of them.
static NO_MORE: MoreClauses = MoreClauses {
    distinct: None,
    joins: Vec::new(),
    group_by: Vec::new(),
    having: None,
    offset: None,
    for_update: false,
};

impl<T: Table, S> Select<T, S> {
    pub(crate) fn new(selection: S) -> Self {
        Select {
            selection,
            clauses: Clauses {
                base: T::table(),
                filter: None,
                order: Vec::new(),
                limit: None,
                more: None,
            },
            _source: PhantomData,
        }
    }
}

impl<Src, S> Select<Src, S> {
    /// The table the select reads from.
    pub(crate) fn base_table(&self) -> &'static TableDef {
        self.clauses.base
    }

    /// Keeps the rows matching `condition` (an [`Expr`] or an `sql!`
    /// fragment); called again, both must match. The condition may use
    /// columns of any table the query reads.
    pub fn filter<C, I>(mut self, condition: Expr<C>) -> Self
    where
        C: Within<Src, I>,
    {
        and_into(&mut self.clauses.filter, condition.node);
        self
    }

    /// A condition already made a node, unchecked (for relations).
    pub(crate) fn filter_node(mut self, condition: Node) -> Self {
        and_into(&mut self.clauses.filter, condition);
        self
    }

    /// [`filter`](Self::filter) when there is a condition, the query as it
    /// is when there is none: for filters from optional inputs, such as a
    /// search form.
    ///
    /// ```
    /// # use pgtable::prelude::*;
    /// # #[table(name = "users")]
    /// # pub struct User {
    /// #     #[column(primary_key, identity)]
    /// #     pub id: i64,
    /// #     pub email: String,
    /// # }
    /// let email: Option<&str> = None;
    /// let query = User::select().filter_opt(email.map(|e| User::EMAIL.eq(e)));
    /// assert_eq!(query.to_sql(), r#"SELECT "id", "email" FROM "users""#);
    /// ```
    pub fn filter_opt<C, I>(self, condition: Option<Expr<C>>) -> Self
    where
        C: Within<Src, I>,
    {
        match condition {
            Some(condition) => self.filter(condition),
            None => self,
        }
    }

    /// `SELECT DISTINCT`: each different row once.
    pub fn distinct(mut self) -> Self {
        self.clauses.more().distinct.get_or_insert_with(Vec::new);
        self
    }

    /// `SELECT DISTINCT ON (column)`: the first row of each different
    /// value of `column`, in the query's order (which should start with
    /// `column`, as PostgreSQL requires). Called again, adds a further key.
    pub fn distinct_on<T, V, I>(mut self, column: Column<T, V>) -> Self
    where
        T: Table + Within<Src, I>,
    {
        self.clauses
            .more()
            .distinct
            .get_or_insert_with(Vec::new)
            .push(Node::column(column));
        self
    }

    /// Groups the rows by a key, for aggregates: a column of any table the
    /// query reads, a computed value, or an `sql!` fragment. Called again,
    /// adds a further key.
    pub fn group_by<K, I>(mut self, key: K) -> Self
    where
        K: GroupKey<Src, I>,
    {
        self.clauses.more().group_by.push(key.into_key());
        self
    }

    /// Keeps the groups matching `condition`, typically on an aggregate:
    /// `.having(Post::ID.count().gt(2))`. Called again, both must match.
    pub fn having<C, I>(mut self, condition: Expr<C>) -> Self
    where
        C: Within<Src, I>,
    {
        and_into(&mut self.clauses.more().having, condition.node);
        self
    }

    /// Orders by a column (ascending) or `column.asc()` / `.desc()`; called
    /// again, adds a further key.
    pub fn order_by<C, I>(mut self, order: impl Into<Order<C>>) -> Self
    where
        C: Within<Src, I>,
    {
        let order = order.into();
        if self.clauses.order.capacity() == 0 {
            // The room a first push would make, without the growth path.
            self.clauses.order = Vec::with_capacity(4);
        }
        self.clauses.order.push((order.node, order.direction));
        self
    }

    /// Joins table `B` on `condition`, giving `(row, B)` rows with only
    /// the rows that match: `Post::select().inner_join(User::ID.eq(Post::AUTHOR_ID))`.
    #[allow(clippy::type_complexity)]
    pub fn inner_join<C, I>(
        self,
        condition: Expr<C>,
    ) -> Select<Join<Src, C::Table>, <S as JoinSelection<C::Table, Inner>>::Joined>
    where
        C: JoinOn<Src, I>,
        C::Table: Joinable,
        S: JoinSelection<C::Table, Inner>,
    {
        self.join::<C::Table, Inner, _>(condition.node)
    }

    /// Joins table `B` on `condition`, giving `(row, Option<B>)` rows:
    /// `None` where no row of `B` matches.
    #[allow(clippy::type_complexity)]
    pub fn left_join<C, I>(
        self,
        condition: Expr<C>,
    ) -> Select<LeftJoin<Src, C::Table>, <S as JoinSelection<C::Table, LeftOuter>>::Joined>
    where
        C: JoinOn<Src, I>,
        C::Table: Joinable,
        S: JoinSelection<C::Table, LeftOuter>,
    {
        self.join::<C::Table, LeftOuter, _>(condition.node)
    }

    fn join<B: Joinable, K: JoinKind, Src2>(mut self, on: Node) -> Select<Src2, S::Joined>
    where
        S: JoinSelection<B, K>,
    {
        self.clauses.more().joins.push(JoinClause {
            kind: K::SQL,
            table: B::table_def(),
            alias: if B::ALIASED { on.alias_of() } else { None },
            on,
        });
        self.map_selection(JoinSelection::joined)
    }

    /// The same clauses over another source, with the selection `f` makes.
    pub(crate) fn map_selection<Src2, S2>(self, f: impl FnOnce(S) -> S2) -> Select<Src2, S2> {
        Select {
            selection: f(self.selection),
            clauses: self.clauses,
            _source: PhantomData,
        }
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: i64) -> Self {
        self.clauses.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: i64) -> Self {
        self.clauses.more().offset = Some(n);
        self
    }

    /// Locks the selected rows until the transaction ends (`FOR UPDATE`).
    pub fn for_update(mut self) -> Self {
        self.clauses.more().for_update = true;
        self
    }
}

impl<Src, S: Selection<Src>> Select<Src, S> {
    /// The statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.build().into_sql()
    }

    pub(crate) fn build(&self) -> Built<'_> {
        let mut out = self.built();
        self.write_select(&mut out);
        out
    }

    /// The statement, keeping a handle on each value it binds.
    pub(crate) fn build_keeping(&self) -> Built<'_> {
        let mut out = self.built();
        out.keep_values();
        self.write_select(&mut out);
        out
    }

    /// `SELECT … FROM …`, into `out`.
    pub(crate) fn write_select<'a>(&'a self, out: &mut Built<'a>) {
        let qualified = !self.clauses.extra().joins.is_empty();
        self.clauses
            .write_select(out, |out| self.selection.write(out, qualified));
    }

    /// The statement with its select list written by `list` (given the
    /// selection, and whether columns must be qualified), for a load that
    /// fetches more than the selection returns.
    pub(crate) fn build_listing<'a>(
        &'a self,
        list: impl FnOnce(&mut Built<'a>, &'a S, bool),
    ) -> Built<'a> {
        let mut out = self.built();
        let qualified = !self.clauses.extra().joins.is_empty();
        self.clauses
            .write_select(&mut out, |out| list(out, &self.selection, qualified));
        out
    }

    /// What the select returns per row.
    pub(crate) fn selection(&self) -> &S {
        &self.selection
    }

    /// A row decoded as the selection says.
    pub(crate) fn decode(&self, row: &Row) -> Result<S::Output, Error> {
        self.selection.decode_at(row, 0)
    }

    /// A statement that reads (a replica may serve it), unless it locks rows.
    fn built(&self) -> Built<'_> {
        self.clauses.built()
    }
}

impl Clauses {
    /// The clauses fewer queries have, to add one.
    fn more(&mut self) -> &mut MoreClauses {
        self.more.get_or_insert_with(Box::default)
    }

    /// The clauses fewer queries have, as they are.
    fn extra(&self) -> &MoreClauses {
        self.more.as_deref().unwrap_or(&NO_MORE)
    }

    /// A statement that reads (a replica may serve it), unless it locks rows.
    fn built(&self) -> Built<'_> {
        if self.extra().for_update {
            Built::new()
        } else {
            Built::read()
        }
    }

    /// `SELECT <list> FROM …`.
    fn write_select<'a>(&'a self, out: &mut Built<'a>, list: impl FnOnce(&mut Built<'a>)) {
        out.push("SELECT ");
        match &self.extra().distinct {
            None => {}
            Some(on) if on.is_empty() => out.push("DISTINCT "),
            Some(on) => {
                out.push("DISTINCT ON (");
                out.node_list(on);
                out.push(") ");
            }
        }
        list(out);
        self.write_from(out, true);
    }

    /// ` FROM … JOIN … WHERE … ORDER BY … LIMIT … OFFSET … FOR UPDATE`.
    fn write_from<'a>(&'a self, out: &mut Built<'a>, ordered: bool) {
        let more = self.extra();
        out.push(" FROM ");
        out.table(self.base);
        for join in &more.joins {
            out.push(join.kind);
            out.table(join.table);
            if let Some(alias) = join.alias {
                out.push(" AS ");
                out.ident(alias);
            }
            out.push(" ON ");
            out.node(&join.on);
        }
        out.filter(self.filter.as_ref());
        if !more.group_by.is_empty() {
            out.push(" GROUP BY ");
            out.node_list(&more.group_by);
        }
        if let Some(having) = &more.having {
            out.push(" HAVING ");
            out.node(having);
        }
        if ordered && !self.order.is_empty() {
            out.push(" ORDER BY ");
            out.order_list(&self.order);
        }
        if let Some(limit) = &self.limit {
            out.push(" LIMIT ");
            out.copied(limit);
        }
        if let Some(offset) = &more.offset {
            out.push(" OFFSET ");
            out.copied(offset);
        }
        if more.for_update {
            out.push(" FOR UPDATE");
        }
    }
}

impl<Src, S: Selection<Src>> Select<Src, S> {
    /// Every matching row.
    pub async fn fetch_all<E: Executor + ?Sized>(self, exec: &E) -> Result<Vec<S::Output>, Error> {
        fetch_decoded(exec, self.build(), |row| self.selection.decode_at(row, 0)).await
    }

    /// The first matching row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<S::Output, Error> {
        let table = self.clauses.base;
        self.fetch_optional(exec)
            .await?
            .ok_or(Error::NotFound { table: table.name })
    }

    /// The first matching row, if any. The server is asked for one row at
    /// most (`LIMIT $n` with n = 1, or the query's own limit if it is
    /// smaller), so no more are sent, decoded or held.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        mut self,
        exec: &E,
    ) -> Result<Option<S::Output>, Error> {
        self.clauses.limit = Some(self.clauses.limit.map_or(1, |n| n.min(1)));
        let rows = fetch_rows(exec, &self.build()).await?;
        rows.first()
            .map(|row| self.selection.decode_at(row, 0))
            .transpose()
    }

    /// The matching rows as a stream, decoded as they arrive: for results
    /// too large to hold at once. The connection is held until the stream
    /// ends or is dropped.
    pub fn fetch_stream<'e, E: Executor + ?Sized>(
        self,
        exec: &'e E,
    ) -> impl Stream<Item = Result<S::Output, Error>> + Send + 'e
    where
        S: 'e,
        Src: 'e,
    {
        stream::once(async move {
            let rows = stream_rows(exec, &self.build()).await?;
            Ok::<_, Error>(
                rows.map(move |row| row.and_then(|row| self.selection.decode_at(&row, 0))),
            )
        })
        .try_flatten()
    }
}

impl<Src, S> Select<Src, S> {
    /// How many rows match (ignoring the order; within the limit and
    /// offset, if set; groups, when grouped).
    pub async fn count<E: Executor + ?Sized>(self, exec: &E) -> Result<i64, Error> {
        let mut out = self.clauses.built();
        if self.clauses.limit.is_some()
            || self.clauses.extra().offset.is_some()
            || !self.clauses.extra().group_by.is_empty()
        {
            out.push("SELECT count(*) FROM (SELECT 1");
            self.clauses.write_from(&mut out, true);
            out.push(") AS \"counted\"");
        } else {
            out.push("SELECT count(*)");
            self.clauses.write_from(&mut out, false);
        }
        let rows = fetch_rows(exec, &out).await?;
        Ok(one(rows, self.clauses.base)?.try_get(0)?)
    }

    /// Whether any row matches.
    pub async fn exists<E: Executor + ?Sized>(self, exec: &E) -> Result<bool, Error> {
        let mut out = self.clauses.built();
        out.push("SELECT EXISTS (SELECT 1");
        self.clauses.write_from(&mut out, false);
        out.push(")");
        let rows = fetch_rows(exec, &out).await?;
        Ok(one(rows, self.clauses.base)?.try_get(0)?)
    }
}

/// A list given to `select_columns` over joined tables: its items may be
/// columns and values of any of them, and a column of a left-joined table
/// decodes as an `Option`.
macro_rules! listed_over_joins {
    ($source:ident) => {
        impl<A, B, S> Select<$source<A, B>, Listed<S>> {
            /// The statement; `keep`: keeping a handle on each value, to
            /// be prepared.
            pub(super) fn build_listed<I>(&self, keep: bool) -> Built<'_>
            where
                S: Picks<$source<A, B>, I>,
            {
                let mut out = self.clauses.built();
                if keep {
                    out.keep_values();
                }
                self.clauses
                    .write_select(&mut out, |out| self.selection.0.write(out));
                out
            }

            /// A row decoded as the list says.
            pub(super) fn decode_listed<I>(&self, row: &Row) -> Result<S::Output, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.selection.0.decode_row(row)
            }

            /// The statement's SQL text.
            pub fn to_sql<I>(&self) -> String
            where
                S: Picks<$source<A, B>, I>,
            {
                self.build_listed(false).into_sql()
            }

            /// Every matching row.
            pub async fn fetch_all<E: Executor + ?Sized, I>(
                self,
                exec: &E,
            ) -> Result<Vec<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                fetch_decoded(exec, self.build_listed(false), |row| {
                    self.selection.0.decode_row(row)
                })
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
                let table = self.base_table();
                self.fetch_optional(exec)
                    .await?
                    .ok_or(Error::NotFound { table: table.name })
            }

            /// The first matching row, if any (the server is asked for one).
            pub async fn fetch_optional<E: Executor + ?Sized, I>(
                mut self,
                exec: &E,
            ) -> Result<Option<S::Output>, Error>
            where
                S: Picks<$source<A, B>, I>,
            {
                self.clauses.limit = Some(self.clauses.limit.map_or(1, |n| n.min(1)));
                let rows = fetch_rows(exec, &self.build_listed(false)).await?;
                rows.first()
                    .map(|row| self.selection.0.decode_row(row))
                    .transpose()
            }
        }
    };
}

listed_over_joins!(Join);
listed_over_joins!(LeftJoin);
