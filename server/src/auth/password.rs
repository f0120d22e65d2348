//! Argon2id password hashing with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds, so callers run it on the blocking pool.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Says what is wrong with a new password, in words a person can act on.
pub fn check_strength(password: &str, email: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::bad_request(
            "weak_password",
            format!("The password must have at least {MIN_LENGTH} characters."),
        ));
    }
    if length > MAX_LENGTH {
        return Err(AppError::bad_request(
            "invalid_password",
            format!("The password may have at most {MAX_LENGTH} characters."),
        ));
    }
    if password.eq_ignore_ascii_case(email) {
        return Err(AppError::bad_request(
            "weak_password",
            "The password must not be the e-mail address.",
        ));
    }
    Ok(())
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2 hash: {e}")))
}

/// True when the password matches the stored PHC hash. A malformed stored hash is
/// treated as a mismatch (and logged), never as success.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored password hash is not a PHC string");
        return false;
    };
    match hasher() {
        Ok(argon) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A random password for generated accounts: 20 characters from an unambiguous alphabet.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}
