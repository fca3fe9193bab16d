//! SQL of joint receptions: the reception events, their slots and the bookings.
//!
//! SQLite stores moments as text, so moments are compared through `julianday()` there; the
//! unique index `reception_bookings_one_per_slot` is what keeps a slot to one booking, whatever
//! the timing of two requests: a second insert for a booked slot inserts nothing.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Audited;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::notify::Draft;
use crate::notify::store::{MailQueue, Recipients};
use crate::{db_read, db_write};

/// A reception: an event of kind `joint_reception`.
#[derive(Debug, Clone)]
pub struct ReceptionRow {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub community_code: Option<String>,
    pub place: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub organizers: String,
    pub cancelled: bool,
    pub organization_id: Option<Uuid>,
    /// Slots offered (not withdrawn), and of those booked.
    pub slots: i64,
    pub booked: i64,
}

const RECEPTION_COLUMNS: &str = "SELECT e.id, e.title, e.description, e.community_code, e.place, \
     e.starts_at, e.ends_at, e.organizers, e.status, e.organization_id, \
     (SELECT COUNT(*) FROM reception_slots s WHERE s.event_id = e.id AND s.withdrawn_at IS NULL) \
       AS slots, \
     (SELECT COUNT(*) FROM reception_slots s JOIN reception_bookings b ON b.slot_id = s.id \
       AND b.status = 'booked' WHERE s.event_id = e.id AND s.withdrawn_at IS NULL) AS booked \
     FROM events e WHERE e.kind = 'joint_reception'";

macro_rules! reception_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        ReceptionRow {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            community_code: row.try_get("community_code")?,
            place: row.try_get("place")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            organizers: row.try_get("organizers")?,
            cancelled: status == "cancelled",
            organization_id: row.try_get("organization_id")?,
            slots: row.try_get("slots")?,
            booked: row.try_get("booked")?,
        }
    }};
}

/// Receptions that have not ended at `now` (`past` = false) or that have (`past` = true),
/// soonest first (most recent first for past ones).
pub async fn receptions(db: &Db, now: OffsetDateTime, past: bool) -> AppResult<Vec<ReceptionRow>> {
    const UPCOMING_SQLITE: &str = const_format::concatcp!(
        RECEPTION_COLUMNS,
        " AND julianday(e.ends_at) > julianday($1) ORDER BY julianday(e.starts_at) LIMIT 200"
    );
    const UPCOMING_PG: &str = const_format::concatcp!(
        RECEPTION_COLUMNS,
        " AND e.ends_at > $1 ORDER BY e.starts_at LIMIT 200"
    );
    const PAST_SQLITE: &str = const_format::concatcp!(
        RECEPTION_COLUMNS,
        " AND julianday(e.ends_at) <= julianday($1) ORDER BY julianday(e.starts_at) DESC LIMIT 200"
    );
    const PAST_PG: &str = const_format::concatcp!(
        RECEPTION_COLUMNS,
        " AND e.ends_at <= $1 ORDER BY e.starts_at DESC LIMIT 200"
    );
    db_read!(db, |pool| {
        let sql = if past {
            by_engine(pool, PAST_SQLITE, PAST_PG)
        } else {
            by_engine(pool, UPCOMING_SQLITE, UPCOMING_PG)
        };
        let rows = sqlx::query(sql).bind(now).fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(reception_row!(row));
        }
        Ok(out)
    })
}

pub async fn reception(db: &Db, id: Uuid) -> AppResult<Option<ReceptionRow>> {
    const SQL: &str = const_format::concatcp!(RECEPTION_COLUMNS, " AND e.id = $1");
    db_read!(db, |pool| {
        let row = sqlx::query(SQL).bind(id).fetch_optional(pool).await?;
        Ok(match row {
            Some(row) => Some(reception_row!(&row)),
            None => None,
        })
    })
}

/// A slot of a reception, with whether it is taken.
#[derive(Debug, Clone)]
pub struct SlotRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub official: String,
    pub withdrawn: bool,
    pub booked: bool,
}

