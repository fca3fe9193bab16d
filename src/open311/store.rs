//! SQL of the Open311 API: published service requests (only what the public register shows,
//! under the register's own condition) and the API keys of partner systems.

use sqlx::{QueryBuilder, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::intake::model::Status;
use crate::public::store::PUBLIC;
use crate::{db_read, db_write};

/// What `GET requests` selects; `ids` overrides every other filter, as GeoReport says.
#[derive(Debug, Clone)]
pub struct RequestSelection {
    pub ids: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub from: OffsetDateTime,
    pub until: OffsetDateTime,
    pub statuses: Option<Vec<Status>>,
}

/// A published case as Open311 shows it: the coordinator's summary, never the report's words,
/// and the community, never the reporter's place or point.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub reference: String,
    pub category: String,
    pub community: String,
    pub status: Status,
    pub requested_at: OffsetDateTime,
    pub summary: String,
    /// The newest public update, if any.
    pub status_notes: Option<String>,
    /// The newest of: the publication's change, a status change, a public update.
    pub updated_at: OffsetDateTime,
    /// Names (uk, ru, en) of the organizations the case was referred to, in referral order.
    pub agencies: Vec<[String; 3]>,
}

const SELECT_REQUESTS: &str = const_format::concatcp!(
    "SELECT r.id, r.reference, r.category_code, r.community_code, r.status, r.created_at, \
     p.summary, p.updated_at, \
     (SELECT u.body FROM public_updates u WHERE u.report_id = r.id \
      ORDER BY u.created_at DESC, u.id DESC LIMIT 1) AS status_notes, \
     (SELECT MAX(u.created_at) FROM public_updates u WHERE u.report_id = r.id) AS last_update_at, \
     (SELECT MAX(h.created_at) FROM report_status_history h WHERE h.report_id = r.id) \
      AS last_status_at \
     FROM publications p JOIN reports r ON r.id = p.report_id WHERE ",
    PUBLIC
);

/// A row of [`SELECT_REQUESTS`] on either engine (a macro: the two engines' rows are
/// different types).
macro_rules! request_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        let published: OffsetDateTime = row.try_get("updated_at")?;
        let last_update: Option<OffsetDateTime> = row.try_get("last_update_at")?;
        let last_status: Option<OffsetDateTime> = row.try_get("last_status_at")?;
        let updated_at = [Some(published), last_update, last_status]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(published);
        RequestRow {
            reference: row.try_get("reference")?,
            category: row.try_get("category_code")?,
            community: row.try_get("community_code")?,
            status: Status::from_code(&status).unwrap_or(Status::Received),
            requested_at: row.try_get("created_at")?,
            summary: row.try_get("summary")?,
            status_notes: row.try_get("status_notes")?,
            updated_at,
            agencies: Vec::new(),
        }
    }};
}

/// Published requests, newest first; `limit + 1` rows so the caller may tell whether more
/// follow.
pub async fn requests(
    db: &Db,
    selection: &RequestSelection,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<RequestRow>> {
    let selection = selection.clone();
    let rows = db_read!(db, |pool| {
        let mut q = QueryBuilder::new(SELECT_REQUESTS);
        if let Some(ids) = &selection.ids {
            q.push(" AND r.reference IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(id.clone());
            }
            list.push_unseparated(")");
        } else {
            q.push(" AND r.created_at >= ")
                .push_bind(selection.from)
                .push(" AND r.created_at <= ")
                .push_bind(selection.until);
            if !selection.categories.is_empty() {
                q.push(" AND r.category_code IN (");
                let mut list = q.separated(", ");
                for code in &selection.categories {
                    list.push_bind(code.clone());
                }
                list.push_unseparated(")");
            }
            if let Some(statuses) = &selection.statuses {
                q.push(" AND r.status IN (");
                let mut list = q.separated(", ");
                for status in statuses {
                    list.push_bind(status.code());
                }
                list.push_unseparated(")");
            }
        }
        q.push(" ORDER BY r.created_at DESC, r.reference DESC LIMIT ")
            .push_bind(limit + 1)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push((row.try_get::<Uuid, _>("id")?, request_row!(&row)));
        }
        Ok::<_, AppError>(out)
    })?;
    with_agencies(db, rows).await
}

