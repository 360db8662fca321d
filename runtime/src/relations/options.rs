//! What a loaded to-many relation fetches: a filter, an order, and a
//! limit per parent (the first `n` related rows of *each* parent, by a
//! window function, so only those rows leave the server).

use postgres_types::ToSql;
use tokio_postgres::Row;

use super::columns::{Layout, LoadColumns, write_list};
use crate::db::Executor;
use crate::error::Error;
use crate::query::{Built, Node, each_row};
use crate::schema::TableDef;
use crate::sql::Direction;
use crate::table::Table;

/// The options of a `HasMany` or `ManyToMany` load.
#[derive(Default)]
pub(super) struct Options {
    pub filter: Option<Node>,
    pub order: Vec<(Node, Direction)>,
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
    /// (the keys the load reads): each row handed to `each` with where
    /// `C`'s columns are in it, as it arrives, and dropped then. Through a
    /// link table, each row starts with the parent key it links to.
    ///
    /// Without a limit or offset, one `WHERE key = ANY($1)` statement.
    /// With one, each parent's rows are cut on the server, in one of two
    /// ways, chosen by the schema (measured in BENCHMARKS.md,
    /// `relations_limited`): when an index of the schema starts with the
    /// column holding the parent key, a lateral subquery per parent key
    /// (`unnest($1) CROSS JOIN LATERAL (… LIMIT n)`), which reads only the
    /// rows it keeps; else `row_number()` over each parent's rows, which
    /// reads them all once instead of once per parent.
    pub(super) async fn fetch_each<'a, C, K, S, E>(
        &'a self,
        exec: &E,
        via: Via,
        keys: &'a Vec<K>,
        columns: &'a S,
        also: &[usize],
        mut each: impl FnMut(&Row, &Layout) -> Result<(), Error>,
    ) -> Result<(), Error>
    where
        C: Table,
        K: ToSql + Send + Sync,
        S: LoadColumns<C>,
        E: Executor + ?Sized,
    {
        let (out, layout) = self.statement(via, keys, columns, also);
        each_row(exec, &out, |row| each(row, &layout)).await
    }

    /// The statement of [`Options::fetch_each`], and where its columns are.
    fn statement<'a, C, K, S>(
        &'a self,
        via: Via,
        keys: &'a Vec<K>,
        columns: &'a S,
        also: &[usize],
    ) -> (Built<'a>, Layout)
    where
        C: Table,
        K: ToSql + Send + Sync,
        S: LoadColumns<C>,
    {
        let table = C::table();
        let related = Related {
            via,
            table,
            start: usize::from(via.is_link()),
        };
        let mut out = Built::read();
        let layout = if self.offset.is_none() && self.limit.is_none() {
            self.write_all(&mut out, related, keys, columns, also)
        } else if via.parent_key_indexed(table) {
            self.write_lateral(&mut out, related, keys, columns, also)
        } else {
            self.write_ranked(&mut out, related, keys, columns, also)
        };
        (out, layout)
    }

    /// `SELECT … FROM … WHERE key = ANY($1) AND (filter) ORDER BY …`.
    fn write_all<'a, C: Table, S: LoadColumns<C>>(
        &'a self,
        out: &mut Built<'a>,
        related: Related,
        keys: &'a (dyn ToSql + Sync),
        columns: &'a S,
        also: &[usize],
    ) -> Layout {
        let linked = related.via.is_link();
        out.push("SELECT ");
        if linked {
            related.parent_key(out);
            out.push(", ");
        }
        let layout = write_list(columns, out, linked, related.start, also);
        self.write_related(out, related, |out| any_of(out, keys));
        self.write_order(out);
        layout
    }

    /// Each parent's first rows by `row_number()` over its rows:
    ///
    /// ```sql
    /// SELECT … FROM (SELECT …, row_number() OVER (PARTITION BY key ORDER BY …)
    /// AS "__pgtable_rank" FROM … WHERE key = ANY($1)) AS "__pgtable_ranked"
    /// WHERE "__pgtable_rank" <= $2 ORDER BY "__pgtable_rank"
    /// ```
    fn write_ranked<'a, C: Table, S: LoadColumns<C>>(
        &'a self,
        out: &mut Built<'a>,
        related: Related,
        keys: &'a (dyn ToSql + Sync),
        columns: &'a S,
        also: &[usize],
    ) -> Layout {
        let linked = related.via.is_link();
        out.push("SELECT ");
        if linked {
            out.push(PARENT);
            out.push(", ");
        }
        let layout = write_list(columns, out, false, related.start, also);
        out.push(" FROM (SELECT ");
        if linked {
            related.parent_key(out);
            out.push(" AS ");
            out.push(PARENT);
            out.push(", ");
        }
        write_list(columns, out, true, related.start, also);
        out.push(", row_number() OVER (PARTITION BY ");
        related.parent_key(out);
        self.write_order(out);
        out.push(") AS \"__pgtable_rank\"");
        self.write_related(out, related, |out| any_of(out, keys));
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
    }

    /// Each parent's first rows by a lateral subquery per parent key,
    /// which an index on the key serves:
    ///
    /// ```sql
    /// SELECT "__pgtable_related".* FROM unnest($1::integer[]) AS "__pgtable_parent"("key")
    /// CROSS JOIN LATERAL (SELECT … FROM … WHERE key = "__pgtable_parent"."key"
    /// ORDER BY … LIMIT 5 OFFSET 10) AS "__pgtable_related"
    /// ```
    fn write_lateral<'a, C: Table, S: LoadColumns<C>>(
        &'a self,
        out: &mut Built<'a>,
        related: Related,
        keys: &'a (dyn ToSql + Sync),
        columns: &'a S,
        also: &[usize],
    ) -> Layout {
        out.push("SELECT ");
        if related.via.is_link() {
            out.push("\"__pgtable_parent\".\"key\", ");
        }
        out.push("\"__pgtable_related\".* FROM unnest(");
        out.param(keys);
        out.push("::");
        out.push(&related.parent_key_type().array().to_string());
        out.push(") AS \"__pgtable_parent\"(\"key\") CROSS JOIN LATERAL (SELECT ");
        let layout = write_list(columns, out, true, related.start, also);
        self.write_related(out, related, |out| out.push("\"__pgtable_parent\".\"key\""));
        self.write_order(out);
        // The limit and offset are written as numbers, not bound: the
        // planner must see them to read each parent's rows through the
        // index, and a cached statement's generic plan would not (measured:
        // 8.9 ms against 4.1 ms on relations_limited_indexed).
        if let Some(limit) = self.limit {
            out.push(" LIMIT ");
            out.push(&limit.to_string());
        }
        if let Some(offset) = self.offset {
            out.push(" OFFSET ");
            out.push(&offset.to_string());
        }
        out.push(") AS \"__pgtable_related\"");
        layout
    }

    /// ` FROM … WHERE <parent key> = <key> AND (filter)`: the related rows
    /// of the parent keys `key` writes.
    fn write_related<'a>(
        &'a self,
        out: &mut Built<'a>,
        related: Related,
        key: impl FnOnce(&mut Built<'a>),
    ) {
        self.write_from(out, related);
        out.push(" WHERE ");
        related.parent_key(out);
        out.push(" = ");
        key(out);
        self.write_filter(out);
    }

    /// ` FROM "c"`, or through a link table
    /// ` FROM "c" INNER JOIN "j" ON "j"."to" = "c"."target"`.
    fn write_from(&self, out: &mut Built<'_>, related: Related) {
        out.push(" FROM ");
        out.table(related.table);
        if let Via::Link {
            link,
            to,
            target_key,
            ..
        } = related.via
        {
            out.push(" INNER JOIN ");
            out.table(link);
            out.push(" ON ");
            out.qualified_column(link, to);
            out.push(" = ");
            out.qualified_column(related.table, target_key);
        }
    }

    /// ` AND (filter)`, when there is one.
    fn write_filter<'a>(&'a self, out: &mut Built<'a>) {
        if let Some(filter) = &self.filter {
            out.push(" AND (");
            out.node(filter);
            out.push(")");
        }
    }

    /// ` ORDER BY …`, when there is an order.
    fn write_order<'a>(&'a self, out: &mut Built<'a>) {
        if !self.order.is_empty() {
            out.push(" ORDER BY ");
            out.order_list(&self.order);
        }
    }
}

