//! SQL of events, their decisions and registrations.
//!
//! Seats are never given above capacity: a registration counts and inserts in one transaction,
//! which on PostgreSQL first locks the event's row (`SELECT … FOR UPDATE`), and on SQLite runs on
//! the one writer. Cancelling a confirmed registration promotes the earliest waiting one in the
//! same transaction. Registrations are ordered by their UUID v7 ids (time-ordered).

use std::sync::Arc;

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{EventKind, EventStatus, RegistrationStatus, ValidEvent};
use crate::audit::Audited;
use crate::crypto::Keys;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::notify::model::Draft;
use crate::notify::store::{MailQueue, Recipients, SEAL_RECIPIENT};
use crate::{append_audited, db_read, db_write};

/// Seal contexts of a registration's identifying data.
pub const SEAL_NAME: &str = "registration.name";
pub const SEAL_EMAIL: &str = "registration.email";

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: Uuid,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub community_code: Option<String>,
    pub place: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub organizers: String,
    pub capacity: Option<i64>,
    pub languages: String,
    pub status: EventStatus,
    pub organization_id: Option<Uuid>,
    pub attendance: Option<i64>,
    pub minutes: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub confirmed: i64,
    pub waiting: i64,
}

impl EventRow {
    pub fn seats_left(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.confirmed).max(0))
    }
}

const COLUMNS: &str = "SELECT id, kind, title, description, community_code, place, starts_at, \
    ends_at, organizers, capacity, languages, status, organization_id, attendance, minutes, \
    created_at, updated_at, \
    (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = events.id \
     AND r.status = 'confirmed') AS confirmed, \
    (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = events.id \
     AND r.status = 'waiting') AS waiting \
    FROM events";

/// The people holding a seat at event `$1`.
const COUNT_CONFIRMED: &str =
    "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND status = 'confirmed'";

macro_rules! event_row {
    ($row:expr) => {{
        let row = $row;
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        EventRow {
            id: row.try_get("id")?,
            kind: EventKind::from_code(&kind).unwrap_or(EventKind::RoundTable),
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            community_code: row.try_get("community_code")?,
            place: row.try_get("place")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            organizers: row.try_get("organizers")?,
            capacity: row.try_get("capacity")?,
            languages: row.try_get("languages")?,
            status: EventStatus::from_code(&status),
            organization_id: row.try_get("organization_id")?,
            attendance: row.try_get("attendance")?,
            minutes: row.try_get("minutes")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            confirmed: row.try_get("confirmed")?,
            waiting: row.try_get("waiting")?,
        }
    }};
}

/// Which events a list shows. `community` includes the events of the whole region.
#[derive(Debug, Clone)]
pub enum Window {
    /// Not ended at `now`, soonest first.
    Upcoming { now: OffsetDateTime },
    /// Ended before `now`, latest first.
    Past { now: OffsetDateTime },
    /// Starting in `[from, until)`, in order.
    Starting {
        from: OffsetDateTime,
        until: OffsetDateTime,
    },
}

const FILTER: &str = " WHERE ($1 IS NULL OR community_code = $1 OR community_code IS NULL) \
    AND ($2 IS NULL OR kind = $2) AND ";
const UPCOMING_SQLITE: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "julianday(ends_at) >= julianday($3) ORDER BY julianday(starts_at), id LIMIT $4"
);
const UPCOMING_PG: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "ends_at >= $3 ORDER BY starts_at, id LIMIT $4"
);
const PAST_SQLITE: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "julianday(ends_at) < julianday($3) ORDER BY julianday(starts_at) DESC, id LIMIT $4"
);
const PAST_PG: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "ends_at < $3 ORDER BY starts_at DESC, id LIMIT $4"
);
const STARTING_SQLITE: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "julianday(starts_at) >= julianday($3) AND julianday(starts_at) < julianday($5) \
     ORDER BY julianday(starts_at), id LIMIT $4"
);
const STARTING_PG: &str = const_format::concatcp!(
    COLUMNS,
    FILTER,
    "starts_at >= $3 AND starts_at < $5 ORDER BY starts_at, id LIMIT $4"
);

