//! Relations declared once, loaded eagerly: Drizzle's `with`.
//!
//! On a foreign key, `#[column(references = User::ID, relation(belongs_to =
//! "author", has_many = "posts"))]` generates `Post::author()` and
//! `User::posts()`, with every type parameter written (both tables in one
//! crate; keys of an integer, string or uuid type). Any relation can also be
//! a value built from column constants, returned by a function beside the
//! table, as the generated ones are:
//!
//! ```
//! use pgtable::prelude::*;
//! use pgtable::relations::{BelongsTo, HasMany};
//!
//! #[table(name = "users")]
//! #[derive(Debug, Clone)]
//! pub struct User {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     pub name: String,
//! }
//!
//! #[table(name = "posts")]
//! #[derive(Debug, Clone)]
//! pub struct Post {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     #[column(references = User::ID)]
//!     pub author_id: i64,
//! }
//!
//! impl Post {
//!     pub fn author() -> BelongsTo<Post, User, i64, i64> {
//!         BelongsTo::new(Post::AUTHOR_ID, User::ID)
//!     }
//! }
//!
//! impl User {
//!     pub fn posts() -> HasMany<User, Post, i64, i64> {
//!         HasMany::new(User::ID, Post::AUTHOR_ID)
//!     }
//! }
//!
//! // users with their posts, each post with its author: three statements.
//! let query = User::select().with(User::posts().with(Post::author()));
//! ```
//!
//! The rows a load gives are plain tuples, which a function signature can
//! name without reading generated code. `.with(r)` on a select of `T`
//! gives `(T, r's output)`; a tuple of relations gives a tuple of outputs.
//! A `HasMany` or `ManyToMany` gives `Vec<item>`, a `BelongsTo` the item
//! (`Option<item>` for a nullable foreign key). The item is the row, or,
//! with `.with(..)` on the relation, `(row, nested output)`. So users with
//! their posts, each post with its author and its comments, is
//! `Vec<(User, Vec<(Post, (User, Vec<Comment>))>)>`.
//!
//! Loading a page of parents with their relations sends one statement for
//! the parents and one per relation (`WHERE key = ANY($1)`, so the SQL is
//! the same whatever the page size), never one per parent. Nested
//! relations (`.with(..)` on a relation) add one statement each. Related
//! rows come in the order the database returns them, as in Drizzle: sort
//! them in Rust where the order matters.

use std::collections::HashMap;
use std::marker::PhantomData;

use futures_util::future::BoxFuture;
use tokio_postgres::Row;

mod filter;
mod group;
mod keys;
mod options;

pub use keys::{ForeignKey, Key, KeyOf};

pub use filter::WithCount;

use self::group::{Parents, fetch_related, hand_out, keys, parent_keys, read, related_items};
use crate::db::Executor;
use crate::error::Error;
use crate::query::{Built, Expr, Order, Select, Within, and_into, fetch_rows};
use crate::table::{Column, Table};

/// What is loaded alongside each row of table `T`: a relation, a tuple of
/// them, or `()` for nothing.
pub trait With<T>: Send + Sync {
    /// What each row gets.
    type Output: Send;

    /// Loads the outputs for `rows` (each holding a row of `T` from column
    /// `offset` on), one per row, in order.
    #[doc(hidden)]
    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>>;
}

impl<T> With<T> for () {
    type Output = ();

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        rows: &'a [Row],
        _offset: usize,
    ) -> BoxFuture<'a, Result<Vec<()>, Error>> {
        let n = rows.len();
        Box::pin(async move { Ok(vec![(); n]) })
    }
}

macro_rules! tuple_with {
    ($($w:ident $i:tt),+) => {
        impl<T, $($w: With<T>),+> With<T> for ($($w,)+) {
            type Output = ($($w::Output,)+);

            fn load<'a, E: Executor + ?Sized>(
                &'a self,
                exec: &'a E,
                rows: &'a [Row],
                offset: usize,
            ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
                Box::pin(async move {
                    // One statement per relation, one after the other on
                    // the executor (a transaction runs them in order anyway).
                    let loaded = ($(self.$i.load(exec, rows, offset).await?,)+);
                    let mut iters = ($(loaded.$i.into_iter(),)+);
                    Ok((0..rows.len())
                        .map(|_| ($(iters.$i.next().expect("one output per row"),)+))
                        .collect())
                })
            }
        }
    };
}

tuple_with!(A 0);
tuple_with!(A 0, B 1);
tuple_with!(A 0, B 1, C 2);
tuple_with!(A 0, B 1, C 2, D 3);

/// The item a related row becomes: the row, or the row with what is
/// loaded with it (`.with(..)` on the relation).
pub trait Item<C>: Send + Sync {
    /// What one related row becomes.
    type Item: Send + Clone;

    /// The related row in an item.
    #[doc(hidden)]
    fn row(item: &Self::Item) -> &C;

    #[doc(hidden)]
    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<Self::Item>, Error>>;
}

/// No nested relation: a related row is just the row.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plain;

/// A nested relation: a related row comes with what `W` loads for it.
#[derive(Clone, Copy, Debug)]
pub struct Nested<W>(W);

