//! SQL of reports, their timeline and the reporter's additions.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{ReportKind, Status};
use crate::attachments::service::StoredAttachment;
use crate::db::{Db, insert_report_sql};
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write, insert_attachments};

/// A report ready to be written: validated, identifying fields already sealed.
#[derive(Debug, Clone)]
pub struct NewReportRow {
    pub id: Uuid,
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
    pub channel: &'static str,
    pub language: &'static str,
    pub receipt_hash: Vec<u8>,
    pub idempotency_hash: Option<Vec<u8>>,
    pub fingerprint: Option<Vec<u8>>,
    pub created_at: OffsetDateTime,
    pub attachments: Vec<StoredAttachment>,
    /// What full-text search looks in (see `search::normalize`).
    pub search_text: String,
    /// `created_at`'s month in the platform's time zone, as `yyyymm` (what the maps count by).
    pub received_month: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    New {
        reference: String,
    },
    /// A report with the same idempotency key exists; `same_request` tells whether its content
    /// matches this one.
    Existing {
        reference: String,
        same_request: bool,
    },
}

/// The report already stored under `$row`'s idempotency key, if any (`?` on errors).
macro_rules! find_idempotent {
    ($conn:expr, $row:expr) => {
        match &$row.idempotency_hash {
            None => None,
            Some(key) => {
                let found = sqlx::query(
                    "SELECT reference, request_fingerprint FROM reports WHERE idempotency_hash = $1",
                )
                .bind(key)
                .fetch_optional(&mut *$conn)
                .await?;
                match found {
                    None => None,
                    Some(found) => {
                        let fingerprint: Option<Vec<u8>> = found.try_get("request_fingerprint")?;
                        Some(Inserted::Existing {
                            reference: found.try_get("reference")?,
                            same_request: fingerprint == $row.fingerprint,
                        })
                    }
                }
            }
        }
    };
}

/// Writes the report and its attachments in one transaction. The report's first status is its
/// `created_at`; the history holds the changes after it.
pub async fn insert_report(db: &Db, prefix: String, row: NewReportRow) -> AppResult<Inserted> {
    let prefix = format!("{prefix}-{}-", row.created_at.year());
    // Without attachments the job is one statement and needs no savepoint (see the writer).
    let guarded = !row.attachments.is_empty();
    db_write!(db, guarded = guarded, |conn| {
        let inserted: Option<String> = sqlx::query_scalar(insert_report_sql(&*conn))
            .bind(row.id)
            .bind(&prefix)
            .bind(row.kind.code())
            .bind(&row.category)
            .bind(&row.community)
            .bind(&row.place)
            .bind(row.lat)
            .bind(row.lon)
            .bind(row.occurred_at)
            .bind(&row.description)
            .bind(&row.involved_unit)
            .bind(&row.involved_badge)
            .bind(&row.witnesses_sealed)
            .bind(&row.contact_sealed)
            .bind(row.consent_contact)
            .bind(row.consent_publish)
            .bind(row.channel)
            .bind(row.language)
            .bind(Status::Received.code())
            .bind(&row.receipt_hash)
            .bind(&row.idempotency_hash)
            .bind(&row.fingerprint)
            .bind(row.created_at)
            .bind(&row.search_text)
            .bind(row.received_month)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(reference) = inserted else {
            // A unique value exists: this is a retry (possibly racing on another server). Without
            // an idempotency key the values are random: a receipt collides once in 10^20 per
            // stored report, answered as an error to send again.
            return find_idempotent!(conn, row)
                .ok_or_else(|| AppError::internal("report insert collided with no retried row"));
        };
        insert_attachments!(conn, row.id, row.attachments, row.created_at);
        Ok(Inserted::New { reference })
    })
}

/// What the reporter may see about their own report.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    pub id: Uuid,
    pub reference: String,
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    pub status: Status,
    pub occurred_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub consent_contact: bool,
    pub consent_publish: bool,
    pub has_contact: bool,
}

macro_rules! summary {
    ($row:expr) => {{
        let kind: String = $row.try_get("kind")?;
        let status: String = $row.try_get("status")?;
        ReportSummary {
            id: $row.try_get("id")?,
            reference: $row.try_get("reference")?,
            kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
            category: $row.try_get("category_code")?,
            community: $row.try_get("community_code")?,
            status: Status::from_code(&status).unwrap_or(Status::Received),
            occurred_at: $row.try_get("occurred_at")?,
            created_at: $row.try_get("created_at")?,
            consent_contact: $row.try_get("consent_contact")?,
            consent_publish: $row.try_get("consent_publish")?,
            has_contact: $row.try_get("has_contact")?,
        }
    }};
}