pub async fn list(
    db: &Db,
    community: Option<&str>,
    kind: Option<EventKind>,
    window: &Window,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    let (sqlite, pg, from, until) = match *window {
        Window::Upcoming { now } => (UPCOMING_SQLITE, UPCOMING_PG, now, now),
        Window::Past { now } => (PAST_SQLITE, PAST_PG, now, now),
        Window::Starting { from, until } => (STARTING_SQLITE, STARTING_PG, from, until),
    };
    db_read!(db, |pool| {
        let sql = by_engine(pool, sqlite, pg);
        let mut query = sqlx::query(sql)
            .bind(community)
            .bind(kind.map(EventKind::code))
            .bind(from)
            .bind(limit);
        if matches!(window, Window::Starting { .. }) {
            query = query.bind(until);
        }
        let rows = query.fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(event_row!(row));
        }
        Ok(out)
    })
}

/// Every event for the staff list, latest start first.
pub async fn all(db: &Db) -> AppResult<Vec<EventRow>> {
    db_read!(db, |pool| {
        let sql = by_engine(
            pool,
            const_format::concatcp!(COLUMNS, " ORDER BY julianday(starts_at) DESC LIMIT 500"),
            const_format::concatcp!(COLUMNS, " ORDER BY starts_at DESC LIMIT 500"),
        );
        let rows = sqlx::query(sql).fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(event_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<EventRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(COLUMNS, " WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(event_row!(&row)),
            None => None,
        })
    })
}

#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub position: i64,
    pub text: String,
}

pub async fn decisions(db: &Db, event_id: Uuid) -> AppResult<Vec<DecisionRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, event_id, position, text FROM event_decisions WHERE event_id = $1 \
             ORDER BY position, id",
        )
        .bind(event_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(DecisionRow {
                id: row.try_get("id")?,
                event_id: row.try_get("event_id")?,
                position: row.try_get("position")?,
                text: row.try_get("text")?,
            });
        }
        Ok(out)
    })
}

