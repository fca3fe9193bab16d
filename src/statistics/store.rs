//! The SQL of the statistics: two grouped reads over a period, each one index range scan
//! (`reports_created_at`, or `reports_community` when a community is chosen;
//! `referrals_created_at` for referrals). Months are cut in the platform's time zone by
//! boundaries computed in Rust, so both engines count the same report in the same month.
//!
//! SQLite keeps moments as RFC 3339 text in UTC (`…T10:00:00.123Z`); bounds are bound as text
//! with nine fraction digits so that text order is time order for every stored value.
//! Referral due dates keep the platform's offset there, so they are compared via `julianday()`.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{Db, PushMoment, by_engine, query_builder};
use crate::db_read;
use crate::error::{AppError, AppResult};

/// What the grouped reads select on: a period of moments cut into months, and the filters.
pub struct Scope<'a> {
    /// `bounds[i]..bounds[i + 1]` is month `i`; the first is the period's start, the last its end.
    pub bounds: Vec<OffsetDateTime>,
    pub kind: Option<&'a str>,
    pub category: Option<&'a str>,
    pub community: Option<&'a str>,
    /// For referrals: due dates before this have passed.
    pub now: OffsetDateTime,
}

/// Reports of one month with the same kind, category, community, status and (for closed cases)
/// outcome.
#[derive(Debug, Clone)]
pub struct ReportGroup {
    pub month: usize,
    pub kind: String,
    pub category: String,
    pub community: String,
    pub status: String,
    pub outcome: Option<String>,
    pub count: u64,
}

/// What a line of the referral read counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Referrals by status and timeliness.
    Tally,
    /// Referrals that had a first reaction, by whole hours to it.
    FirstResponse,
    /// Referrals answered, by whole hours to the answer.
    Answer,
}

/// Referrals to one organization that are alike in what one [`Part`] measures.
#[derive(Debug, Clone)]
pub struct ReferralGroup {
    pub part: Part,
    pub organization_id: Uuid,
    /// [`Part::Tally`]: the referral's status.
    pub status: Option<String>,
    /// [`Part::Tally`]: answered by the due date (true), answered late or overdue and open
    /// (false), or still within its due date (none).
    pub on_time: Option<bool>,
    /// Whole hours from sending, for the other parts.
    pub hours: Option<i64>,
    pub count: u64,
}

/// Reports created in the scope's period, grouped. The month is a `CASE` over the month
/// boundaries (a handful of comparisons a row), so one range scan serves the whole period.
pub async fn report_groups(db: &Db, scope: &Scope<'_>) -> AppResult<Vec<ReportGroup>> {
    let last = scope.bounds.len().saturating_sub(2);
    db_read!(db, |pool| {
        let mut q = query_builder(pool, "SELECT ");
        if last == 0 {
            q.push("0");
        } else {
            q.push("CASE");
            for (i, bound) in scope.bounds.iter().enumerate().skip(1).take(last) {
                q.push(" WHEN r.created_at < ")
                    .push_moment(*bound)
                    .push(format_args!(" THEN {}", i - 1));
            }
            q.push(format_args!(" ELSE {last} END"));
        }
        q.push(format_args!(
            " AS month, r.kind, r.category_code, r.community_code, r.status, \
             CASE WHEN r.status = 'closed' THEN r.outcome END AS outcome, COUNT(*) AS n \
             FROM reports r WHERE r.created_at >= "
        ));
        q.push_moment(scope.bounds[0]);
        q.push(" AND r.created_at < ")
            .push_moment(*scope.bounds.last().unwrap_or(&scope.bounds[0]));
        if let Some(kind) = scope.kind {
            q.push(" AND r.kind = ").push_bind(kind.to_string());
        }
        if let Some(category) = scope.category {
            q.push(" AND r.category_code = ")
                .push_bind(category.to_string());
        }
        if let Some(community) = scope.community {
            q.push(" AND r.community_code = ")
                .push_bind(community.to_string());
        }
        q.push(" GROUP BY 1, 2, 3, 4, 5, 6");
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let month: i32 = row.try_get("month")?;
            let count: i64 = row.try_get("n")?;
            out.push(ReportGroup {
                month: usize::try_from(month).unwrap_or(0),
                kind: row.try_get("kind")?,
                category: row.try_get("category_code")?,
                community: row.try_get("community_code")?,
                status: row.try_get("status")?,
                outcome: row.try_get("outcome")?,
                count: u64::try_from(count).unwrap_or(0),
            });
        }
        Ok::<_, AppError>(out)
    })
}

