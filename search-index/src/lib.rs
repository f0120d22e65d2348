//! Touchstone's search core.
//!
//! This crate depends on neither actix nor diesel: it takes plain structs and returns
//! ids, distances and scores, so the server can keep its indexes as rebuildable caches
//! of the database.

pub mod gs1;
pub mod hamming;
pub mod hash256;
pub mod pdq;
pub mod photo;
pub mod text;
pub use hash256::Hash256;