/// An event's fields as stored, with its times already in UTC.
#[derive(Debug, Clone)]
pub struct EventFields {
    pub event: ValidEvent,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

pub async fn insert(
    db: &Db,
    id: Uuid,
    fields: EventFields,
    organization_id: Option<Uuid>,
    created_by: Option<Uuid>,
    now: OffsetDateTime,
    audited: Option<Audited>,
) -> AppResult<()> {
    db_write!(db, |conn| {
        let e = &fields.event;
        sqlx::query(
            "INSERT INTO events (id, kind, title, description, community_code, place, starts_at, \
             ends_at, organizers, capacity, languages, status, organization_id, created_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', $12, $13, $14, $14)",
        )
        .bind(id)
        .bind(e.kind.code())
        .bind(&e.title)
        .bind(&e.description)
        .bind(&e.community)
        .bind(&e.place)
        .bind(fields.starts_at)
        .bind(fields.ends_at)
        .bind(&e.organizers)
        .bind(e.capacity)
        .bind(&e.languages)
        .bind(organization_id)
        .bind(created_by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if let Some(audited) = &audited {
            append_audited!(conn, audited);
        }
        Ok(())
    })
}

/// E-mails for people whose place changes (promoted from the waiting list, the event
/// cancelled): the same message in each interface language, each person getting theirs.
#[derive(Clone)]
pub struct Mailing {
    pub keys: Arc<Keys>,
    /// In the order of `Lang::ALL`.
    pub drafts: Vec<Draft>,
}

impl Mailing {
    /// The message in the language of `code` (Ukrainian when unknown).
    pub fn draft(&self, code: &str) -> &Draft {
        let lang = crate::i18n::Lang::from_code(code).unwrap_or_default();
        let i = crate::i18n::Lang::ALL
            .iter()
            .position(|l| *l == lang)
            .unwrap_or(0);
        &self.drafts[i.min(self.drafts.len().saturating_sub(1))]
    }
}

/// Promotes waiting registrations (earliest first) while confirmed ones are below capacity;
/// e-mails the promoted people who gave an address. Inside a `db_write!` body.
macro_rules! promote_waiting {
    ($conn:expr, $event_id:expr, $now:expr, $mailing:expr) => {{
        let capacity: Option<i64> = sqlx::query_scalar("SELECT capacity FROM events WHERE id = $1")
            .bind($event_id)
            .fetch_one(&mut *$conn)
            .await?;
        let mut promoted = 0usize;
        if let Some(capacity) = capacity {
            loop {
                let confirmed: i64 = sqlx::query_scalar(COUNT_CONFIRMED)
                    .bind($event_id)
                    .fetch_one(&mut *$conn)
                    .await?;
                if confirmed >= capacity {
                    break;
                }
                let next = sqlx::query(
                    "SELECT id, email_sealed, language FROM event_registrations \
                     WHERE event_id = $1 AND status = 'waiting' ORDER BY id LIMIT 1",
                )
                .bind($event_id)
                .fetch_optional(&mut *$conn)
                .await?;
                let Some(next) = next else { break };
                let id: Uuid = next.try_get("id")?;
                let email: Option<Vec<u8>> = next.try_get("email_sealed")?;
                let language: String = next.try_get("language")?;
                sqlx::query(
                    "UPDATE event_registrations SET status = 'confirmed', promoted_at = $2 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind($now)
                .execute(&mut *$conn)
                .await?;
                promoted += 1;
                if let (Some(email), Some(mailing)) = (email, $mailing) {
                    let mailing: &Mailing = mailing;
                    let address = mailing
                        .keys
                        .open(SEAL_EMAIL, &email)
                        .map_err(AppError::internal)?;
                    let sealed = mailing.keys.seal(SEAL_RECIPIENT, &address);
                    $conn
                        .queue_mail(
                            &[Recipients::Sealed(&sealed)],
                            mailing.draft(&language),
                            $now,
                        )
                        .await?;
                }
            }
        }
        promoted
    }};
}

/// Replaces an event's fields (the status and what was recorded after stay); a larger capacity
/// promotes people from the waiting list. Fewer seats than people already confirmed is refused:
/// no one loses a seat they were promised because a number was changed.
pub async fn update(
    db: &Db,
    id: Uuid,
    fields: EventFields,
    now: OffsetDateTime,
    promotion: Mailing,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(by_engine(&*conn, LOCK_EVENT_SQLITE, LOCK_EVENT_PG))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let e = &fields.event;
        if let Some(capacity) = e.capacity {
            let confirmed: i64 = sqlx::query_scalar(COUNT_CONFIRMED)
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            if confirmed > capacity {
                return Err(AppError::field(
                    "capacity",
                    "events-error-capacity-below-confirmed",
                ));
            }
        }
        sqlx::query(
            "UPDATE events SET kind = $2, title = $3, description = $4, community_code = $5, \
             place = $6, starts_at = $7, ends_at = $8, organizers = $9, capacity = $10, \
             languages = $11, updated_at = $12 WHERE id = $1",
        )
        .bind(id)
        .bind(e.kind.code())
        .bind(&e.title)
        .bind(&e.description)
        .bind(&e.community)
        .bind(&e.place)
        .bind(fields.starts_at)
        .bind(fields.ends_at)
        .bind(&e.organizers)
        .bind(e.capacity)
        .bind(&e.languages)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        promote_waiting!(conn, id, now, Some(&promotion));
        append_audited!(conn, audited);
        Ok(())
    })
}

/// Cancels the event; every registered person with an address is told (`draft`).
pub async fn cancel(
    db: &Db,
    id: Uuid,
    now: OffsetDateTime,
    notice: Mailing,
    audited: Audited,
) -> AppResult<usize> {
    db_write!(db, |conn| {
        let changed = sqlx::query(
            "UPDATE events SET status = 'cancelled', updated_at = $2 \
             WHERE id = $1 AND status <> 'cancelled'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(0);
        }
        let addresses: Vec<(Vec<u8>, String)> = sqlx::query_as(
            "SELECT email_sealed, language FROM event_registrations WHERE event_id = $1 \
             AND status <> 'cancelled' AND email_sealed IS NOT NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for (email, language) in &addresses {
            let address = notice
                .keys
                .open(SEAL_EMAIL, email)
                .map_err(AppError::internal)?;
            let sealed = notice.keys.seal(SEAL_RECIPIENT, &address);
            conn.queue_mail(&[Recipients::Sealed(&sealed)], notice.draft(language), now)
                .await?;
        }
        append_audited!(conn, audited);
        Ok(addresses.len())
    })
}

pub async fn save_after(
    db: &Db,
    id: Uuid,
    attendance: Option<i64>,
    minutes: Option<String>,
    now: OffsetDateTime,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "UPDATE events SET attendance = $2, minutes = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(attendance)
        .bind(&minutes)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn add_decision(
    db: &Db,
    id: Uuid,
    event_id: Uuid,
    text: String,
    now: OffsetDateTime,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO event_decisions (id, event_id, position, text, created_at) \
             SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $4 FROM event_decisions \
             WHERE event_id = $2",
        )
        .bind(id)
        .bind(event_id)
        .bind(&text)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn update_decision(
    db: &Db,
    id: Uuid,
    event_id: Uuid,
    text: String,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        let changed =
            sqlx::query("UPDATE event_decisions SET text = $3 WHERE id = $1 AND event_id = $2")
                .bind(id)
                .bind(event_id)
                .bind(&text)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        append_audited!(conn, audited);
        Ok(())
    })
}