/// The referrals' measures, `(sqlite, postgres)`, up to the bound moment of the present (for
/// timeliness).
const MEASURES: (&str, &str) = (
    "WITH f AS MATERIALIZED (SELECT r.organization_id AS org, r.status AS status, \
     CAST(ROUND((julianday(r.first_response_at) - julianday(r.created_at)) * 86400) AS INTEGER) \
         / 3600 AS first_h, \
     CAST(ROUND((julianday(r.answered_at) - julianday(r.created_at)) * 86400) AS INTEGER) \
         / 3600 AS answer_h, \
     CASE WHEN r.answered_at IS NOT NULL \
          THEN CASE WHEN julianday(r.answered_at) <= julianday(r.due_at) THEN 1 ELSE 0 END \
          WHEN julianday(r.due_at) < julianday(",
    "WITH f AS MATERIALIZED (SELECT r.organization_id AS org, r.status AS status, \
     FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.created_at)) / 3600)::BIGINT AS first_h, \
     FLOOR(EXTRACT(EPOCH FROM (r.answered_at - r.created_at)) / 3600)::BIGINT AS answer_h, \
     CASE WHEN r.answered_at IS NOT NULL \
          THEN CASE WHEN r.answered_at <= r.due_at THEN 1 ELSE 0 END \
          WHEN r.due_at < (",
);

/// The three groupings over the measured referrals `f`.
const GROUPINGS: &str = ") SELECT 0 AS part, org AS organization_id, status, on_time, NULL AS hours, \
     COUNT(*) AS n FROM f GROUP BY 1, 2, 3, 4 \
     UNION ALL SELECT 1, org, NULL, NULL, first_h, COUNT(*) FROM f \
     WHERE first_h IS NOT NULL GROUP BY 1, 2, 5 \
     UNION ALL SELECT 2, org, NULL, NULL, answer_h, COUNT(*) FROM f \
     WHERE answer_h IS NOT NULL GROUP BY 1, 2, 5";

/// Referrals sent in the scope's period about reports that match its filters, per
/// organization: by status and timeliness, and histograms of whole hours to the first reaction
/// and to the answer. The referrals are read once; three groupings of them, rather than one
/// grouping by all of these, whose lines would multiply (first-reaction × answer hours).
pub async fn referral_groups(db: &Db, scope: &Scope<'_>) -> AppResult<Vec<ReferralGroup>> {
    let (start, end) = (
        scope.bounds[0],
        *scope.bounds.last().unwrap_or(&scope.bounds[0]),
    );
    let filtered = scope.kind.is_some() || scope.category.is_some() || scope.community.is_some();
    db_read!(db, |pool| {
        let mut q = query_builder(pool, by_engine(pool, MEASURES.0, MEASURES.1));
        q.push_moment(scope.now);
        // The report is read only when its kind, category or community is asked for.
        q.push(if filtered {
            ") THEN 0 END AS on_time FROM referrals r JOIN reports p ON p.id = r.report_id \
             WHERE r.created_at >= "
        } else {
            ") THEN 0 END AS on_time FROM referrals r WHERE r.created_at >= "
        });
        q.push_moment(start);
        q.push(" AND r.created_at < ").push_moment(end);
        if let Some(kind) = scope.kind {
            q.push(" AND p.kind = ").push_bind(kind.to_string());
        }
        if let Some(category) = scope.category {
            q.push(" AND p.category_code = ")
                .push_bind(category.to_string());
        }
        if let Some(community) = scope.community {
            q.push(" AND p.community_code = ")
                .push_bind(community.to_string());
        }
        q.push(GROUPINGS);
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let part: i32 = row.try_get("part")?;
            let on_time: Option<i32> = row.try_get("on_time")?;
            let count: i64 = row.try_get("n")?;
            let hours: Option<i64> = row.try_get("hours")?;
            out.push(ReferralGroup {
                part: match part {
                    0 => Part::Tally,
                    1 => Part::FirstResponse,
                    _ => Part::Answer,
                },
                organization_id: row.try_get("organization_id")?,
                status: row.try_get("status")?,
                on_time: on_time.map(|v| v == 1),
                hours: hours.map(|h| h.max(0)),
                count: u64::try_from(count).unwrap_or(0),
            });
        }
        Ok::<_, AppError>(out)
    })
}

/// Regions with their names in uk, ru and en.
pub async fn regions(db: &Db) -> AppResult<Vec<(String, [String; 3])>> {
    db_read!(db, |pool| {
        let rows = sqlx::query("SELECT code, name_uk, name_ru, name_en FROM regions ORDER BY code")
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push((
                row.try_get("code")?,
                [
                    row.try_get("name_uk")?,
                    row.try_get("name_ru")?,
                    row.try_get("name_en")?,
                ],
            ));
        }
        Ok::<_, AppError>(out)
    })
}
