//! What a loaded one-to-many relation fetches: a filter, an order, and a
//! limit per parent (the first `n` children of *each* parent, by a window
//! function, so only those rows leave the server).

use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::db::Executor;
use crate::error::Error;
use crate::query::{Built, Node, fetch_rows};
use crate::table::{Column, Table};

/// The options of a `HasMany` load.
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
    /// Whether the plain load will do.
    pub(super) fn is_plain(&self) -> bool {
        self.filter.is_none()
            && self.order.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
    }

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

    /// The children of the parents with `keys`:
    ///
    /// ```sql
    /// SELECT … FROM "posts" WHERE "posts"."author_id" = ANY($1) AND (filter) ORDER BY …
    /// ```
    ///
    /// or, with a limit per parent, the same ranked by `row_number()` over
    /// each parent's children and cut at the limit.
    pub(super) async fn fetch<C, V, K, E>(
        &self,
        exec: &E,
        foreign_key: Column<C, V>,
        keys: Vec<K>,
    ) -> Result<Vec<Row>, Error>
    where
        C: Table,
        K: ToSql + Send + Sync,
        E: Executor + ?Sized,
    {
        let table = C::table();
        let mut out = Built::read();
        out.push("SELECT ");
        out.column_list(table, false);
        out.push(" FROM ");
        match (&self.offset, &self.last, &self.limit) {
            (None, _, None) => {
                out.table(table);
                self.write_where(&mut out, table, foreign_key.name(), &keys);
                if !self.order.is_empty() {
                    out.push(" ORDER BY ");
                    out.order_list(&self.order);
                }
            }
            (offset, last, limit) => {
                out.push("(SELECT ");
                out.column_list(table, true);
                out.push(", row_number() OVER (PARTITION BY ");
                out.qualified_column(table, foreign_key.name());
                if !self.order.is_empty() {
                    out.push(" ORDER BY ");
                    out.order_list(&self.order);
                }
                out.push(") AS \"__pgtable_rank\" FROM ");
                out.table(table);
                self.write_where(&mut out, table, foreign_key.name(), &keys);
                out.push(") AS \"__pgtable_ranked\" WHERE ");
                match offset {
                    Some(offset) => {
                        out.push("\"__pgtable_rank\" > ");
                        out.copied(offset);
                        if let Some(last) = last {
                            out.push(" AND \"__pgtable_rank\" <= ");
                            out.copied(last);
                        }
                    }
                    None => {
                        out.push("\"__pgtable_rank\" <= ");
                        out.copied(limit.as_ref().expect("a limit, as there is no offset"));
                    }
                }
                out.push(" ORDER BY \"__pgtable_rank\"");
            }
        }
        fetch_rows(exec, &out).await
    }

    fn write_where<'a>(
        &'a self,
        out: &mut Built<'a>,
        table: &'static crate::schema::TableDef,
        foreign_key: &'static str,
        keys: &'a (dyn ToSql + Sync),
    ) {
        out.push(" WHERE ");
        out.qualified_column(table, foreign_key);
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