/// `ANY($n)` over the parents' keys.
fn any_of<'a>(out: &mut Built<'a>, keys: &'a (dyn ToSql + Sync)) {
    out.push("ANY(");
    out.param(keys);
    out.push(")");
}

/// The related table of a load, how it is reached, and where its columns
/// start in a row.
#[derive(Clone, Copy)]
struct Related {
    via: Via,
    table: &'static TableDef,
    start: usize,
}

impl Related {
    /// The column holding the parent key, qualified.
    fn parent_key(&self, out: &mut Built<'_>) {
        let (table, column) = self.via.parent_key(self.table);
        out.qualified_column(table, column);
    }

    /// The SQL type of the column holding the parent key.
    fn parent_key_type(&self) -> crate::typename::SqlTypeName {
        let (table, column) = self.via.parent_key(self.table);
        table
            .columns
            .iter()
            .find(|def| def.name == column)
            .expect("a relation's key column is a column of its table")
            .sql_type
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
    fn is_link(self) -> bool {
        matches!(self, Via::Link { .. })
    }

    /// Whether an index of the schema (a primary key, unique constraint
    /// or btree index) starts with the column holding the parent key.
    fn parent_key_indexed(self, related: &'static TableDef) -> bool {
        let (table, column) = self.parent_key(related);
        let leads = |columns: &[&str]| columns.first() == Some(&column);
        leads(table.primary_key)
            || table.unique.iter().any(|unique| leads(unique.columns))
            || table.indexes.iter().any(|index| {
                leads(index.columns)
                    && index
                        .using
                        .is_none_or(|using| using.eq_ignore_ascii_case("btree"))
            })
            || table
                .columns
                .iter()
                .any(|def| def.name == column && (def.primary_key || def.unique))
    }

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
