//! Who is asking: passwords, secret tokens, sessions, API tokens, CSRF and throttling.

pub mod csrf;
pub mod identity;
pub mod password;
pub mod secrets;
pub mod throttle;

pub use identity::{CurrentUser, MaybeUser};
