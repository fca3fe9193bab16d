//! SQL of case handling.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::Urgency;
use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::intake::model::{ReportKind, Status};
use crate::{db_read, db_write};

/// One line of a queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: Uuid,
    pub reference: String,
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    pub status: Status,
    pub urgency: Urgency,
    pub channel: String,
    pub created_at: OffsetDateTime,
}

/// The most a queue counts exactly.
pub const QUEUE_COUNT_CAP: i64 = 10_000;

/// The newest cases in `status`, most urgent first within the page's order of arrival.
pub async fn queue(
    db: &Db,
    status: Status,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<QueueRow>, i64)> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, reference, kind, category_code, community_code, status, urgency, channel, created_at \
             FROM reports WHERE status = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3",
        )
        .bind(status.code())
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        // Counting stops at QUEUE_COUNT_CAP: an exact count of a million-row status costs more
        // than the page itself, and "10,000+" says enough.
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM reports WHERE status = $1 LIMIT $2) AS capped",
        )
        .bind(status.code())
        .bind(QUEUE_COUNT_CAP + 1)
        .fetch_one(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let status: String = row.try_get("status")?;
            let urgency: String = row.try_get("urgency")?;
            out.push(QueueRow {
                id: row.try_get("id")?,
                reference: row.try_get("reference")?,
                kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
                category: row.try_get("category_code")?,
                community: row.try_get("community_code")?,
                status: Status::from_code(&status).unwrap_or(Status::Received),
                urgency: Urgency::from_code(&urgency).unwrap_or(Urgency::Normal),
                channel: row.try_get("channel")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok((out, total))
    })
}

/// Everything staff may see of a case (sealed fields still sealed).
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: Uuid,
    pub reference: String,
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    pub place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub occurred_at: Option<OffsetDateTime>,
    pub description: String,
    pub involved_unit: Option<String>,
    pub involved_badge: Option<String>,
    pub witnesses_sealed: Option<Vec<u8>>,
    pub contact_sealed: Option<Vec<u8>>,
    pub consent_contact: bool,
    pub consent_publish: bool,
    pub channel: String,
    pub language: String,
    pub status: Status,
    pub urgency: Urgency,
    pub outcome: Option<String>,
    pub status_reason: Option<String>,
    pub created_at: OffsetDateTime,
    /// When the retention rule deleted the case's identifying data, if it has.
    pub identity_purged_at: Option<OffsetDateTime>,
}

pub async fn find_by_reference(db: &Db, reference: &str) -> AppResult<Option<CaseRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT id, reference, kind, category_code, community_code, place, lat, lon, occurred_at, \
             description, involved_unit, involved_badge, witnesses_sealed, contact_sealed, \
             consent_contact, consent_publish, channel, language, status, urgency, outcome, \
             status_reason, created_at, identity_purged_at FROM reports WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        let urgency: String = row.try_get("urgency")?;
        Ok(Some(CaseRow {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
            category: row.try_get("category_code")?,
            community: row.try_get("community_code")?,
            place: row.try_get("place")?,
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
            occurred_at: row.try_get("occurred_at")?,
            description: row.try_get("description")?,
            involved_unit: row.try_get("involved_unit")?,
            involved_badge: row.try_get("involved_badge")?,
            witnesses_sealed: row.try_get("witnesses_sealed")?,
            contact_sealed: row.try_get("contact_sealed")?,
            identity_purged_at: row.try_get("identity_purged_at")?,
            consent_contact: row.try_get("consent_contact")?,
            consent_publish: row.try_get("consent_publish")?,
            channel: row.try_get("channel")?,
            language: row.try_get("language")?,
            status: Status::from_code(&status).unwrap_or(Status::Received),
            urgency: Urgency::from_code(&urgency).unwrap_or(Urgency::Normal),
            outcome: row.try_get("outcome")?,
            status_reason: row.try_get("status_reason")?,
            created_at: row.try_get("created_at")?,
        }))
    })
}

/// A change of status and of the fields that go with it.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub report_id: Uuid,
    /// The status the change was decided on: if another person changed the case meanwhile,
    /// nothing is written and the caller is told.
    pub from: Status,
    pub to: Status,
    pub category: Option<String>,
    pub community: Option<String>,
    pub urgency: Option<Urgency>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub merged_into: Option<Uuid>,
    pub author_id: Uuid,
}

pub async fn change_status(db: &Db, change: StatusChange, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let updated = sqlx::query(
            "UPDATE reports SET status = $1, category_code = COALESCE($2, category_code), \
             community_code = COALESCE($3, community_code), urgency = COALESCE($4, urgency), \
             outcome = $5, status_reason = $6, merged_into = $7, updated_at = $8 \
             WHERE id = $9 AND status = $10",
        )
        .bind(change.to.code())
        .bind(&change.category)
        .bind(&change.community)
        .bind(change.urgency.map(Urgency::code))
        .bind(&change.outcome)
        .bind(&change.reason)
        .bind(change.merged_into)
        .bind(now)
        .bind(change.report_id)
        .bind(change.from.code())
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(AppError::Conflict("case-changed-meanwhile"));
        }
        if change.from != change.to {
            sqlx::query(
                "INSERT INTO report_status_history (id, report_id, status, created_at, author_id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(change.report_id)
            .bind(change.to.code())
            .bind(now)
            .bind(change.author_id)
            .execute(&mut *conn)
            .await?;
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// What staff write on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// Staff only.
    Note,
    /// The reporter and, with consent, the public read it.
    PublicUpdate,
    /// To the reporter, who reads it with the receipt.
    Message,
}

pub async fn add_writing(
    db: &Db,
    report_id: Uuid,
    author_id: Uuid,
    writing: Writing,
    language: &'static str,
    body: String,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    // The same five values lead each statement; the sixth differs by table.
    let (sql, sixth): (&'static str, Option<&'static str>) = match writing {
        Writing::Note => (
            "INSERT INTO case_notes (id, report_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            None,
        ),
        Writing::PublicUpdate => (
            "INSERT INTO public_updates (id, report_id, author_id, body, created_at, language) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            Some(language),
        ),
        Writing::Message => (
            "INSERT INTO report_messages (id, report_id, author_id, body, created_at, from_reporter) \
             VALUES ($1, $2, $3, $4, $5, FALSE)",
            None,
        ),
    };
    db_write!(db, |conn| {
        let mut query = sqlx::query(sql)
            .bind(Uuid::now_v7())
            .bind(report_id)
            .bind(author_id)
            .bind(&body)
            .bind(now);
        if let Some(value) = sixth {
            query = query.bind(value);
        }
        query.execute(&mut *conn).await?;
        crate::append_audited!(conn, audited);
        Ok::<_, AppError>(())
    })
}

/// A staff note, for the case page.
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub author: String,
    pub body: String,
    pub at: OffsetDateTime,
}

pub async fn notes(db: &Db, report_id: Uuid) -> AppResult<Vec<NoteRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT u.display_name, n.body, n.created_at FROM case_notes n \
             JOIN users u ON u.id = n.author_id WHERE n.report_id = $1 ORDER BY n.created_at",
        )
        .bind(report_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(NoteRow {
                author: row.try_get("display_name")?,
                body: row.try_get("body")?,
                at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    })
}
