//! The sender: delivers queued e-mails, each claimed first so that several app servers running
//! it at once send each one once, and retried with back-off when delivery fails.

use time::OffsetDateTime;

use super::mailer::build_message;
use super::model::{LEASE, MAX_ATTEMPTS, backoff};
use super::store;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub failed: usize,
}

/// Sends due notifications, at most `limit` in this run (the rest wait for the next run).
pub async fn send_due(state: &AppState, limit: usize) -> AppResult<SendReport> {
    let mut report = SendReport::default();
    for _ in 0..limit {
        let now = OffsetDateTime::now_utc();
        let Some(claimed) = store::claim_next(&state.db, now, now + LEASE, MAX_ATTEMPTS).await?
        else {
            break;
        };
        let recipient = match &claimed.recipient_sealed {
            Some(sealed) => state
                .keys
                .open_string(store::SEAL_RECIPIENT, sealed)
                .unwrap_or_default(),
            None => claimed.recipient.clone(),
        };
        let sent = match build_message(
            claimed.id,
            &state.mail_from,
            &recipient,
            &claimed.subject,
            &claimed.body,
        ) {
            Ok(message) => state.mailer.send(claimed.id, message).await,
            Err(err) => Err(err),
        };
        match sent {
            Ok(()) => {
                store::mark_sent(&state.db, claimed.id, OffsetDateTime::now_utc()).await?;
                report.sent += 1;
            }
            Err(err) => {
                // The id only: the recipient is staff, but logs need no addresses at all.
                tracing::warn!(notification = %claimed.id, attempts = claimed.attempts,
                    permanent = err.permanent, error = %err.text, "e-mail not delivered");
                let attempts = if err.permanent {
                    MAX_ATTEMPTS
                } else {
                    claimed.attempts
                };
                let retry_at = OffsetDateTime::now_utc() + backoff(claimed.attempts);
                store::mark_failed(&state.db, claimed.id, attempts, &err.text, retry_at).await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}
