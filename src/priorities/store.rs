//! SQL of priorities and their supports (and the round tables they name, read from `events`).

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{PriorityStatus, Proposal};
use crate::audit::Audited;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::notify::model::Draft;
use crate::notify::store::{MailQueue, Recipients};
use crate::{db_read, db_write};

#[derive(Debug, Clone)]
pub struct PriorityRow {
    pub id: Uuid,
    pub community_code: String,
    pub title: String,
    pub description: String,
    pub status: PriorityStatus,
    pub reason: Option<String>,
    pub merged_into: Option<Uuid>,
    pub merged_title: Option<String>,
    pub event_id: Option<Uuid>,
    pub event_title: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub supporters: i64,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT p.id, p.community_code, p.title, p.description, p.status, p.reason, \
    p.merged_into, m.title AS merged_title, p.event_id, e.title AS event_title, p.decided_at, \
    p.supporters, p.created_at FROM priorities p \
    LEFT JOIN priorities m ON m.id = p.merged_into LEFT JOIN events e ON e.id = p.event_id";

macro_rules! priority_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        PriorityRow {
            id: row.try_get("id")?,
            community_code: row.try_get("community_code")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            status: PriorityStatus::from_code(&status).unwrap_or(PriorityStatus::Pending),
            reason: row.try_get("reason")?,
            merged_into: row.try_get("merged_into")?,
            merged_title: row.try_get("merged_title")?,
            event_id: row.try_get("event_id")?,
            event_title: row.try_get("event_title")?,
            decided_at: row.try_get("decided_at")?,
            supporters: row.try_get("supporters")?,
            created_at: row.try_get("created_at")?,
        }
    }};
}

/// Every priority (all states), newest first; the service filters and sorts.
pub async fn all(db: &Db) -> AppResult<Vec<PriorityRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " ORDER BY p.created_at DESC LIMIT 5000"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(priority_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<PriorityRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(COLUMNS, " WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(priority_row!(&row)),
            None => None,
        })
    })
}

/// Stores a proposal as pending; a retried submission (same key) is stored once. Returns the
/// proposal's id (the first one's on a retry).
pub async fn insert_proposal(
    db: &Db,
    id: Uuid,
    proposal: Proposal,
    submission_key: [u8; 32],
    now: OffsetDateTime,
) -> AppResult<Uuid> {
    db_write!(db, |conn| {
        // The same form sent twice at once: one insert wins, the other finds it.
        let inserted = sqlx::query(
            "INSERT INTO priorities (id, community_code, title, description, status, supporters, \
             submission_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $6) \
             ON CONFLICT (submission_key) DO NOTHING",
        )
        .bind(id)
        .bind(&proposal.community)
        .bind(&proposal.title)
        .bind(&proposal.description)
        .bind(&submission_key[..])
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(id);
        }
        let existing: Uuid =
            sqlx::query_scalar("SELECT id FROM priorities WHERE submission_key = $1")
                .bind(&submission_key[..])
                .fetch_one(&mut *conn)
                .await?;
        Ok::<_, AppError>(existing)
    })
}

/// A priority in any state, as the demo writes it (its past dates and counts).
#[allow(clippy::too_many_arguments)]
pub async fn insert_demo(
    db: &Db,
    id: Uuid,
    proposal: Proposal,
    status: PriorityStatus,
    reason: Option<&str>,
    merged_into: Option<Uuid>,
    event_id: Option<Uuid>,
    supporters: i64,
    created_at: OffsetDateTime,
    decided_at: Option<OffsetDateTime>,
) -> AppResult<()> {
    let reason = reason.map(str::to_string);
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO priorities (id, community_code, title, description, status, reason, \
             merged_into, event_id, decided_at, supporters, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(id)
        .bind(&proposal.community)
        .bind(&proposal.title)
        .bind(&proposal.description)
        .bind(status.code())
        .bind(&reason)
        .bind(merged_into)
        .bind(event_id)
        .bind(decided_at)
        .bind(supporters)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}

/// Publishes or rejects a pending proposal; false when it is no longer pending.
pub async fn moderate(
    db: &Db,
    id: Uuid,
    status: PriorityStatus,
    reason: Option<String>,
    audited: Audited,
    now: OffsetDateTime,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let changed = sqlx::query(
            "UPDATE priorities SET status = $2, reason = $3, updated_at = $4 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(status.code())
        .bind(&reason)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed == 1 {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(changed == 1)
    })
}

/// Records a round table's decision on an open priority; false when it is no longer open.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    id: Uuid,
    status: PriorityStatus,
    reason: String,
    merged_into: Option<Uuid>,
    event_id: Option<Uuid>,
    audited: Audited,
    now: OffsetDateTime,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let changed = sqlx::query(
            "UPDATE priorities SET status = $2, reason = $3, merged_into = $4, event_id = $5, \
             decided_at = $6, updated_at = $6 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(status.code())
        .bind(&reason)
        .bind(merged_into)
        .bind(event_id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed == 1 {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(changed == 1)
    })
}

/// Asks for a support: stores the address's and the link's hashes and queues the confirmation
/// mail in the same transaction. Nothing happens (and no mail leaves) when this address already
/// asked to support this priority, or when the priority is not open; the answer is the same.
pub async fn request_support(
    db: &Db,
    priority_id: Uuid,
    email_hash: [u8; 32],
    confirm_hash: [u8; 32],
    recipient_sealed: Vec<u8>,
    draft: Draft,
    now: OffsetDateTime,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let open: Option<String> =
            sqlx::query_scalar("SELECT status FROM priorities WHERE id = $1 AND status = 'open'")
                .bind(priority_id)
                .fetch_optional(&mut *conn)
                .await?;
        if open.is_none() {
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO priority_supports (id, priority_id, email_hash, confirm_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(priority_id)
        .bind(&email_hash[..])
        .bind(&confirm_hash[..])
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            conn.queue_mail(&[Recipients::Sealed(&recipient_sealed)], &draft, now)
                .await?;
        }
        Ok::<_, AppError>(inserted == 1)
    })
}

