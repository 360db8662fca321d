//! One-to-many: each parent has many related rows, found by the foreign
//! key they hold.

use futures_util::future::BoxFuture;
use postgres_types::ToSql;
use tokio_postgres::Row;

use super::group::{Fetch, Keys, read, to_fetch};
use super::options::{Options, Via};
use super::{ForeignKey, Item, Key, Layout, LoadColumns, Nested, Plain, With};
use crate::db::Executor;
use crate::error::Error;
use crate::query::All;
use crate::table::{Column, Table};

/// Each row of `P` has many rows of `C`: `C`'s foreign key `V` holds `P`'s
/// key `K`. `N` is what is nested in each related row, `S` which of its
/// columns are fetched (every one, or those given to
/// [`columns`](Self::columns)).
pub struct HasMany<P, C, K, V, N = Plain, S = All> {
    pub(super) key: Column<P, K>,
    pub(super) foreign_key: Column<C, V>,
    nested: N,
    columns: S,
    options: Options,
}

impl<P, C, K, V, N, S> HasMany<P, C, K, V, N, S> {
    /// The child's foreign key column, for seeding.
    pub(crate) fn foreign_key_name(&self) -> &'static str {
        self.foreign_key.name()
    }
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>> HasMany<P, C, K, V> {
    /// `P::key` is referenced by `C::foreign_key`.
    pub fn new(key: Column<P, K>, foreign_key: Column<C, V>) -> Self {
        HasMany {
            key,
            foreign_key,
            nested: Plain,
            columns: All,
            options: Options::default(),
        }
    }
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, S> HasMany<P, C, K, V, Plain, S> {
    /// Loads `with` for each related row too: each item becomes
    /// `(row, output)`.
    pub fn with<W: With<C>>(self, with: W) -> HasMany<P, C, K, V, Nested<W>, S> {
        HasMany {
            key: self.key,
            foreign_key: self.foreign_key,
            nested: Nested(with),
            columns: self.columns,
            options: self.options,
        }
    }
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, N> HasMany<P, C, K, V, N> {
    /// Fetches only these columns of each related row (Drizzle's
    /// `columns`): one column or a tuple, e.g. `(Post::TITLE, Post::TAGS)`,
    /// decoded into their values. The keys the load matches on are fetched
    /// too, but not returned.
    pub fn columns<S: LoadColumns<C>>(self, columns: S) -> HasMany<P, C, K, V, N, S> {
        HasMany {
            key: self.key,
            foreign_key: self.foreign_key,
            nested: self.nested,
            columns,
            options: self.options,
        }
    }
}

impl<P: Table, C: Table, K: Key, V: ForeignKey<K>, N, S> HasMany<P, C, K, V, N, S> {
    super::options::option_setters!(C);
}

impl<P, C, K, V, N, S> HasMany<P, C, K, V, N, S>
where
    P: Table,
    C: Table,
    K: Key + ToSql + Send + Sync,
    V: ForeignKey<K> + 'static,
    S: LoadColumns<C>,
    N: Item<C, S>,
{
    /// The children of the parents with `keys`, grouped per parent in
    /// the parents' order: one statement, plus one per nested relation.
    async fn children<E: Executor + ?Sized>(
        &self,
        exec: &E,
        keys: Keys<K>,
        wanted: Vec<K>,
    ) -> Result<Vec<Vec<N::Item>>, Error> {
        let mut also = vec![self.foreign_key.index()];
        self.nested.needs(&mut also);
        let fetch = Fetch {
            options: &self.options,
            via: Via::Column(self.foreign_key.name()),
            wanted: &wanted,
            columns: &self.columns,
            also: &also,
        };
        // The parent key of a related row: from its decoded columns where
        // the table gives access to its fields, else decoded again.
        let key_of = |row: &Row, fetched: &S::Output, layout: &Layout| match S::whole(fetched)
            .and_then(|row| self.foreign_key.of(row))
        {
            Some(key) => Ok(key.clone().key()),
            None => Ok(read(row, &self.foreign_key, layout)?.key()),
        };
        fetch
            .children::<C, N, E>(exec, &self.nested, keys, key_of)
            .await
    }

    /// The related rows of parents already fetched (Diesel's
    /// `belonging_to` and `grouped_by`): one statement, the children of
    /// each parent in the parents' order, with the relation's options.
    ///
    /// ```no_run
    /// # use pgtable::prelude::*;
    /// # #[table(name = "users")] #[derive(Clone)] pub struct User { #[column(primary_key, identity)] pub id: i64 }
    /// # #[table(name = "posts")] #[derive(Clone)] pub struct Post {
    /// #     #[column(primary_key, identity)] pub id: i64,
    /// #     #[column(references = User::ID, relation(has_many = "posts"))] pub author_id: i64,
    /// # }
    /// # async fn run(db: &Db) -> Result<(), pgtable::Error> {
    /// let users: Vec<User> = User::select().limit(10).fetch_all(db).await?;
    /// let posts: Vec<Vec<Post>> = User::posts().load_for(&users, db).await?;
    /// # Ok(()) }
    /// ```
    pub async fn load_for<E: Executor + ?Sized>(
        &self,
        parents: &[P],
        exec: &E,
    ) -> Result<Vec<Vec<N::Item>>, Error> {
        let key_of = |parent: &P| -> Result<Option<K>, Error> {
            match self.key.of(parent) {
                Some(key) => Ok(Some(key.clone())),
                None => Err(Error::Statement(format!(
                    "cannot read column {} of a {} row: load_for needs a table made by #[table]",
                    self.key.name(),
                    P::table().name
                ))),
            }
        };
        let per_row: Vec<Option<K>> = parents.iter().map(key_of).collect::<Result<_, _>>()?;
        let Some((keys, wanted)) = to_fetch(per_row) else {
            return Ok(parents.iter().map(|_| Vec::new()).collect());
        };
        self.children(exec, keys, wanted).await
    }
}

impl<P, C, K, V, N, S> With<P> for HasMany<P, C, K, V, N, S>
where
    P: Table,
    C: Table,
    K: Key + ToSql + Send + Sync,
    V: ForeignKey<K> + 'static,
    S: LoadColumns<C>,
    N: Item<C, S>,
{
    type Output = Vec<N::Item>;

    type Keys = Vec<Option<K>>;

    fn needs(&self, out: &mut Vec<usize>) {
        out.push(self.key.index());
    }

    fn no_keys(&self) -> Vec<Option<K>> {
        Vec::new()
    }

    fn gather(&self, keys: &mut Vec<Option<K>>, row: &Row, layout: &Layout) -> Result<(), Error> {
        keys.push(read(row, &self.key, layout)?.key());
        Ok(())
    }

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        keys: Vec<Option<K>>,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let rows = keys.len();
            let Some((keys, wanted)) = to_fetch(keys) else {
                return Ok(vec![Vec::new(); rows]);
            };
            self.children(exec, keys, wanted).await
        })
    }
}