/// Removes a decision unless a commitment refers to it.
pub async fn remove_decision(db: &Db, id: Uuid, event_id: Uuid, audited: Audited) -> AppResult<()> {
    db_write!(db, |conn| {
        let referred: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM commitments WHERE decision_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if referred > 0 {
            return Err(AppError::field(
                "decision",
                "events-error-decision-referred",
            ));
        }
        let changed = sqlx::query("DELETE FROM event_decisions WHERE id = $1 AND event_id = $2")
            .bind(id)
            .bind(event_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        append_audited!(conn, audited);
        Ok(())
    })
}

// ---- Registrations ----

/// A registration to store; identifying data already sealed.
pub struct NewRegistration {
    pub id: Uuid,
    pub event_id: Uuid,
    pub name_sealed: Vec<u8>,
    pub email_sealed: Option<Vec<u8>>,
    pub email_hash: Option<[u8; 32]>,
    pub cancel_hash: [u8; 32],
    pub submission_key: [u8; 32],
    /// The person's interface language (`uk`, `ru`, `en`).
    pub language: &'static str,
    /// The confirmation to the person's address (sealed for the outbox), if they gave one.
    pub confirmation: Option<(Vec<u8>, Draft)>,
    /// The same, if they end up on the waiting list.
    pub waiting_notice: Option<(Vec<u8>, Draft)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Past,
    Cancelled,
    NoRegistration,
    AddressRegistered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterOutcome {
    /// Stored now; `position` on the waiting list (1 = next), 0 when confirmed.
    Stored {
        status: RegistrationStatus,
        position: i64,
    },
    /// The same form was sent before: stored then, nothing new.
    Repeated {
        status: RegistrationStatus,
        position: i64,
    },
    Refused(Refusal),
}

const LOCK_EVENT_SQLITE: &str = "SELECT status, capacity, starts_at FROM events WHERE id = $1";
const LOCK_EVENT_PG: &str =
    "SELECT status, capacity, starts_at FROM events WHERE id = $1 FOR UPDATE";
const WAITING_BEFORE: &str = "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 \
    AND status = 'waiting' AND id <= $2";

pub async fn register(
    db: &Db,
    reg: NewRegistration,
    now: OffsetDateTime,
) -> AppResult<RegisterOutcome> {
    db_write!(db, |conn| {
        let event = sqlx::query(by_engine(&*conn, LOCK_EVENT_SQLITE, LOCK_EVENT_PG))
            .bind(reg.event_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
        let repeated =
            sqlx::query("SELECT id, status FROM event_registrations WHERE submission_key = $1")
                .bind(&reg.submission_key[..])
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(row) = repeated {
            let id: Uuid = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let status = RegistrationStatus::from_code(&status);
            let position = if status == RegistrationStatus::Waiting {
                sqlx::query_scalar(WAITING_BEFORE)
                    .bind(reg.event_id)
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?
            } else {
                0
            };
            return Ok(RegisterOutcome::Repeated { status, position });
        }
        let status: String = event.try_get("status")?;
        let capacity: Option<i64> = event.try_get("capacity")?;
        let starts_at: OffsetDateTime = event.try_get("starts_at")?;
        if EventStatus::from_code(&status) == EventStatus::Cancelled {
            return Ok(RegisterOutcome::Refused(Refusal::Cancelled));
        }
        if starts_at <= now {
            return Ok(RegisterOutcome::Refused(Refusal::Past));
        }
        let Some(capacity) = capacity else {
            return Ok(RegisterOutcome::Refused(Refusal::NoRegistration));
        };
        if let Some(hash) = &reg.email_hash {
            let taken: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 \
                 AND email_hash = $2 AND status <> 'cancelled'",
            )
            .bind(reg.event_id)
            .bind(&hash[..])
            .fetch_one(&mut *conn)
            .await?;
            if taken > 0 {
                return Ok(RegisterOutcome::Refused(Refusal::AddressRegistered));
            }
        }
        let confirmed: i64 = sqlx::query_scalar(COUNT_CONFIRMED)
            .bind(reg.event_id)
            .fetch_one(&mut *conn)
            .await?;
        let placed = super::model::place_for_newcomer(capacity, confirmed);
        sqlx::query(
            "INSERT INTO event_registrations (id, event_id, name_sealed, email_sealed, email_hash, \
             status, cancel_hash, submission_key, created_at, language) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(reg.id)
        .bind(reg.event_id)
        .bind(&reg.name_sealed)
        .bind(&reg.email_sealed)
        .bind(reg.email_hash.as_ref().map(|h| &h[..]))
        .bind(placed.code())
        .bind(&reg.cancel_hash[..])
        .bind(&reg.submission_key[..])
        .bind(now)
        .bind(reg.language)
        .execute(&mut *conn)
        .await?;
        let position = if placed == RegistrationStatus::Waiting {
            sqlx::query_scalar(WAITING_BEFORE)
                .bind(reg.event_id)
                .bind(reg.id)
                .fetch_one(&mut *conn)
                .await?
        } else {
            0
        };
        let mail = if placed == RegistrationStatus::Waiting {
            &reg.waiting_notice
        } else {
            &reg.confirmation
        };
        if let Some((sealed, draft)) = mail {
            conn.queue_mail(&[Recipients::Sealed(sealed)], draft, now)
                .await?;
        }
        Ok(RegisterOutcome::Stored {
            status: placed,
            position,
        })
    })
}

#[derive(Debug, Clone)]
pub struct RegistrationRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub name_sealed: Vec<u8>,
    pub email_sealed: Option<Vec<u8>>,
    pub status: RegistrationStatus,
    pub created_at: OffsetDateTime,
    pub promoted_at: Option<OffsetDateTime>,
    pub cancelled_at: Option<OffsetDateTime>,
    /// On the waiting list: 1 = next.
    pub position: i64,
}

const REGISTRATION_COLUMNS: &str = "SELECT id, event_id, name_sealed, email_sealed, status, \
    created_at, promoted_at, cancelled_at, \
    (SELECT COUNT(*) FROM event_registrations w WHERE w.event_id = event_registrations.event_id \
     AND w.status = 'waiting' AND w.id <= event_registrations.id) AS position \
    FROM event_registrations";

macro_rules! registration_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        let status = RegistrationStatus::from_code(&status);
        let position: i64 = row.try_get("position")?;
        RegistrationRow {
            id: row.try_get("id")?,
            event_id: row.try_get("event_id")?,
            name_sealed: row.try_get("name_sealed")?,
            email_sealed: row.try_get("email_sealed")?,
            status,
            created_at: row.try_get("created_at")?,
            promoted_at: row.try_get("promoted_at")?,
            cancelled_at: row.try_get("cancelled_at")?,
            position: if status == RegistrationStatus::Waiting {
                position
            } else {
                0
            },
        }
    }};
}

