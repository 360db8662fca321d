//! What every relation load does: collect the parents' keys, fetch the
//! related rows, and hand each parent its own.

use std::collections::{HashMap, HashSet};

use postgres_types::ToSql;
use tokio_postgres::Row;

use super::columns::{self, Layout, LoadColumns};
use super::options::{Options, Via};
use super::{Item, Key};
use crate::db::Executor;
use crate::error::Error;
use crate::table::{Column, Table};
use crate::types::SqlType;

pub(super) fn read<V: SqlType, T: Table>(
    row: &Row,
    column: &Column<T, V>,
    layout: &Layout,
) -> Result<V, Error> {
    Ok(V::__decode(
        row,
        layout.position(column.index()),
        T::table(),
        column.index(),
        std::any::type_name::<V>(),
    )?)
}

/// Rows or counts by key. Keys come from the database, so the hasher is
/// seeded at random (foldhash): a map of 10,000 rows hashed by std's
/// SipHash cost a tenth of loading them.
pub(super) type KeyMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A [`KeyMap`] with room for `n` keys.
pub(super) fn key_map<K, V>(n: usize) -> KeyMap<K, V> {
    HashMap::with_capacity_and_hasher(n, Default::default())
}

/// The keys of a page of parent rows, each decoded once.
pub(super) struct Keys<K> {
    /// Each row's key (`None` for NULL), in the rows' order.
    pub per_row: Vec<Option<K>>,
    /// The distinct non-NULL keys, in first-seen order: what to fetch.
    pub distinct: Vec<K>,
    /// Whether no key appears twice (as with primary keys).
    pub unique: bool,
}

impl<K: Key> Keys<K> {
    /// The keys of rows, one each (`None` for NULL).
    pub fn from_per_row(per_row: Vec<Option<K>>) -> Self {
        let mut seen: HashSet<&K, foldhash::fast::RandomState> =
            HashSet::with_capacity_and_hasher(per_row.len(), Default::default());
        let mut distinct = Vec::with_capacity(per_row.len());
        for key in per_row.iter().flatten() {
            if seen.insert(key) {
                distinct.push(key.clone());
            }
        }
        let unique = distinct.len() == per_row.iter().flatten().count();
        Keys {
            per_row,
            distinct,
            unique,
        }
    }
}

/// The parents' keys, and the distinct keys to fetch their related rows by.
pub(super) type ToFetch<K> = (Keys<K>, Vec<K>);

/// The keys gathered from the parents, one per row (`None` for NULL), and
/// apart from them the distinct keys to fetch the related rows by; `None`
/// when no row has a key.
pub(super) fn to_fetch<K: Key>(per_row: Vec<Option<K>>) -> Option<ToFetch<K>> {
    let mut keys = Keys::from_per_row(per_row);
    if keys.distinct.is_empty() {
        return None;
    }
    let wanted = std::mem::take(&mut keys.distinct);
    Some((keys, wanted))
}

