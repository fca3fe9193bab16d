//! SQL of referrals.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::ReferralStatus;
use crate::audit::Audited;
use crate::db::{Db, by_engine};
use crate::error::{AppError, AppResult};
use crate::intake::model::Status;
use crate::notify::{Draft, MailQueue, Recipients};
use crate::{db_read, db_write};

/// Moves the case to `$to` when it is still in `$from` (the status the decision was made on);
/// another person's change in between makes the whole transaction fail with a conflict.
macro_rules! set_case_status {
    ($conn:expr, $report_id:expr, $from:expr, $to:expr, $author:expr, $now:expr) => {
        if $from != $to {
            let updated = sqlx::query(
                "UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            )
            .bind($to.code())
            .bind($now)
            .bind($report_id)
            .bind($from.code())
            .execute(&mut *$conn)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(AppError::Conflict("case-changed-meanwhile"));
            }
            sqlx::query(
                "INSERT INTO report_status_history (id, report_id, status, created_at, author_id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind($report_id)
            .bind($to.code())
            .bind($now)
            .bind($author)
            .execute(&mut *$conn)
            .await?;
        }
    };
}
pub struct NewReferrals {
    pub report_id: Uuid,
    /// The case's status when the coordinator decided; a triaged case becomes referred.
    pub case_status: Status,
    pub organizations: Vec<ToOrganization>,
    pub message: String,
    pub due_at: OffsetDateTime,
    pub share_contact: bool,
    pub author_id: Uuid,
}

/// One organization's referral, and the e-mail its officers get about it.
pub struct ToOrganization {
    /// Made by the caller, so that the e-mail can link to the referral's page.
    pub referral_id: Uuid,
    pub organization_id: Uuid,
    pub notice: Draft,
}

/// Adds the referrals, moves the case to "referred", queues an e-mail to each active officer of
/// each organization and records the audit event, all in one transaction.
pub async fn insert(db: &Db, new: NewReferrals, audited: Audited) -> AppResult<Vec<Uuid>> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let mut ids = Vec::with_capacity(new.organizations.len());
        for to in &new.organizations {
            let id = to.referral_id;
            sqlx::query(
                "INSERT INTO referrals (id, report_id, organization_id, status, message, due_at, \
                 share_contact, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(id)
            .bind(new.report_id)
            .bind(to.organization_id)
            .bind(ReferralStatus::Sent.code())
            .bind(&new.message)
            .bind(new.due_at)
            .bind(new.share_contact)
            .bind(new.author_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            conn.queue_mail(&[Recipients::Officers(to.organization_id)], &to.notice, now)
                .await?;
            ids.push(id);
        }
        set_case_status!(
            conn,
            new.report_id,
            new.case_status,
            Status::Referred,
            new.author_id,
            now
        );
        crate::append_audited!(conn, audited);
        Ok(ids)
    })
}

#[derive(Debug, Clone)]
pub struct ReferralRow {
    pub id: Uuid,
    pub report_id: Uuid,
    pub reference: String,
    pub case_status: Status,
    pub organization_id: Uuid,
    pub organization_code: String,
    pub organization_names: [String; 3],
    pub status: ReferralStatus,
    pub message: String,
    pub due_at: OffsetDateTime,
    pub share_contact: bool,
    pub refusal_reason: Option<String>,
    pub response: Option<String>,
    pub created_at: OffsetDateTime,
    /// When the escalation job told the coordinators that the due date had passed.
    pub escalated_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT r.id, r.report_id, p.reference, p.status AS case_status, \
     r.organization_id, o.code, o.name_uk, o.name_ru, o.name_en, r.status, r.message, r.due_at, \
     r.share_contact, r.refusal_reason, r.response, r.created_at, r.escalated_at \
     FROM referrals r JOIN reports p ON p.id = r.report_id \
     JOIN organizations o ON o.id = r.organization_id WHERE ";

macro_rules! referral_row {
    ($row:expr) => {{
        let status: String = $row.try_get("status")?;
        let case_status: String = $row.try_get("case_status")?;
        ReferralRow {
            id: $row.try_get("id")?,
            report_id: $row.try_get("report_id")?,
            reference: $row.try_get("reference")?,
            case_status: Status::from_code(&case_status).unwrap_or(Status::Referred),
            organization_id: $row.try_get("organization_id")?,
            organization_code: $row.try_get("code")?,
            organization_names: [
                $row.try_get("name_uk")?,
                $row.try_get("name_ru")?,
                $row.try_get("name_en")?,
            ],
            status: ReferralStatus::from_code(&status).unwrap_or(ReferralStatus::Sent),
            message: $row.try_get("message")?,
            due_at: $row.try_get("due_at")?,
            share_contact: $row.try_get("share_contact")?,
            refusal_reason: $row.try_get("refusal_reason")?,
            response: $row.try_get("response")?,
            created_at: $row.try_get("created_at")?,
            escalated_at: $row.try_get("escalated_at")?,
        }
    }};
}

macro_rules! select_referrals {
    ($db:expr, $where:literal, $($bind:expr),*) => {
        db_read!($db, |pool| {
            let rows = sqlx::query(const_format::concatcp!(SELECT, $where))
                $(.bind($bind))*
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(referral_row!(row));
            }
            Ok::<_, AppError>(out)
        })
    };
}

