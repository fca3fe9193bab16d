//! SQL of the outbox of e-mails (`notifications`).

use std::future::Future;

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::Draft;
use crate::accounts::Role;
use crate::db::{Db, by_engine};
use crate::db_write;
use crate::error::{AppError, AppResult};

/// Who gets a queued e-mail. Resolved inside the transaction that queues it, so the addresses are
/// those of the accounts as the change commits.
#[derive(Debug, Clone, Copy)]
pub enum Recipients<'a> {
    /// Every active officer of the organization.
    Officers(Uuid),
    /// Every active coordinator of the platform.
    Coordinators,
    /// One address (an organization's head, who may have no account).
    Address(&'a str),
    /// A resident's address, already sealed with [`SEAL_RECIPIENT`]: stored sealed, opened only
    /// to send, and erased once sent (see [`mark_sent`]).
    Sealed(&'a [u8]),
}

/// Seal context of residents' addresses in the outbox.
pub const SEAL_RECIPIENT: &str = "notification.recipient";

/// An open write transaction of either engine that can queue e-mails: the change that causes a
/// notification and the notification commit together, so none is lost and none is sent for a
/// change that was rolled back.
pub trait MailQueue {
    /// Queues `draft` once to every address of `to` (each address once), due at once; returns
    /// how many were queued.
    fn queue_mail<'a>(
        &'a mut self,
        to: &'a [Recipients<'a>],
        draft: &'a Draft,
        now: OffsetDateTime,
    ) -> impl Future<Output = AppResult<usize>> + Send + 'a;
}

const OFFICERS: &str = "SELECT email FROM users WHERE organization_id = $1 AND role = $2 \
     AND active = $3 ORDER BY email";
const COORDINATORS: &str = "SELECT email FROM users WHERE role = $1 AND active = $2 ORDER BY email";
const INSERT: &str = "INSERT INTO notifications (id, recipient, subject, body, created_at, \
     attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5)";
const INSERT_SEALED: &str = "INSERT INTO notifications (id, recipient, recipient_sealed, subject, \
     body, created_at, attempts, next_attempt_at) VALUES ($1, '', $2, $3, $4, $5, 0, $5)";

macro_rules! impl_mail_queue {
    ($conn:ty) => {
        impl MailQueue for $conn {
            fn queue_mail<'a>(
                &'a mut self,
                to: &'a [Recipients<'a>],
                draft: &'a Draft,
                now: OffsetDateTime,
            ) -> impl Future<Output = AppResult<usize>> + Send + 'a {
                async move {
                    let mut addresses: Vec<String> = Vec::new();
                    let mut sealed_count = 0;
                    for recipients in to {
                        let found: Vec<String> = match recipients {
                            Recipients::Sealed(sealed) => {
                                sqlx::query(INSERT_SEALED)
                                    .bind(Uuid::now_v7())
                                    .bind(*sealed)
                                    .bind(&draft.subject)
                                    .bind(&draft.body)
                                    .bind(now)
                                    .execute(&mut *self)
                                    .await?;
                                sealed_count += 1;
                                continue;
                            }
                            Recipients::Officers(organization) => {
                                sqlx::query_scalar(OFFICERS)
                                    .bind(organization)
                                    .bind(Role::Officer.code())
                                    .bind(true)
                                    .fetch_all(&mut *self)
                                    .await?
                            }
                            Recipients::Coordinators => {
                                sqlx::query_scalar(COORDINATORS)
                                    .bind(Role::Coordinator.code())
                                    .bind(true)
                                    .fetch_all(&mut *self)
                                    .await?
                            }
                            Recipients::Address(address) => vec![address.trim().to_string()],
                        };
                        for address in found {
                            if !address.is_empty()
                                && !addresses.iter().any(|a| a.eq_ignore_ascii_case(&address))
                            {
                                addresses.push(address);
                            }
                        }
                    }
                    for address in &addresses {
                        sqlx::query(INSERT)
                            .bind(Uuid::now_v7())
                            .bind(address)
                            .bind(&draft.subject)
                            .bind(&draft.body)
                            .bind(now)
                            .execute(&mut *self)
                            .await?;
                    }
                    Ok(addresses.len() + sealed_count)
                }
            }
        }
    };
}

impl_mail_queue!(sqlx::SqliteConnection);
impl_mail_queue!(sqlx::PgConnection);

/// A notification this server has claimed and may now send.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    /// Empty when the address is sealed.
    pub recipient: String,
    pub recipient_sealed: Option<Vec<u8>>,
    pub subject: String,
    pub body: String,
    /// Attempts including this one.
    pub attempts: i64,
}

/// Takes the next due notification: `next_attempt_at` moves to the end of the lease and
/// `attempts` up by one in the same statement, so a notification is claimed by one server only
/// and nobody else touches it until the lease runs out. PostgreSQL skips rows that another
/// server is claiming at this moment instead of waiting for it. SQLite stores moments as text,
/// compared through `julianday()`.
const CLAIM_SQLITE: &str = "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $2 \
     WHERE id = (SELECT id FROM notifications WHERE sent_at IS NULL AND attempts < $3 \
     AND julianday(next_attempt_at) <= julianday($1) ORDER BY julianday(next_attempt_at) LIMIT 1) \
     AND sent_at IS NULL RETURNING id, recipient, recipient_sealed, subject, body, attempts";
const CLAIM_POSTGRES: &str = "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $2 \
     WHERE id = (SELECT id FROM notifications WHERE sent_at IS NULL AND attempts < $3 \
     AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
     AND sent_at IS NULL AND next_attempt_at <= $1 RETURNING id, recipient, recipient_sealed, subject, body, attempts";

/// Claims the next notification due at `now` for `lease_until`, if any; those tried
/// `max_attempts` times already are left alone.
pub async fn claim_next(
    db: &Db,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    max_attempts: i64,
) -> AppResult<Option<Claimed>> {
    db_write!(db, guarded = false, |conn| {
        let row = sqlx::query(by_engine(&*conn, CLAIM_SQLITE, CLAIM_POSTGRES))
            .bind(now)
            .bind(lease_until)
            .bind(max_attempts)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok::<_, AppError>(Some(Claimed {
            id: row.try_get("id")?,
            recipient: row.try_get("recipient")?,
            recipient_sealed: row.try_get("recipient_sealed")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            attempts: row.try_get("attempts")?,
        }))
    })
}

pub async fn mark_sent(db: &Db, id: Uuid, now: OffsetDateTime) -> AppResult<()> {
    db_write!(db, guarded = false, |conn| {
        // A resident's sealed address is not kept once it has served.
        sqlx::query(
            "UPDATE notifications SET sent_at = $1, last_error = NULL, recipient_sealed = NULL \
             WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}

/// Records a failed attempt: tried again from `next_attempt_at`, unless `attempts` reached the
/// limit (a permanent failure is recorded as the limit at once).
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    attempts: i64,
    error: &str,
    next_attempt_at: OffsetDateTime,
) -> AppResult<()> {
    let error = error.chars().take(1000).collect::<String>();
    db_write!(db, guarded = false, |conn| {
        sqlx::query(
            "UPDATE notifications SET attempts = $1, last_error = $2, next_attempt_at = $3 \
             WHERE id = $4 AND sent_at IS NULL",
        )
        .bind(attempts)
        .bind(&error)
        .bind(next_attempt_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}
