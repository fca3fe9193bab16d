//! SQL of users, sessions and organizations.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::Role;
use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret_sealed: Option<Vec<u8>>,
    /// Set once the second factor was confirmed; the last accepted time step (no code twice).
    pub totp_last_step: Option<i64>,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<OffsetDateTime>,
}

const USER_COLUMNS: &str = "id, email, display_name, role, organization_id, password_hash, \
     must_change_password, totp_secret_sealed, totp_last_step, active, failed_logins, locked_until";

macro_rules! user_row {
    ($row:expr) => {{
        let role: String = $row.try_get("role")?;
        UserRow {
            id: $row.try_get("id")?,
            email: $row.try_get("email")?,
            display_name: $row.try_get("display_name")?,
            role: Role::from_code(&role).ok_or_else(|| AppError::internal("unknown role"))?,
            organization_id: $row.try_get("organization_id")?,
            password_hash: $row.try_get("password_hash")?,
            must_change_password: $row.try_get("must_change_password")?,
            totp_secret_sealed: $row.try_get("totp_secret_sealed")?,
            totp_last_step: $row.try_get("totp_last_step")?,
            active: $row.try_get("active")?,
            failed_logins: $row.try_get("failed_logins")?,
            locked_until: $row.try_get("locked_until")?,
        }
    }};
}

macro_rules! find_user_by {
    ($db:expr, $column:literal, $value:expr) => {
        db_read!($db, |pool| {
            let row = sqlx::query(const_format::concatcp!(
                "SELECT ",
                USER_COLUMNS,
                " FROM users WHERE ",
                $column,
                " = $1"
            ))
            .bind($value)
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(row) => Some(user_row!(row)),
                None => None,
            })
        })
    };
}

pub async fn find_user_by_email(db: &Db, email: &str) -> AppResult<Option<UserRow>> {
    find_user_by!(db, "email", email)
}

pub async fn find_user(db: &Db, id: Uuid) -> AppResult<Option<UserRow>> {
    find_user_by!(db, "id", id)
}

pub struct NewUserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub async fn insert_user(db: &Db, user: NewUserRow, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO users (id, email, display_name, role, organization_id, password_hash, \
             must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.code())
        .bind(user.organization_id)
        .bind(&user.password_hash)
        .bind(user.must_change_password)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_none() {
            return Err(AppError::field("email", "error-email-taken"));
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Records a wrong password: the new count, and the lock if one applies.
pub async fn record_failed_login(
    db: &Db,
    id: Uuid,
    failures: i64,
    locked_until: Option<OffsetDateTime>,
) -> AppResult<()> {
    db_write!(db, guarded = false, |conn| {
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failures)
            .bind(locked_until)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok::<_, AppError>(())
    })
}

pub async fn set_password(
    db: &Db,
    id: Uuid,
    hash: String,
    must_change: bool,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(&hash)
        .bind(must_change)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        // A new password ends every other session of the account.
        if must_change {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        crate::append_audited!(conn, audited);
        Ok::<_, AppError>(())
    })
}

/// Stores a new, not yet confirmed, second-factor secret (none: forget it, recorded as a reset).
pub async fn set_totp_secret(
    db: &Db,
    id: Uuid,
    sealed: Option<Vec<u8>>,
    audited: Option<Audited>,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "UPDATE users SET totp_secret_sealed = $1, totp_last_step = NULL WHERE id = $2",
        )
        .bind(&sealed)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if let Some(audited) = &audited {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(())
    })
}

/// Accepts the code of time step `step` once: false when it (or a later one) was used already.
pub async fn use_totp_step(db: &Db, id: Uuid, step: i64) -> AppResult<bool> {
    db_write!(db, guarded = false, |conn| {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1, failed_logins = 0, locked_until = NULL \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(done.rows_affected() == 1)
    })
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub second_factor_done: bool,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

pub async fn insert_session(
    db: &Db,
    token_hash: Vec<u8>,
    user_id: Uuid,
    second_factor_done: bool,
    expires_at: OffsetDateTime,
    replaces: Option<Vec<u8>>,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        if let Some(old) = &replaces {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(old)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, second_factor_done, created_at, expires_at, \
             last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(&token_hash)
        .bind(user_id)
        .bind(second_factor_done)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
        Ok::<_, AppError>(())
    })
}

pub async fn find_session(db: &Db, token_hash: &[u8]) -> AppResult<Option<SessionRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(
            "SELECT s.second_factor_done, s.expires_at, s.last_seen_at, ",
            "u.id, u.email, u.display_name, u.role, u.organization_id, u.password_hash, \
             u.must_change_password, u.totp_secret_sealed, u.totp_last_step, u.active, \
             u.failed_logins, u.locked_until \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => Some(SessionRow {
                second_factor_done: row.try_get("second_factor_done")?,
                expires_at: row.try_get("expires_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                user: user_row!(row),
            }),
            None => None,
        })
    })
}

