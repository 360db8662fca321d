//! Nothing: the bench in `benches/peers.rs` is the point of this crate.
