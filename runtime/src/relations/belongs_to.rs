//! Many-to-one: each row belongs to the row its foreign key references.

use std::collections::HashMap;

use futures_util::future::BoxFuture;
use postgres_types::ToSql;
use tokio_postgres::Row;

use super::group::{hand_out, keys, read};
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

    fn needs(&self, out: &mut Vec<usize>) {
        out.push(self.foreign_key.index());
    }

    fn load<'a, E: Executor + ?Sized>(
        &'a self,
        exec: &'a E,
        rows: &'a [Row],
        layout: &'a Layout,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, Error>> {
        Box::pin(async move {
            let mut keys = keys(rows, &self.foreign_key, layout)?;
            let mut by_key: HashMap<K, N::Item> = HashMap::with_capacity(keys.distinct.len());
            if !keys.distinct.is_empty() {
                let wanted = std::mem::take(&mut keys.distinct);
                let mut also = vec![self.key.index()];
                self.nested.needs(&mut also);
                let everything = Options::default();
                let via = Via::Column(self.key.name());
                // A referenced row's key: from its decoded item where the
                // table gives access to its fields, else decoded again.
                let key_of = |row: &Row, item: &N::Item, layout: &Layout| -> Result<K, Error> {
                    let decoded = S::whole(N::fetched(item)).and_then(|row| self.key.of(row));
                    match decoded {
                        Some(key) => Ok(key.clone()),
                        None => read(row, &self.key, layout),
                    }
                };
                if N::ALONE {
                    // Each referenced row decoded and dropped as it arrives.
                    everything
                        .fetch_each(exec, via, &wanted, &self.columns, &also, |row, layout| {
                            let item = N::decode_alone(&self.columns, row, layout)?;
                            by_key.insert(key_of(row, &item, layout)?, item);
                            Ok(())
                        })
                        .await?;
                } else {
                    let (targets, target_layout) = everything
                        .fetch(exec, via, &wanted, &self.columns, &also)
                        .await?;
                    let items = self
                        .nested
                        .items(exec, &self.columns, &targets, &target_layout)
                        .await?;
                    for (row, item) in targets.iter().zip(items) {
                        by_key.insert(key_of(row, &item, &target_layout)?, item);
                    }
                }
            }
            hand_out(keys, by_key)
                .into_iter()
                .map(|found| V::related(found, C::table()))
                .collect()
        })
    }
}
