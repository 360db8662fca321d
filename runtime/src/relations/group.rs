//! What every relation load does: collect the parents' keys, fetch the
//! related rows, and hand each parent its own.

use std::collections::HashMap;

use postgres_types::ToSql;
use tokio_postgres::Row;

use super::columns::{self, Layout, LoadColumns};
use super::options::{Options, Via};
use super::{ForeignKey, Item, Key, With};
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
        let mut seen = std::collections::HashSet::with_capacity(per_row.len());
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

/// The keys of `rows` in `column`, each decoded once, in one pass.
pub(super) fn keys<T: Table, V: ForeignKey<K>, K: Key>(
    rows: &[Row],
    column: &Column<T, V>,
    layout: &Layout,
) -> Result<Keys<K>, Error> {
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    let mut distinct = Vec::with_capacity(rows.len());
    let mut per_row = Vec::with_capacity(rows.len());
    let mut with_key = 0;
    for row in rows {
        let key = read(row, column, layout)?.key();
        if let Some(key) = &key {
            with_key += 1;
            if seen.insert(key.clone()) {
                distinct.push(key.clone());
            }
        }
        per_row.push(key);
    }
    Ok(Keys {
        per_row,
        unique: distinct.len() == with_key,
        distinct,
    })
}

/// The parents' keys, and the distinct keys to fetch their related rows by.
pub(super) type ToFetch<K> = (Keys<K>, Vec<K>);

/// The keys of `rows` in `column`, and apart from them the distinct keys to
/// fetch the related rows by; `None` when no row has a key.
pub(super) fn parent_keys<T: Table, V: ForeignKey<K>, K: Key>(
    rows: &[Row],
    column: &Column<T, V>,
    layout: &Layout,
) -> Result<Option<ToFetch<K>>, Error> {
    let mut keys = keys(rows, column, layout)?;
    if keys.distinct.is_empty() {
        return Ok(None);
    }
    let wanted = std::mem::take(&mut keys.distinct);
    Ok(Some((keys, wanted)))
}

/// Each parent's related items, by the parent's key.
pub(super) fn per_parent<K: Key, I: Clone>(
    keys: Keys<K>,
    mut by_key: HashMap<K, Vec<I>>,
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
    mut by_key: HashMap<K, I>,
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
    let mut remaining: HashMap<&K, usize> = HashMap::with_capacity(keys.len());
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

/// The parents of a one-to-many load: their keys.
pub(super) struct Parents<K> {
    pub keys: Keys<K>,
}

impl<K: Key> Parents<K> {
    /// Each parent's children: the related `children` rows decoded (with
    /// what is nested in them) as `layout` says, grouped by the parent key
    /// `key_of` reads from each, in the parents' order.
    pub(super) async fn children<C, S, N, E>(
        self,
        exec: &E,
        nested: &N,
        columns: &S,
        children: &[Row],
        layout: &Layout,
        key_of: impl Fn(&Row, &N::Item) -> Result<Option<K>, Error>,
    ) -> Result<Vec<Vec<N::Item>>, Error>
    where
        S: LoadColumns<C>,
        N: Item<C, S>,
        E: Executor + ?Sized,
    {
        let items = nested.items(exec, columns, children, layout).await?;
        let mut by_key: HashMap<K, Vec<N::Item>> = HashMap::with_capacity(self.keys.per_row.len());
        for (row, item) in children.iter().zip(items) {
            if let Some(key) = key_of(row, &item)? {
                by_key.entry(key).or_default().push(item);
            }
        }
        Ok(per_parent(self.keys, by_key))
    }
}

impl<K: Key> Parents<K> {
    /// Each parent's children, when an item is its row's columns alone
    /// ([`Item::ALONE`]): fetched by `options` `via` the `wanted` keys, each
    /// row decoded, grouped by the parent key `key_of` reads, and dropped
    /// as it arrives, so that one row's memory is reused for the next
    /// (measured in BENCHMARKS.md, "Peers").
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn stream_children<C, S, N, E>(
        self,
        exec: &E,
        options: &Options,
        via: Via,
        wanted: &Vec<K>,
        columns: &S,
        also: &[usize],
        key_of: impl Fn(&Row, &N::Item, &Layout) -> Result<Option<K>, Error>,
    ) -> Result<Vec<Vec<N::Item>>, Error>
    where
        C: Table,
        K: ToSql + Send + Sync,
        S: LoadColumns<C>,
        N: Item<C, S>,
        E: Executor + ?Sized,
    {
        debug_assert!(N::ALONE, "streamed only when nothing is nested");
        let mut by_key: HashMap<K, Vec<N::Item>> = HashMap::with_capacity(self.keys.per_row.len());
        options
            .fetch_each(exec, via, wanted, columns, also, |row, layout| {
                let item = N::decode_alone(columns, row, layout)?;
                if let Some(key) = key_of(row, &item, layout)? {
                    by_key.entry(key).or_default().push(item);
                }
                Ok(())
            })
            .await?;
        Ok(per_parent(self.keys, by_key))
    }
}

/// Decodes the related rows and what is loaded with them.
pub(super) async fn related_items<C: Table, S: LoadColumns<C>, N: With<C>, E: Executor + ?Sized>(
    exec: &E,
    nested: &N,
    columns: &S,
    rows: &[Row],
    layout: &Layout,
) -> Result<Vec<(S::Output, N::Output)>, Error> {
    let extra = nested.load(exec, rows, layout).await?;
    columns::decode_each_with(columns, rows, extra, layout)
}
