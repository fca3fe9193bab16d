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

pub async fn apply_history(
    db: &Db,
    report_id: Uuid,
    history: Vec<(Status, OffsetDateTime)>,
    updates: Vec<(String, OffsetDateTime)>,
    messages: Vec<(bool, String, OffsetDateTime)>,
    language: &'static str,
) -> AppResult<()> {
    db_write!(db, |conn| {
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
            sqlx::query("UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.code())
                .bind(*at)
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
