//! The mailer: one background task that sends the e-mail outbox through the configured
//! SMTP server, so that a slow or absent mail server never holds up a request. A failed
//! e-mail is tried again after a wait that doubles each time, up to `mail_max_attempts`.

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::app::AppState;
use crate::config::Config;
use crate::db;
use crate::error::AppError;
use crate::models::email_outbox::{self, EmailRow};

/// E-mails taken per round.
const BATCH: i64 = 20;
/// How long a node keeps an e-mail it is sending before another may take it.
const LEASE_SECONDS: i64 = 300;
/// The longest wait between two tries.
const MAX_RETRY_SECONDS: u64 = 6 * 3600;

/// What request handlers know of the mailer: whether e-mail is on, and how to wake it.
#[derive(Clone, Default)]
pub struct MailHandle {
    configured: bool,
    wake: Arc<Notify>,
}

impl MailHandle {
    pub fn new(config: &Config) -> MailHandle {
        MailHandle {
            configured: config.smtp_host.is_some(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// True when e-mails are sent; otherwise notifications stay in the app.
    pub fn configured(&self) -> bool {
        self.configured
    }

    /// Tells the mailer that e-mails were queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    fn from_config(config: &Config) -> Result<Option<Mailer>, AppError> {
        let Some(host) = config.smtp_host.as_deref() else {
            return Ok(None);
        };
        let from = config
            .smtp_from
            .as_deref()
            .unwrap_or_default()
            .parse::<Mailbox>()
            .map_err(|e| AppError::internal(format!("smtp_from: {e}")))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends one e-mail; `Err((message, permanent))` when it failed.
    async fn send(&self, row: &EmailRow) -> Result<(), (String, bool)> {
        let to = row
            .recipient
            .parse::<Mailbox>()
            .map_err(|e| (format!("bad recipient: {e}"), true))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .map_err(|e| (format!("cannot build the message: {e}"), true))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| (e.to_string(), e.is_permanent()))
    }
}

/// Starts the mailer on the current runtime when SMTP is configured.
pub fn spawn(state: &AppState) -> Result<Option<tokio::task::JoinHandle<()>>, AppError> {
    let Some(mailer) = Mailer::from_config(&state.config)? else {
        return Ok(None);
    };
    let state = state.clone();
    Ok(Some(actix_web::rt::spawn(async move {
        let poll = Duration::from_millis(state.config.mail_poll_ms);
        loop {
            if let Err(e) = send_due(&state, &mailer).await {
                tracing::warn!(error = %e, "the mailer could not read the outbox");
            }
            tokio::select! {
                () = state.mail.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    })))
}

fn retry_after(config: &Config, attempts: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(0);
    let seconds = config
        .mail_retry_seconds
        .saturating_mul(1u64 << doublings)
        .min(MAX_RETRY_SECONDS);
    chrono::Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
}

async fn send_due(state: &AppState, mailer: &Mailer) -> Result<(), AppError> {
    let due = db::run(&state.pool, |conn| Ok(email_outbox::due(conn, BATCH)?)).await?;
    for row in due {
        let claimed = row.clone();
        let mine = db::run(&state.pool, move |conn| {
            Ok(email_outbox::claim(
                conn,
                &claimed,
                chrono::Duration::seconds(LEASE_SECONDS),
            )?)
        })
        .await?;
        if !mine {
            continue;
        }
        let result = mailer.send(&row).await;
        let id = row.id;
        let retry = retry_after(&state.config, row.attempts);
        let give_up_at = i32::try_from(state.config.mail_max_attempts).unwrap_or(i32::MAX);
        db::run(&state.pool, move |conn| {
            match result {
                Ok(()) => email_outbox::mark_sent(conn, id)?,
                Err((error, permanent)) => {
                    tracing::warn!(email = id, error = %error, "an e-mail could not be sent");
                    let give_up = permanent || row.attempts + 1 >= give_up_at;
                    email_outbox::mark_failed(conn, id, &error, retry, give_up)?;
                }
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        let config = Config {
            mail_retry_seconds: 60,
            ..Config::default()
        };
        let waits: Vec<i64> = [0, 1, 3, 20]
            .iter()
            .map(|&n| retry_after(&config, n).num_seconds())
            .collect();
        assert_eq!(waits, vec![60, 120, 480, 6 * 3600]);
    }

    #[test]
    fn smtp_settings_are_checked_at_start_up() {
        let mut config = Config {
            smtp_host: Some("127.0.0.1".into()),
            ..Config::default()
        };
        assert!(config.validate().is_err(), "smtp_from is required");
        config.smtp_from = Some("Touchstone <noreply@example.org>".into());
        assert!(config.validate().is_ok());
        config.smtp_username = Some("user".into());
        assert!(config.validate().is_err(), "a user name needs a password");
        config.smtp_password = Some("secret".into());
        assert!(config.validate().is_ok());
        assert!(MailHandle::new(&config).configured());
        assert!(!MailHandle::new(&Config::default()).configured());
    }
}