/// Each parent's related items, by the parent's key.
pub(super) fn per_parent<K: Key, I: Clone>(
    keys: Keys<K>,
    mut by_key: KeyMap<K, Vec<I>>,
) -> Vec<Vec<I>> {
    if keys.unique {
        // Each key once: every list moves to its one parent.
        return keys
            .per_row
            .iter()
            .map(|key| {
                key.as_ref()
                    .and_then(|key| by_key.remove(key))
                    .unwrap_or_default()
            })
            .collect();
    }
    hand_out(keys, by_key)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

/// Gives each parent (by its key, `None` for no key) the item for that
/// key: moved to the last parent with the key, cloned for earlier ones, so
/// nothing is copied when keys are unique, as primary keys are.
pub(super) fn hand_out<K: Key, I: Clone>(
    keys: Keys<K>,
    mut by_key: KeyMap<K, I>,
) -> Vec<Option<I>> {
    if keys.unique {
        // Each key once: every item moves to its one parent.
        return keys
            .per_row
            .iter()
            .map(|key| key.as_ref().and_then(|key| by_key.remove(key)))
            .collect();
    }
    let keys = keys.per_row;
    let mut remaining: KeyMap<&K, usize> = key_map(keys.len());
    for key in keys.iter().flatten() {
        *remaining.entry(key).or_default() += 1;
    }
    let mut out = Vec::with_capacity(keys.len());
    for key in &keys {
        out.push(key.as_ref().and_then(|key| {
            let left = remaining.get_mut(key).expect("counted above");
            *left -= 1;
            if *left == 0 {
                by_key.remove(key)
            } else {
                by_key.get(key).cloned()
            }
        }));
    }
    out
}

/// The related rows to fetch for a load: by `options` (filter, order,
/// limit), reached `via` a foreign key or a link table, with the `wanted`
/// parent keys, fetching `columns` and `also` (the keys the load reads).
pub(super) struct Fetch<'a, K, S> {
    pub options: &'a Options,
    pub via: Via,
    pub wanted: &'a Vec<K>,
    pub columns: &'a S,
    pub also: &'a [usize],
}

impl<K: ToSql + Send + Sync, S> Fetch<'_, K, S> {
    /// Fetches the related rows, each decoded and dropped as it arrives,
    /// and gives `sink` each one's item with the key `key_of` reads from
    /// it (from its row, or its decoded columns). An item alone is given
    /// as its row arrives; one with a nested relation once that relation
    /// is loaded, by the keys gathered from the rows as they arrived.
    pub(super) async fn items<C, N, E, R>(
        self,
        exec: &E,
        nested: &N,
        key_of: impl Fn(&Row, &S::Output, &Layout) -> Result<R, Error>,
        mut sink: impl FnMut(R, N::Item),
    ) -> Result<(), Error>
    where
        C: Table,
        S: LoadColumns<C>,
        N: Item<C, S>,
        E: Executor + ?Sized,
    {
        let Fetch {
            options,
            via,
            wanted,
            columns,
            also,
        } = self;
        if N::ALONE {
            return options
                .fetch_each(exec, via, wanted, columns, also, |row, layout| {
                    let fetched = columns::decode(columns, row, layout)?;
                    sink(key_of(row, &fetched, layout)?, N::alone(fetched));
                    Ok(())
                })
                .await;
        }
        let mut keys = nested.no_keys();
        let mut fetched = Vec::new();
        let mut related = Vec::new();
        options
            .fetch_each(exec, via, wanted, columns, also, |row, layout| {
                let columns = columns::decode(columns, row, layout)?;
                nested.gather(&mut keys, row, layout)?;
                related.push(key_of(row, &columns, layout)?);
                fetched.push(columns);
                Ok(())
            })
            .await?;
        let items = nested.items(exec, fetched, keys).await?;
        for (key, item) in related.into_iter().zip(items) {
            sink(key, item);
        }
        Ok(())
    }

    /// Each parent's related items, grouped by the parent key `key_of`
    /// reads from each (`None`: linked to no parent), in the order of the
    /// parents' `keys`.
    pub(super) async fn children<C, N, E>(
        self,
        exec: &E,
        nested: &N,
        keys: Keys<K>,
        key_of: impl Fn(&Row, &S::Output, &Layout) -> Result<Option<K>, Error>,
    ) -> Result<Vec<Vec<N::Item>>, Error>
    where
        C: Table,
        K: Key,
        S: LoadColumns<C>,
        N: Item<C, S>,
        E: Executor + ?Sized,
    {
        let mut by_key: KeyMap<K, Vec<N::Item>> = key_map(keys.per_row.len());
        self.items(exec, nested, key_of, |key, item| {
            if let Some(key) = key {
                by_key.entry(key).or_default().push(item);
            }
        })
        .await?;
        Ok(per_parent(keys, by_key))
    }
}