const SLOT_COLUMNS: &str = "SELECT s.id, s.event_id, s.starts_at, s.ends_at, s.official, \
     s.withdrawn_at IS NOT NULL AS withdrawn, \
     EXISTS (SELECT 1 FROM reception_bookings b WHERE b.slot_id = s.id AND b.status = 'booked') \
       AS booked \
     FROM reception_slots s";

macro_rules! slot_row {
    ($row:expr) => {{
        let row = $row;
        SlotRow {
            id: row.try_get("id")?,
            event_id: row.try_get("event_id")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            official: row.try_get("official")?,
            withdrawn: row.try_get("withdrawn")?,
            booked: row.try_get("booked")?,
        }
    }};
}

/// Every slot of a reception (withdrawn ones too: staff see them), in time order.
pub async fn slots(db: &Db, event_id: Uuid) -> AppResult<Vec<SlotRow>> {
    const SQLITE: &str = const_format::concatcp!(
        SLOT_COLUMNS,
        " WHERE s.event_id = $1 ORDER BY julianday(s.starts_at), s.id"
    );
    const PG: &str = const_format::concatcp!(
        SLOT_COLUMNS,
        " WHERE s.event_id = $1 ORDER BY s.starts_at, s.id"
    );
    db_read!(db, |pool| {
        let rows = sqlx::query(by_engine(pool, SQLITE, PG))
            .bind(event_id)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(slot_row!(row));
        }
        Ok(out)
    })
}

pub async fn slot(db: &Db, id: Uuid) -> AppResult<Option<SlotRow>> {
    const SQL: &str = const_format::concatcp!(SLOT_COLUMNS, " WHERE s.id = $1");
    db_read!(db, |pool| {
        let row = sqlx::query(SQL).bind(id).fetch_optional(pool).await?;
        Ok(match row {
            Some(row) => Some(slot_row!(&row)),
            None => None,
        })
    })
}

