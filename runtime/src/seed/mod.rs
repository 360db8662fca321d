//! Seeding (drizzle-seed for Rust): deterministic, realistic rows for
//! every table of a [`Schema`], chosen from its metadata.
//!
//! ```no_run
//! # use pgtable::prelude::*;
//! use pgtable::Seeder;
//! # #[table(name = "users")] pub struct User { #[column(primary_key, identity)] pub id: i64, pub email: String }
//! # async fn run(db: &Db) -> Result<(), pgtable::Error> {
//! let schema = Schema::new().table::<User>();
//! Seeder::new(&schema).seed(42).count::<User>(1_000).run(db).await?;
//! # Ok(()) }
//! ```
//!
//! - Every column gets a value from its type (`varchar(N)` length, numeric
//!   precision, enum values, arrays, jsonb), its name (`email`, `name`,
//!   `city`, `url`, `title`, `created_at` in the past…) and its
//!   nullability (NULL at [`Seeder::null_ratio`]). Identity, serial and
//!   generated columns are left to the server.
//! - Uniques, single and composite, never repeat; a foreign key points at
//!   a row of its table seeded before (tables go in dependency order), at
//!   random or, with [`Seeder::children`], a number of rows per parent. A
//!   key to a table not seeded yet (a cycle, or the table itself) is NULL,
//!   or refused with an error when the column is NOT NULL.
//! - Checks: an integer range (`rating BETWEEN 1 AND 5`, `>=`, `<`) and
//!   `<> ''` are honoured; a column named by any other check needs a
//!   generator, and the error says so before anything is inserted.
//! - The same seed gives the same rows: values come from a ChaCha8 stream
//!   per table, seeded from the seed number and the table's name, and
//!   times are counted back from a fixed date, not from now.
//!
//! Rows go in by binary `COPY`, each value encoded for its column's type
//! as the server reports it. All tables are seeded in one transaction: on
//! an error nothing is left.

mod checks;
mod children;
mod copy;
mod encode;
mod generate;

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

use bytes::{Bytes, BytesMut};
use postgres_types::{IsNull, ToSql, Type};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::db::Db;
use crate::error::Error;
use crate::query::sql;
use crate::relations::HasMany;
use crate::schema::{ColumnDef, Schema, TableDef};
use crate::sql::SqlWriter;
use crate::table::{Column, Table};
use crate::transaction::Transaction;
use children::Children;
use encode::EncodeError;
use generate::Kind;

/// A generator given by hand: encodes the value of a column for row `i`
/// for the column's type; `Ok(true)` for NULL.
type Custom = Box<
    dyn Fn(&mut ChaCha8Rng, usize, &Type, &mut BytesMut) -> Result<bool, EncodeError> + Send + Sync,
>;

/// A table's or a column's key: (schema, table[, column]).
type TableKey = (Option<&'static str>, &'static str);

/// One row's values, encoded; `None` is NULL.
type Row = Vec<Option<Bytes>>;

/// Builds and runs a seeding of a schema's tables.
pub struct Seeder<'s> {
    schema: &'s Schema,
    seed: u64,
    default_count: usize,
    counts: HashMap<TableKey, usize>,
    null_ratio: f64,
    custom: HashMap<(TableKey, &'static str), Custom>,
    children: HashMap<TableKey, Children>,
}

