//! Personal API tokens.

use super::accounts::target_user;
use crate::auth::secrets;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::api_token::{self, NewApiToken};
use crate::models::audit::{self, Actor};
use crate::models::now;
use crate::models::user::User;
use crate::validate;

pub const PREFIX: &str = "ts_";

/// Creates a token and returns its secret, which is shown once and stored as a digest.
pub fn create(
    conn: &mut DbConnection,
    user: &User,
    name: &str,
    actor: &Actor,
) -> Result<(api_token::ApiToken, String), AppError> {
    let name = validate::text("The token name", name, 100)?;
    let secret = secrets::generate(PREFIX);
    db::transaction(conn, |conn| {
        let token = api_token::insert(
            conn,
            &NewApiToken {
                user_id: user.id,
                name: &name,
                token_hash: &secrets::digest(&secret),
                created_at: now(),
            },
        )?;
        audit::record(
            conn,
            actor,
            "api_token.create",
            &target_user(user.id),
            &name,
        )?;
        Ok((token, secret))
    })
}

pub fn revoke(
    conn: &mut DbConnection,
    user: &User,
    token_id: i64,
    actor: &Actor,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        if !api_token::revoke(conn, token_id, user.id)? {
            return Err(AppError::not_found("That token"));
        }
        audit::record(
            conn,
            actor,
            "api_token.revoke",
            &target_user(user.id),
            &format!("token:{token_id}"),
        )?;
        Ok(())
    })
}