/// Adds slots to a reception in one transaction.
pub async fn add_slots(
    db: &Db,
    event_id: Uuid,
    official: String,
    slots: Vec<(OffsetDateTime, OffsetDateTime)>,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        for (starts_at, ends_at) in &slots {
            sqlx::query(
                "INSERT INTO reception_slots (id, event_id, starts_at, ends_at, official, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(event_id)
            .bind(starts_at)
            .bind(ends_at)
            .bind(&official)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Withdraws a free slot; `Conflict("reception-error-slot-booked")` when someone holds it.
pub async fn withdraw_slot(db: &Db, id: Uuid, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let done = sqlx::query(
            "UPDATE reception_slots SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM reception_bookings b WHERE b.slot_id = $1 \
             AND b.status = 'booked')",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(AppError::Conflict("reception-error-slot-booked"));
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// A booking ready to store: identifying data already sealed, hashes made.
pub struct NewBooking {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub name_sealed: Vec<u8>,
    pub email_sealed: Vec<u8>,
    pub topic_sealed: Vec<u8>,
    pub cancel_hash: Vec<u8>,
    pub token_sealed: Vec<u8>,
    pub submission_key: Vec<u8>,
    pub language: &'static str,
    /// The confirmation, queued in the same transaction.
    pub mail_to: Vec<u8>,
    pub confirmation: Draft,
}

/// What storing a booking came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// Stored now.
    Stored(Uuid),
    /// The same form was sent before and stored then (a retry): that booking.
    Again(Uuid),
    /// Someone else holds the slot.
    SlotTaken,
    /// The slot was withdrawn or has begun.
    SlotGone,
}

/// Stores a booking unless the slot is taken: the unique index on booked slots decides between
/// two people who book the same slot at the same moment; the loser inserts nothing.
pub async fn book(db: &Db, booking: NewBooking, now: OffsetDateTime) -> AppResult<Booked> {
    const BOOKABLE_SQLITE: &str = "SELECT 1 FROM reception_slots s JOIN events e ON e.id = s.event_id \
         WHERE s.id = $1 AND s.withdrawn_at IS NULL AND e.status <> 'cancelled' \
         AND julianday(s.starts_at) > julianday($2)";
    const BOOKABLE_PG: &str = "SELECT 1 FROM reception_slots s JOIN events e ON e.id = s.event_id \
         WHERE s.id = $1 AND s.withdrawn_at IS NULL AND e.status <> 'cancelled' \
         AND s.starts_at > $2";
    const BY_SUBMISSION: &str = "SELECT id FROM reception_bookings WHERE submission_key = $1";
    db_write!(db, |conn| {
        let earlier: Option<Uuid> = sqlx::query_scalar(BY_SUBMISSION)
            .bind(&booking.submission_key)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(id) = earlier {
            return Ok(Booked::Again(id));
        }
        let bookable = sqlx::query(by_engine(&*conn, BOOKABLE_SQLITE, BOOKABLE_PG))
            .bind(booking.slot_id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if !bookable {
            return Ok(Booked::SlotGone);
        }
        let inserted = sqlx::query(
            "INSERT INTO reception_bookings (id, slot_id, name_sealed, email_sealed, topic_sealed, \
             status, cancel_hash, token_sealed, submission_key, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(booking.id)
        .bind(booking.slot_id)
        .bind(&booking.name_sealed)
        .bind(&booking.email_sealed)
        .bind(&booking.topic_sealed)
        .bind(&booking.cancel_hash)
        .bind(&booking.token_sealed)
        .bind(&booking.submission_key)
        .bind(booking.language)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            // The same form sent twice at once ends here too: the one stored wins.
            let earlier: Option<Uuid> = sqlx::query_scalar(BY_SUBMISSION)
                .bind(&booking.submission_key)
                .fetch_optional(&mut *conn)
                .await?;
            return Ok(match earlier {
                Some(id) => Booked::Again(id),
                None => Booked::SlotTaken,
            });
        }
        conn.queue_mail(
            &[Recipients::Sealed(&booking.mail_to)],
            &booking.confirmation,
            now,
        )
        .await?;
        Ok(Booked::Stored(booking.id))
    })
}

/// A booking with its slot and reception, identifying data still sealed.
#[derive(Debug, Clone)]
pub struct BookingRow {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub event_id: Uuid,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub official: String,
    pub title: String,
    pub place: String,
    pub cancelled: bool,
    pub name_sealed: Vec<u8>,
    pub email_sealed: Vec<u8>,
    pub topic_sealed: Vec<u8>,
    pub token_sealed: Vec<u8>,
    pub language: String,
    pub created_at: OffsetDateTime,
}

const BOOKING_COLUMNS: &str = "SELECT b.id, b.slot_id, s.event_id, s.starts_at, s.ends_at, \
     s.official, e.title, e.place, b.status, b.name_sealed, b.email_sealed, b.topic_sealed, \
     b.token_sealed, b.language, b.created_at \
     FROM reception_bookings b JOIN reception_slots s ON s.id = b.slot_id \
     JOIN events e ON e.id = s.event_id";

macro_rules! booking_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        BookingRow {
            id: row.try_get("id")?,
            slot_id: row.try_get("slot_id")?,
            event_id: row.try_get("event_id")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            official: row.try_get("official")?,
            title: row.try_get("title")?,
            place: row.try_get("place")?,
            cancelled: status == "cancelled",
            name_sealed: row.try_get("name_sealed")?,
            email_sealed: row.try_get("email_sealed")?,
            topic_sealed: row.try_get("topic_sealed")?,
            token_sealed: row.try_get("token_sealed")?,
            language: row.try_get("language")?,
            created_at: row.try_get("created_at")?,
        }
    }};
}

pub async fn booking(db: &Db, id: Uuid) -> AppResult<Option<BookingRow>> {
    const SQL: &str = const_format::concatcp!(BOOKING_COLUMNS, " WHERE b.id = $1");
    db_read!(db, |pool| {
        let row = sqlx::query(SQL).bind(id).fetch_optional(pool).await?;
        Ok(match row {
            Some(row) => Some(booking_row!(&row)),
            None => None,
        })
    })
}

pub async fn booking_by_token(db: &Db, cancel_hash: &[u8]) -> AppResult<Option<BookingRow>> {
    const SQL: &str = const_format::concatcp!(BOOKING_COLUMNS, " WHERE b.cancel_hash = $1");
    db_read!(db, |pool| {
        let row = sqlx::query(SQL)
            .bind(cancel_hash)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(booking_row!(&row)),
            None => None,
        })
    })
}

