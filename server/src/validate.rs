//! Checks on what people type, each returning a message that says how to fix it.

use crate::error::AppError;

pub const MAX_NAME: usize = 200;
pub const MAX_EMAIL: usize = 254;
pub const MAX_URL: usize = 500;
pub const MAX_REASON: usize = 2000;

/// A trimmed, lower-cased, syntactically valid e-mail address.
pub fn email(raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if trimmed.len() > MAX_EMAIL {
        return Err(AppError::bad_request(
            "invalid_email",
            format!("An e-mail address has at most {MAX_EMAIL} characters."),
        ));
    }
    // email_address implements RFC 5322's grammar; we additionally want a dot in the
    // domain, because addresses at bare hostnames never receive mail in practice.
    let valid = email_address::EmailAddress::is_valid(trimmed)
        && trimmed
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
    if !valid {
        return Err(AppError::bad_request(
            "invalid_email",
            format!("{trimmed:?} is not an e-mail address such as name@example.org."),
        ));
    }
    Ok(trimmed.to_lowercase())
}

/// Required free text of bounded length (names, titles).
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_request(
            "missing_field",
            format!("{field} is required."),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::bad_request(
            "field_too_long",
            format!("{field} may have at most {max} characters."),
        ));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("{field} must not contain control characters."),
        ));
    }
    Ok(trimmed.to_string())
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country(raw: &str) -> Result<String, AppError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(AppError::bad_request(
            "invalid_country",
            "The country is a two-letter ISO code such as FR, DE or US.",
        ))
    }
}

/// An optional http(s) URL.
pub fn website(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        AppError::bad_request(
            "invalid_website",
            "The website is an address such as https://www.example.com.",
        )
    };
    if raw.len() > MAX_URL {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

/// A language code such as `en` or `pt-BR`.
pub fn language(raw: &str) -> Result<String, AppError> {
    let code = raw.trim();
    let valid = (2..=8).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && code.chars().take(2).all(|c| c.is_ascii_alphabetic());
    if valid {
        Ok(code.to_string())
    } else {
        Err(AppError::bad_request(
            "invalid_language",
            "The language is a code such as en, fr or pt-BR.",
        ))
    }
}
