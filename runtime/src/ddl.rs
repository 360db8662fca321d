//! The one DDL renderer. It draws from a [`Snapshot`] (the owned picture of
//! a schema), so `create_table()`, schema dumps and generated migrations
//! are written by the same code.
//!
//! The output follows drizzle-kit's layout and naming, so a database created
//! from a pgtable schema matches one created by Drizzle from the equivalent
//! `pgTable` definitions. Every identifier is double-quoted.

use crate::schema::{Schema, TableDef};
use crate::snapshot::{self, Snapshot};
pub use crate::sql::{full_name, quote_ident, quote_literal, table_name};
use crate::sql::{push_ident, push_ident_list};
use crate::types::EnumDef;

/// The table's name as SQL refers to it: `"users"` or `"app"."users"`.
pub fn qualified_name(table: &TableDef) -> String {
    table_name(table.schema.unwrap_or("public"), table.name)
}

impl Schema {
    /// The DDL creating every schema namespace and table, ready for `psql`.
    pub fn to_sql(&self) -> String {
        create_schema(self)
    }
}

/// The `CREATE TABLE` statement of one table, ending in `;`.
pub fn create_table(table: &TableDef) -> String {
    render_table(&snapshot::Table::from(table))
}

/// The `CREATE TABLE` statement of a table in a snapshot.
///
/// The layout is drizzle-kit's: one column per line, PostgreSQL naming a
/// single-column primary key (written on the column), and every other
/// constraint after the columns. Foreign keys and indexes are separate
/// statements ([`add_foreign_key`], [`create_index`]).
pub(crate) fn render_table(table: &snapshot::Table) -> String {
    let mut out = String::from("CREATE TABLE ");
    out.push_str(&table_name(&table.schema, &table.name));
    out.push_str(" (\n");

    let inline_pk = table.inline_primary_key();
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_definition(c, inline_pk == Some(c.name.as_str())))
        .collect();
    if let Some(pk) = table.primary_key.as_ref().filter(|_| inline_pk.is_none()) {
        lines.push(primary_key_constraint(pk));
    }
    lines.extend(table.uniques.iter().map(unique_constraint));
    lines.extend(table.checks.iter().map(check_constraint));

    for (i, line) in lines.iter().enumerate() {
        out.push('\t');
        out.push_str(line);
        if i + 1 < lines.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(");");
    out
}

/// A column definition: name, type, then drizzle-kit's order of
/// `PRIMARY KEY`, `DEFAULT`, `NOT NULL` and identity.
pub(crate) fn column_definition(column: &snapshot::Column, primary_key: bool) -> String {
    let mut line = String::new();
    push_ident(&mut line, &column.name);
    line.push(' ');
    line.push_str(&column.sql_type);
    if primary_key {
        line.push_str(" PRIMARY KEY");
    }
    if let Some(default) = &column.default {
        line.push_str(" DEFAULT ");
        line.push_str(default);
    }
    if column.identity {
        // Identity columns are NOT NULL by definition.
        line.push_str(" GENERATED ALWAYS AS IDENTITY");
    } else if !column.nullable {
        line.push_str(" NOT NULL");
    }
    line
}

/// `CONSTRAINT "name" <kind>(<body>)`: the one shape of a table constraint.
fn constraint(name: &str, kind: &str, body: impl FnOnce(&mut String)) -> String {
    let mut line = String::from("CONSTRAINT ");
    push_ident(&mut line, name);
    line.push(' ');
    line.push_str(kind);
    line.push('(');
    body(&mut line);
    line.push(')');
    line
}

/// `CONSTRAINT "t_a_b_pk" PRIMARY KEY("a","b")`.
pub(crate) fn primary_key_constraint(pk: &snapshot::PrimaryKey) -> String {
    constraint(&pk.name, "PRIMARY KEY", |out| {
        push_ident_list(out, &pk.columns)
    })
}

