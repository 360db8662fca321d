//! The bottom layer of the runtime: how SQL text is written. It depends on
//! nothing else in the runtime; everything that writes SQL uses it.
//!
//! - [`quote_ident`], [`quote_literal`] and their `push_` forms: the one
//!   implementation of quoting.
//! - [`BinaryOp`], [`Logic`], [`PostfixOp`], [`Direction`]: operators as values.
//! - [`SqlWriter`] and [`Fragment`]: every statement is written in one pass
//!   over its fragments, which gives its text, its bind parameters, and
//!   whether it only reads.
//! - `StatementMemo` (internal): a statement written once (a prepared query's), as
//!   prepared on each connection it ran on; `StatementTexts` (internal): ad hoc
//!   statements by their text, the same way.

mod memo;
mod op;
mod quote;
pub(crate) mod split;
mod writer;

pub(crate) use memo::{StatementMemo, StatementTexts};
pub use op::{BinaryOp, Direction, Logic, PostfixOp};
pub use quote::{full_name, push_ident, push_table_name, quote_ident, quote_literal, table_name};
pub use writer::{Fragment, SqlWriter};
pub(crate) use writer::{SharedText, SharedValue, Target};