/// What [`Seeder::run`] inserted: (table, rows), in the order seeded.
pub type SeedReport = Vec<(&'static str, usize)>;

impl<'s> Seeder<'s> {
    /// Seeds every table of `schema`: 10 rows each unless
    /// [`count`](Self::count) says otherwise, seed 0.
    pub fn new(schema: &'s Schema) -> Self {
        Seeder {
            schema,
            seed: 0,
            default_count: 10,
            counts: HashMap::new(),
            null_ratio: 0.1,
            custom: HashMap::new(),
            children: HashMap::new(),
        }
    }

    /// The seed number: the same number gives the same rows.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many rows `T` gets.
    pub fn count<T: Table>(mut self, rows: usize) -> Self {
        let table = T::table();
        self.counts.insert((table.schema, table.name), rows);
        self
    }

    /// How many rows the table named `name` (`posts`, or `app.posts`
    /// outside `public`) gets: [`count`](Self::count) for a name read at
    /// run time, as `db seed --count posts=500` does. An unknown name is
    /// an error listing the schema's tables.
    pub fn count_table(mut self, name: &str, rows: usize) -> Result<Self, Error> {
        let found = self.schema.tables().iter().find(|t| {
            name == t.name || t.schema.is_some_and(|s| name == format!("{s}.{}", t.name))
        });
        match found {
            Some(table) => {
                self.counts.insert((table.schema, table.name), rows);
                Ok(self)
            }
            None => {
                let names: Vec<&str> = self.schema.tables().iter().map(|t| t.name).collect();
                Err(Error::Config(format!(
                    "no table \"{name}\" in the schema to seed; its tables are: {}",
                    names.join(", ")
                )))
            }
        }
    }

    /// Gives each row of the relation's parent table between
    /// `per_parent` rows of its child table:
    /// `.children(User::posts(), 0..=10)` seeds 0 to 10 posts for each
    /// user, and as many posts as that adds up to (the child table's
    /// [`count`](Self::count) is not used). One relation per child table:
    /// a second call for the same table replaces the first.
    pub fn children<P: Table, C: Table, K, V, N, S>(
        mut self,
        relation: HasMany<P, C, K, V, N, S>,
        per_parent: RangeInclusive<usize>,
    ) -> Self {
        let table = C::table();
        let column = relation.foreign_key_name();
        self.children
            .insert((table.schema, table.name), Children { column, per_parent });
        self
    }

    /// How many rows a table gets when [`count`](Self::count) does not say.
    pub fn default_count(mut self, rows: usize) -> Self {
        self.default_count = rows;
        self
    }

    /// The share of NULLs in nullable columns (0.0 to 1.0; 0.1 unless set).
    pub fn null_ratio(mut self, ratio: f64) -> Self {
        self.null_ratio = ratio.clamp(0.0, 1.0);
        self
    }

    /// Generates `column` by hand: `f(rng, i)` is row `i`'s value, of the
    /// field's own type (`i` counts from 0, so
    /// `format!("user{i}@example.com")` is unique). A typed jsonb field
    /// takes `Some(Json(PostMeta { .. }))`, an enum field its variants, an
    /// `Option` field `None` for NULL.
    pub fn column<T: Table, V, F>(mut self, column: Column<T, V>, f: F) -> Self
    where
        V: ToSql,
        F: Fn(&mut ChaCha8Rng, usize) -> V + Send + Sync + 'static,
    {
        let table = T::table();
        let key = ((table.schema, table.name), column.name());
        let encode = move |rng: &mut ChaCha8Rng, i, ty: &Type, buf: &mut BytesMut| {
            Ok(matches!(f(rng, i).to_sql_checked(ty, buf)?, IsNull::Yes))
        };
        self.custom.insert(key, Box::new(encode));
        self
    }

    fn custom(&self, table: &TableDef, column: &'static str) -> Option<&Custom> {
        self.custom.get(&((table.schema, table.name), column))
    }

    /// Inserts the rows, all tables in one transaction, parents first.
    pub async fn run(&self, db: &Db) -> Result<SeedReport, Error> {
        let tables = self.schema.tables_in_dependency_order();
        // Every table's plan first: a column with no generator is an
        // error before anything is sent.
        let plans = tables
            .iter()
            .map(|t| self.plan(t))
            .collect::<Result<Vec<_>, _>>()?;
        let tx = db.begin().await?;
        let mut report = Vec::new();
        let mut seeded: Vec<&'static TableDef> = Vec::new();
        for (table, plan) in tables.iter().zip(&plans) {
            let rows = self.table_rows(&tx, table, plan, &seeded).await?;
            report.push((table.name, rows));
            seeded.push(table);
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Empties every table of the schema (`TRUNCATE … RESTART IDENTITY
    /// CASCADE`), for test set-up.
    pub async fn reset(&self, db: &Db) -> Result<(), Error> {
        let mut w = SqlWriter::new();
        w.push("TRUNCATE ");
        for (i, table) in self.schema.tables().iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.table_name(table.schema.unwrap_or("public"), table.name);
        }
        w.push(" RESTART IDENTITY CASCADE");
        if self.schema.tables().is_empty() {
            return Ok(());
        }
        sql(w.into_sql()).execute(db).await?;
        Ok(())
    }

    fn rows_for(&self, table: &TableDef) -> usize {
        *self
            .counts
            .get(&(table.schema, table.name))
            .unwrap_or(&self.default_count)
    }

    /// Which columns get values, and how.
    fn plan(&self, table: &'static TableDef) -> Result<Vec<Planned>, Error> {
        let mut ranges: HashMap<String, (i64, i64)> = HashMap::new();
        for check in table.checks {
            let custom = |c: &ColumnDef| self.custom(table, c.name).is_some();
            match checks::understand(check.expr) {
                Some(understood) => {
                    for (column, lo, hi) in understood.ranges {
                        let range = ranges.entry(column).or_insert((i64::MIN, i64::MAX));
                        *range = (range.0.max(lo), range.1.min(hi));
                    }
                }
                None => {
                    let named = table
                        .columns
                        .iter()
                        .find(|c| mentions(check.expr, c.name) && !custom(c));
                    if let Some(column) = named {
                        return Err(no_generator(
                            table,
                            column,
                            &format!("check `{}` is not one seeding understands", check.expr),
                        ));
                    }
                }
            }
        }
        let mut planned = Vec::new();
        for column in table.columns {
            // The server numbers identity and serial columns and computes
            // generated ones.
            if column.generated.is_some()
                || column.serial
                || column.identity
                || column.identity_by_default
            {
                continue;
            }
            let custom = self.custom(table, column.name).is_some();
            let foreign = table
                .foreign_keys
                .iter()
                .position(|fk| fk.columns.contains(&column.name));
            let kind = match (custom, foreign) {
                (false, None) => {
                    let mut kind = generate::kind_of(column).ok_or_else(|| {
                        no_generator(table, column, &format!("type {}", column.sql_type))
                    })?;
                    match (&mut kind, ranges.get(column.name)) {
                        (Kind::Int { min, max }, Some((lo, hi))) => {
                            *min = (*min).max(*lo);
                            *max = (*max).min(*hi);
                        }
                        (Kind::Numeric { range, .. }, Some(&(lo, hi))) => {
                            // Open ends stay within what the column holds.
                            *range = Some((lo.max(-999), hi.min(999).max(lo.max(-999))));
                        }
                        _ => {}
                    }
                    Some(kind)
                }
                _ => None,
            };
            planned.push(Planned {
                column,
                kind,
                foreign,
            });
        }
        Ok(planned)
    }

    async fn table_rows(
        &self,
        tx: &Transaction,
        table: &'static TableDef,
        plan: &[Planned],
        seeded: &[&'static TableDef],
    ) -> Result<usize, Error> {
        if plan.is_empty() {
            return Ok(0);
        }
        // The keys each foreign key can point at: rows seeded before.
        let mut parents: Vec<Option<Vec<Vec<Bytes>>>> = Vec::new();
        for fk in table.foreign_keys {
            let target = fk.foreign_table();
            if seeded.iter().any(|t| t.is(target)) {
                parents.push(Some(copy::keys(tx, target, fk.foreign_columns).await?));
            } else {
                parents.push(None);
            }
        }
        let mut seed = [0_u8; 32];
        seed[..8].copy_from_slice(&self.seed.to_le_bytes());
        for (i, b) in table.name.bytes().enumerate() {
            seed[8 + i % 24] ^= b;
        }
        let mut rng = ChaCha8Rng::from_seed(seed);
        let assigned = match self.children.get(&(table.schema, table.name)) {
            Some(children) => Some(children.assign(&mut rng, table, &parents)?),
            None => None,
        };
        let rows = match &assigned {
            Some((_, parents)) => parents.len(),
            None => self.rows_for(table),
        };
        if rows == 0 {
            return Ok(0);
        }
        let names: Vec<&str> = plan.iter().map(|p| p.column.name).collect();
        let types = copy::column_types(tx, table, &names).await?;
        let mut making = Generating {
            rng,
            assigned,
            buf: BytesMut::new(),
            table,
            plan,
            types: &types,
            parents: &parents,
        };
        let uniques = unique_sets(table, plan);
        let mut seen: Vec<HashSet<Vec<Option<Bytes>>>> = vec![HashSet::new(); uniques.len()];
        let mut out: Vec<Row> = Vec::with_capacity(rows);
        for i in 0..rows {
            let mut attempt = 0;
            let row = loop {
                let row = self.row(&mut making, i, attempt)?;
                let keys: Vec<Vec<Option<Bytes>>> = uniques
                    .iter()
                    .map(|set| set.iter().map(|&p| row[p].clone()).collect())
                    .collect();
                let fresh = keys
                    .iter()
                    .zip(&seen)
                    .all(|(key, seen)| key.iter().any(Option::is_none) || !seen.contains(key));
                if fresh {
                    for (key, seen) in keys.into_iter().zip(&mut seen) {
                        seen.insert(key);
                    }
                    break row;
                }
                attempt += 1;
                if attempt > 100 {
                    return Err(Error::Config(format!(
                        "seeding \"{}\": no unused value left for a unique constraint after {i} rows: ask for fewer rows (`count`), or seed more rows in the tables it references",
                        table.name
                    )));
                }
            };
            out.push(row);
        }
        copy::copy_binary(tx, table, &names, &out).await?;
        Ok(rows)
    }

    fn row(&self, making: &mut Generating<'_>, i: usize, attempt: usize) -> Result<Row, Error> {
        let table = making.table;
        // One parent row per foreign key, shared by its columns.
        let mut chosen: Vec<Option<usize>> = Vec::with_capacity(making.parents.len());
        for (n, (fk, keys)) in table.foreign_keys.iter().zip(making.parents).enumerate() {
            if let Some((assigned_fk, parents)) = &making.assigned
                && *assigned_fk == n
            {
                chosen.push(Some(parents[i]));
                continue;
            }
            let nullable = fk
                .columns
                .iter()
                .all(|name| table.columns.iter().any(|c| c.name == *name && c.nullable));
            let rng = &mut making.rng;
            chosen.push(match keys {
                Some(keys) if !keys.is_empty() => {
                    if nullable && generate::below(rng, 1000) < self.per_mille() {
                        None
                    } else if attempt == 0 && i < keys.len() && one_to_one(table, fk.columns) {
                        Some(i)
                    } else {
                        Some(generate::below(rng, keys.len() as u64) as usize)
                    }
                }
                _ if nullable => None,
                _ => {
                    return Err(Error::Config(format!(
                        "seeding \"{}\": its foreign key to \"{}\" has no rows to point at (a cycle, or none seeded) and is NOT NULL: make it nullable, or seed with `column(..)` for {:?}",
                        table.name,
                        fk.foreign_table().name,
                        fk.columns
                    )));
                }
            });
        }
        let mut row = Vec::with_capacity(making.plan.len());
        for (p, ty) in making.plan.iter().zip(making.types) {
            let column = p.column;
            let unique = is_unique_alone(table, column.name);
            let rng = &mut making.rng;
            let encoded = if let Some(custom) = self.custom(table, column.name) {
                let null = custom(rng, i, ty, &mut making.buf).map_err(|err| {
                    bad_value(table, column, ty, &format!("its generator's value: {err}"))
                })?;
                (!null).then_some(())
            } else if let Some(fk) = p.foreign {
                let position = table.foreign_keys[fk]
                    .columns
                    .iter()
                    .position(|c| *c == column.name)
                    .unwrap_or(0);
                row.push(match (&making.parents[fk], chosen[fk]) {
                    (Some(keys), Some(k)) => Some(keys[k][position].clone()),
                    _ => None,
                });
                continue;
            } else if column.nullable && !unique && generate::below(rng, 1000) < self.per_mille() {
                None
            } else if let Some(kind) = &p.kind {
                let n = i + attempt * 1_000_003;
                let names = (table.name, column.name);
                let value = if column.sql_type.array_dims() > 0 {
                    generate::array(rng, kind, names)
                } else {
                    generate::value(rng, kind, names, n, unique || attempt > 0)
                };
                encode::encode(&value, ty, &mut making.buf)
                    .map_err(|err| bad_value(table, column, ty, &err.to_string()))?;
                Some(())
            } else {
                None
            };
            let value = making.buf.split().freeze();
            if value.len() > i32::MAX as usize {
                return Err(bad_value(table, column, ty, "over 2 GiB"));
            }
            row.push(encoded.map(|()| value));
        }
        Ok(row)
    }

    fn per_mille(&self) -> u64 {
        (self.null_ratio * 1000.0) as u64
    }
}

/// What making one table's rows works with.
struct Generating<'a> {
    rng: ChaCha8Rng,
    /// From [`Seeder::children`]: a foreign key (its index) and each row's
    /// parent (an index into its keys).
    assigned: Option<(usize, Vec<usize>)>,
    /// Values are encoded here, then split off.
    buf: BytesMut,
    table: &'static TableDef,
    plan: &'a [Planned],
    /// The server's type of each planned column.
    types: &'a [Type],
    /// Per foreign key, the keys it can point at (`None`: not seeded).
    parents: &'a [Option<Vec<Vec<Bytes>>>],
}

/// One column that gets values: from a generator of `kind`, a foreign key
/// (`foreign`, its position in the table's keys), or a custom one.
struct Planned {
    column: &'static ColumnDef,
    kind: Option<Kind>,
    foreign: Option<usize>,
}

fn bad_value(table: &TableDef, column: &ColumnDef, ty: &Type, why: &str) -> Error {
    Error::Config(format!(
        "seeding \"{}\": a value for column \"{}\" (of type {ty}) cannot be sent: {why}",
        table.name, column.name
    ))
}

fn no_generator(table: &TableDef, column: &ColumnDef, why: &str) -> Error {
    Error::Config(format!(
        "seeding \"{}\": no generator for column \"{}\" ({why}): set one with `.column(YourStruct::{}, |rng, i| …)`",
        table.name,
        column.name,
        column.field.to_uppercase()
    ))
}

/// Whether `expr` names `column` as a word.
fn mentions(expr: &str, column: &str) -> bool {
    expr.match_indices(column).any(|(at, _)| {
        let before = expr[..at].chars().next_back();
        let after = expr[at + column.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// The positions in `plan` of each unique set (primary key, uniques,
/// unique indexes) whose columns all get values here.
fn unique_sets(table: &TableDef, plan: &[Planned]) -> Vec<Vec<usize>> {
    let position = |name: &str| plan.iter().position(|p| p.column.name == name);
    let mut sets: Vec<&[&str]> = vec![table.primary_key];
    sets.extend(table.unique.iter().map(|u| u.columns));
    sets.extend(
        table
            .indexes
            .iter()
            .filter(|i| i.unique && i.predicate.is_none())
            .map(|i| i.columns),
    );
    let singles = table.columns.iter().filter(|c| c.unique || c.primary_key);
    let mut out: Vec<Vec<usize>> = singles
        .filter_map(|c| Some(vec![position(c.name)?]))
        .collect();
    for set in sets.into_iter().filter(|s| !s.is_empty()) {
        if let Some(positions) = set.iter().map(|c| position(c)).collect::<Option<Vec<_>>>() {
            out.push(positions);
        }
    }
    out
}

/// Whether `column` alone must be unique.
fn is_unique_alone(table: &TableDef, column: &str) -> bool {
    one_to_one(table, &[column])
}

/// Whether exactly `columns` are unique together (a one-to-one key).
fn one_to_one(table: &TableDef, columns: &[&str]) -> bool {
    let single = columns.len() == 1
        && table
            .columns
            .iter()
            .any(|c| c.name == columns[0] && (c.unique || c.primary_key));
    single || table.primary_key == columns || table.unique.iter().any(|u| u.columns == columns)
}