/// `CONSTRAINT "t_a_unique" UNIQUE("a")`.
pub(crate) fn unique_constraint(unique: &snapshot::Unique) -> String {
    constraint(&unique.name, "UNIQUE", |out| {
        push_ident_list(out, &unique.columns)
    })
}

/// `CONSTRAINT "t_c_check" CHECK (expr)`.
pub(crate) fn check_constraint(check: &snapshot::Check) -> String {
    constraint(&check.name, "CHECK ", |out| out.push_str(&check.expr))
}

/// `CREATE TYPE "public"."status" AS ENUM('draft', 'published');`
pub fn create_enum(def: &EnumDef) -> String {
    render_enum(&snapshot::Enum::from(def))
}

/// `CREATE TYPE … AS ENUM(…);` for an enum of a snapshot.
pub(crate) fn render_enum(def: &snapshot::Enum) -> String {
    let values: Vec<String> = def.values.iter().map(|v| quote_literal(v)).collect();
    format!(
        "CREATE TYPE {} AS ENUM({});",
        full_name(&def.schema, &def.name),
        values.join(", ")
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …;` for one foreign key.
pub(crate) fn add_foreign_key(table: &snapshot::Table, fk: &snapshot::ForeignKey) -> String {
    let mut out = String::from("ALTER TABLE ");
    out.push_str(&table_name(&table.schema, &table.name));
    out.push_str(" ADD CONSTRAINT ");
    push_ident(&mut out, &fk.name);
    out.push_str(" FOREIGN KEY (");
    push_ident_list(&mut out, &fk.columns);
    out.push_str(") REFERENCES ");
    out.push_str(&full_name(&fk.foreign_schema, &fk.foreign_table));
    out.push('(');
    push_ident_list(&mut out, &fk.foreign_columns);
    out.push_str(") ON DELETE ");
    out.push_str(&fk.on_delete);
    out.push_str(" ON UPDATE ");
    out.push_str(&fk.on_update);
    out.push(';');
    out
}

/// `CREATE [UNIQUE] INDEX … ON … USING … (…);` for one index.
pub(crate) fn create_index(table: &snapshot::Table, index: &snapshot::Index) -> String {
    let mut out = String::from(if index.unique {
        "CREATE UNIQUE INDEX "
    } else {
        "CREATE INDEX "
    });
    push_ident(&mut out, &index.name);
    out.push_str(" ON ");
    out.push_str(&table_name(&table.schema, &table.name));
    out.push_str(" USING ");
    out.push_str(&index.using);
    out.push_str(" (");
    push_ident_list(&mut out, &index.columns);
    out.push_str(");");
    out
}

/// The DDL of a whole schema; see [`render_snapshot`].
pub(crate) fn create_schema(schema: &Schema) -> String {
    render_snapshot(&Snapshot::of(schema))
}

/// Every statement creating a snapshot's schema, in drizzle-kit's order:
/// `CREATE SCHEMA` for each named schema, the enum types, the tables, every
/// foreign key as `ALTER TABLE … ADD CONSTRAINT` (so cycles work), then
/// the indexes.
pub(crate) fn snapshot_statements(snapshot: &Snapshot) -> Vec<String> {
    let mut statements = Vec::new();
    let mut namespaces: Vec<&str> = Vec::new();
    let used = snapshot
        .enums
        .iter()
        .map(|e| e.schema.as_str())
        .chain(snapshot.tables.iter().map(|t| t.schema.as_str()));
    for ns in used {
        if ns != "public" && !namespaces.contains(&ns) {
            namespaces.push(ns);
            statements.push(format!("CREATE SCHEMA {};", quote_ident(ns)));
        }
    }
    statements.extend(snapshot.enums.iter().map(render_enum));
    statements.extend(snapshot.tables.iter().map(render_table));
    for table in &snapshot.tables {
        statements.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| add_foreign_key(table, fk)),
        );
    }
    for table in &snapshot.tables {
        statements.extend(table.indexes.iter().map(|index| create_index(table, index)));
    }
    statements
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
