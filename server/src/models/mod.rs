//! Rows, their insert structs and the queries on them. Functions take the connection and
//! return `QueryResult`; callers compose them inside transactions.

pub mod alert;
pub mod api_token;
pub mod audit;
pub mod email_outbox;
pub mod import_job;
pub mod invitation;
pub mod lookup;
pub mod notice;
pub mod notification;
pub mod organisation;
pub mod product;
pub mod product_list;
pub mod roles;
pub mod session;
pub mod user;

pub use roles::{OrgKind, OrgStatus, Role};

diesel::define_sql_function! {
    /// Lower-case text, so that matching ignores case on both backends (PostgreSQL's
    /// LIKE is case-sensitive, SQLite's is not).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The current UTC time, as stored in every timestamp column.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
