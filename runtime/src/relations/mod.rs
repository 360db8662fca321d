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
//! Fetching less: `columns(..)` on a relation fetches only those columns
//! of the related rows, and the row becomes their values (`(String,
//! Vec<String>)` for `.columns((Post::TITLE, Post::TAGS))`);
//! `select_columns(..).with(..)` does the same for the parents. The keys
//! a load matches on are fetched too, without being returned. On a
//! `HasMany` or `ManyToMany`, `filter`, `order_by`, `limit` and `offset`
//! choose the related rows, with the limit and offset per parent. Drizzle's
//! `findFirst({ where, columns: { id, email }, with: { posts: { columns:
//! { title, tags }, orderBy: desc(posts.id), limit: 5, with: { categories:
//! { with: { category: true } } } } } })` is:
//!
//! ```no_run
//! # use pgtable::prelude::*;
//! # #[table(name = "users")] #[derive(Clone)] pub struct User {
//! #     #[column(primary_key, identity)] pub id: i64, pub email: String }
//! # #[table(name = "posts")] #[derive(Clone)] pub struct Post {
//! #     #[column(primary_key, identity)] pub id: i64,
//! #     #[column(references = User::ID, relation(has_many = "posts"))] pub author_id: i64,
//! #     pub title: String, pub tags: Vec<String> }
//! # #[table(name = "categories")] #[derive(Clone)] pub struct Category {
//! #     #[column(primary_key, identity)] pub id: i64, pub name: String }
//! # #[table(name = "posts_to_categories", primary_key(post_id, category_id))]
//! # #[derive(Clone)] pub struct PostToCategory {
//! #     #[column(references = Post::ID, relation(has_many = "categories"))] pub post_id: i64,
//! #     #[column(references = Category::ID, relation(belongs_to = "category"))]
//! #     pub category_id: i64 }
//! # async fn run(db: &Db, email: &str) -> Result<(), pgtable::Error> {
//! let (user, posts) = User::select_columns((User::ID, User::EMAIL))
//!     .filter(User::EMAIL.eq(email))
//!     .with(
//!         User::posts()
//!             .columns((Post::TITLE, Post::TAGS))
//!             .order_by(Post::ID.desc())
//!             .limit(5)
//!             .with(Post::categories().with(PostToCategory::category())),
//!     )
//!     .fetch_one(db)
//!     .await?;
//! let user: (i64, String) = user;
//! let posts: Vec<((String, Vec<String>), Vec<(PostToCategory, Category)>)> = posts;
//! # Ok(()) }
//! ```
//!
//! Loading a page of parents with their relations sends one statement for
//! the parents and one per relation (`WHERE key = ANY($1)`, so the SQL is
//! the same whatever the page size), never one per parent. Nested
//! relations (`.with(..)` on a relation) add one statement each. Without
//! `order_by`, related rows come in the order the database returns them,
//! as in Drizzle.

use std::marker::PhantomData;

use futures_util::future::BoxFuture;
use tokio_postgres::Row;

mod belongs_to;
mod columns;
mod filter;
mod group;
mod has_many;
mod keys;
mod many_to_many;
mod options;

pub use belongs_to::BelongsTo;
pub use columns::{Layout, LoadColumns};
pub use filter::{Counted, WithCount};
pub use has_many::HasMany;
pub use keys::{ForeignKey, Key, KeyOf};
pub use many_to_many::ManyToMany;

use crate::db::Executor;
use crate::error::Error;
use crate::query::{All, Select};
use crate::table::Table;

/// What is loaded alongside each row of table `T`: a relation, a tuple of
/// them, or `()` for nothing.
///
/// A load reads its keys from each row as the row arrives
/// ([`With::gather`]), so the rows need not be kept, and then loads the
/// outputs for the keys gathered ([`With::load`]).
pub trait With<T>: Send + Sync {
    /// What each row gets.
    type Output: Send;

    /// The keys the load reads from the rows, gathered as they arrive.
    #[doc(hidden)]
    type Keys: Send + 'static;

    /// The columns of `T` (by index) the load reads from each row: its
    /// keys, fetched even when not selected.
    #[doc(hidden)]
    fn needs(&self, out: &mut Vec<usize>);

