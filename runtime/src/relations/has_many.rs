//! One-to-many: each parent has many related rows, found by the foreign
//! key they hold.

use futures_util::future::BoxFuture;
use postgres_types::ToSql;
use tokio_postgres::Row;

use super::group::{Keys, Parents, parent_keys, read};
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
        let via = Via::Column(self.foreign_key.name());
        if N::ALONE {
            return Parents { keys }
                .stream_children::<C, S, N, E>(
                    exec,
                    &self.options,
                    via,
                    &wanted,
                    &self.columns,
                    &also,
                    |row, item, layout| self.key_of(row, item, layout),
                )
                .await;
        }
        let (rows, layout) = self
            .options
            .fetch(exec, via, &wanted, &self.columns, &also)
            .await?;
        Parents { keys }
            .children(
                exec,
                &self.nested,
                &self.columns,
                &rows,
                &layout,
                |row, item| self.key_of(row, item, &layout),
            )
            .await
    }

    /// The parent key of a related row: from its decoded item where the
    /// table gives access to its fields, else decoded again.
    fn key_of(&self, row: &Row, item: &N::Item, layout: &Layout) -> Result<Option<K>, Error> {
        match S::whole(N::fetched(item)).and_then(|row| self.foreign_key.of(row)) {
            Some(key) => Ok(key.clone().key()),
            None => Ok(read(row, &self.foreign_key, layout)?.key()),
        }
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
        let mut keys = Keys::from_per_row(per_row);
        if keys.distinct.is_empty() {
            return Ok(parents.iter().map(|_| Vec::new()).collect());
        }
        let wanted = std::mem::take(&mut keys.distinct);
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

    fn needs(&self, out: &mut Vec<usize>) {
        out.push(self.key.index());
    }

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let Some((keys, wanted)) = parent_keys(rows, &self.key, layout)? else {
                return Ok(vec![Vec::new(); rows.len()]);
            };
            self.children(exec, keys, wanted).await
        })
    }
}
