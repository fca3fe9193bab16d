//! Keeps SQLite's full-text index up to date in batches. Intake must stay fast (the index
//! costs more than the report's own row), so new reports are indexed just after they are stored:
//! by a background task every second, and before every search, so staff always find what has
//! been acknowledged. PostgreSQL's trigram index is maintained by the engine itself.

use std::time::Duration;

use crate::db::Db;
use crate::db_write;
use crate::error::{AppError, AppResult};

/// Rows indexed per transaction: bounds how long one batch holds the writer (and so delays
/// the reports waiting behind it) to a few milliseconds.
const BATCH: i64 = 1_000;

/// Indexes every report stored since the last run; returns how many were indexed.
pub async fn catch_up(db: &Db) -> AppResult<u64> {
    let mut total = 0;
    loop {
        let indexed = index_batch(db).await?;
        total += indexed;
        if indexed < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// Indexes at most one batch of reports stored since the last run.
async fn index_batch(db: &Db) -> AppResult<u64> {
    if !matches!(db, Db::Sqlite(_)) {
        return Ok(0);
    }
    {
        let indexed = db_write!(db, |conn| {
            let mark: i64 = sqlx::query_scalar(
                "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'fts_indexed_rowid'",
            )
            .fetch_one(&mut *conn)
            .await?;
            let newest: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(rowid) FROM (SELECT rowid FROM reports WHERE rowid > $1 ORDER BY rowid LIMIT $2)",
            )
            .bind(mark)
            .bind(BATCH)
            .fetch_one(&mut *conn)
            .await?;
            let Some(newest) = newest else {
                return Ok::<_, AppError>(0);
            };
            let done = sqlx::query(
                "INSERT INTO reports_fts (rowid, search_text) \
                 SELECT rowid, search_text FROM reports WHERE rowid > $1 AND rowid <= $2",
            )
            .bind(mark)
            .bind(newest)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE settings SET value = $1 WHERE key = 'fts_indexed_rowid'")
                .bind(newest.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected())
        })?;
        Ok(indexed)
    }
}

/// How far the index may fall behind while reports keep arriving.
const MAX_LAG: i64 = 50_000;

/// The newest report's rowid and how far the index is behind it, read without the writer.
async fn progress(db: &Db) -> AppResult<(i64, i64)> {
    crate::db_read!(db, |pool| {
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM reports")
            .fetch_one(pool)
            .await?;
        let mark: i64 = sqlx::query_scalar(
            "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'fts_indexed_rowid'",
        )
        .fetch_one(pool)
        .await?;
        Ok::<_, AppError>((newest, newest - mark))
    })
}

/// Indexes one batch a second while intake is quiet: during a wave of reports the writer is left
/// to them (a search catches up first anyway), unless the index falls more than `MAX_LAG` behind.
pub fn spawn(db: Db) {
    if !matches!(db, Db::Sqlite(_)) {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_newest = -1;
        loop {
            tick.tick().await;
            let (newest, lag) = match progress(&db).await {
                Ok(p) => p,
                Err(err) => {
                    tracing::warn!(error = %err, "full-text index progress unknown; will retry");
                    continue;
                }
            };
            let busy = newest != last_newest;
            last_newest = newest;
            if lag == 0 || (busy && lag < MAX_LAG) {
                continue;
            }
            if let Err(err) = index_batch(&db).await {
                tracing::warn!(error = %err, "full-text indexing failed; will retry");
            }
        }
    });
}
