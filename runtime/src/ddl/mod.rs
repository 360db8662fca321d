//! The one DDL renderer. It draws from a [`Snapshot`] (the owned picture of
//! a schema), so `create_table()`, schema dumps and generated migrations
//! are written by the same code: the DDL statements of `ddl::statement`, each
//! written through the one SQL writer.
//!
//! The output follows drizzle-kit's layout and naming, so a database created
//! from a pgtable schema matches one created by Drizzle from the equivalent
//! `pgTable` definitions. Every identifier is double-quoted.

pub(crate) mod statement;

use crate::schema::{Schema, TableDef, ViewDef};
use crate::snapshot::{self, Snapshot};
pub use crate::sql::{full_name, quote_ident, quote_literal, table_name};
use crate::types::EnumDef;
use statement::Ddl;

/// The table's name as SQL refers to it: `"users"` or `"app"."users"`.
pub fn qualified_name(table: &TableDef) -> String {
    table_name(table.schema.unwrap_or("public"), table.name)
}

impl Schema {
    /// The DDL creating every schema namespace and table, ready for `psql`.
    pub fn to_sql(&self) -> String {
        render_snapshot(&Snapshot::of(self))
    }
}

/// The `CREATE TABLE` statement of one table, ending in `;`.
///
/// The layout is drizzle-kit's: one column per line, PostgreSQL naming a
/// single-column primary key (written on the column), and every other
/// constraint after the columns. Foreign keys and indexes are separate
/// statements.
pub fn create_table(table: &TableDef) -> String {
    Ddl::CreateTable(&snapshot::Table::from(table)).to_sql()
}

/// `CREATE TYPE "public"."status" AS ENUM('draft', 'published');`
pub fn create_enum(def: &EnumDef) -> String {
    Ddl::CreateEnum(&snapshot::Enum::from(def)).to_sql()
}

/// Every statement creating a snapshot's schema, in drizzle-kit's order:
/// the roles, `CREATE SCHEMA` for each named schema, sequences, the enum types, the
/// tables, every foreign key as `ALTER TABLE … ADD CONSTRAINT` (so cycles
/// work), the indexes, row-level security and its policies, then the
/// views in the order the schema adds them.
pub(crate) fn snapshot_statements(snapshot: &Snapshot) -> Vec<String> {
    let mut statements: Vec<String> = snapshot
        .roles
        .iter()
        .map(|role| Ddl::CreateRole(role).to_sql())
        .collect();
    let mut namespaces: Vec<&str> = Vec::new();
    let used = snapshot
        .enums
        .iter()
        .map(|e| e.schema.as_str())
        .chain(snapshot.tables.iter().map(|t| t.schema.as_str()))
        .chain(snapshot.views.iter().map(|v| v.schema.as_str()))
        .chain(snapshot.sequences.iter().map(|s| s.schema.as_str()));
    for ns in used {
        if ns != "public" && !namespaces.contains(&ns) {
            namespaces.push(ns);
            statements.push(Ddl::CreateSchema(ns).to_sql());
        }
    }
    statements.extend(
        snapshot
            .sequences
            .iter()
            .map(|s| Ddl::Sequence(s, true).to_sql()),
    );
    statements.extend(snapshot.enums.iter().map(|e| Ddl::CreateEnum(e).to_sql()));
    statements.extend(snapshot.tables.iter().map(|t| Ddl::CreateTable(t).to_sql()));
    for table in &snapshot.tables {
        statements.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| Ddl::AddForeignKey(table, fk).to_sql()),
        );
    }
    for table in &snapshot.tables {
        statements.extend(
            table
                .indexes
                .iter()
                .map(|index| Ddl::CreateIndex(table, index).to_sql()),
        );
    }
    for table in snapshot.tables.iter().filter(|t| t.rls) {
        statements.push(Ddl::RowLevelSecurity(statement::Name::of_table(table), true).to_sql());
        statements.extend(
            table
                .policies
                .iter()
                .map(|policy| Ddl::CreatePolicy(table, policy).to_sql()),
        );
    }
    statements.extend(snapshot.views.iter().map(|v| Ddl::CreateView(v).to_sql()));
    statements
}

/// `CREATE VIEW "public"."name" AS (…);` (or `CREATE MATERIALIZED VIEW`),
/// as drizzle-kit writes it.
pub fn create_view(def: &ViewDef) -> String {
    Ddl::CreateView(&snapshot::View::from(def)).to_sql()
}

/// [`snapshot_statements`] separated by blank lines, ready for `psql`.
pub(crate) fn render_snapshot(snapshot: &Snapshot) -> String {
    let mut out = snapshot_statements(snapshot).join("\n\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ColumnDef, UniqueDef};
    use crate::types::SqlTypeName;

    const COLUMNS: [ColumnDef; 3] = [
        ColumnDef::new("post_id", "post_id", SqlTypeName::builtin("integer"), false),
        ColumnDef::new("tag id", "tag_id", SqlTypeName::builtin("integer"), false),
        ColumnDef::new("weight", "weight", SqlTypeName::builtin("real"), true).default("1.0"),
    ];
    const UNIQUE: [UniqueDef; 1] = [UniqueDef::new(&["post_id", "weight"]).named("one_weight")];
    const POST_TAGS: TableDef = TableDef::new("post_tags", &COLUMNS)
        .schema("blog")
        .primary_key(&["post_id", "tag id"])
        .unique(&UNIQUE);

    #[test]
    fn composite_keys_and_named_constraints() {
        assert_eq!(
            create_table(&POST_TAGS),
            "CREATE TABLE \"blog\".\"post_tags\" (\n\
             \t\"post_id\" integer NOT NULL,\n\
             \t\"tag id\" integer NOT NULL,\n\
             \t\"weight\" real DEFAULT 1.0,\n\
             \tCONSTRAINT \"post_tags_post_id_tag id_pk\" PRIMARY KEY(\"post_id\",\"tag id\"),\n\
             \tCONSTRAINT \"one_weight\" UNIQUE(\"post_id\",\"weight\")\n\
             );"
        );
    }

    #[test]
    fn identifiers_are_escaped() {
        const COLS: [ColumnDef; 1] = [ColumnDef::new(
            "a\"; DROP TABLE x; --",
            "a",
            SqlTypeName::builtin("text"),
            false,
        )
        .unique()];
        const T: TableDef = TableDef::new("we\"ird", &COLS);
        assert_eq!(
            create_table(&T),
            "CREATE TABLE \"we\"\"ird\" (\n\
             \t\"a\"\"; DROP TABLE x; --\" text NOT NULL,\n\
             \tCONSTRAINT \"we\"\"ird_a\"\"; DROP TABLE x; --_unique\" UNIQUE(\"a\"\"; DROP TABLE x; --\")\n\
             );"
        );
    }
}
