//! SQL the demo needs to give its reports a past (later case handling writes these through its
//! own use cases).

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::intake::model::Status;
use crate::{db_read, db_write};

pub async fn report_count(db: &Db) -> AppResult<i64> {
    db_read!(db, |pool| {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM reports")
            .fetch_one(pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    })
}

/// What happened to a demo case after it was received.
pub struct DemoPast {
    pub history: Vec<(Status, OffsetDateTime)>,
    pub updates: Vec<(String, OffsetDateTime)>,
    pub messages: Vec<(bool, String, OffsetDateTime)>,
    pub language: &'static str,
    pub referral: Option<DemoReferral>,
    /// How it ended, if it was closed.
    pub outcome: &'static str,
}

pub async fn apply_history(db: &Db, report_id: Uuid, past: DemoPast) -> AppResult<()> {
    let DemoPast {
        history,
        updates,
        messages,
        language,
        referral,
        outcome,
    } = past;
    db_write!(db, |conn| {
        if let Some(r) = &referral {
            let referral_id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO referrals (id, report_id, organization_id, status, message, due_at, \
                 response, created_by, created_at, updated_at, first_response_at, answered_at, \
                 escalated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(referral_id)
            .bind(report_id)
            .bind(r.organization)
            .bind(r.status)
            .bind("Please look into this report and answer within two weeks.")
            .bind(r.due_at)
            .bind(&r.response)
            .bind(r.created_by)
            .bind(r.referred_at)
            .bind(
                r.answered_at
                    .or(r.first_response_at)
                    .unwrap_or(r.referred_at),
            )
            .bind(r.first_response_at)
            .bind(r.answered_at)
            .bind(r.escalated_at)
            .execute(&mut *conn)
            .await?;
        }
        for (status, at) in &history {
            sqlx::query(
                "INSERT INTO report_status_history (id, report_id, status, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(Uuid::now_v7())
            .bind(report_id)
            .bind(status.code())
            .bind(*at)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE reports SET status = $1, updated_at = $2, outcome = $3 WHERE id = $4",
            )
            .bind(status.code())
            .bind(*at)
            .bind((*status == Status::Closed).then_some(outcome))
            .bind(report_id)
            .execute(&mut *conn)
            .await?;
        }
        for (body, at) in &updates {
            sqlx::query(
                "INSERT INTO public_updates (id, report_id, language, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(report_id)
            .bind(language)
            .bind(body)
            .bind(*at)
            .execute(&mut *conn)
            .await?;
        }
        for (from_reporter, body, at) in &messages {
            sqlx::query(
                "INSERT INTO report_messages (id, report_id, from_reporter, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(report_id)
            .bind(*from_reporter)
            .bind(body)
            .bind(*at)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, AppError>(())
    })
}

/// A referral of a demo case, in the state its history reached.
pub struct DemoReferral {
    pub organization: Uuid,
    pub created_by: Uuid,
    pub referred_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub status: &'static str,
    pub first_response_at: Option<OffsetDateTime>,
    pub answered_at: Option<OffsetDateTime>,
    pub escalated_at: Option<OffsetDateTime>,
    pub response: Option<String>,
}

/// The account the demo's case handling is attributed to: disabled, with a random password
/// nobody knows, so the demo opens no way in.
pub async fn demo_coordinator(db: &Db, email: &'static str) -> AppResult<Uuid> {
    let mut secret = [0u8; 32];
    rand::fill(&mut secret);
    let password_hash = crate::accounts::service::hash_password(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        secret,
    ))
    .await?;
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, role, password_hash, active, created_at, \
             updated_at) VALUES ($1, $2, 'Demo coordinator', 'coordinator', $3, FALSE, $4, $4) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(email)
        .bind(&password_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&mut *conn)
            .await?;
        Ok::<_, AppError>(id)
    })
}

/// Gives organizations their head's e-mail, keeping any address set since.
pub async fn set_head_emails(
    db: &Db,
    heads: &'static [(&'static str, &'static str)],
) -> AppResult<()> {
    db_write!(db, |conn| {
        for (code, email) in heads {
            sqlx::query(
                "UPDATE organizations SET head_email = $1 WHERE code = $2 AND head_email IS NULL",
            )
            .bind(*email)
            .bind(*code)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, AppError>(())
    })
}
