//! Typed configuration, layered: defaults, then an optional `touchstone.toml`, then
//! `TOUCHSTONE_*` environment variables, then command-line flags. Validated once at
//! start-up with messages that say what to fix.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on.
    pub bind: String,
    /// Folder for the SQLite database, indexes and images; created if missing.
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL; otherwise a SQLite file path. Default: a file in
    /// the data dir.
    pub database_url: Option<String>,
    /// The public URL people use, e.g. `https://touchstone.example.org`. Used for links in
    /// invitations, the Origin check and the Secure cookie flag.
    pub base_url: Option<String>,
    /// E-mail of the admin created on the very first start.
    pub initial_admin_email: String,
    /// Database connections per app node.
    pub pool_size: u32,
    /// How long a session lasts without use, in hours.
    pub session_idle_hours: u32,
    /// Failed sign-ins before an account is locked.
    pub lockout_threshold: u32,
    /// How long a locked account stays locked.
    pub lockout_minutes: u32,
    /// Sign-in and sign-up attempts allowed per client address per minute.
    pub attempts_per_minute_per_address: u32,
    /// How long an invitation link stays valid.
    pub invitation_days: u32,
    /// Largest image upload, in megabytes.
    pub max_image_mb: u64,
    /// Largest image upload, in megapixels (checked before decoding).
    pub max_image_megapixels: u64,
    /// The search indexer commits after this many changes...
    pub index_commit_every: usize,
    /// ... or this many milliseconds after the oldest uncommitted change.
    pub index_commit_ms: u64,
    /// How often the indexer looks for changes written by other app nodes.
    pub index_poll_ms: u64,
    /// Days a right holder has to answer a notice.
    pub notice_response_days: u32,
    /// Hours to answer when the officer asks for a quick answer on perishable goods.
    pub notice_perishable_hours: u32,
    /// SMTP server that notification e-mails go through; none keeps them in the app.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// The sender of notification e-mails, e.g. `Touchstone <noreply@example.org>`.
    pub smtp_from: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// First wait before an e-mail that failed is tried again; it doubles each time.
    pub mail_retry_seconds: u64,
    /// Tries before an e-mail is given up.
    pub mail_max_attempts: u32,
    /// How often the mailer looks for e-mails queued by other app nodes.
    pub mail_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            base_url: None,
            initial_admin_email: "admin@touchstone.local".into(),
            pool_size: 8,
            session_idle_hours: 12,
            lockout_threshold: 5,
            lockout_minutes: 15,
            attempts_per_minute_per_address: 30,
            invitation_days: 7,
            max_image_mb: 20,
            max_image_megapixels: 50,
            index_commit_every: 1000,
            index_commit_ms: 800,
            index_poll_ms: 500,
            notice_response_days: 5,
            notice_perishable_hours: 24,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: None,
            smtp_username: None,
            smtp_password: None,
            mail_retry_seconds: 60,
            mail_max_attempts: 8,
            mail_poll_ms: 5000,
        }
    }
}

/// Flags given on the command line; they win over every other layer.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads the layers. `file` is read only if it exists, unless it was named explicitly.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "the configuration file {} does not exist",
                    path.display()
                )))
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("touchstone.toml")),
        }
        let config: Config = figment
            .merge(Env::prefixed("TOUCHSTONE_"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError(explain(e)))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError(format!(
                "bind = {:?} is not an address and port such as 127.0.0.1:8080",
                self.bind
            )));
        }
        if let Some(base) = &self.base_url {
            let url = url::Url::parse(base).map_err(|_| {
                ConfigError(format!(
                    "base_url = {base:?} is not a URL such as https://touchstone.example.org"
                ))
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError(
                    "base_url must start with http:// or https://".into(),
                ));
            }
        }
        if let Some(db) = &self.database_url {
            if db.contains("://") && !db.starts_with("postgres") && !db.starts_with("sqlite://") {
                return Err(ConfigError(format!(
                    "database_url {:?} is neither postgres://... nor a SQLite file path",
                    redact(db)
                )));
            }
        }
        if self.pool_size == 0 || self.pool_size > 200 {
            return Err(ConfigError("pool_size must be between 1 and 200".into()));
        }
        if self.lockout_threshold == 0 {
            return Err(ConfigError("lockout_threshold must be at least 1".into()));
        }
        if self.attempts_per_minute_per_address == 0 {
            return Err(ConfigError(
                "attempts_per_minute_per_address must be at least 1".into(),
            ));
        }
        if self.max_image_mb == 0 || self.max_image_megapixels == 0 {
            return Err(ConfigError(
                "max_image_mb and max_image_megapixels must be at least 1".into(),
            ));
        }
        if self.index_commit_every == 0 || self.index_commit_ms == 0 || self.index_poll_ms == 0 {
            return Err(ConfigError(
                "index_commit_every, index_commit_ms and index_poll_ms must be at least 1".into(),
            ));
        }
        if self.session_idle_hours == 0 || self.invitation_days == 0 {
            return Err(ConfigError(
                "session_idle_hours and invitation_days must be at least 1".into(),
            ));
        }
        self.validate_notices()
    }

    fn validate_notices(&self) -> Result<(), ConfigError> {
        if self.notice_response_days == 0 || self.notice_perishable_hours == 0 {
            return Err(ConfigError(
                "notice_response_days and notice_perishable_hours must be at least 1".into(),
            ));
        }
        if self.mail_retry_seconds == 0 || self.mail_max_attempts == 0 || self.mail_poll_ms == 0 {
            return Err(ConfigError(
                "mail_retry_seconds, mail_max_attempts and mail_poll_ms must be at least 1".into(),
            ));
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err(ConfigError(
                "give both smtp_username and smtp_password, or neither".into(),
            ));
        }
        if let Some(host) = &self.smtp_host {
            if host.trim().is_empty() {
                return Err(ConfigError(
                    "smtp_host is empty; remove it to keep notifications in the app".into(),
                ));
            }
            let from = self.smtp_from.as_deref().unwrap_or_default();
            if from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(ConfigError(format!(
                    "smtp_from = {from:?} must be an e-mail address such as \
                     \"Touchstone <noreply@example.org>\" when smtp_host is set"
                )));
            }
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or `data.db` in the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self
                .data_dir
                .join("touchstone.db")
                .to_string_lossy()
                .into_owned(),
        }
    }

    /// What an uploaded image may be, checked before decoding.
    pub fn image_limits(&self) -> crate::images::ImageLimits {
        crate::images::ImageLimits {
            max_bytes: self.max_image_mb * 1024 * 1024,
            max_pixels: self.max_image_megapixels * 1_000_000,
        }
    }

    pub fn index_settings(&self) -> crate::search::IndexSettings {
        crate::search::IndexSettings {
            commit_every_docs: self.index_commit_every,
            commit_interval: std::time::Duration::from_millis(self.index_commit_ms),
            poll_interval: std::time::Duration::from_millis(self.index_poll_ms),
        }
    }

    /// Cookies get the Secure flag when people reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url
            .as_deref()
            .is_some_and(|b| b.starts_with("https://"))
    }
}

/// Hides a password in a database URL before it reaches a message or a log.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

fn explain(error: figment::Error) -> String {
    let mut text = error.to_string();
    if text.contains("unknown field") {
        text.push_str(" (check touchstone.toml and TOUCHSTONE_* variables for misspelt settings)");
    }
    text
}