/// One published request by its reference; `None` for anything the register does not show.
pub async fn request(db: &Db, reference: &str) -> AppResult<Option<RequestRow>> {
    let found = db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(
            SELECT_REQUESTS,
            " AND r.reference = $1"
        ))
        .bind(reference)
        .fetch_optional(pool)
        .await?;
        match row {
            Some(row) => {
                Ok::<_, AppError>(Some((row.try_get::<Uuid, _>("id")?, request_row!(&row))))
            }
            None => Ok(None),
        }
    })?;
    Ok(with_agencies(db, found.into_iter().collect()).await?.pop())
}

/// Adds the names of the organizations each request was referred to, in one query.
async fn with_agencies(db: &Db, rows: Vec<(Uuid, RequestRow)>) -> AppResult<Vec<RequestRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let referred = db_read!(db, |pool| {
        let mut q = QueryBuilder::new(
            "SELECT f.report_id, o.name_uk, o.name_ru, o.name_en \
             FROM referrals f JOIN organizations o ON o.id = f.organization_id \
             WHERE f.report_id IN (",
        );
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        list.push_unseparated(") ORDER BY f.created_at, f.id");
        let found = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(found.len());
        for row in found {
            out.push((
                row.try_get::<Uuid, _>("report_id")?,
                [
                    row.try_get::<String, _>("name_uk")?,
                    row.try_get::<String, _>("name_ru")?,
                    row.try_get::<String, _>("name_en")?,
                ],
            ));
        }
        Ok::<_, AppError>(out)
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, mut row)| {
            for (report, names) in &referred {
                if *report == id && !row.agencies.contains(names) {
                    row.agencies.push(names.clone());
                }
            }
            row
        })
        .collect())
}

/// An API key as administrators see it (never the key: only its first characters).
#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

pub struct NewApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub key_hash: Vec<u8>,
    pub hint: String,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

pub async fn insert_api_key(db: &Db, key: NewApiKeyRow, audited: Audited) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO api_keys (id, name, key_hash, hint, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id)
        .bind(&key.name)
        .bind(&key.key_hash)
        .bind(&key.hint)
        .bind(key.created_by)
        .bind(key.created_at)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Every key, newest first.
pub async fn api_keys(db: &Db) -> AppResult<Vec<ApiKeyRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, name, hint, created_at, revoked_at FROM api_keys \
             ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(ApiKeyRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                hint: row.try_get("hint")?,
                created_at: row.try_get("created_at")?,
                revoked_at: row.try_get("revoked_at")?,
            });
        }
        Ok(out)
    })
}

/// The key with this hash, unless it was revoked.
pub async fn active_api_key(db: &Db, key_hash: &[u8]) -> AppResult<Option<(Uuid, String)>> {
    db_read!(db, |pool| {
        let row =
            sqlx::query("SELECT id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .bind(key_hash)
                .fetch_optional(pool)
                .await?;
        Ok(match row {
            Some(row) => Some((row.try_get("id")?, row.try_get("name")?)),
            None => None,
        })
    })
}

/// Revokes a key: `NotFound` for an unknown one, `Conflict` for one revoked already.
pub async fn revoke_api_key(db: &Db, id: Uuid, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let revoked: Option<Option<OffsetDateTime>> =
            sqlx::query_scalar("SELECT revoked_at FROM api_keys WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        match revoked {
            None => return Err(AppError::NotFound),
            Some(Some(_)) => return Err(AppError::Conflict("api-key-revoked")),
            Some(None) => {}
        }
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}