/// The bookings of a reception (cancelled ones too), in the slots' order.
pub async fn bookings(db: &Db, event_id: Uuid) -> AppResult<Vec<BookingRow>> {
    const SQLITE: &str = const_format::concatcp!(
        BOOKING_COLUMNS,
        " WHERE s.event_id = $1 ORDER BY julianday(s.starts_at), julianday(b.created_at)"
    );
    const PG: &str = const_format::concatcp!(
        BOOKING_COLUMNS,
        " WHERE s.event_id = $1 ORDER BY s.starts_at, b.created_at"
    );
    db_read!(db, |pool| {
        let rows = sqlx::query(by_engine(pool, SQLITE, PG))
            .bind(event_id)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(booking_row!(row));
        }
        Ok(out)
    })
}

/// Cancels a booking that is still booked; `false` when it was cancelled already. A mail (to
/// the resident, when staff cancel) and an audit event (staff) go with it when given.
pub async fn cancel_booking(
    db: &Db,
    id: Uuid,
    mail: Option<(Vec<u8>, Draft)>,
    audited: Option<Audited>,
) -> AppResult<bool> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let done = sqlx::query(
            "UPDATE reception_bookings SET status = 'cancelled', cancelled_at = $2 \
             WHERE id = $1 AND status = 'booked'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some((to, draft)) = &mail {
            conn.queue_mail(&[Recipients::Sealed(to)], draft, now)
                .await?;
        }
        if let Some(audited) = &audited {
            crate::append_audited!(conn, audited);
        }
        Ok(true)
    })
}

/// Bookings whose reminder is due by `until` and not yet queued, for slots not begun at `now`.
pub async fn reminders_due(
    db: &Db,
    now: OffsetDateTime,
    until: OffsetDateTime,
    limit: i64,
) -> AppResult<Vec<BookingRow>> {
    const SQLITE: &str = const_format::concatcp!(
        BOOKING_COLUMNS,
        " WHERE b.status = 'booked' AND b.reminder_queued_at IS NULL \
          AND julianday(s.starts_at) > julianday($1) AND julianday(s.starts_at) <= julianday($2) \
          AND e.status <> 'cancelled' ORDER BY julianday(s.starts_at) LIMIT $3"
    );
    const PG: &str = const_format::concatcp!(
        BOOKING_COLUMNS,
        " WHERE b.status = 'booked' AND b.reminder_queued_at IS NULL \
          AND s.starts_at > $1 AND s.starts_at <= $2 \
          AND e.status <> 'cancelled' ORDER BY s.starts_at LIMIT $3"
    );
    db_read!(db, |pool| {
        let rows = sqlx::query(by_engine(pool, SQLITE, PG))
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(booking_row!(row));
        }
        Ok(out)
    })
}

/// Marks a booking's reminder queued and queues it, in one transaction; `false` (and nothing
/// queued) when another run did it first or the booking was cancelled meanwhile — so each
/// reminder leaves once, however many servers run the jobs.
pub async fn queue_reminder(
    db: &Db,
    id: Uuid,
    to: Vec<u8>,
    draft: Draft,
    now: OffsetDateTime,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let claimed = sqlx::query(
            "UPDATE reception_bookings SET reminder_queued_at = $2 \
             WHERE id = $1 AND status = 'booked' AND reminder_queued_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        conn.queue_mail(&[Recipients::Sealed(&to)], &draft, now)
            .await?;
        Ok(true)
    })
}
