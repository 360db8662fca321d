//! DDL statements as values. Each is a [`Fragment`], written through the
//! one SQL writer: `CREATE TABLE` and the schema dump as well as every
//! statement the migration diff generates.
//!
//! The layout follows drizzle-kit's (one column per line, constraints
//! after the columns, types always schema-qualified), so a database
//! created from a pgtable schema matches one created by Drizzle.

use crate::snapshot::{
    Check, Column, Enum, ForeignKey, Index, IndexKey, PrimaryKey, Table, Unique,
};
use crate::sql::{Fragment, SqlWriter};

/// A table, index or type, by schema and name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Name<'s> {
    pub schema: &'s str,
    pub name: &'s str,
}

impl<'s> Name<'s> {
    pub(crate) fn of_table(table: &'s Table) -> Self {
        Name {
            schema: &table.schema,
            name: &table.name,
        }
    }

    pub(crate) fn of_enum(def: &'s Enum) -> Self {
        Name {
            schema: &def.schema,
            name: &def.name,
        }
    }
}

/// A table constraint: `CONSTRAINT "name" <kind>(<body>)`.
pub(crate) enum Constraint<'s> {
    PrimaryKey(&'s PrimaryKey),
    Unique(&'s Unique),
    Check(&'s Check),
}

/// The type a column is converted to.
pub(crate) enum TypeRef<'s> {
    /// A type as the snapshot writes it: `integer`, `"public"."status"[]`.
    Sql(&'s str),
    /// An enum type, or an array of it.
    Enum { name: Name<'s>, array: bool },
}

/// One change to a column.
pub(crate) enum ColumnChange<'s> {
    DropDefault,
    /// `SET DEFAULT <sql>`.
    SetDefault(&'s str),
    /// `SET DATA TYPE <ty> USING "c"[::<via>]::<ty>`.
    SetType {
        ty: TypeRef<'s>,
        via: Option<&'s str>,
    },
    /// `SET NOT NULL` (true) or `DROP NOT NULL`.
    NotNull(bool),
    /// `ADD GENERATED ALWAYS AS IDENTITY` (true) or `DROP IDENTITY`.
    Identity(bool),
}

/// One `ALTER TABLE` action.
pub(crate) enum Alter<'s> {
    RenameColumn { from: &'s str, to: &'s str },
    AddColumn(&'s Column),
    DropColumn(&'s str),
    AddConstraint(Constraint<'s>),
    DropConstraint(&'s str),
    Column(&'s str, ColumnChange<'s>),
}

/// A DDL statement, written ending in `;`.
pub(crate) enum Ddl<'s> {
    CreateSchema(&'s str),
    CreateEnum(&'s Enum),
    CreateTable(&'s Table),
    AddForeignKey(&'s Table, &'s ForeignKey),
    CreateIndex(&'s Table, &'s Index),
    /// `DROP INDEX "schema"."name"`.
    DropIndex(Name<'s>),
    RenameTable {
        table: Name<'s>,
        to: &'s str,
    },
    /// `DROP TABLE … CASCADE`.
    DropTable(Name<'s>),
    /// `ALTER TYPE … ADD VALUE 'v' [BEFORE 'w']`.
    AddEnumValue {
        name: Name<'s>,
        value: &'s str,
        before: Option<&'s str>,
    },
    RenameType {
        name: Name<'s>,
        to: &'s str,
    },
    DropType(Name<'s>),
    AlterTable(Name<'s>, Alter<'s>),
}

impl Ddl<'_> {
    /// The statement's text.
    pub(crate) fn to_sql(&self) -> String {
        let mut w = SqlWriter::new();
        w.write(self);
        w.into_sql()
    }
}

impl SqlWriter<'_> {
    /// A table as queries and DDL name it: `"users"`, `"app"."users"`.
    fn table_of(&mut self, name: Name<'_>) {
        self.table_name(name.schema, name.name);
    }
}

impl Fragment for Ddl<'_> {
    fn write<'a>(&'a self, w: &mut SqlWriter<'a>) {
        match self {
            Ddl::CreateSchema(name) => {
                w.push("CREATE SCHEMA ");
                w.ident(name);
            }
            Ddl::CreateEnum(def) => {
                w.push("CREATE TYPE ");
                w.full_name(&def.schema, &def.name);
                w.push(" AS ENUM(");
                for (i, value) in def.values.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.literal(value);
                }
                w.push(")");
            }
            Ddl::CreateTable(table) => create_table(w, table),
            Ddl::AddForeignKey(table, fk) => {
                w.push("ALTER TABLE ");
                w.table_of(Name::of_table(table));
                w.push(" ADD CONSTRAINT ");
                w.ident(&fk.name);
                w.push(" FOREIGN KEY (");
                w.ident_list(&fk.columns);
                w.push(") REFERENCES ");
                w.full_name(&fk.foreign_schema, &fk.foreign_table);
                w.push("(");
                w.ident_list(&fk.foreign_columns);
                w.push(") ON DELETE ");
                w.push(&fk.on_delete);
                w.push(" ON UPDATE ");
                w.push(&fk.on_update);
            }
            Ddl::CreateIndex(table, index) => {
                w.push(if index.unique {
                    "CREATE UNIQUE INDEX "
                } else {
                    "CREATE INDEX "
                });
                w.ident(&index.name);
                w.push(" ON ");
                w.table_of(Name::of_table(table));
                w.push(" USING ");
                w.push(&index.using);
                w.push(" (");
                // drizzle-kit's spacing: `("a","b" DESC)`.
                for (i, column) in index.columns.iter().enumerate() {
                    if i > 0 {
                        w.push(",");
                    }
                    w.ident(column);
                    if let Some(key) = index.keys.get(i) {
                        write_index_key(w, key);
                    }
                }
                w.push(")");
                if let Some(predicate) = &index.predicate {
                    w.push(" WHERE ");
                    w.push(predicate);
                }
            }
            Ddl::DropIndex(name) => {
                w.push("DROP INDEX ");
                w.full_name(name.schema, name.name);
            }
            Ddl::RenameTable { table, to } => {
                w.push("ALTER TABLE ");
                w.table_of(*table);
                w.push(" RENAME TO ");
                w.ident(to);
            }
            Ddl::DropTable(table) => {
                w.push("DROP TABLE ");
                w.table_of(*table);
                w.push(" CASCADE");
            }
            Ddl::AddEnumValue {
                name,
                value,
                before,
            } => {
                w.push("ALTER TYPE ");
                w.full_name(name.schema, name.name);
                w.push(" ADD VALUE ");
                w.literal(value);
                if let Some(next) = before {
                    w.push(" BEFORE ");
                    w.literal(next);
                }
            }
            Ddl::RenameType { name, to } => {
                w.push("ALTER TYPE ");
                w.full_name(name.schema, name.name);
                w.push(" RENAME TO ");
                w.ident(to);
            }
            Ddl::DropType(name) => {
                w.push("DROP TYPE ");
                w.full_name(name.schema, name.name);
            }
            Ddl::AlterTable(table, alter) => {
                w.push("ALTER TABLE ");
                w.table_of(*table);
                w.push(" ");
                w.write(alter);
            }
        }
        w.push(";");
    }
}

/// `CREATE TABLE` in drizzle-kit's layout: one column per line, a
/// single-column primary key on its column, every other constraint after
/// the columns. Foreign keys and indexes are separate statements.
fn create_table<'a>(w: &mut SqlWriter<'a>, table: &'a Table) {
    w.push("CREATE TABLE ");
    w.table_of(Name::of_table(table));
    w.push(" (\n");
    let inline_pk = table.inline_primary_key();
    let mut first = true;
    let mut line = |w: &mut SqlWriter<'a>| {
        if !first {
            w.push(",\n");
        }
        first = false;
        w.push("\t");
    };
    for column in &table.columns {
        line(w);
        write_column(w, column, inline_pk == Some(column.name.as_str()));
    }
    if let Some(pk) = table.primary_key.as_ref().filter(|_| inline_pk.is_none()) {
        line(w);
        write_constraint(w, &Constraint::PrimaryKey(pk));
    }
    for unique in &table.uniques {
        line(w);
        write_constraint(w, &Constraint::Unique(unique));
    }
    for check in &table.checks {
        line(w);
        write_constraint(w, &Constraint::Check(check));
    }
    w.push("\n)");
}

fn write_column(w: &mut SqlWriter<'_>, column: &Column, primary_key: bool) {
    w.ident(&column.name);
    w.push(" ");
    w.push(&column.sql_type);
    if primary_key {
        w.push(" PRIMARY KEY");
    }
    if let Some(default) = &column.default {
        w.push(" DEFAULT ");
        w.push(default);
    }
    if column.identity {
        // Identity columns are NOT NULL by definition.
        w.push(" GENERATED ALWAYS AS IDENTITY");
    } else if !column.nullable {
        w.push(" NOT NULL");
    }
}

fn write_constraint(w: &mut SqlWriter<'_>, constraint: &Constraint<'_>) {
    let (name, kind) = match constraint {
        Constraint::PrimaryKey(pk) => (&pk.name, "PRIMARY KEY("),
        Constraint::Unique(unique) if unique.nulls_not_distinct => {
            (&unique.name, "UNIQUE NULLS NOT DISTINCT(")
        }
        Constraint::Unique(unique) => (&unique.name, "UNIQUE("),
        Constraint::Check(check) => (&check.name, "CHECK ("),
    };
    w.push("CONSTRAINT ");
    w.ident(name);
    w.push(" ");
    w.push(kind);
    match constraint {
        Constraint::PrimaryKey(pk) => w.ident_list(&pk.columns),
        Constraint::Unique(unique) => w.ident_list(&unique.columns),
        Constraint::Check(check) => w.push(&check.expr),
    }
    w.push(")");
}

impl Fragment for Alter<'_> {
    fn write<'a>(&'a self, w: &mut SqlWriter<'a>) {
        match self {
            Alter::RenameColumn { from, to } => {
                w.push("RENAME COLUMN ");
                w.ident(from);
                w.push(" TO ");
                w.ident(to);
            }
            Alter::AddColumn(column) => {
                w.push("ADD COLUMN ");
                write_column(w, column, false);
            }
            Alter::DropColumn(name) => {
                w.push("DROP COLUMN ");
                w.ident(name);
            }
            Alter::AddConstraint(constraint) => {
                w.push("ADD ");
                write_constraint(w, constraint);
            }
            Alter::DropConstraint(name) => {
                w.push("DROP CONSTRAINT ");
                w.ident(name);
            }
            Alter::Column(column, change) => {
                w.push("ALTER COLUMN ");
                w.ident(column);
                w.push(" ");
                write_change(w, column, change);
            }
        }
    }
}

fn write_change(w: &mut SqlWriter<'_>, column: &str, change: &ColumnChange<'_>) {
    match change {
        ColumnChange::DropDefault => w.push("DROP DEFAULT"),
        ColumnChange::SetDefault(default) => {
            w.push("SET DEFAULT ");
            w.push(default);
        }
        ColumnChange::SetType { ty, via } => {
            w.push("SET DATA TYPE ");
            write_type(w, ty);
            w.push(" USING ");
            w.ident(column);
            if let Some(via) = via {
                w.push("::");
                w.push(via);
            }
            w.push("::");
            write_type(w, ty);
        }
        ColumnChange::NotNull(true) => w.push("SET NOT NULL"),
        ColumnChange::NotNull(false) => w.push("DROP NOT NULL"),
        ColumnChange::Identity(true) => w.push("ADD GENERATED ALWAYS AS IDENTITY"),
        ColumnChange::Identity(false) => w.push("DROP IDENTITY"),
    }
}

/// What follows a column of an index: ` jsonb_path_ops DESC NULLS LAST`.
fn write_index_key(w: &mut SqlWriter<'_>, key: &IndexKey) {
    if let Some(opclass) = &key.opclass {
        w.push(" ");
        w.push(opclass);
    }
    if key.desc {
        w.push(" DESC");
    }
    match key.nulls.as_deref() {
        Some("first") => w.push(" NULLS FIRST"),
        Some("last") => w.push(" NULLS LAST"),
        _ => {}
    }
}

fn write_type(w: &mut SqlWriter<'_>, ty: &TypeRef<'_>) {
    match ty {
        TypeRef::Sql(sql) => w.push(sql),
        TypeRef::Enum { name, array } => {
            w.full_name(name.schema, name.name);
            if *array {
                w.push("[]");
            }
        }
    }
}
