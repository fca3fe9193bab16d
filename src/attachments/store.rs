//! SQL of attachments.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::AttachmentKind;
use crate::db::Db;
use crate::db_read;
use crate::error::AppResult;

pub const INSERT: &str = "INSERT INTO attachments (id, report_id, kind, original_key, original_size, \
     original_sha256, served_key, served_size, name_sealed, from_reporter, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Writes attachment rows inside a transaction of either engine.
#[macro_export]
macro_rules! insert_attachments {
    ($conn:expr, $report_id:expr, $attachments:expr, $now:expr) => {
        for a in $attachments.iter() {
            sqlx::query($crate::attachments::store::INSERT)
                .bind(a.id)
                .bind($report_id)
                .bind(a.kind.as_str())
                .bind(&a.original_key)
                .bind(a.original_size)
                .bind(&a.original_sha256)
                .bind(&a.served_key)
                .bind(a.served_size)
                .bind(&a.name_sealed)
                .bind(true)
                .bind($now)
                .execute(&mut *$conn)
                .await?;
        }
    };
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub kind: AttachmentKind,
    pub original_key: String,
    pub served_key: String,
    pub served_size: i64,
    pub created_at: OffsetDateTime,
}

macro_rules! attachment_row {
    ($row:expr) => {{
        let kind: String = $row.try_get("kind")?;
        AttachmentRow {
            id: $row.try_get("id")?,
            kind: AttachmentKind::from_code(&kind).unwrap_or(AttachmentKind::Pdf),
            original_key: $row.try_get("original_key")?,
            served_key: $row.try_get("served_key")?,
            served_size: $row.try_get("served_size")?,
            created_at: $row.try_get("created_at")?,
        }
    }};
}

pub async fn list(db: &Db, report_id: Uuid) -> AppResult<Vec<AttachmentRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, kind, original_key, served_key, served_size, created_at FROM attachments \
             WHERE report_id = $1 ORDER BY created_at, id",
        )
        .bind(report_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(attachment_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, report_id: Uuid, id: Uuid) -> AppResult<Option<AttachmentRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT id, kind, original_key, served_key, served_size, created_at FROM attachments \
             WHERE report_id = $1 AND id = $2",
        )
        .bind(report_id)
        .bind(id)
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => Some(attachment_row!(row)),
            None => None,
        })
    })
}
