//! Parsing and validation: attribute tokens in, one checked table model out.

pub mod ast;
pub mod attr;
pub mod case;
pub mod check;
pub mod check_type;
pub mod constraint;
pub mod ctxt;
pub mod default;
pub mod index_key;
pub mod keys;
pub mod policy;
pub mod resolve;
