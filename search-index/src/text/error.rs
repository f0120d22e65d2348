//! The one error type of the text index.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum TextIndexError {
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("the index writer thread has stopped")]
    WriterGone,
    #[error("corrupt commit payload {0:?}")]
    BadPayload(String),
    #[error("invalid query: {0}")]
    InvalidQuery(String),
}