impl<C: Table + Clone> Item<C> for Plain {
    type Item = C;

    fn row(item: &C) -> &C {
        item
    }

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<C>, Error>> {
        Box::pin(async move { rows.iter().map(|row| C::from_row_at(row, offset)).collect() })
    }
}

impl<C: Table + Clone, W: With<C>> Item<C> for Nested<W>
where
    W::Output: Clone,
{
    type Item = (C, W::Output);

    fn row(item: &(C, W::Output)) -> &C {
        &item.0
    }

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<(C, W::Output)>, Error>> {
        Box::pin(related_items(exec, &self.0, rows, offset))
    }
}

/// Each row of `P` has many rows of `C`: `C`'s foreign key `V` holds `P`'s key `K`.
pub struct HasMany<P, C, K, V, N = Plain> {
    key: Column<P, K>,
    foreign_key: Column<C, V>,
    nested: N,
    options: options::Options,
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>> HasMany<P, C, K, V> {
    /// `P::key` is referenced by `C::foreign_key`.
    pub fn new(key: Column<P, K>, foreign_key: Column<C, V>) -> Self {
        HasMany {
            key,
            foreign_key,
            nested: Plain,
            options: options::Options::default(),
        }
    }

    /// Loads `with` for each related row too: each item becomes `(C, output)`.
    pub fn with<W: With<C>>(self, with: W) -> HasMany<P, C, K, V, Nested<W>> {
        HasMany {
            key: self.key,
            foreign_key: self.foreign_key,
            nested: Nested(with),
            options: self.options,
        }
    }
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, N> HasMany<P, C, K, V, N> {
    /// Loads only the related rows matching `condition`; called again,
    /// both must match.
    pub fn filter<X, I>(mut self, condition: Expr<X>) -> Self
    where
        X: Within<C, I>,
    {
        and_into(&mut self.options.filter, condition.node);
        self
    }

    /// Orders each parent's related rows; called again, adds a key.
    pub fn order_by<X, I>(mut self, order: impl Into<Order<X>>) -> Self
    where
        X: Within<C, I>,
    {
        let order = order.into();
        self.options.order.push((order.node, order.direction));
        self
    }

    /// Loads at most `n` related rows for *each* parent (the first `n` in
    /// the relation's order): only those rows are sent by the server.
    pub fn limit(mut self, n: i64) -> Self {
        self.options.set_limit(n);
        self
    }

    /// Skips the first `n` related rows of *each* parent (in the
    /// relation's order): with [`limit`](Self::limit), a page of each
    /// parent's children.
    pub fn offset(mut self, n: i64) -> Self {
        self.options.set_offset(n);
        self
    }
}

impl<P, C, K, V, N> With<P> for HasMany<P, C, K, V, N>
where
    P: Table,
    C: Table,
    K: Key + crate::query::Operand<C, V> + postgres_types::ToSql + Send + Sync,
    V: ForeignKey<K> + 'static,
    N: Item<C>,
{
    type Output = Vec<N::Item>;

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let Some((keys, wanted)) = parent_keys(rows, &self.key, offset)? else {
                return Ok(vec![Vec::new(); rows.len()]);
            };
            let children = if self.options.is_plain() {
                fetch_related(exec, self.foreign_key, wanted).await?
            } else {
                self.options.fetch(exec, self.foreign_key, wanted).await?
            };
            Parents { keys }
                .children(exec, &self.nested, &children, 0, |row, item| {
                    // The key from the decoded row where the table gives
                    // access to its fields; else decoded again.
                    match self.foreign_key.of(N::row(item)) {
                        Some(key) => Ok(key.clone().key()),
                        None => Ok(read(row, &self.foreign_key, 0)?.key()),
                    }
                })
                .await
        })
    }
}

/// Each row of `P` belongs to one row of `C`: `P`'s foreign key `V`
/// holds `C`'s key `K`. The related row is `C` itself when the foreign
/// key is NOT NULL, an `Option<C>` when it is nullable.
pub struct BelongsTo<P, C, V, K, N = Plain> {
    foreign_key: Column<P, V>,
    key: Column<C, K>,
    nested: N,
}

impl<P: Table, C: Table, V: ForeignKey<K>, K: Key> BelongsTo<P, C, V, K> {
    /// `P::foreign_key` references `C::key`.
    pub fn new(foreign_key: Column<P, V>, key: Column<C, K>) -> Self {
        BelongsTo {
            foreign_key,
            key,
            nested: Plain,
        }
    }

    /// Loads `with` for the related row too: it becomes `(C, output)`.
    pub fn with<W: With<C>>(self, with: W) -> BelongsTo<P, C, V, K, Nested<W>> {
        BelongsTo {
            foreign_key: self.foreign_key,
            key: self.key,
            nested: Nested(with),
        }
    }
}

