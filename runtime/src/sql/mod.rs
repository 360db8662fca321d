//! The bottom layer of the runtime: how SQL text is written. It depends on
//! nothing else in the runtime; everything that writes SQL uses it.
//!
//! - [`quote_ident`], [`quote_literal`] and their `push_` forms: the one
//!   implementation of quoting.

mod quote;

pub(crate) use quote::push_ident_list;
pub use quote::{full_name, push_ident, push_table_name, quote_ident, quote_literal, table_name};
