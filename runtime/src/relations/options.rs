//! What a loaded to-many relation fetches: a filter, an order, and a
//! limit per parent (the first `n` related rows of *each* parent, by a
//! window function, so only those rows leave the server).

use postgres_types::ToSql;
use tokio_postgres::Row;

use super::columns::{Layout, LoadColumns, write_list};
use crate::db::Executor;
use crate::error::Error;
use crate::query::{Built, Node, fetch_rows};
use crate::schema::TableDef;
use crate::table::Table;

/// The options of a `HasMany` or `ManyToMany` load.
#[derive(Default)]
pub(super) struct Options {
    pub filter: Option<Node>,
    pub order: Vec<(Node, &'static str)>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `offset + limit`: the last rank kept, when both are set.
    last: Option<i64>,
}

impl Options {
    /// Keeps at most `n` children of each parent.
    pub(super) fn set_limit(&mut self, n: i64) {
        self.limit = Some(n);
        self.last = Some(self.offset.unwrap_or(0).saturating_add(n));
    }

    /// Skips the first `n` children of each parent.
    pub(super) fn set_offset(&mut self, n: i64) {
        self.offset = Some(n);
        self.last = self.limit.map(|limit| n.saturating_add(limit));
    }

    /// The related rows of the parents with `keys`, reached `via` a
    /// foreign key or a link table, fetching `columns` of `C` and `also`
    /// (the keys the load reads):
    ///
    /// ```sql
    /// SELECT … FROM "posts" WHERE "posts"."author_id" = ANY($1) AND (filter) ORDER BY …
    /// ```
    ///
    /// or, with a limit or offset per parent, the same ranked by
    /// `row_number()` over each parent's related rows and cut there. Gives
    /// the rows and where `C`'s columns are in them. Through a link table,
    /// each row starts with the parent key it links to.
    pub(super) async fn fetch<'a, C, K, S, E>(
        &'a self,
        exec: &E,
        via: Via,
        keys: &'a Vec<K>,
        columns: &'a S,
        also: &[usize],
    ) -> Result<(Vec<Row>, Layout), Error>
    where
        C: Table,
        K: ToSql + Send + Sync,
        S: LoadColumns<C>,
        E: Executor + ?Sized,
    {
        let table = C::table();
        let (parent_table, parent_column) = via.parent_key(table);
        let linked = matches!(via, Via::Link { .. });
        let start = usize::from(linked);
        let mut out = Built::read();
        out.push("SELECT ");
        let layout = if self.offset.is_none() && self.limit.is_none() {
            if linked {
                out.qualified_column(parent_table, parent_column);
                out.push(", ");
            }
            let layout = write_list(columns, &mut out, linked, start, also);
            self.write_from(&mut out, via, table, keys);
            if !self.order.is_empty() {
                out.push(" ORDER BY ");
                out.order_list(&self.order);
            }
            layout
        } else {
            if linked {
                out.push(PARENT);
                out.push(", ");
            }
            let layout = write_list(columns, &mut out, false, start, also);
            out.push(" FROM (SELECT ");
            if linked {
                out.qualified_column(parent_table, parent_column);
                out.push(" AS ");
                out.push(PARENT);
                out.push(", ");
            }
            write_list(columns, &mut out, true, start, also);
            out.push(", row_number() OVER (PARTITION BY ");
            out.qualified_column(parent_table, parent_column);
            if !self.order.is_empty() {
                out.push(" ORDER BY ");
                out.order_list(&self.order);
            }
            out.push(") AS \"__pgtable_rank\"");
            self.write_from(&mut out, via, table, keys);
            out.push(") AS \"__pgtable_ranked\" WHERE ");
            match (&self.offset, &self.last, &self.limit) {
                (Some(offset), last, _) => {
                    out.push("\"__pgtable_rank\" > ");
                    out.copied(offset);
                    if let Some(last) = last {
                        out.push(" AND \"__pgtable_rank\" <= ");
                        out.copied(last);
                    }
                }
                (None, _, limit) => {
                    out.push("\"__pgtable_rank\" <= ");
                    out.copied(limit.as_ref().expect("a limit, as there is no offset"));
                }
            }
            out.push(" ORDER BY \"__pgtable_rank\"");
            layout
        };
        Ok((fetch_rows(exec, &out).await?, layout))
    }

    /// ` FROM … WHERE <parent key> = ANY($n) AND (filter)`.
    fn write_from<'a>(
        &'a self,
        out: &mut Built<'a>,
        via: Via,
        table: &'static TableDef,
        keys: &'a (dyn ToSql + Sync),
    ) {
        out.push(" FROM ");
        out.table(table);
        if let Via::Link {
            link,
            to,
            target_key,
            ..
        } = via
        {
            out.push(" INNER JOIN ");
            out.table(link);
            out.push(" ON ");
            out.qualified_column(link, to);
            out.push(" = ");
            out.qualified_column(table, target_key);
        }
        let (parent_table, parent_column) = via.parent_key(table);
        out.push(" WHERE ");
        out.qualified_column(parent_table, parent_column);
        out.push(" = ANY(");
        out.param(keys);
        out.push(")");
        if let Some(filter) = &self.filter {
            out.push(" AND (");
            out.node(filter);
            out.push(")");
        }
    }
}

/// The ranked subquery's name for the parent key of a linked row.
const PARENT: &str = "\"__pgtable_parent\"";

/// How related rows are reached from their parents' keys.
#[derive(Clone, Copy)]
pub(super) enum Via {
    /// The related table's own column holds the parent key.
    Column(&'static str),
    /// A link table's `from` holds the parent key, its `to` the related
    /// row's `target_key`.
    Link {
        link: &'static TableDef,
        from: &'static str,
        to: &'static str,
        target_key: &'static str,
    },
}

impl Via {
    /// The column holding the parent key, and its table.
    fn parent_key(self, related: &'static TableDef) -> (&'static TableDef, &'static str) {
        match self {
            Via::Column(column) => (related, column),
            Via::Link { link, from, .. } => (link, from),
        }
    }
}

/// The option setters of a to-many relation over related table `C` (the
/// same on `HasMany` and `ManyToMany`).
macro_rules! option_setters {
    ($c:ident) => {
        /// Loads only the related rows matching `condition`; called again,
        /// both must match.
        pub fn filter<X, I>(mut self, condition: $crate::query::Expr<X>) -> Self
        where
            X: $crate::query::Within<$c, I>,
        {
            $crate::query::and_into(&mut self.options.filter, condition.node);
            self
        }

        /// Orders each parent's related rows; called again, adds a key.
        pub fn order_by<X, I>(mut self, order: impl Into<$crate::query::Order<X>>) -> Self
        where
            X: $crate::query::Within<$c, I>,
        {
            let order = order.into();
            self.options.order.push((order.node, order.direction));
            self
        }

        /// Loads at most `n` related rows for *each* parent (the first `n`
        /// in the relation's order): only those rows are sent by the server.
        pub fn limit(mut self, n: i64) -> Self {
            self.options.set_limit(n);
            self
        }

        /// Skips the first `n` related rows of *each* parent (in the
        /// relation's order): with `limit`, a page of each parent's
        /// related rows.
        pub fn offset(mut self, n: i64) -> Self {
            self.options.set_offset(n);
            self
        }
    };
}

pub(super) use option_setters;
