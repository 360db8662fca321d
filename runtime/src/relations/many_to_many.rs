//! Many-to-many: each parent has many related rows through a link table.

use futures_util::future::BoxFuture;
use postgres_types::ToSql;
use tokio_postgres::Row;

use super::group::{Fetch, read, to_fetch};
use super::options::{Options, Via};
use super::{ForeignKey, Item, Key, Layout, LoadColumns, Nested, Plain, With};
use crate::db::Executor;
use crate::error::Error;
use crate::query::All;
use crate::table::{Column, Table};

/// Each row of `P` has many rows of `C` through link table `J`:
/// `J::from` holds `P`'s key `K`, `J::to` holds `C`'s key `L`. `N` is
/// what is nested in each related row, `S` which of its columns are
/// fetched.
pub struct ManyToMany<P, J, C, K, L, N = Plain, S = All> {
    pub(super) key: Column<P, K>,
    pub(super) from: Column<J, K>,
    pub(super) to: Column<J, L>,
    pub(super) target: Column<C, L>,
    nested: N,
    columns: S,
    options: Options,
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key> ManyToMany<P, J, C, K, L> {
    /// `P::key` = `J::from`, and `J::to` = `C::target`.
    pub fn new(
        key: Column<P, K>,
        from: Column<J, K>,
        to: Column<J, L>,
        target: Column<C, L>,
    ) -> Self {
        ManyToMany {
            key,
            from,
            to,
            target,
            nested: Plain,
            columns: All,
            options: Options::default(),
        }
    }
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key, S> ManyToMany<P, J, C, K, L, Plain, S> {
    /// Loads `with` for each related row too: each item becomes
    /// `(row, output)`.
    pub fn with<W: With<C>>(self, with: W) -> ManyToMany<P, J, C, K, L, Nested<W>, S> {
        ManyToMany {
            key: self.key,
            from: self.from,
            to: self.to,
            target: self.target,
            nested: Nested(with),
            columns: self.columns,
            options: self.options,
        }
    }
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key, N> ManyToMany<P, J, C, K, L, N> {
    /// Fetches only these columns of each related row: one column or a
    /// tuple, decoded into their values.
    pub fn columns<S: LoadColumns<C>>(self, columns: S) -> ManyToMany<P, J, C, K, L, N, S> {
        ManyToMany {
            key: self.key,
            from: self.from,
            to: self.to,
            target: self.target,
            nested: self.nested,
            columns,
            options: self.options,
        }
    }
}

impl<P: Table, J: Table, C: Table, K: Key, L: Key, N, S> ManyToMany<P, J, C, K, L, N, S> {
    super::options::option_setters!(C);
}

impl<P, J, C, K, L, N, S> With<P> for ManyToMany<P, J, C, K, L, N, S>
where
    P: Table,
    J: Table,
    C: Table,
    K: Key + ToSql + Send + Sync,
    L: Key,
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
            // One statement: the related rows, each after the key it links to.
            // SELECT "j"."from", "c".… FROM "c" INNER JOIN "j" ON "j"."to" = "c"."target"
            // WHERE "j"."from" = ANY($1)
            let link = J::table();
            let via = Via::Link {
                link,
                from: self.from.name(),
                to: self.to.name(),
                target_key: self.target.name(),
            };
            let mut also = Vec::new();
            self.nested.needs(&mut also);
            // The key each related row links to comes first in it.
            let linked_key = |row: &Row, _: &S::Output, _: &Layout| -> Result<Option<K>, Error> {
                let type_name = std::any::type_name::<K>();
                Ok(Some(K::__decode(
                    row,
                    0,
                    link,
                    self.from.index(),
                    type_name,
                )?))
            };
            let fetch = Fetch {
                options: &self.options,
                via,
                wanted: &wanted,
                columns: &self.columns,
                also: &also,
            };
            fetch
                .children::<C, N, E>(exec, &self.nested, keys, linked_key)
                .await
        })
    }
}
