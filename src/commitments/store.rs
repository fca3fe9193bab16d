//! SQL of commitments and their updates (and the choices of their sources: adopted priorities
//! and events' decisions, read from `priorities`, `events` and `event_decisions`).

use sqlx::Row;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{CheckedCommitment, CheckedUpdate, CommitmentStatus};
use crate::audit::Audited;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

#[derive(Debug, Clone)]
pub struct CommitmentRow {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub community_code: Option<String>,
    pub organization_id: Uuid,
    pub organization_code: String,
    /// uk, ru, en
    pub organization_names: [String; 3],
    pub due_on: Date,
    pub progress: i64,
    pub status: CommitmentStatus,
    pub priority_id: Option<Uuid>,
    pub priority_title: Option<String>,
    pub decision_id: Option<Uuid>,
    pub decision_text: Option<String>,
    pub event_id: Option<Uuid>,
    pub event_title: Option<String>,
    pub last_update_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT c.id, c.title, c.description, c.community_code, c.organization_id, \
    o.code AS organization_code, o.name_uk, o.name_ru, o.name_en, c.due_on, c.progress, c.status, \
    c.priority_id, p.title AS priority_title, c.decision_id, d.text AS decision_text, \
    e.id AS event_id, e.title AS event_title, c.last_update_at, c.created_at \
    FROM commitments c JOIN organizations o ON o.id = c.organization_id \
    LEFT JOIN priorities p ON p.id = c.priority_id \
    LEFT JOIN event_decisions d ON d.id = c.decision_id LEFT JOIN events e ON e.id = d.event_id";

macro_rules! commitment_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        CommitmentRow {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            community_code: row.try_get("community_code")?,
            organization_id: row.try_get("organization_id")?,
            organization_code: row.try_get("organization_code")?,
            organization_names: [
                row.try_get("name_uk")?,
                row.try_get("name_ru")?,
                row.try_get("name_en")?,
            ],
            due_on: row.try_get("due_on")?,
            progress: row.try_get("progress")?,
            status: CommitmentStatus::from_code(&status).unwrap_or(CommitmentStatus::Planned),
            priority_id: row.try_get("priority_id")?,
            priority_title: row.try_get("priority_title")?,
            decision_id: row.try_get("decision_id")?,
            decision_text: row.try_get("decision_text")?,
            event_id: row.try_get("event_id")?,
            event_title: row.try_get("event_title")?,
            last_update_at: row.try_get("last_update_at")?,
            created_at: row.try_get("created_at")?,
        }
    }};
}

/// Every commitment, the soonest due first.
pub async fn all(db: &Db) -> AppResult<Vec<CommitmentRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " ORDER BY c.due_on, c.created_at LIMIT 10000"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(commitment_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<CommitmentRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(COLUMNS, " WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(commitment_row!(&row)),
            None => None,
        })
    })
}

const UPDATED_SQLITE: &str = const_format::concatcp!(
    COLUMNS,
    " WHERE c.id IN (SELECT commitment_id FROM commitment_updates \
     WHERE julianday(created_at) >= julianday($1) AND julianday(created_at) < julianday($2)) \
     ORDER BY c.due_on"
);
const UPDATED_PG: &str = const_format::concatcp!(
    COLUMNS,
    " WHERE c.id IN (SELECT commitment_id FROM commitment_updates \
     WHERE created_at >= $1 AND created_at < $2) ORDER BY c.due_on"
);

/// Commitments with an update recorded in [from, until).
pub async fn updated_between(
    db: &Db,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<Vec<CommitmentRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(by_engine(pool, UPDATED_SQLITE, UPDATED_PG))
            .bind(from)
            .bind(until)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(commitment_row!(row));
        }
        Ok(out)
    })
}

#[derive(Debug, Clone)]
pub struct UpdateRow {
    pub id: Uuid,
    pub on_date: Date,
    pub text: String,
    pub progress: i64,
    pub status: CommitmentStatus,
    pub evidence_url: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A commitment's updates, the newest date first.
pub async fn updates(db: &Db, commitment: Uuid) -> AppResult<Vec<UpdateRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, on_date, text, progress, status, evidence_url, created_at \
             FROM commitment_updates WHERE commitment_id = $1 ORDER BY on_date DESC, created_at DESC",
        )
        .bind(commitment)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get("status")?;
            out.push(UpdateRow {
                id: row.try_get("id")?,
                on_date: row.try_get("on_date")?,
                text: row.try_get("text")?,
                progress: row.try_get("progress")?,
                status: CommitmentStatus::from_code(&status).unwrap_or(CommitmentStatus::Planned),
                evidence_url: row.try_get("evidence_url")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    })
}