pub async fn touch_session(db: &Db, token_hash: Vec<u8>, at: OffsetDateTime) -> AppResult<()> {
    db_write!(db, guarded = false, |conn| {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(&token_hash)
            .execute(&mut *conn)
            .await?;
        Ok::<_, AppError>(())
    })
}

pub async fn delete_session(db: &Db, token_hash: Vec<u8>) -> AppResult<()> {
    db_write!(db, guarded = false, |conn| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&token_hash)
            .execute(&mut *conn)
            .await?;
        Ok::<_, AppError>(())
    })
}

/// Enables or disables an account; disabling ends its sessions.
pub async fn set_active(db: &Db, id: Uuid, active: bool, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let updated = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(active)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(AppError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// A line of the administrator's list of accounts.
#[derive(Debug, Clone)]
pub struct UserListRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization: Option<String>,
    pub active: bool,
    pub two_factor: bool,
    pub locked_until: Option<OffsetDateTime>,
}

pub async fn list_users(db: &Db) -> AppResult<Vec<UserListRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.role, o.code AS organization, u.active, \
             u.totp_last_step IS NOT NULL AS two_factor, u.locked_until \
             FROM users u LEFT JOIN organizations o ON o.id = u.organization_id ORDER BY u.email",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let role: String = row.try_get("role")?;
            out.push(UserListRow {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                role: Role::from_code(&role).ok_or_else(|| AppError::internal("unknown role"))?,
                organization: row.try_get("organization")?,
                active: row.try_get("active")?,
                two_factor: row.try_get("two_factor")?,
                locked_until: row.try_get("locked_until")?,
            });
        }
        Ok(out)
    })
}

pub struct NewOrganizationRow {
    pub code: String,
    pub kind: String,
    pub details: OrganizationDetails,
}

/// What can change of an organization after it was created.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationDetails {
    pub names: [String; 3],
    pub community: Option<String>,
    pub head_email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub details: OrganizationDetails,
}

/// An organization as the database holds it, read the same way on both engines.
#[derive(sqlx::FromRow)]
struct OrganizationRecord {
    id: Uuid,
    code: String,
    kind: String,
    name_uk: String,
    name_ru: String,
    name_en: String,
    community_code: Option<String>,
    head_email: Option<String>,
}

impl From<OrganizationRecord> for OrganizationRow {
    fn from(r: OrganizationRecord) -> Self {
        OrganizationRow {
            id: r.id,
            code: r.code,
            kind: r.kind,
            details: OrganizationDetails {
                names: [r.name_uk, r.name_ru, r.name_en],
                community: r.community_code,
                head_email: r.head_email,
            },
        }
    }
}

const ORGANIZATION_COLUMNS: &str = "SELECT id, code, kind, name_uk, name_ru, name_en, community_code, head_email FROM organizations";

/// Every organization, the platform's own included, by kind and code.
pub async fn list_organizations(db: &Db) -> AppResult<Vec<OrganizationRow>> {
    db_read!(db, |pool| {
        let rows: Vec<OrganizationRecord> = sqlx::query_as(const_format::concatcp!(
            ORGANIZATION_COLUMNS,
            " ORDER BY kind, code"
        ))
        .fetch_all(pool)
        .await?;
        Ok(rows.into_iter().map(OrganizationRow::from).collect())
    })
}

pub async fn find_organization(db: &Db, code: &str) -> AppResult<Option<OrganizationRow>> {
    db_read!(db, |pool| {
        let row: Option<OrganizationRecord> = sqlx::query_as(const_format::concatcp!(
            ORGANIZATION_COLUMNS,
            " WHERE code = $1"
        ))
        .bind(code)
        .fetch_optional(pool)
        .await?;
        Ok(row.map(OrganizationRow::from))
    })
}

pub async fn update_organization(
    db: &Db,
    id: Uuid,
    details: OrganizationDetails,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "UPDATE organizations SET name_uk = $1, name_ru = $2, name_en = $3, \
             community_code = $4, head_email = $5 WHERE id = $6",
        )
        .bind(&details.names[0])
        .bind(&details.names[1])
        .bind(&details.names[2])
        .bind(&details.community)
        .bind(&details.head_email)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn insert_organization(
    db: &Db,
    org: NewOrganizationRow,
    audited: Audited,
) -> AppResult<Uuid> {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::now_v7();
    db_write!(db, |conn| {
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO organizations (id, code, kind, name_uk, name_ru, name_en, community_code, \
             head_email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(id)
        .bind(&org.code)
        .bind(&org.kind)
        .bind(&org.details.names[0])
        .bind(&org.details.names[1])
        .bind(&org.details.names[2])
        .bind(&org.details.community)
        .bind(&org.details.head_email)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_none() {
            return Err(AppError::field("code", "error-organization-code-taken"));
        }
        crate::append_audited!(conn, audited);
        Ok(id)
    })
}
