//! The search query, built from the filters that are set. Text uses the engine's own index:
//! FTS5 (trigram) on SQLite, `pg_trgm` on PostgreSQL.

use sqlx::{QueryBuilder, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{fts5_query, like_pattern};
use crate::cases::model::Urgency;
use crate::cases::store::QueueRow;
use crate::db::Db;
use crate::db_read;
use crate::error::AppResult;
use crate::intake::model::{ReportKind, Status};

/// Validated filters; `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub terms: Vec<String>,
    pub reference: Option<String>,
    pub status: Option<Status>,
    pub category: Option<String>,
    pub community: Option<String>,
    pub organization: Option<Uuid>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// An officer's organization: only cases referred to it are found, each with that
    /// organization's newest referral (the officer's way into the case).
    pub referred_to: Option<Uuid>,
}

/// A case found, with the searching officer's referral when the search was scoped.
pub struct Found {
    pub case: QueueRow,
    pub referral: Option<Uuid>,
}

/// One page of matching cases, newest first; `limit + 1` rows are asked for so the caller knows
/// whether a next page exists without counting every match.
///
/// On SQLite a text search walks the full-text index newest row first (rowids follow the order
/// reports were stored in) and stops at the page's end: sorting every match of a common word
/// by date instead costs hundreds of milliseconds on a million reports.
///
/// On PostgreSQL, several words at once make the planner expect few matches (it takes the words
/// as independent) and gather every match of each word through the trigram index before sorting
/// them. So such a search first looks through the newest `RECENT_WINDOW` reports only, in date
/// order: every match there is newer than any outside it, so a full page found there is the
/// right page. Only when the window holds too few does the index search run.
pub async fn search(db: &Db, filters: &Filters, limit: i64, offset: i64) -> AppResult<Vec<Found>> {
    if matches!(db, Db::Postgres(_)) && filters.terms.len() > 1 {
        let recent = search_in(db, filters, limit, offset, Some(RECENT_WINDOW)).await?;
        if recent.len() as i64 > limit {
            return Ok(recent);
        }
    }
    search_in(db, filters, limit, offset, None).await
}

/// Newest reports a multi-word search on PostgreSQL looks through first.
const RECENT_WINDOW: i64 = 20_000;

async fn search_in(
    db: &Db,
    filters: &Filters,
    limit: i64,
    offset: i64,
    window: Option<i64>,
) -> AppResult<Vec<Found>> {
    let fts = matches!(db, Db::Sqlite(_)) && !filters.terms.is_empty();
    db_read!(db, |pool| {
        let mut q = QueryBuilder::new(
            "SELECT r.id, r.reference, r.kind, r.category_code, r.community_code, r.status, \
             r.urgency, r.channel, r.created_at",
        );
        if let Some(organization) = filters.referred_to {
            q.push(
                ", (SELECT f.id FROM referrals f WHERE f.report_id = r.id AND f.organization_id = ",
            )
            .push_bind(organization)
            .push(" ORDER BY f.created_at DESC LIMIT 1) AS referral_id");
        }
        if fts {
            q.push(
                // CROSS JOIN keeps the index walk outside: with another filter (a community)
                // SQLite would otherwise probe the text index once per report of it.
                " FROM reports_fts CROSS JOIN reports r ON r.rowid = reports_fts.rowid \
                 WHERE reports_fts MATCH ",
            );
            q.push_bind(fts5_query(&filters.terms));
        } else {
            match window {
                Some(newest) => {
                    q.push(" FROM (SELECT * FROM reports ORDER BY created_at DESC LIMIT ")
                        .push_bind(newest)
                        .push(") r WHERE 1 = 1");
                }
                None => {
                    q.push(" FROM reports r WHERE 1 = 1");
                }
            }
            for term in &filters.terms {
                q.push(" AND r.search_text LIKE ");
                q.push_bind(like_pattern(term));
                q.push(" ESCAPE '\\'");
            }
        }
        if let Some(organization) = filters.referred_to {
            q.push(" AND EXISTS (SELECT 1 FROM referrals f WHERE f.report_id = r.id AND f.organization_id = ")
                .push_bind(organization)
                .push(")");
        }
        if let Some(reference) = &filters.reference {
            q.push(" AND r.reference = ").push_bind(reference.clone());
        }
        if let Some(status) = filters.status {
            q.push(" AND r.status = ").push_bind(status.code());
        }
        if let Some(category) = &filters.category {
            q.push(" AND r.category_code = ")
                .push_bind(category.clone());
        }
        if let Some(community) = &filters.community {
            q.push(" AND r.community_code = ")
                .push_bind(community.clone());
        }
        if let Some(organization) = filters.organization {
            q.push(" AND EXISTS (SELECT 1 FROM referrals f WHERE f.report_id = r.id AND f.organization_id = ")
                .push_bind(organization)
                .push(")");
        }
        if let Some(from) = filters.from {
            q.push(" AND r.created_at >= ").push_bind(from);
        }
        if let Some(until) = filters.until {
            q.push(" AND r.created_at < ").push_bind(until);
        }
        q.push(if fts {
            " ORDER BY reports_fts.rowid DESC LIMIT "
        } else {
            " ORDER BY r.created_at DESC LIMIT "
        })
        .push_bind(limit + 1)
        .push(" OFFSET ")
        .push_bind(offset);
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let status: String = row.try_get("status")?;
            let urgency: String = row.try_get("urgency")?;
            let referral = match filters.referred_to {
                Some(_) => row.try_get("referral_id")?,
                None => None,
            };
            let case = QueueRow {
                id: row.try_get("id")?,
                reference: row.try_get("reference")?,
                kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
                category: row.try_get("category_code")?,
                community: row.try_get("community_code")?,
                status: Status::from_code(&status).unwrap_or(Status::Received),
                urgency: Urgency::from_code(&urgency).unwrap_or(Urgency::Normal),
                channel: row.try_get("channel")?,
                created_at: row.try_get("created_at")?,
            };
            out.push(Found { case, referral });
        }
        Ok(out)
    })
}