pub async fn registration_by_link(
    db: &Db,
    cancel_hash: [u8; 32],
) -> AppResult<Option<RegistrationRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(
            REGISTRATION_COLUMNS,
            " WHERE cancel_hash = $1"
        ))
        .bind(&cancel_hash[..])
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => Some(registration_row!(&row)),
            None => None,
        })
    })
}

/// An event's registrations in the order they came.
pub async fn registrations(db: &Db, event_id: Uuid) -> AppResult<Vec<RegistrationRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            REGISTRATION_COLUMNS,
            " WHERE event_id = $1 ORDER BY id"
        ))
        .bind(event_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(registration_row!(row));
        }
        Ok(out)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled { promoted: usize },
    AlreadyCancelled,
}

/// Cancels the registration of the link; a freed seat goes to the earliest waiting person, in the
/// same transaction (`promotion` e-mails them).
pub async fn cancel_registration(
    db: &Db,
    cancel_hash: [u8; 32],
    now: OffsetDateTime,
    promotion: Mailing,
) -> AppResult<CancelOutcome> {
    db_write!(db, |conn| {
        let found =
            sqlx::query("SELECT id, event_id FROM event_registrations WHERE cancel_hash = $1")
                .bind(&cancel_hash[..])
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(AppError::NotFound)?;
        let id: Uuid = found.try_get("id")?;
        let event_id: Uuid = found.try_get("event_id")?;
        sqlx::query(by_engine(&*conn, LOCK_EVENT_SQLITE, LOCK_EVENT_PG))
            .bind(event_id)
            .fetch_optional(&mut *conn)
            .await?;
        // Read again under the lock: another cancellation may have come first.
        let status: String =
            sqlx::query_scalar("SELECT status FROM event_registrations WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if RegistrationStatus::from_code(&status) == RegistrationStatus::Cancelled {
            return Ok(CancelOutcome::AlreadyCancelled);
        }
        sqlx::query(
            "UPDATE event_registrations SET status = 'cancelled', cancelled_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let promoted = promote_waiting!(conn, event_id, now, Some(&promotion));
        Ok(CancelOutcome::Cancelled { promoted })
    })
}

// ---- For the digest, statistics and commitments ----

/// Events that started in `[from, until)` — and so before now — and were not cancelled, in order.
pub async fn held_between(
    db: &Db,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<Vec<EventRow>> {
    let until = until.min(OffsetDateTime::now_utc());
    if until <= from {
        return Ok(Vec::new());
    }
    let rows = list(db, None, None, &Window::Starting { from, until }, 10_000).await?;
    Ok(rows
        .into_iter()
        .filter(|e| e.status != EventStatus::Cancelled)
        .collect())
}

/// Decisions with their event's title and start, newest event first.
pub async fn recent_decisions(
    db: &Db,
    limit: i64,
) -> AppResult<Vec<(Uuid, String, OffsetDateTime, String)>> {
    db_read!(db, |pool| {
        let sql = by_engine(
            pool,
            "SELECT d.id, e.title, e.starts_at, d.text FROM event_decisions d \
             JOIN events e ON e.id = d.event_id ORDER BY julianday(e.starts_at) DESC, d.position \
             LIMIT $1",
            "SELECT d.id, e.title, e.starts_at, d.text FROM event_decisions d \
             JOIN events e ON e.id = d.event_id ORDER BY e.starts_at DESC, d.position LIMIT $1",
        );
        let rows = sqlx::query(sql).bind(limit).fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push((
                row.try_get("id")?,
                row.try_get("title")?,
                row.try_get("starts_at")?,
                row.try_get("text")?,
            ));
        }
        Ok(out)
    })
}

/// Round tables that have begun and were not cancelled, latest first.
pub async fn past_round_tables(
    db: &Db,
    now: OffsetDateTime,
    limit: i64,
) -> AppResult<Vec<(Uuid, String, OffsetDateTime)>> {
    db_read!(db, |pool| {
        let sql = by_engine(
            pool,
            "SELECT id, title, starts_at FROM events WHERE kind = 'round_table' \
             AND status <> 'cancelled' AND julianday(starts_at) <= julianday($1) \
             ORDER BY julianday(starts_at) DESC LIMIT $2",
            "SELECT id, title, starts_at FROM events WHERE kind = 'round_table' \
             AND status <> 'cancelled' AND starts_at <= $1 ORDER BY starts_at DESC LIMIT $2",
        );
        let rows = sqlx::query(sql)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push((
                row.try_get("id")?,
                row.try_get("title")?,
                row.try_get("starts_at")?,
            ));
        }
        Ok(out)
    })
}

/// Whether an event with this title exists (the demo adds its events once).
pub async fn title_exists(db: &Db, title: &str) -> AppResult<bool> {
    db_read!(db, |pool| {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE title = $1")
            .bind(title)
            .fetch_one(pool)
            .await?;
        Ok(n > 0)
    })
}