const SELECT_SUMMARY: &str = "SELECT id, reference, kind, category_code, community_code, status, \
     occurred_at, created_at, consent_contact, consent_publish, \
     contact_sealed IS NOT NULL AS has_contact FROM reports WHERE ";

/// The report summary selected by `$column = $1`.
macro_rules! find_summary {
    ($db:expr, $column:literal, $value:expr) => {
        db_read!($db, |pool| {
            let row = sqlx::query(const_format::concatcp!(SELECT_SUMMARY, $column, " = $1"))
                .bind($value)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(row) => Some(summary!(row)),
                None => None,
            })
        })
    };
}

pub async fn find_by_receipt_hash(db: &Db, hash: &[u8]) -> AppResult<Option<ReportSummary>> {
    find_summary!(db, "receipt_hash", hash)
}

pub async fn find_by_id(db: &Db, id: Uuid) -> AppResult<Option<ReportSummary>> {
    find_summary!(db, "id", id)
}

/// One entry of what happened to a report, as its reporter sees it.
#[derive(Debug, Clone)]
pub enum TimelineEntry {
    Status {
        status: Status,
        at: OffsetDateTime,
    },
    PublicUpdate {
        body: String,
        at: OffsetDateTime,
    },
    Message {
        from_reporter: bool,
        body: String,
        at: OffsetDateTime,
    },
}

impl TimelineEntry {
    pub fn at(&self) -> OffsetDateTime {
        match self {
            TimelineEntry::Status { at, .. }
            | TimelineEntry::PublicUpdate { at, .. }
            | TimelineEntry::Message { at, .. } => *at,
        }
    }
}

/// The report's status history, public updates and messages, oldest first.
pub async fn timeline(db: &Db, report_id: Uuid) -> AppResult<Vec<TimelineEntry>> {
    db_read!(db, |pool| {
        // The first status is the report's own arrival; the history holds the changes after it.
        let received: OffsetDateTime =
            sqlx::query_scalar("SELECT created_at FROM reports WHERE id = $1")
                .bind(report_id)
                .fetch_one(pool)
                .await?;
        let mut entries = vec![TimelineEntry::Status {
            status: Status::Received,
            at: received,
        }];
        for row in
            sqlx::query("SELECT status, created_at FROM report_status_history WHERE report_id = $1")
                .bind(report_id)
                .fetch_all(pool)
                .await?
        {
            let status: String = row.try_get("status")?;
            entries.push(TimelineEntry::Status {
                status: Status::from_code(&status).unwrap_or(Status::Received),
                at: row.try_get("created_at")?,
            });
        }
        for row in sqlx::query("SELECT body, created_at FROM public_updates WHERE report_id = $1")
            .bind(report_id)
            .fetch_all(pool)
            .await?
        {
            entries.push(TimelineEntry::PublicUpdate {
                body: row.try_get("body")?,
                at: row.try_get("created_at")?,
            });
        }
        for row in sqlx::query(
            "SELECT from_reporter, body, created_at FROM report_messages WHERE report_id = $1",
        )
        .bind(report_id)
        .fetch_all(pool)
        .await?
        {
            entries.push(TimelineEntry::Message {
                from_reporter: row.try_get("from_reporter")?,
                body: row.try_get("body")?,
                at: row.try_get("created_at")?,
            });
        }
        entries.sort_by_key(TimelineEntry::at);
        Ok(entries)
    })
}

/// Information the reporter adds later: a message from them, with any files. Returns false, and
/// writes nothing, when `idempotency_hash` was seen before (a retry of an addition already made).
pub async fn add_reporter_message(
    db: &Db,
    report_id: Uuid,
    body: Option<String>,
    attachments: Vec<StoredAttachment>,
    idempotency_hash: Option<Vec<u8>>,
) -> AppResult<bool> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        if let Some(key) = &idempotency_hash {
            let fresh: Option<Vec<u8>> = sqlx::query_scalar(
                "INSERT INTO idempotency_keys (key_hash, created_at) VALUES ($1, $2) \
                 ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash",
            )
            .bind(key)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            if fresh.is_none() {
                return Ok(false);
            }
        }
        if let Some(body) = &body {
            sqlx::query(
                "INSERT INTO report_messages (id, report_id, from_reporter, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(report_id)
            .bind(true)
            .bind(body)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        insert_attachments!(conn, report_id, attachments, now);
        sqlx::query("UPDATE reports SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(report_id)
            .execute(&mut *conn)
            .await?;
        Ok::<_, AppError>(true)
    })
}

/// Adds a public update (used by case handling and by the demo).
pub async fn add_public_update(
    db: &Db,
    report_id: Uuid,
    language: &'static str,
    body: String,
    at: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO public_updates (id, report_id, language, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(report_id)
        .bind(language)
        .bind(&body)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}
