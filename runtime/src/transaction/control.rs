//! Transaction control statements (`BEGIN`, savepoints), written through
//! the SQL writer like every other statement.

use super::TransactionOptions;
use crate::sql::{Fragment, SqlWriter};

/// A transaction control statement, written through the SQL writer.
pub(super) enum Control<'o> {
    Begin(&'o TransactionOptions),
    /// `SAVEPOINT` at a nesting depth.
    Savepoint(usize),
    Release(usize),
    /// Back to the savepoint, which is then released.
    RollbackTo(usize),
}

impl Control<'_> {
    pub(super) fn to_sql(&self) -> String {
        let mut w = SqlWriter::new();
        w.write(self);
        w.into_sql()
    }
}

impl Fragment for Control<'_> {
    fn write<'a>(&'a self, w: &mut SqlWriter<'a>) {
        let savepoint = |w: &mut SqlWriter<'a>, depth: usize| {
            w.ident(&format!("pgtable_savepoint_{depth}"));
        };
        match *self {
            Control::Begin(options) => {
                w.push("BEGIN");
                if let Some(level) = options.isolation {
                    w.push(" ISOLATION LEVEL ");
                    w.push(level.sql());
                }
                if options.read_only {
                    w.push(" READ ONLY");
                }
                if options.deferrable {
                    w.push(" DEFERRABLE");
                }
            }
            Control::Savepoint(depth) => {
                w.push("SAVEPOINT ");
                savepoint(w, depth);
            }
            Control::Release(depth) => {
                w.push("RELEASE SAVEPOINT ");
                savepoint(w, depth);
            }
            Control::RollbackTo(depth) => {
                w.push("ROLLBACK TO SAVEPOINT ");
                savepoint(w, depth);
                w.push("; RELEASE SAVEPOINT ");
                savepoint(w, depth);
            }
        }
    }
}
