//! What every relation load does: collect the parents' keys, fetch the
//! related rows, and hand each parent its own.

use std::collections::HashMap;

use tokio_postgres::Row;

use super::{ForeignKey, Item, Key, With};
use crate::db::Executor;
use crate::error::Error;
use crate::query::TableQueries;
use crate::table::{Column, Table};
use crate::types::SqlType;

pub(super) fn read<V: SqlType, T: Table>(
    row: &Row,
    column: &Column<T, V>,
    offset: usize,
) -> Result<V, Error> {
    Ok(V::__decode(
        row,
        offset + column.index(),
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

/// The keys of `rows` in `column`.
pub(super) fn keys<T: Table, V: ForeignKey<K>, K: Key>(
    rows: &[Row],
    column: &Column<T, V>,
    offset: usize,
) -> Result<Keys<K>, Error> {
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    let mut distinct = Vec::with_capacity(rows.len());
    let mut per_row = Vec::with_capacity(rows.len());
    for row in rows {
        let key = read(row, column, offset)?.key();
        if let Some(key) = &key
            && seen.insert(key.clone())
        {
            distinct.push(key.clone());
        }
        per_row.push(key);
    }
    let unique = distinct.len() == per_row.iter().flatten().count();
    Ok(Keys {
        per_row,
        distinct,
        unique,
    })
}

/// The parents' keys, and the distinct keys to fetch their related rows by.
pub(super) type ToFetch<K> = (Keys<K>, Vec<K>);

/// The keys of `rows` in `column`, and apart from them the distinct keys to
/// fetch the related rows by; `None` when no row has a key.
pub(super) fn parent_keys<T: Table, V: ForeignKey<K>, K: Key>(
    rows: &[Row],
    column: &Column<T, V>,
    offset: usize,
) -> Result<Option<ToFetch<K>>, Error> {
    let mut keys = keys(rows, column, offset)?;
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
    /// what is nested in them) from `item_offset`, grouped by the parent key
    /// `key_of` reads from each, in the parents' order.
    pub(super) async fn children<C, N, E>(
        self,
        exec: &E,
        nested: &N,
        children: &[Row],
        item_offset: usize,
        key_of: impl Fn(&Row, &N::Item) -> Result<Option<K>, Error>,
    ) -> Result<Vec<Vec<N::Item>>, Error>
    where
        N: Item<C>,
        E: Executor + ?Sized,
    {
        let items = nested.items(exec, children, item_offset).await?;
        let mut by_key: HashMap<K, Vec<N::Item>> = HashMap::with_capacity(self.keys.per_row.len());
        for (row, item) in children.iter().zip(items) {
            if let Some(key) = key_of(row, &item)? {
                by_key.entry(key).or_default().push(item);
            }
        }
        Ok(per_parent(self.keys, by_key))
    }
}

/// Decodes the related rows and what is loaded with them.
pub(super) async fn related_items<C: Table + Clone, N: With<C>, E: Executor + ?Sized>(
    exec: &E,
    nested: &N,
    rows: &[Row],
    offset: usize,
) -> Result<Vec<(C, N::Output)>, Error> {
    let extra = nested.load(exec, rows, offset).await?;
    rows.iter()
        .zip(extra)
        .map(|(row, extra)| Ok((C::from_row_at(row, offset)?, extra)))
        .collect()
}

/// The related rows of table `C` whose `column` is one of `keys`, in the
/// order the database returns them. (Sorting them would cost the server
/// more than the rest of the load: order them in Rust if it matters.)
pub(super) async fn fetch_related<C, V, K, E>(
    exec: &E,
    column: Column<C, V>,
    keys: Vec<K>,
) -> Result<Vec<Row>, Error>
where
    C: Table,
    K: Key + crate::query::Operand<C, V>,
    E: Executor + ?Sized,
{
    C::select()
        .filter(column.is_in(keys))
        .fetch_rows(exec)
        .await
}
