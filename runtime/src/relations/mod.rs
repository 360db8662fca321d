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

use self::group::related_items;
use crate::db::Executor;
use crate::error::Error;
use crate::query::{All, Select};
use crate::table::Table;

/// What is loaded alongside each row of table `T`: a relation, a tuple of
/// them, or `()` for nothing.
pub trait With<T>: Send + Sync {
    /// What each row gets.
    type Output: Send;

    /// The columns of `T` (by index) the load reads from each row: its
    /// keys, fetched even when not selected.
    #[doc(hidden)]
    fn needs(&self, out: &mut Vec<usize>);

    /// Loads the outputs for `rows` (each holding a row of `T` laid out as
    /// `layout` says), one per row, in order.
    #[doc(hidden)]
    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>>;
}

impl<T> With<T> for () {
    type Output = ();

    fn needs(&self, _out: &mut Vec<usize>) {}

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        rows: &'a [Row],
        _layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<()>, Error>> {
        let n = rows.len();
        Box::pin(async move { Ok(vec![(); n]) })
    }
}

macro_rules! tuple_with {
    ($($w:ident $i:tt),+) => {
        impl<T, $($w: With<T>),+> With<T> for ($($w,)+) {
            type Output = ($($w::Output,)+);

            fn needs(&self, out: &mut Vec<usize>) {
                $(self.$i.needs(out);)+
            }

            fn load<'a, E: Executor + ?Sized>(
                &'a self,
                exec: &'a E,
                rows: &'a [Row],
                layout: &'a Layout,
            ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
                Box::pin(async move {
                    // One statement per relation, one after the other on
                    // the executor (a transaction runs them in order anyway).
                    let loaded = ($(self.$i.load(exec, rows, layout).await?,)+);
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

/// The item a related row becomes: its columns `S` (the whole row, or
/// those listed by `columns(..)`), alone or with what is loaded with it
/// (`.with(..)` on the relation).
pub trait Item<C, S: LoadColumns<C>>: Send + Sync {
    /// What one related row becomes.
    type Item: Send + Clone;

    /// The related row's columns in an item.
    #[doc(hidden)]
    fn fetched(item: &Self::Item) -> &S::Output;

    /// The columns of `C` what is nested reads (its keys).
    #[doc(hidden)]
    fn needs(&self, out: &mut Vec<usize>);

    #[doc(hidden)]
    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        columns: &'a S,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<Self::Item>, Error>>;

    /// Whether an item is its row's columns alone, decoded by
    /// [`Item::decode_alone`] as the row arrives: nothing is loaded with it.
    #[doc(hidden)]
    const ALONE: bool = false;

    /// The item of one row, when [`Item::ALONE`].
    #[doc(hidden)]
    fn decode_alone(columns: &S, row: &Row, layout: &Layout) -> Result<Self::Item, Error> {
        let _ = (columns, row, layout);
        unreachable!("decode_alone is called only where ALONE is true")
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

    fn fetched(item: &S::Output) -> &S::Output {
        item
    }

    fn needs(&self, _out: &mut Vec<usize>) {}

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        _exec: &'a E,
        columns: &'a S,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<S::Output>, Error>> {
        Box::pin(async move { columns::decode_all(columns, rows, layout) })
    }

    const ALONE: bool = true;

    fn decode_alone(columns: &S, row: &Row, layout: &Layout) -> Result<S::Output, Error> {
        columns::decode(columns, row, layout)
    }
}

impl<C: Table, S: LoadColumns<C>, W: With<C>> Item<C, S> for Nested<W>
where
    S::Output: Clone,
    W::Output: Clone,
{
    type Item = (S::Output, W::Output);

    fn fetched(item: &(S::Output, W::Output)) -> &S::Output {
        &item.0
    }

    fn needs(&self, out: &mut Vec<usize>) {
        self.0.needs(out);
    }

    fn items<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        columns: &'a S,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<(S::Output, W::Output)>, Error>> {
        Box::pin(related_items(exec, &self.0, columns, rows, layout))
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

    /// Every matching row, each with its relations.
    pub async fn fetch_all<E: Executor + ?Sized>(
        self,
        exec: &E,
    ) -> Result<Vec<(S::Output, W::Output)>, Error> {
        let (built, layout) = self.build();
        let rows = crate::query::fetch_rows(exec, &built).await?;
        drop(built);
        let loaded = self.with.load(exec, &rows, &layout).await?;
        columns::decode_each_with(self.select.selection(), &rows, loaded, &layout)
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
