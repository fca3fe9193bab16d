//! Platform-wide settings stored with the data.

use sqlx::Row;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

pub const REFERENCE_PREFIX: &str = "reference_prefix";

pub async fn get(db: &Db, key: &'static str) -> AppResult<Option<String>> {
    db_read!(db, |pool| {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("value")?),
            None => None,
        })
    })
}

/// Stores `value` unless the setting exists already.
pub async fn set_default(db: &Db, key: &'static str, value: String) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(&value)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}