impl<P, C, V, K, N> With<P> for BelongsTo<P, C, V, K, N>
where
    P: Table,
    C: Table,
    V: ForeignKey<K>,
    K: Key + crate::query::Operand<C, K> + postgres_types::ToSql + Send + Sync,
    N: Item<C>,
{
    type Output = V::Related<N::Item>;

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let mut keys = keys(rows, &self.foreign_key, offset)?;
            let mut by_key: HashMap<K, N::Item> = HashMap::with_capacity(keys.distinct.len());
            if !keys.distinct.is_empty() {
                let wanted = std::mem::take(&mut keys.distinct);
                let targets = fetch_related(exec, self.key, wanted).await?;
                let items = self.nested.items(exec, &targets, 0).await?;
                for (row, item) in targets.iter().zip(items) {
                    let key = match self.key.of(N::row(&item)) {
                        Some(key) => key.clone(),
                        None => read(row, &self.key, 0)?,
                    };
                    by_key.insert(key, item);
                }
            }
            hand_out(keys, by_key)
                .into_iter()
                .map(|found| V::related(found, C::table()))
                .collect()
        })
    }
}

/// Each row of `P` has many rows of `C` through link table `J`:
/// `J::from` holds `P`'s key `K`, `J::to` holds `C`'s key `L`.
pub struct ManyToMany<P, J, C, K, L, N = Plain> {
    key: Column<P, K>,
    from: Column<J, K>,
    to: Column<J, L>,
    target: Column<C, L>,
    nested: N,
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key> ManyToMany<P, J, C, K, L> {
    /// `P::key` = `J::from`, and `J::to` = `C::target`.
    pub fn new(
        key: Column<P, K>,
        from: Column<J, K>,
        to: Column<J, L>,
        target: Column<C, L>,
    ) -> Self {
        ManyToMany {
            key,
            from,
            to,
            target,
            nested: Plain,
        }
    }

    /// Loads `with` for each related row too: each item becomes `(C, output)`.
    pub fn with<W: With<C>>(self, with: W) -> ManyToMany<P, J, C, K, L, Nested<W>> {
        ManyToMany {
            key: self.key,
            from: self.from,
            to: self.to,
            target: self.target,
            nested: Nested(with),
        }
    }
}

impl<P, J, C, K, L, N> With<P> for ManyToMany<P, J, C, K, L, N>
where
    P: Table,
    J: Table,
    C: Table,
    K: Key + postgres_types::ToSql + Send + Sync,
    L: Key,
    N: Item<C>,
{
    type Output = Vec<N::Item>;

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        offset: usize,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let Some((keys, wanted)) = parent_keys(rows, &self.key, offset)? else {
                return Ok(vec![Vec::new(); rows.len()]);
            };
            // One statement: the related rows, each with the key it links to.
            // SELECT "j"."from", "c".* FROM "c" INNER JOIN "j" ON "j"."to" = "c"."target"
            // WHERE "j"."from" = ANY($1)
            let (link, target) = (J::table(), C::table());
            let mut out = Built::read();
            out.push("SELECT ");
            out.qualified_column(link, self.from.name());
            out.push(", ");
            out.column_list(target, true);
            out.push(" FROM ");
            out.table(target);
            out.push(" INNER JOIN ");
            out.table(link);
            out.push(" ON ");
            out.qualified_column(link, self.to.name());
            out.push(" = ");
            out.qualified_column(target, self.target.name());
            out.push(" WHERE ");
            out.qualified_column(link, self.from.name());
            out.push(" = ANY(");
            out.param(&wanted);
            out.push(")");
            let linked = fetch_rows(exec, &out).await?;

            Parents { keys }
                .children(exec, &self.nested, &linked, 1, |row, _| {
                    let type_name = std::any::type_name::<K>();
                    Ok(Some(K::__decode(
                        row,
                        0,
                        link,
                        self.from.index(),
                        type_name,
                    )?))
                })
                .await
        })
    }
}

/// A select of whole rows with relations loaded alongside:
/// `Post::select().with(Post::comments())`.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct SelectWith<T, W> {
    select: Select<T>,
    with: W,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table> Select<T> {
    /// Loads relations alongside each row: one more statement per relation.
    pub fn with<W: With<T>>(self, with: W) -> SelectWith<T, W> {
        SelectWith {
            select: self,
            with,
            _table: PhantomData,
        }
    }
}

impl<T: Table, W: With<T>> SelectWith<T, W> {
    /// The parents' statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.select.to_sql()
    }

    /// Every matching row, each with its relations.
    pub async fn fetch_all<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Vec<(T, W::Output)>, Error> {
        let rows = self.select.fetch_rows(exec).await?;
        let loaded = self.with.load(exec, &rows, 0).await?;
        rows.iter()
            .zip(loaded)
            .map(|(row, extra)| Ok((T::from_row(row)?, extra)))
            .collect()
    }

    /// The first matching row with its relations; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(self, exec: &E) -> Result<(T, W::Output), Error> {
        self.fetch_optional(exec).await?.ok_or(Error::NotFound {
            table: T::table().name,
        })
    }

    /// The first matching row with its relations, if any.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<(T, W::Output)>, Error> {
        Ok(self.limit_one().fetch_all(exec).await?.into_iter().next())
    }

    fn limit_one(self) -> Self {
        SelectWith {
            select: self.select.limit(1),
            with: self.with,
            _table: PhantomData,
        }
    }
}
