//! The migration safety linter: statements that lock a live table for long
//! or fail on one with rows, each with an id, a reason and what to write
//! instead (the checks squawk and strong_migrations make). A comment
//! `-- pgtable-lint: allow <id>` above a statement accepts that finding.

use std::fmt;

use crate::snapshot::Snapshot;
use crate::sql::split;

/// One risky statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule, such as `set-not-null`.
    pub id: &'static str,
    /// The line of the file the statement starts on.
    pub line: usize,
    /// Why it is risky on a live table.
    pub reason: &'static str,
    /// The safe alternative.
    pub instead: &'static str,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: [{}] {}; instead: {} (or accept it: `-- pgtable-lint: allow {}` above the statement)",
            self.line, self.id, self.reason, self.instead, self.id
        )
    }
}

/// The rules, by id: `(id, reason, instead)`.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "add-column-not-null",
        "adding a NOT NULL column without a default fails on a table that has rows",
        "add it with a default, or nullable, backfill it, then SET NOT NULL",
    ),
    (
        "set-not-null",
        "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
        "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (which uses the check)",
    ),
    (
        "column-type-change",
        "changing a column's type rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock",
        "add a column of the new type, backfill it, switch the application, then drop the old one",
    ),
    (
        "index-not-concurrent",
        "CREATE INDEX blocks every write to the table while it builds",
        "declare it `index(…, concurrently)`: generate then writes CREATE INDEX CONCURRENTLY in a migration of its own, run outside a transaction",
    ),
    (
        "foreign-key-not-valid",
        "adding a foreign key checks every row under a lock on both tables",
        "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later migration",
    ),
    (
        "check-not-valid",
        "adding a check constraint scans the whole table under an ACCESS EXCLUSIVE lock",
        "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later migration",
    ),
    (
        "drop-used",
        "the compiled schema still has what this drops: the running application would fail",
        "deploy the application without it first, then drop it",
    ),
];

/// The findings of one migration file. `schema`, when given, is the
/// compiled schema (for `drop-used`).
pub fn lint(sql: &str, schema: Option<&Snapshot>) -> Vec<Finding> {
    let mut created: Vec<String> = Vec::new();
    let mut findings = Vec::new();
    for statement in split::statements(sql) {
        let code = normalize(statement.code());
        let allowed = |id: &str| {
            statement
                .comments()
                .lines()
                .filter_map(|l| l.trim().strip_prefix("-- pgtable-lint: allow "))
                .any(|ids| ids.split([',', ' ']).any(|a| a.trim() == id))
        };
        for id in risks(&code, &created, schema) {
            if allowed(id) {
                continue;
            }
            let (id, reason, instead) = *RULES
                .iter()
                .find(|(rule, _, _)| *rule == id)
                .expect("every rule risks() names is in RULES");
            findings.push(Finding {
                id,
                line: statement.line(),
                reason,
                instead,
            });
        }
        if let Some(table) = code.strip_prefix("CREATE TABLE ") {
            created.push(table_name(table));
        }
    }
    findings
}

/// The rules `code` (normalized) breaks; `created` are the tables made
/// earlier in the same file, which have no rows to lock yet.
fn risks(code: &str, created: &[String], schema: Option<&Snapshot>) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some(rest) = code.strip_prefix("ALTER TABLE ") {
        let table = table_name(rest);
        let new_table = created.contains(&table);
        if rest.contains(" ADD COLUMN ")
            && rest.contains(" NOT NULL")
            && !rest.contains(" DEFAULT ")
            && !rest.contains(" GENERATED ")
            && !["SERIAL", "BIGSERIAL", "SMALLSERIAL"]
                .iter()
                .any(|t| rest.contains(&format!(" {t}")))
            && !new_table
        {
            out.push("add-column-not-null");
        }
        if rest.contains(" SET NOT NULL") && !new_table {
            out.push("set-not-null");
        }
        if (rest.contains(" SET DATA TYPE ")
            || rest.contains(" TYPE ") && rest.contains(" ALTER COLUMN "))
            && !new_table
        {
            out.push("column-type-change");
        }
        if rest.contains(" FOREIGN KEY ") && !rest.contains(" NOT VALID") && !new_table {
            out.push("foreign-key-not-valid");
        }
        if rest.contains(" ADD CONSTRAINT ")
            && rest.contains(" CHECK ")
            && !rest.contains(" NOT VALID")
            && !new_table
        {
            out.push("check-not-valid");
        }
        if let (Some(schema), Some(column)) = (schema, dropped_column(rest))
            && schema
                .tables
                .iter()
                .any(|t| t.name == table && t.column(&column).is_some())
        {
            out.push("drop-used");
        }
    } else if let Some(rest) = code
        .strip_prefix("CREATE INDEX ")
        .or_else(|| code.strip_prefix("CREATE UNIQUE INDEX "))
    {
        let on = rest.split(" ON ").nth(1).map(table_name);
        if !rest.starts_with("CONCURRENTLY ") && !on.is_some_and(|t| created.contains(&t)) {
            out.push("index-not-concurrent");
        }
    } else if let Some(rest) = code.strip_prefix("DROP TABLE ") {
        let table = table_name(rest.trim_start_matches("IF EXISTS "));
        if schema.is_some_and(|s| s.tables.iter().any(|t| t.name == table)) {
            out.push("drop-used");
        }
    }
    out
}