    /// No keys gathered yet.
    #[doc(hidden)]
    fn no_keys(&self) -> Self::Keys;

    /// Reads the keys of one row of `T`, laid out as `layout` says.
    #[doc(hidden)]
    fn gather(&self, keys: &mut Self::Keys, row: &Row, layout: &Layout) -> Result<(), Error>;

    /// Loads the outputs for the rows whose `keys` were gathered, one per
    /// row, in order.
    #[doc(hidden)]
    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        keys: Self::Keys,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>>;
}

impl<T> With<T> for () {
    type Output = ();
    /// How many rows there were.
    type Keys = usize;

    fn needs(&self, _out: &mut Vec<usize>) {}

    fn no_keys(&self) -> usize {
        0
    }

    fn gather(&self, rows: &mut usize, _row: &Row, _layout: &Layout) -> Result<(), Error> {
        *rows += 1;
        Ok(())
    }

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        rows: usize,
    ) -> BoxFuture<'a, Result<Vec<()>, Error>> {
        Box::pin(async move { Ok(vec![(); rows]) })
    }
}

macro_rules! tuple_with {
    ($($w:ident $i:tt),+) => {
        impl<T, $($w: With<T>),+> With<T> for ($($w,)+) {
            type Output = ($($w::Output,)+);
            type Keys = ($($w::Keys,)+);

            fn needs(&self, out: &mut Vec<usize>) {
                $(self.$i.needs(out);)+
            }

            fn no_keys(&self) -> Self::Keys {
                ($(self.$i.no_keys(),)+)
            }

            fn gather(&self, keys: &mut Self::Keys, row: &Row, layout: &Layout) -> Result<(), Error> {
                $(self.$i.gather(&mut keys.$i, row, layout)?;)+
                Ok(())
            }

            fn load<'a, E: Executor + ?Sized>(
                &'a self,
                exec: &'a E,
                keys: Self::Keys,
            ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
                Box::pin(async move {
                    // One statement per relation, one after the other on
                    // the executor (a transaction runs them in order anyway).
                    let loaded = ($(self.$i.load(exec, keys.$i).await?,)+);
                    let rows = loaded.0.len();
                    let mut iters = ($(loaded.$i.into_iter(),)+);
                    Ok((0..rows)
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

/// The item a related row becomes: its columns `S` (the whole row, or
/// those listed by `columns(..)`), alone or with what is loaded with it
/// (`.with(..)` on the relation).
pub trait Item<C, S: LoadColumns<C>>: Send + Sync {
    /// What one related row becomes.
    type Item: Send + Clone;

    /// The keys what is nested reads from the related rows, gathered as
    /// they arrive.
    #[doc(hidden)]
    type Keys: Send + 'static;

    /// The columns of `C` what is nested reads (its keys).
    #[doc(hidden)]
    fn needs(&self, out: &mut Vec<usize>);

    /// No keys gathered yet.
    #[doc(hidden)]
    fn no_keys(&self) -> Self::Keys;

    /// Reads what is nested needs from one related row.
    #[doc(hidden)]
    fn gather(&self, keys: &mut Self::Keys, row: &Row, layout: &Layout) -> Result<(), Error>;

    /// The items of the related rows: their `fetched` columns, with what
    /// is nested loaded by the `keys` gathered from them.
    #[doc(hidden)]
    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        fetched: Vec<S::Output>,
        keys: Self::Keys,
    ) -> BoxFuture<'a, Result<Vec<Self::Item>, Error>>
    where
        S::Output: 'a;

    /// Whether an item is its row's columns alone ([`Item::alone`]), made
    /// as the row arrives: nothing is loaded with it.
    #[doc(hidden)]
    const ALONE: bool = false;

    /// The item of a row's columns, when [`Item::ALONE`].
    #[doc(hidden)]
    fn alone(fetched: S::Output) -> Self::Item {
        let _ = fetched;
        unreachable!("alone is called only where ALONE is true")
    }
}

/// No nested relation: a related row is just its columns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plain;

/// A nested relation: a related row comes with what `W` loads for it.
#[derive(Clone, Copy, Debug)]
pub struct Nested<W>(W);

impl<C: Table, S: LoadColumns<C>> Item<C, S> for Plain
where
    S::Output: Clone,
{
    type Item = S::Output;
    type Keys = ();

    fn needs(&self, _out: &mut Vec<usize>) {}

    fn no_keys(&self) {}

    fn gather(&self, _keys: &mut (), _row: &Row, _layout: &Layout) -> Result<(), Error> {
        Ok(())
    }

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        fetched: Vec<S::Output>,
        _keys: (),
    ) -> BoxFuture<'a, Result<Vec<S::Output>, Error>>
    where
        S::Output: 'a,
    {
        Box::pin(async move { Ok(fetched) })
    }

    const ALONE: bool = true;

    fn alone(fetched: S::Output) -> S::Output {
        fetched
    }
}

impl<C: Table, S: LoadColumns<C>, W: With<C>> Item<C, S> for Nested<W>
where
    S::Output: Clone,
    W::Output: Clone,
{
    type Item = (S::Output, W::Output);
    type Keys = W::Keys;

    fn needs(&self, out: &mut Vec<usize>) {
        self.0.needs(out);
    }

    fn no_keys(&self) -> W::Keys {
        self.0.no_keys()
    }

    fn gather(&self, keys: &mut W::Keys, row: &Row, layout: &Layout) -> Result<(), Error> {
        self.0.gather(keys, row, layout)
    }

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        fetched: Vec<S::Output>,
        keys: W::Keys,
    ) -> BoxFuture<'a, Result<Vec<(S::Output, W::Output)>, Error>>
    where
        S::Output: 'a,
    {
        Box::pin(async move {
            let loaded = self.0.load(exec, keys).await?;
            Ok(fetched.into_iter().zip(loaded).collect())
        })
    }
}

/// A select with relations loaded alongside each row:
/// `Post::select().with(Post::comments())`, or of some columns,
/// `Post::select_columns((Post::ID, Post::TITLE)).with(..)`.
#[must_use = "a query does nothing until a terminal method such as `.fetch_all(&db)` runs it"]
pub struct SelectWith<T, W, S = All> {
    select: Select<T, S>,
    with: W,
    _table: PhantomData<fn() -> T>,
}

impl<T: Table, S: LoadColumns<T>> Select<T, S> {
    /// Loads relations alongside each row: one more statement per
    /// relation. With `select_columns`, the keys the relations match on
    /// are fetched too, without being returned.
    pub fn with<W: With<T>>(self, with: W) -> SelectWith<T, W, S> {
        SelectWith {
            select: self,
            with,
            _table: PhantomData,
        }
    }
}

impl<T: Table, W: With<T>, S: LoadColumns<T>> SelectWith<T, W, S> {
    /// The parents' statement's SQL text.
    pub fn to_sql(&self) -> String {
        self.build().0.into_sql()
    }

    fn build(&self) -> (crate::query::Built<'_>, Layout) {
        let mut also = Vec::new();
        self.with.needs(&mut also);
        let mut layout = None;
        let built = self.select.build_listing(|out, columns, qualified| {
            layout = Some(columns::write_list(columns, out, qualified, 0, &also));
        });
        (built, layout.expect("the list is written"))
    }

    /// Every matching row, each with its relations: each row decoded and
    /// its keys read as it arrives, then one statement per relation.
    pub async fn fetch_all<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Vec<(S::Output, W::Output)>, Error> {
        let (built, layout) = self.build();
        let columns = self.select.selection();
        let mut keys = self.with.no_keys();
        let mut fetched = Vec::new();
        crate::query::each_row(exec, &built, |row| {
            fetched.push(columns::decode(columns, row, &layout)?);
            self.with.gather(&mut keys, row, &layout)
        })
        .await?;
        drop(built);
        let loaded = self.with.load(exec, keys).await?;
        Ok(fetched.into_iter().zip(loaded).collect())
    }

    /// The first matching row with its relations; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<(S::Output, W::Output), Error> {
        self.fetch_optional(exec).await?.ok_or(Error::NotFound {
            table: T::table().name,
        })
    }

    /// The first matching row with its relations, if any.
    pub async fn fetch_optional<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Option<(S::Output, W::Output)>, Error> {
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
