//! Retention: once a case has ended (closed, rejected or merged) and stayed so for
//! `retention_months`, its reporter's contact, the witnesses, the exact point and its
//! attachments' files are deleted, each deletion recorded in the audit trail. What is left
//! (the description, the history, the outcome, the attachments' sizes and hashes) keeps the
//! case's record and the statistics whole without anything that leads to a person.
//!
//! Runs with the background jobs. The database change commits first and the files go after it;
//! a file that could not be deleted then is deleted by a later run (`files_deleted_at`), so a
//! crash between the two leaves nothing behind for good.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Audited;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::{db_read, db_write};

/// Cases handled per run at most; the rest wait for the next run.
pub const CASES_PER_RUN: i64 = 500;

/// The moment before which a case must have ended to be purged at `now`: `months` calendar
/// months back (the 31st falls back to the month's last day).
pub fn cutoff(now: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = now.year() * 12 + i32::from(u8::from(now.month())) - 1 - months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::January);
    let day = now.day().min(month.length(year));
    now.replace_day(1)
        .and_then(|at| at.replace_year(year))
        .and_then(|at| at.replace_month(month))
        .and_then(|at| at.replace_day(day))
        .unwrap_or(now)
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub cases: usize,
    pub files: usize,
}

/// Cases that ended before `before` and still hold identifying data.
const DUE_SQLITE: &str = "SELECT r.id FROM reports r WHERE r.identity_purged_at IS NULL \
     AND r.status IN ('closed', 'rejected', 'merged') \
     AND (SELECT MAX(julianday(h.created_at)) FROM report_status_history h \
          WHERE h.report_id = r.id) < julianday($1) \
     LIMIT $2";
const DUE_PG: &str = "SELECT r.id FROM reports r WHERE r.identity_purged_at IS NULL \
     AND r.status IN ('closed', 'rejected', 'merged') \
     AND (SELECT MAX(h.created_at) FROM report_status_history h WHERE h.report_id = r.id) < $1 \
     LIMIT $2";

/// Files of purged attachments not deleted yet.
const FILES: &str = "SELECT id, original_key, served_key FROM attachments \
     WHERE purged_at IS NOT NULL AND files_deleted_at IS NULL LIMIT 1000";

/// Purges the cases due at `now` under the configured retention (nothing when it is 0), then
/// deletes the files of purged attachments.
pub async fn purge_due(state: &AppState, now: OffsetDateTime) -> AppResult<Purged> {
    let months = state.config.retention_months;
    let mut purged = Purged::default();
    if months > 0 {
        let before = cutoff(now, months);
        let due: Vec<Uuid> = db_read!(&state.db, |pool| {
            sqlx::query_scalar(by_engine(pool, DUE_SQLITE, DUE_PG))
                .bind(before)
                .bind(CASES_PER_RUN)
                .fetch_all(pool)
                .await
        })?;
        for id in due {
            if purge_case(state, id, months, now).await? {
                purged.cases += 1;
            }
        }
    }
    purged.files = delete_files(&state.db, state, now).await?;
    Ok(purged)
}

/// Deletes one case's identifying data with its audit event; `false` when another run did it.
async fn purge_case(
    state: &AppState,
    id: Uuid,
    months: u32,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let audited = Audited::by_system(
        state,
        "report.identity_purged",
        "report",
        id,
        None,
        Some(serde_json::json!({ "retention_months": months })),
    );
    db_write!(&state.db, |conn| {
        let done = sqlx::query(
            "UPDATE reports SET contact_sealed = NULL, witnesses_sealed = NULL, lat = NULL, \
             lon = NULL, identity_purged_at = $2, updated_at = $2 \
             WHERE id = $1 AND identity_purged_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE attachments SET name_sealed = NULL, purged_at = $2 \
             WHERE report_id = $1 AND purged_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok::<_, AppError>(true)
    })
}

async fn delete_files(db: &Db, state: &AppState, now: OffsetDateTime) -> AppResult<usize> {
    let pending: Vec<(Uuid, String, String)> =
        db_read!(db, |pool| { sqlx::query_as(FILES).fetch_all(pool).await })?;
    let mut deleted = 0;
    for (id, original, served) in pending {
        let removed = match (
            state.blobs.delete(&original).await,
            state.blobs.delete(&served).await,
        ) {
            (Ok(()), Ok(())) => true,
            (Err(err), _) | (_, Err(err)) => {
                // The next run tries again.
                tracing::warn!(attachment = %id, error = %err, "an attachment's file was not deleted");
                false
            }
        };
        if removed {
            db_write!(db, guarded = false, |conn| {
                sqlx::query("UPDATE attachments SET files_deleted_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                Ok::<_, AppError>(())
            })?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn cutoff_goes_back_whole_months() {
        assert_eq!(
            cutoff(datetime!(2026-11-26 10:00 UTC), 6),
            datetime!(2026-05-26 10:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2026-03-31 10:00 UTC), 1),
            datetime!(2026-02-28 10:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2026-01-15 00:00 UTC), 13),
            datetime!(2024-12-15 00:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2028-03-30 00:00 UTC), 1),
            datetime!(2028-02-29 00:00 UTC)
        );
    }
}