pub async fn for_report(db: &Db, report_id: Uuid) -> AppResult<Vec<ReferralRow>> {
    select_referrals!(db, "r.report_id = $1 ORDER BY r.created_at", report_id)
}

/// An organization's referrals, open ones first, the most pressing deadline first.
pub async fn for_organization(
    db: &Db,
    organization_id: Uuid,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<ReferralRow>> {
    select_referrals!(
        db,
        "r.organization_id = $1 ORDER BY CASE WHEN r.status IN ('sent', 'accepted') THEN 0 ELSE 1 END, \
         r.due_at LIMIT $2 OFFSET $3",
        organization_id,
        limit,
        offset
    )
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<ReferralRow>> {
    let rows: Vec<ReferralRow> = select_referrals!(db, "r.id = $1", id)?;
    Ok(rows.into_iter().next())
}

/// An organization's decision on a referral, and the case status it leads to.
pub struct ReferralChange {
    pub referral_id: Uuid,
    pub from: ReferralStatus,
    pub to: ReferralStatus,
    pub refusal_reason: Option<String>,
    pub response: Option<String>,
    pub report_id: Uuid,
    pub case_from: Status,
    pub case_to: Status,
    pub author_id: Uuid,
}

pub async fn change(db: &Db, change: ReferralChange, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let updated = sqlx::query(
            "UPDATE referrals SET status = $1, refusal_reason = COALESCE($2, refusal_reason), \
             response = COALESCE($3, response), updated_at = $4, \
             first_response_at = COALESCE(first_response_at, $4), \
             answered_at = CASE WHEN $1 IN ('responded', 'refused') THEN $4 ELSE answered_at END \
             WHERE id = $5 AND status = $6",
        )
        .bind(change.to.code())
        .bind(&change.refusal_reason)
        .bind(&change.response)
        .bind(now)
        .bind(change.referral_id)
        .bind(change.from.code())
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(AppError::Conflict("case-changed-meanwhile"));
        }
        set_case_status!(
            conn,
            change.report_id,
            change.case_from,
            change.case_to,
            change.author_id,
            now
        );
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn add_action(
    db: &Db,
    referral_id: Uuid,
    author_id: Uuid,
    body: String,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO referral_actions (id, referral_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(referral_id)
        .bind(author_id)
        .bind(&body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        // The organization's first reaction, for the public statistics.
        sqlx::query(
            "UPDATE referrals SET first_response_at = $1 WHERE id = $2 AND first_response_at IS NULL",
        )
        .bind(now)
        .bind(referral_id)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok::<_, AppError>(())
    })
}

#[derive(Debug, Clone)]
pub struct ActionRow {
    pub author: String,
    pub body: String,
    pub at: OffsetDateTime,
}

pub async fn actions(db: &Db, referral_id: Uuid) -> AppResult<Vec<ActionRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT u.display_name, a.body, a.created_at FROM referral_actions a \
             JOIN users u ON u.id = a.author_id WHERE a.referral_id = $1 ORDER BY a.created_at",
        )
        .bind(referral_id)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(ActionRow {
                author: row.try_get("display_name")?,
                body: row.try_get("body")?,
                at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    })
}

