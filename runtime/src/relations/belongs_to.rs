//! Many-to-one: each row belongs to the row its foreign key references.

use futures_util::future::BoxFuture;
use postgres_types::ToSql;
use tokio_postgres::Row;

use super::group::{Fetch, KeyMap, Keys, hand_out, key_map, read};
use super::options::{Options, Via};
use super::{ForeignKey, Item, Key, Layout, LoadColumns, Nested, Plain, With};
use crate::db::Executor;
use crate::error::Error;
use crate::query::All;
use crate::table::{Column, Table};

/// Each row of `P` belongs to one row of `C`: `P`'s foreign key `V`
/// holds `C`'s key `K`. The related row is `C` itself when the foreign
/// key is NOT NULL, an `Option<C>` when it is nullable. `N` is what is
/// nested in the related row, `S` which of its columns are fetched.
pub struct BelongsTo<P, C, V, K, N = Plain, S = All> {
    pub(super) foreign_key: Column<P, V>,
    pub(super) key: Column<C, K>,
    nested: N,
    columns: S,
}

impl<P: Table, C: Table, V: ForeignKey<K>, K: Key> BelongsTo<P, C, V, K> {
    /// `P::foreign_key` references `C::key`.
    pub fn new(foreign_key: Column<P, V>, key: Column<C, K>) -> Self {
        BelongsTo {
            foreign_key,
            key,
            nested: Plain,
            columns: All,
        }
    }
}

impl<P: Table, C: Table, V: ForeignKey<K>, K: Key, S> BelongsTo<P, C, V, K, Plain, S> {
    /// Loads `with` for the related row too: it becomes `(row, output)`.
    pub fn with<W: With<C>>(self, with: W) -> BelongsTo<P, C, V, K, Nested<W>, S> {
        BelongsTo {
            foreign_key: self.foreign_key,
            key: self.key,
            nested: Nested(with),
            columns: self.columns,
        }
    }
}

impl<P: Table, C: Table, V: ForeignKey<K>, K: Key, N> BelongsTo<P, C, V, K, N> {
    /// Fetches only these columns of the related row: one column or a
    /// tuple, decoded into their values. The key the load matches on is
    /// fetched too, but not returned.
    pub fn columns<S: LoadColumns<C>>(self, columns: S) -> BelongsTo<P, C, V, K, N, S> {
        BelongsTo {
            foreign_key: self.foreign_key,
            key: self.key,
            nested: self.nested,
            columns,
        }
    }
}

impl<P, C, V, K, N, S> With<P> for BelongsTo<P, C, V, K, N, S>
where
    P: Table,
    C: Table,
    V: ForeignKey<K>,
    K: Key + ToSql + Send + Sync,
    S: LoadColumns<C>,
    N: Item<C, S>,
{
    type Output = V::Related<N::Item>;

    type Keys = Vec<Option<K>>;

    fn needs(&self, out: &mut Vec<usize>) {
        out.push(self.foreign_key.index());
    }

    fn no_keys(&self) -> Vec<Option<K>> {
        Vec::new()
    }

    fn gather(&self, keys: &mut Vec<Option<K>>, row: &Row, layout: &Layout) -> Result<(), Error> {
        keys.push(read(row, &self.foreign_key, layout)?.key());
        Ok(())
    }

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        keys: Vec<Option<K>>,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let mut keys = Keys::from_per_row(keys);
            let mut by_key: KeyMap<K, N::Item> = key_map(keys.distinct.len());
            if !keys.distinct.is_empty() {
                let wanted = std::mem::take(&mut keys.distinct);
                let mut also = vec![self.key.index()];
                self.nested.needs(&mut also);
                let everything = Options::default();
                let fetch = Fetch {
                    options: &everything,
                    via: Via::Column(self.key.name()),
                    wanted: &wanted,
                    columns: &self.columns,
                    also: &also,
                };
                // A referenced row's key: from its decoded columns where
                // the table gives access to its fields, else decoded again.
                let key_of =
                    |row: &Row, fetched: &S::Output, layout: &Layout| match S::whole(fetched)
                        .and_then(|row| self.key.of(row))
                    {
                        Some(key) => Ok(key.clone()),
                        None => read(row, &self.key, layout),
                    };
                fetch
                    .items::<C, N, E, K>(exec, &self.nested, key_of, |key, item| {
                        by_key.insert(key, item);
                    })
                    .await?;
            }
            hand_out(keys, by_key)
                .into_iter()
                .map(|found| V::related(found, C::table()))
                .collect()
        })
    }
}