/// Keywords compared in capitals, white space collapsed; quoted names keep
/// their case.
fn normalize(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut quoted = false;
    for word in code.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for ch in word.chars() {
            if ch == '"' || ch == '\'' {
                quoted = !quoted;
            }
            out.push(if quoted { ch } else { ch.to_ascii_uppercase() });
        }
    }
    out
}

/// The unqualified, unquoted table name at the start of `rest`.
fn table_name(rest: &str) -> String {
    let rest = rest
        .trim_start_matches("IF NOT EXISTS ")
        .trim_start_matches("ONLY ");
    let end = rest.find([' ', '(']).unwrap_or(rest.len());
    let name = &rest[..end];
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches('"').to_lowercase()
}

/// The column `… DROP COLUMN "c"` drops.
fn dropped_column(rest: &str) -> Option<String> {
    let after = rest.split(" DROP COLUMN ").nth(1)?;
    let after = after.trim_start_matches("IF EXISTS ");
    let end = after.find([' ', ',']).unwrap_or(after.len());
    Some(after[..end].trim_matches('"').to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(sql: &str) -> Vec<&'static str> {
        lint(sql, None).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn each_rule_fires_on_the_risky_form_and_not_on_the_safe_one() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "add-column-not-null",
                r#"ALTER TABLE "users" ADD COLUMN "age" integer NOT NULL;"#,
                r#"ALTER TABLE "users" ADD COLUMN "age" integer DEFAULT 0 NOT NULL;"#,
            ),
            (
                "set-not-null",
                r#"ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL;"#,
                r#"ALTER TABLE "users" ADD CONSTRAINT "age_nn" CHECK ("age" IS NOT NULL) NOT VALID;"#,
            ),
            (
                "column-type-change",
                r#"ALTER TABLE "users" ALTER COLUMN "age" SET DATA TYPE bigint USING "age"::bigint;"#,
                r#"ALTER TABLE "users" ADD COLUMN "age2" bigint;"#,
            ),
            (
                "index-not-concurrent",
                r#"CREATE INDEX "users_age_idx" ON "users" USING btree ("age");"#,
                r#"CREATE INDEX CONCURRENTLY "users_age_idx" ON "users" USING btree ("age");"#,
            ),
            (
                "foreign-key-not-valid",
                r#"ALTER TABLE "posts" ADD CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES "public"."users"("id");"#,
                r#"ALTER TABLE "posts" ADD CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES "public"."users"("id") NOT VALID;"#,
            ),
            (
                "check-not-valid",
                r#"ALTER TABLE "posts" ADD CONSTRAINT "c" CHECK (rating > 0);"#,
                r#"ALTER TABLE "posts" ADD CONSTRAINT "c" CHECK (rating > 0) NOT VALID;"#,
            ),
        ];
        for (id, risky, safe) in cases {
            assert_eq!(ids(risky), [*id], "{risky}");
            assert_eq!(ids(safe), Vec::<&str>::new(), "{safe}");
        }
    }

    #[test]
    fn a_table_created_in_the_same_file_has_no_rows_to_lock() {
        let sql = r#"CREATE TABLE "tags" ("id" integer, "name" text);
ALTER TABLE "tags" ADD COLUMN "slug" text NOT NULL;
ALTER TABLE "tags" ADD CONSTRAINT "tags_fk" FOREIGN KEY ("id") REFERENCES "public"."x"("id");
CREATE INDEX "tags_name_idx" ON "tags" USING btree ("name");"#;
        assert_eq!(ids(sql), Vec::<&str>::new());
    }

    #[test]
    fn a_comment_accepts_one_finding_and_lines_are_named() {
        let sql = "SELECT 1;\n\n-- pgtable-lint: allow set-not-null\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\nALTER TABLE t ALTER COLUMN b SET NOT NULL;\n";
        let findings = lint(sql, None);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].id, findings[0].line), ("set-not-null", 5));
        assert!(findings[0].to_string().contains("instead: ADD CONSTRAINT"));
    }
}
