//! SQL of accountability reports.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{CheckedReport, Table};
use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: Uuid,
    pub organization_code: String,
    pub organization: [String; 3],
    pub period: String,
    pub title: String,
    pub body: String,
    pub language: String,
    pub tables: Vec<Table>,
    pub published_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT a.id, o.code, o.name_uk, o.name_ru, o.name_en, a.period, a.title, \
                       a.body, a.language, a.tables, a.published_at FROM agency_reports a \
                       JOIN organizations o ON o.id = a.organization_id \
                       WHERE a.withdrawn_at IS NULL";

macro_rules! report_row {
    ($row:expr) => {{
        let row = $row;
        let tables: String = row.try_get("tables")?;
        ReportRow {
            id: row.try_get("id")?,
            organization_code: row.try_get("code")?,
            organization: [
                row.try_get("name_uk")?,
                row.try_get("name_ru")?,
                row.try_get("name_en")?,
            ],
            period: row.try_get("period")?,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            language: row.try_get("language")?,
            tables: serde_json::from_str(&tables).map_err(AppError::internal)?,
            published_at: row.try_get("published_at")?,
        }
    }};
}

pub async fn insert(
    db: &Db,
    id: Uuid,
    organization: Uuid,
    author: Uuid,
    report: CheckedReport,
    tables: Vec<Table>,
    audited: Audited,
) -> AppResult<()> {
    let tables = serde_json::to_string(&tables).map_err(AppError::internal)?;
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO agency_reports (id, organization_id, period, title, body, language, \
             tables, published_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(organization)
        .bind(&report.period)
        .bind(&report.title)
        .bind(&report.body)
        .bind(report.language.code())
        .bind(&tables)
        .bind(now)
        .bind(author)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Published reports, newest first, of one organization or all (`limit + 1` rows).
pub async fn published(
    db: &Db,
    organization: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<ReportRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " AND ($1 IS NULL OR a.organization_id = $1) ORDER BY a.published_at DESC LIMIT $2 OFFSET $3"
        ))
        .bind(organization)
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(report_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<ReportRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(COLUMNS, " AND a.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(report_row!(&row)),
            None => None,
        })
    })
}

/// Takes a report off the site; only its own organization's (`NotFound` otherwise).
pub async fn withdraw(db: &Db, id: Uuid, organization: Uuid, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let done = sqlx::query(
            "UPDATE agency_reports SET withdrawn_at = $1 WHERE id = $2 AND organization_id = $3 \
             AND withdrawn_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(organization)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(AppError::NotFound);
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}