/// What a confirmation link points to.
#[derive(Debug, Clone)]
pub struct SupportLink {
    pub priority_id: Uuid,
    pub confirmed: bool,
}

pub async fn support_link(db: &Db, confirm_hash: [u8; 32]) -> AppResult<Option<SupportLink>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT priority_id, confirmed_at FROM priority_supports WHERE confirm_hash = $1",
        )
        .bind(&confirm_hash[..])
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => {
                let at: Option<OffsetDateTime> = row.try_get("confirmed_at")?;
                Some(SupportLink {
                    priority_id: row.try_get("priority_id")?,
                    confirmed: at.is_some(),
                })
            }
            None => None,
        })
    })
}

/// Confirms a support once, counting it in the same transaction; the priority's id when this
/// call counted it (None: unknown link, used already, or the priority is no longer open).
pub async fn confirm_support(
    db: &Db,
    confirm_hash: [u8; 32],
    now: OffsetDateTime,
) -> AppResult<Option<Uuid>> {
    db_write!(db, |conn| {
        let priority: Option<Uuid> = sqlx::query_scalar(
            "UPDATE priority_supports SET confirmed_at = $2 WHERE confirm_hash = $1 \
             AND confirmed_at IS NULL \
             AND priority_id IN (SELECT id FROM priorities WHERE status = 'open') \
             RETURNING priority_id",
        )
        .bind(&confirm_hash[..])
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = priority {
            sqlx::query("UPDATE priorities SET supporters = supporters + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok::<_, AppError>(priority)
    })
}

/// A round table to choose in a decision.
#[derive(Debug, Clone)]
pub struct RoundTable {
    pub id: Uuid,
    pub title: String,
    pub starts_at: OffsetDateTime,
}

/// Round tables (events of kind `round_table`), newest first.
pub async fn round_tables(db: &Db) -> AppResult<Vec<RoundTable>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, title, starts_at FROM events WHERE kind = 'round_table' \
             ORDER BY starts_at DESC LIMIT 200",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(RoundTable {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                starts_at: row.try_get("starts_at")?,
            });
        }
        Ok(out)
    })
}

pub async fn round_table_exists(db: &Db, id: Uuid) -> AppResult<bool> {
    db_read!(db, |pool| {
        let found: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM events WHERE id = $1 AND kind = 'round_table'")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        Ok(found.is_some())
    })
}

const COUNT_PROPOSED_SQLITE: &str = "SELECT COUNT(*) FROM priorities \
     WHERE julianday(created_at) >= julianday($1) AND julianday(created_at) < julianday($2)";
const COUNT_PROPOSED_PG: &str =
    "SELECT COUNT(*) FROM priorities WHERE created_at >= $1 AND created_at < $2";
const COUNT_ADOPTED_SQLITE: &str = "SELECT COUNT(*) FROM priorities WHERE status = 'adopted' \
     AND julianday(decided_at) >= julianday($1) AND julianday(decided_at) < julianday($2)";
const COUNT_ADOPTED_PG: &str = "SELECT COUNT(*) FROM priorities WHERE status = 'adopted' \
     AND decided_at >= $1 AND decided_at < $2";

/// Proposals received and priorities adopted in [from, until).
pub async fn counts_between(
    db: &Db,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<(i64, i64)> {
    db_read!(db, |pool| {
        let proposed: i64 =
            sqlx::query_scalar(by_engine(pool, COUNT_PROPOSED_SQLITE, COUNT_PROPOSED_PG))
                .bind(from)
                .bind(until)
                .fetch_one(pool)
                .await?;
        let adopted: i64 =
            sqlx::query_scalar(by_engine(pool, COUNT_ADOPTED_SQLITE, COUNT_ADOPTED_PG))
                .bind(from)
                .bind(until)
                .fetch_one(pool)
                .await?;
        Ok((proposed, adopted))
    })
}
