//! What Touchstone does, independent of whether a page or the API asked. Each function
//! checks its inputs, makes its change in one transaction and records it in the audit log.

pub mod accounts;
pub mod barcodes;
pub mod consistency;
pub mod members;
pub mod organisations;
pub mod tokens;