/// Creates a commitment (planned, 0 %); its creation counts as its last update.
pub async fn insert(
    db: &Db,
    id: Uuid,
    c: CheckedCommitment,
    by: Option<Uuid>,
    audited: Option<Audited>,
    now: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO commitments (id, title, description, community_code, organization_id, \
             due_on, progress, status, priority_id, decision_id, last_update_at, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, 'planned', $7, $8, $9, $10, $9, $9)",
        )
        .bind(id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.community)
        .bind(c.organization)
        .bind(c.due_on)
        .bind(c.priority)
        .bind(c.decision)
        .bind(now)
        .bind(by)
        .execute(&mut *conn)
        .await?;
        if let Some(audited) = audited {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(())
    })
}

/// Changes what a commitment is (not its progress: updates do that).
pub async fn save(
    db: &Db,
    id: Uuid,
    c: CheckedCommitment,
    audited: Audited,
    now: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "UPDATE commitments SET title = $2, description = $3, community_code = $4, \
             organization_id = $5, due_on = $6, priority_id = $7, decision_id = $8, updated_at = $9 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.community)
        .bind(c.organization)
        .bind(c.due_on)
        .bind(c.priority)
        .bind(c.decision)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok::<_, AppError>(())
    })
}

/// Adds a dated update: the commitment takes its progress and state, and its last update moves
/// to the update's date unless it was later already (an update entered for an earlier day does
/// not make a commitment look fresh).
pub async fn add_update(
    db: &Db,
    commitment: Uuid,
    u: CheckedUpdate,
    by: Option<Uuid>,
    audited: Option<Audited>,
    now: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, |conn| {
        // PostgreSQL: the row stays locked until the commit, so two updates entered at once
        // both see the other's last update. SQLite writes one transaction at a time anyway.
        let last: Option<OffsetDateTime> = sqlx::query_scalar(by_engine(
            &*conn,
            "SELECT last_update_at FROM commitments WHERE id = $1",
            "SELECT last_update_at FROM commitments WHERE id = $1 FOR UPDATE",
        ))
        .bind(commitment)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(last) = last else {
            return Err(AppError::NotFound);
        };
        let moment = u.on_date.midnight().assume_utc().max(last);
        sqlx::query(
            "INSERT INTO commitment_updates (id, commitment_id, on_date, text, progress, status, \
             evidence_url, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(commitment)
        .bind(u.on_date)
        .bind(&u.text)
        .bind(u.progress)
        .bind(u.status.code())
        .bind(&u.evidence_url)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE commitments SET progress = $2, status = $3, last_update_at = $4, updated_at = $5 \
             WHERE id = $1",
        )
        .bind(commitment)
        .bind(u.progress)
        .bind(u.status.code())
        .bind(moment)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if let Some(audited) = audited {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(())
    })
}

/// An organization to choose as responsible.
#[derive(Debug, Clone)]
pub struct OrganizationChoice {
    pub id: Uuid,
    pub code: String,
    pub names: [String; 3],
}

pub async fn organizations(db: &Db) -> AppResult<Vec<OrganizationChoice>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, code, name_uk, name_ru, name_en FROM organizations ORDER BY name_uk",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(OrganizationChoice {
                id: row.try_get("id")?,
                code: row.try_get("code")?,
                names: [
                    row.try_get("name_uk")?,
                    row.try_get("name_ru")?,
                    row.try_get("name_en")?,
                ],
            });
        }
        Ok(out)
    })
}

/// A source to choose: an adopted priority or an event's decision.
#[derive(Debug, Clone)]
pub struct SourceChoice {
    pub id: Uuid,
    pub text: String,
    /// The priority's community, or the decision's event title.
    pub context: Option<String>,
}

pub async fn adopted_priorities(db: &Db) -> AppResult<Vec<SourceChoice>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, title, community_code FROM priorities WHERE status = 'adopted' \
             ORDER BY decided_at DESC LIMIT 500",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(SourceChoice {
                id: row.try_get("id")?,
                text: row.try_get("title")?,
                context: row.try_get("community_code")?,
            });
        }
        Ok(out)
    })
}

pub async fn decisions(db: &Db) -> AppResult<Vec<SourceChoice>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT d.id, d.text, e.title FROM event_decisions d JOIN events e ON e.id = d.event_id \
             ORDER BY e.starts_at DESC, d.position LIMIT 500",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(SourceChoice {
                id: row.try_get("id")?,
                text: row.try_get("text")?,
                context: row.try_get("title")?,
            });
        }
        Ok(out)
    })
}

/// Rewrites a commitment's dates (the demo's past).
pub async fn set_dates(
    db: &Db,
    id: Uuid,
    created_at: OffsetDateTime,
    last_update_at: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, guarded = false, |conn| {
        sqlx::query(
            "UPDATE commitments SET created_at = $2, updated_at = $3, last_update_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(created_at)
        .bind(last_update_at)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}

/// Whether a commitment with this title exists (the demo adds its own once).
pub async fn title_exists(db: &Db, title: &str) -> AppResult<bool> {
    db_read!(db, |pool| {
        let found: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM commitments WHERE title = $1 LIMIT 1")
                .bind(title)
                .fetch_optional(pool)
                .await?;
        Ok(found.is_some())
    })
}