#[derive(Debug, Clone)]
pub struct OrganizationChoice {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub names: [String; 3],
}

/// Organizations a case may be referred to (all but the platform itself).
pub async fn organizations(db: &Db) -> AppResult<Vec<OrganizationChoice>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, code, kind, name_uk, name_ru, name_en FROM organizations \
             WHERE kind <> 'platform' ORDER BY kind, code",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(OrganizationChoice {
                id: row.try_get("id")?,
                code: row.try_get("code")?,
                kind: row.try_get("kind")?,
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

/// An open referral past its due date that was not escalated yet.
#[derive(Debug, Clone)]
pub struct OverdueRow {
    pub id: Uuid,
    pub report_id: Uuid,
    pub reference: String,
    pub status: ReferralStatus,
    pub due_at: OffsetDateTime,
    pub organization_code: String,
    pub organization_names: [String; 3],
    pub head_email: Option<String>,
}

const SELECT_OVERDUE: &str = "SELECT r.id, r.report_id, p.reference, r.status, r.due_at, o.code, \
     o.name_uk, o.name_ru, o.name_en, o.head_email \
     FROM referrals r JOIN reports p ON p.id = r.report_id \
     JOIN organizations o ON o.id = r.organization_id \
     WHERE r.escalated_at IS NULL AND r.status IN ('sent', 'accepted') ";

/// SQLite keeps moments as RFC 3339 text, and due dates keep the platform's offset (`+02:00`),
/// so text order is not time order there: compare through `julianday()`.
const OVERDUE_SQLITE: &str = const_format::concatcp!(
    SELECT_OVERDUE,
    "AND julianday(r.due_at) < julianday($1) ORDER BY julianday(r.due_at) LIMIT $2"
);
const OVERDUE_POSTGRES: &str = const_format::concatcp!(
    SELECT_OVERDUE,
    "AND r.due_at < $1 ORDER BY r.due_at LIMIT $2"
);

/// Open referrals due before `now` and not yet escalated, the longest overdue first.
pub async fn overdue(db: &Db, now: OffsetDateTime, limit: i64) -> AppResult<Vec<OverdueRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(by_engine(pool, OVERDUE_SQLITE, OVERDUE_POSTGRES))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get("status")?;
            out.push(OverdueRow {
                id: row.try_get("id")?,
                report_id: row.try_get("report_id")?,
                reference: row.try_get("reference")?,
                status: ReferralStatus::from_code(&status).unwrap_or(ReferralStatus::Sent),
                due_at: row.try_get("due_at")?,
                organization_code: row.try_get("code")?,
                organization_names: [
                    row.try_get("name_uk")?,
                    row.try_get("name_ru")?,
                    row.try_get("name_en")?,
                ],
                head_email: row.try_get("head_email")?,
            });
        }
        Ok::<_, AppError>(out)
    })
}

/// An overdue referral's escalation: who is told what.
pub struct Escalation {
    pub referral_id: Uuid,
    pub to_coordinators: Draft,
    /// The organization's head's address and e-mail, when the organization has a head on file.
    pub to_head: Option<(String, Draft)>,
}

/// Marks the referral escalated unless it already is (by another server's run at the same
/// moment, or an earlier run) or was answered meanwhile. Only the call that marks it queues the
/// e-mails and records the audit event, in the same transaction; returns whether this call did.
pub async fn escalate(
    db: &Db,
    escalation: Escalation,
    now: OffsetDateTime,
    audited: Audited,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let marked = sqlx::query(
            "UPDATE referrals SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL \
             AND status IN ('sent', 'accepted')",
        )
        .bind(now)
        .bind(escalation.referral_id)
        .execute(&mut *conn)
        .await?;
        if marked.rows_affected() != 1 {
            return Ok(false);
        }
        conn.queue_mail(
            &[Recipients::Coordinators],
            &escalation.to_coordinators,
            now,
        )
        .await?;
        if let Some((address, draft)) = &escalation.to_head {
            conn.queue_mail(&[Recipients::Address(address)], draft, now)
                .await?;
        }
        crate::append_audited!(conn, audited);
        Ok(true)
    })
}
