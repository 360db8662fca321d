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

/// The distinct non-NULL keys of `rows`, in first-seen order.
pub(super) fn keys<T: Table, V: ForeignKey<K>, K: Key>(
    rows: &[Row],
    column: &Column<T, V>,
    offset: usize,
) -> Result<Vec<K>, Error> {
    let mut seen = std::collections::HashSet::new();
    let mut keys = Vec::new();
    for row in rows {
        if let Some(key) = read(row, column, offset)?.key()
            && seen.insert(key.clone())
        {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Each parent's related items, by the parent's key.
pub(super) fn per_parent<P: Table, K: Key, I: Clone>(
    rows: &[Row],
    key: &Column<P, K>,
    offset: usize,
    by_key: HashMap<K, Vec<I>>,
) -> Result<Vec<Vec<I>>, Error> {
    let keys = rows
        .iter()
        .map(|row| read(row, key, offset).map(Some))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(hand_out(keys, by_key)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// Gives each parent (by its key, `None` for no key) the item for that
/// key: moved to the last parent with the key, cloned for earlier ones, so
/// nothing is copied when keys are unique, as primary keys are.
pub(super) fn hand_out<K: Key, I: Clone>(
    keys: Vec<Option<K>>,
    mut by_key: HashMap<K, I>,
) -> Vec<Option<I>> {
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

/// The parent rows of a one-to-many load, and where their key is.
pub(super) struct Parents<'r, P, K> {
    pub rows: &'r [Row],
    pub key: &'r Column<P, K>,
    pub offset: usize,
}

impl<P: Table, K: Key> Parents<'_, P, K> {
    /// Each parent's children: the related `children` rows decoded (with
    /// what is nested in them) from `item_offset`, grouped by the parent key
    /// `key_of` reads from each, in the parents' order.
    pub(super) async fn children<C, N, E>(
        &self,
        exec: &E,
        nested: &N,
        children: &[Row],
        item_offset: usize,
        key_of: impl Fn(&Row) -> Result<Option<K>, Error>,
    ) -> Result<Vec<Vec<N::Item>>, Error>
    where
        N: Item<C>,
        E: Executor + ?Sized,
    {
        let items = nested.items(exec, children, item_offset).await?;
        let mut by_key: HashMap<K, Vec<N::Item>> = HashMap::new();
        for (row, item) in children.iter().zip(items) {
            if let Some(key) = key_of(row)? {
                by_key.entry(key).or_default().push(item);
            }
        }
        per_parent(self.rows, self.key, self.offset, by_key)
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
