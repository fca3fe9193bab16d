//! SQL of the audit trail.

use std::future::Future;

use sqlx::Row;

use super::model::{AuditEvent, ChainHead, NewAuditEvent};
use crate::crypto::MacKey;
use crate::db::{Db, Dialect};
use crate::db_read;
use crate::error::{AppError, AppResult};

/// Appends `event` to the audit chain inside the surrounding `db_write!` transaction, on either
/// engine, and evaluates to the stored [`AuditEvent`] (an `AppResult`):
///
/// ```ignore
/// db_write!(db, |conn| {
///     sqlx::query("UPDATE reports SET status = $1 WHERE id = $2")…;
///     audit_append!(conn, keys, &event)?;
///     Ok(())
/// })
/// ```
///
/// `keys` is the [`crate::crypto::Keys`] (a `&Keys` or an `Arc<Keys>` moved into the body);
/// `event` a `&NewAuditEvent`, whose `before`/`after` must be redacted (see [`NewAuditEvent`]).
///
/// The event commits or rolls back with the caller's changes, so the trail never records a change
/// that did not happen. Appends are serialized: on SQLite by the one writer task, on PostgreSQL by
/// an advisory lock held until the transaction ends — so append as the transaction's last
/// statement, to hold that lock briefly and always after the caller's own row locks. The body
/// must run `guarded` (the default of `db_write!`): an append is two writing statements.
#[macro_export]
macro_rules! audit_append {
    ($conn:expr, $keys:expr, $event:expr) => {
        $crate::audit::store::AuditAppend::append_audit(
            &mut *$conn,
            &($keys).mac_key($crate::crypto::MacPurpose::Audit),
            $event,
        )
        .await
    };
}

/// An open write transaction of either engine that can append to the audit chain; used through
/// [`audit_append!`]. A trait rather than the macro's own body, so the SQL is compiled once per
/// engine instead of at every call site.
pub trait AuditAppend {
    fn append_audit<'a>(
        &'a mut self,
        key: &'a MacKey,
        event: &'a NewAuditEvent,
    ) -> impl Future<Output = AppResult<AuditEvent>> + Send + 'a;
}

const SELECT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// Moves the head one step, only from where this append read it (the database's triggers refuse
/// any other move too).
const MOVE_HEAD: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3";

const INSERT_EVENT: &str = "INSERT INTO audit_events (seq, id, at, actor_user_id, actor, action, \
     subject_type, subject_id, before, after, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

const SELECT_EVENTS: &str = "SELECT seq, id, at, actor_user_id, actor, action, subject_type, \
     subject_id, before, after, prev_hash, hash FROM audit_events ";

macro_rules! impl_audit_append {
    ($conn:ty) => {
        impl AuditAppend for $conn {
            fn append_audit<'a>(
                &'a mut self,
                key: &'a MacKey,
                event: &'a NewAuditEvent,
            ) -> impl Future<Output = AppResult<AuditEvent>> + Send + 'a {
                async move {
                    sqlx::query(<$conn as Dialect>::LOCK_AUDIT_CHAIN)
                        .execute(&mut *self)
                        .await?;
                    // The head, not the newest row, is where the chain continues: if the newest
                    // rows were deleted, the next event then leaves a gap that verification shows
                    // instead of papering over the deletion.
                    let head = sqlx::query(SELECT_HEAD)
                        .fetch_optional(&mut *self)
                        .await?
                        .ok_or_else(|| {
                            AppError::internal("audit_head has no row: the audit trail was altered")
                        })?;
                    let head_seq: i64 = head.try_get("seq")?;
                    let head_hash: Vec<u8> = head.try_get("hash")?;
                    let stored = AuditEvent::next(
                        key,
                        head_seq,
                        head_hash,
                        event,
                        time::OffsetDateTime::now_utc(),
                    )?;
                    sqlx::query(INSERT_EVENT)
                        .bind(stored.seq)
                        .bind(stored.id)
                        .bind(stored.at)
                        .bind(stored.actor_user_id)
                        .bind(&stored.actor)
                        .bind(&stored.action)
                        .bind(&stored.subject_type)
                        .bind(&stored.subject_id)
                        .bind(&stored.before)
                        .bind(&stored.after)
                        .bind(&stored.prev_hash)
                        .bind(&stored.hash)
                        .execute(&mut *self)
                        .await?;
                    let moved = sqlx::query(MOVE_HEAD)
                        .bind(stored.seq)
                        .bind(&stored.hash)
                        .bind(head_seq)
                        .execute(&mut *self)
                        .await?;
                    if moved.rows_affected() != 1 {
                        return Err(AppError::internal("the audit head moved during an append"));
                    }
                    Ok(stored)
                }
            }
        }
    };
}

impl_audit_append!(sqlx::SqliteConnection);
impl_audit_append!(sqlx::PgConnection);

macro_rules! event_row {
    ($row:expr) => {
        AuditEvent {
            seq: $row.try_get("seq")?,
            id: $row.try_get("id")?,
            at: $row.try_get("at")?,
            actor_user_id: $row.try_get("actor_user_id")?,
            actor: $row.try_get("actor")?,
            action: $row.try_get("action")?,
            subject_type: $row.try_get("subject_type")?,
            subject_id: $row.try_get("subject_id")?,
            before: $row.try_get("before")?,
            after: $row.try_get("after")?,
            prev_hash: $row.try_get("prev_hash")?,
            hash: $row.try_get("hash")?,
        }
    };
}

/// Everything recorded about one subject (e.g. `"case"`, its id), oldest first.
pub async fn history(db: &Db, subject_type: &str, subject_id: &str) -> AppResult<Vec<AuditEvent>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            SELECT_EVENTS,
            "WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq"
        ))
        .bind(subject_type)
        .bind(subject_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(event_row!(row));
        }
        Ok(out)
    })
}

/// One stored event as verification reads it.
#[derive(Debug, Clone)]
pub enum StoredEvent {
    Event(Box<AuditEvent>),
    /// A column holds a value of the wrong type (possible after tampering with SQLite, whose
    /// columns take any type).
    Unreadable {
        seq: i64,
    },
}

/// Up to `limit` events after `after_seq`, in seq order.
pub async fn page(db: &Db, after_seq: i64, limit: i64) -> AppResult<Vec<StoredEvent>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            SELECT_EVENTS,
            "WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get("seq")?;
            let decoded: Result<AuditEvent, sqlx::Error> = (|| Ok(event_row!(row)))();
            out.push(match decoded {
                Ok(event) => StoredEvent::Event(Box::new(event)),
                Err(_) => StoredEvent::Unreadable { seq },
            });
        }
        Ok(out)
    })
}

/// The stored head of the chain; none when its row is gone.
pub async fn head(db: &Db) -> AppResult<Option<ChainHead>> {
    db_read!(db, |pool| {
        let row = sqlx::query(SELECT_HEAD).fetch_optional(pool).await?;
        Ok(match row {
            Some(row) => Some(ChainHead {
                seq: row.try_get("seq")?,
                hash: row.try_get("hash")?,
            }),
            None => None,
        })
    })
}
