//! The one DDL renderer: `CREATE TABLE` statements from a [`TableDef`].
//!
//! The output follows drizzle-kit's layout and naming, so a database created
//! from a pgtable schema matches one created by Drizzle from the equivalent
//! `pgTable` definitions. Every identifier is double-quoted.

use std::fmt::Write;

use crate::schema::{ColumnDef, ForeignKeyDef, IndexDef, Schema, TableDef};
use crate::types::EnumDef;

/// Quotes an SQL identifier: wraps it in double quotes and doubles any inside.
///
/// ```
/// assert_eq!(pgtable::ddl::quote_ident("users"), "\"users\"");
/// assert_eq!(pgtable::ddl::quote_ident("a\"b"), "\"a\"\"b\"");
/// ```
pub fn quote_ident(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 2);
    push_ident(&mut out, ident);
    out
}

fn push_ident(out: &mut String, ident: &str) {
    out.push('"');
    for ch in ident.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

fn push_ident_list(out: &mut String, idents: &[&str]) {
    for (i, ident) in idents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_ident(out, ident);
    }
}

/// The table's name as SQL refers to it: `"users"` or `"app"."users"`.
pub fn qualified_name(table: &TableDef) -> String {
    let mut out = String::new();
    push_qualified_name(&mut out, table);
    out
}

fn push_qualified_name(out: &mut String, table: &TableDef) {
    if let Some(schema) = table.schema {
        push_ident(out, schema);
        out.push('.');
    }
    push_ident(out, table.name);
}

/// The `CREATE TABLE` statement of one table, ending in `;`.
///
/// The layout is drizzle-kit's: one column per line, PostgreSQL naming a
/// single-column primary key, and every other constraint named by
/// Drizzle's conventions after the columns.
pub fn create_table(table: &TableDef) -> String {
    let mut out = String::from("CREATE TABLE ");
    push_qualified_name(&mut out, table);
    out.push_str(" (\n");

    let mut lines: Vec<String> = table.columns.iter().map(column_line).collect();
    if let Some(name) = table.composite_primary_key_name() {
        let mut line = String::from("CONSTRAINT ");
        push_ident(&mut line, &name);
        line.push_str(" PRIMARY KEY(");
        push_ident_list(&mut line, table.primary_key);
        line.push(')');
        lines.push(line);
    }
    for (name, columns) in table.unique_constraints() {
        let mut line = String::from("CONSTRAINT ");
        push_ident(&mut line, &name);
        line.push_str(" UNIQUE(");
        push_ident_list(&mut line, columns);
        line.push(')');
        lines.push(line);
    }
    for check in table.checks {
        let mut line = String::from("CONSTRAINT ");
        push_ident(&mut line, check.name);
        line.push_str(" CHECK (");
        line.push_str(check.expr);
        line.push(')');
        lines.push(line);
    }

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

/// One column definition: name, type, then drizzle-kit's order of
/// `PRIMARY KEY`, `DEFAULT`, `NOT NULL` and identity.
fn column_line(column: &ColumnDef) -> String {
    let mut line = String::new();
    push_ident(&mut line, column.name);
    // Writing to a String cannot fail.
    let _ = write!(line, " {}", column.sql_type);
    if column.primary_key {
        line.push_str(" PRIMARY KEY");
    }
    if let Some(default) = column.default {
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

/// A table's schema-qualified name as drizzle-kit writes it in a
/// `REFERENCES` clause: `"public"."users"`.
fn push_referenced_table(out: &mut String, table: &TableDef) {
    push_ident(out, table.schema.unwrap_or("public"));
    out.push('.');
    push_ident(out, table.name);
}

/// A string literal: `'it''s'`.
fn push_literal(out: &mut String, value: &str) {
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
}

/// `CREATE TYPE "public"."status" AS ENUM('draft', 'published');`
pub fn create_enum(def: &EnumDef) -> String {
    let mut out = String::from("CREATE TYPE ");
    push_ident(&mut out, def.schema.unwrap_or("public"));
    out.push('.');
    push_ident(&mut out, def.name);
    out.push_str(" AS ENUM(");
    for (i, value) in def.values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_literal(&mut out, value);
    }
    out.push_str(");");
    out
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …;` for one foreign key.
pub fn add_foreign_key(table: &TableDef, fk: &ForeignKeyDef) -> String {
    let mut out = String::from("ALTER TABLE ");
    push_qualified_name(&mut out, table);
    out.push_str(" ADD CONSTRAINT ");
    push_ident(&mut out, &fk.name_in(table));
    out.push_str(" FOREIGN KEY (");
    push_ident_list(&mut out, fk.columns);
    out.push_str(") REFERENCES ");
    push_referenced_table(&mut out, fk.foreign_table());
    out.push('(');
    push_ident_list(&mut out, fk.foreign_columns);
    out.push_str(") ON DELETE ");
    out.push_str(fk.on_delete.sql());
    out.push_str(" ON UPDATE ");
    out.push_str(fk.on_update.sql());
    out.push(';');
    out
}

/// `CREATE [UNIQUE] INDEX … ON … USING … (…);` for one index.
pub fn create_index(table: &TableDef, index: &IndexDef) -> String {
    let mut out = String::from(if index.unique {
        "CREATE UNIQUE INDEX "
    } else {
        "CREATE INDEX "
    });
    push_ident(&mut out, &index.name_in(table));
    out.push_str(" ON ");
    push_qualified_name(&mut out, table);
    out.push_str(" USING ");
    out.push_str(index.using.unwrap_or("btree"));
    out.push_str(" (");
    push_ident_list(&mut out, index.columns);
    out.push_str(");");
    out
}

/// Every statement creating one table: the table, its foreign keys, its indexes.
pub fn create_table_with_constraints(table: &TableDef) -> Vec<String> {
    let mut statements = vec![create_table(table)];
    statements.extend(
        table
            .foreign_keys
            .iter()
            .map(|fk| add_foreign_key(table, fk)),
    );
    statements.extend(table.indexes.iter().map(|index| create_index(table, index)));
    statements
}

/// The DDL of a whole schema, in drizzle-kit's order: `CREATE SCHEMA` for
/// each named schema, the enum types, the tables (referenced ones first), then every
/// foreign key as `ALTER TABLE … ADD CONSTRAINT` (so cycles work), then the
/// indexes; separated by blank lines.
pub fn create_schema(schema: &Schema) -> String {
    let mut statements = Vec::new();
    let mut namespaces: Vec<&str> = Vec::new();
    for table in schema.tables() {
        if let Some(ns) = table.schema
            && ns != "public"
            && !namespaces.contains(&ns)
        {
            namespaces.push(ns);
            statements.push(format!("CREATE SCHEMA {};", quote_ident(ns)));
        }
    }
    for def in schema.enums() {
        if let Some(ns) = def.schema
            && ns != "public"
            && !namespaces.contains(&ns)
        {
            namespaces.push(ns);
            statements.push(format!("CREATE SCHEMA {};", quote_ident(ns)));
        }
    }
    statements.extend(schema.enums().iter().map(|e| create_enum(e)));
    let tables = schema.tables_in_dependency_order();
    statements.extend(tables.iter().map(|t| create_table(t)));
    for table in &tables {
        statements.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| add_foreign_key(table, fk)),
        );
    }
    for table in &tables {
        statements.extend(table.indexes.iter().map(|index| create_index(table, index)));
    }
    let mut out = statements.join("\n\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::UniqueDef;
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
