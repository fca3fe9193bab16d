//! SQL of the public register. Every public query repeats both conditions — a live publication
//! and the reporter's consent — so no single forgotten check can put a case on a public page.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::model::Publication;
use crate::audit::Audited;
use crate::db::{Db, by_engine, is_sqlite};
use crate::error::{AppError, AppResult};
use crate::intake::model::{ReportKind, Status};
use crate::{db_read, db_write};

/// The conditions under which a case may be shown publicly (`r` reports, `p` publications).
pub const PUBLIC: &str = "p.withdrawn_at IS NULL AND r.consent_publish = TRUE";

/// The register walks the publications in its own order and looks each report up: with a filter
/// on reports (a community), SQLite would otherwise start from every report of it and sort them
/// all. `CROSS JOIN` fixes SQLite's join order; PostgreSQL plans this well by itself. Each report
/// is read from `reports_public` (migration 0023), which holds the columns read here for the
/// consenting reports: SQLite would look the id up in the primary key and then read the wide
/// row from the table (every query here requires the consent, so the index always applies).
const PUBLICATIONS_FIRST_SQLITE: &str =
    " FROM publications p CROSS JOIN reports r INDEXED BY reports_public ON r.id = p.report_id";
const PUBLICATIONS_FIRST_POSTGRES: &str =
    " FROM publications p JOIN reports r ON r.id = p.report_id";

/// A case's publication as its coordinator sees it.
#[derive(Debug, Clone)]
pub struct PublicationRow {
    pub title: String,
    pub summary: String,
    pub language: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
}

pub async fn publication_of(db: &Db, report_id: Uuid) -> AppResult<Option<PublicationRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT title, summary, language, published_at, updated_at, withdrawn_at \
             FROM publications WHERE report_id = $1",
        )
        .bind(report_id)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(PublicationRow {
            title: row.try_get("title")?,
            summary: row.try_get("summary")?,
            language: row.try_get("language")?,
            published_at: row.try_get("published_at")?,
            updated_at: row.try_get("updated_at")?,
            withdrawn_at: row.try_get("withdrawn_at")?,
        }))
    })
}

/// Publishes (or re-publishes, or corrects) a case's summary.
pub async fn publish(
    db: &Db,
    report_id: Uuid,
    publication: Publication,
    by: Option<Uuid>,
    at: OffsetDateTime,
    audited: Option<Audited>,
) -> AppResult<()> {
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO publications (report_id, title, summary, language, published_by, \
             published_at, updated_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $6, \
             (SELECT created_at FROM reports WHERE id = $1)) \
             ON CONFLICT (report_id) DO UPDATE SET title = excluded.title, \
             summary = excluded.summary, language = excluded.language, \
             published_by = excluded.published_by, updated_at = excluded.updated_at, \
             published_at = CASE WHEN publications.withdrawn_at IS NULL \
                 THEN publications.published_at ELSE excluded.published_at END, \
             withdrawn_at = NULL",
        )
        .bind(report_id)
        .bind(&publication.title)
        .bind(&publication.summary)
        .bind(publication.language.code())
        .bind(by)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        if let Some(audited) = audited {
            crate::append_audited!(conn, audited);
        }
        Ok::<_, AppError>(())
    })
}

/// Takes a case off the public register; `Conflict` when it is not published.
pub async fn withdraw(db: &Db, report_id: Uuid, audited: Audited) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let done = sqlx::query(
            "UPDATE publications SET withdrawn_at = $1, updated_at = $1 \
             WHERE report_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(now)
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(AppError::Conflict("not-published"));
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Filters with codes already checked and the agency resolved to its id.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct RegisterSelection {
    pub kind: Option<ReportKind>,
    pub category: Option<String>,
    pub community: Option<String>,
    pub agency: Option<Uuid>,
    pub status: Option<Status>,
    pub received_from: Option<OffsetDateTime>,
    pub received_until: Option<OffsetDateTime>,
}

/// Adds the register's filters to a query over `reports r` (one body for both engines' builders).
macro_rules! push_selection {
    ($q:ident, $selection:expr) => {{
        let selection: &RegisterSelection = $selection;
        if let Some(kind) = selection.kind {
            $q.push(" AND r.kind = ").push_bind(kind.code());
        }
        if let Some(category) = &selection.category {
            $q.push(" AND r.category_code = ")
                .push_bind(category.clone());
        }
        if let Some(community) = &selection.community {
            $q.push(" AND r.community_code = ")
                .push_bind(community.clone());
        }
        if let Some(status) = selection.status {
            $q.push(" AND r.status = ").push_bind(status.code());
        }
        if let Some(agency) = selection.agency {
            $q.push(
                " AND EXISTS (SELECT 1 FROM referrals f WHERE f.report_id = r.id \
                         AND f.organization_id = ",
            )
            .push_bind(agency)
            .push(")");
        }
        if let Some(from) = selection.received_from {
            $q.push(" AND p.received_at >= ").push_bind(from);
        }
        if let Some(until) = selection.received_until {
            $q.push(" AND p.received_at < ").push_bind(until);
        }
    }};
}

/// The columns a register line is read from (with the report's id and outcome, which the case
/// page and the export use too).
const REGISTER_COLUMNS: &str = "SELECT r.id, r.reference, p.title, p.summary, p.language, \
     r.kind, r.category_code, r.community_code, r.status, r.outcome, r.created_at, \
     p.published_at";

/// A register line from a row holding the register's columns (either engine's row type).
macro_rules! register_row {
    ($row:expr) => {{
        let row = &$row;
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        RegisterRow {
            reference: row.try_get("reference")?,
            title: row.try_get("title")?,
            summary: row.try_get("summary")?,
            language: row.try_get("language")?,
            kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
            category: row.try_get("category_code")?,
            community: row.try_get("community_code")?,
            status: Status::from_code(&status).unwrap_or(Status::Received),
            received_at: row.try_get("created_at")?,
            published_at: row.try_get("published_at")?,
        }
    }};
}

/// One line of the register.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub reference: String,
    pub title: String,
    pub summary: String,
    pub language: String,
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    pub status: Status,
    pub received_at: OffsetDateTime,
    pub published_at: OffsetDateTime,
}

/// How deep the register's month-only path goes (see [`register_of_months`]).
const MONTH_PATH_ROWS: i64 = 1_000;

/// A page of published cases, newest publication first; asks for `limit + 1` rows so the
/// caller knows whether another page follows without counting them all.
pub async fn register(
    db: &Db,
    selection: &RegisterSelection,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<RegisterRow>> {
    let months_only = selection.kind.is_none()
        && selection.category.is_none()
        && selection.community.is_none()
        && selection.status.is_none()
        && selection.agency.is_none()
        && (selection.received_from.is_some() || selection.received_until.is_some());
    if months_only
        && offset + limit < MONTH_PATH_ROWS
        && let Some(rows) = register_of_months(db, selection, limit, offset).await?
    {
        return Ok(rows);
    }
    register_walk(db, selection, limit, offset).await
}

/// The register filtered by the date received alone. The publications of a month are found
/// and ordered on their own index, and only the page's reports are then read and checked: the
/// general query would read the report of every publication of the month (tens of thousands)
/// to check its consent before it could sort them. When a candidate fails the public
/// conditions (which publishing never allows, but a page must not rely on it), `None`: the
/// caller takes the general query, which is exact in every case.
async fn register_of_months(
    db: &Db,
    selection: &RegisterSelection,
    limit: i64,
    offset: i64,
) -> AppResult<Option<Vec<RegisterRow>>> {
    let (from, until) = (selection.received_from, selection.received_until);
    let candidates: Vec<Uuid> = db_read!(db, |pool| {
        let mut q =
            QueryBuilder::new("SELECT report_id FROM publications WHERE withdrawn_at IS NULL");
        if let Some(from) = from {
            q.push(" AND received_at >= ").push_bind(from);
        }
        if let Some(until) = until {
            q.push(" AND received_at < ").push_bind(until);
        }
        q.push(" ORDER BY published_at DESC, report_id DESC LIMIT ")
            .push_bind(offset + limit + 1);
        let rows = q.build().fetch_all(pool).await?;
        rows.iter()
            .map(|r| r.try_get("report_id").map_err(AppError::from))
            .collect::<AppResult<Vec<Uuid>>>()
    })?;
    if candidates.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let ids = candidates.clone();
    let rows: Vec<(Uuid, RegisterRow)> = db_read!(db, |pool| {
        let mut q = QueryBuilder::new(const_format::concatcp!(
            REGISTER_COLUMNS,
            " FROM publications p JOIN reports r ON r.id = p.report_id WHERE "
        ));
        q.push(PUBLIC);
        q.push(" AND p.report_id IN (");
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        q.push(")");
        let found = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(found.len());
        for row in found {
            let id: Uuid = row.try_get("id")?;
            out.push((id, register_row!(row)));
        }
        Ok::<_, AppError>(out)
    })?;
    if rows.len() != candidates.len() {
        return Ok(None);
    }
    let mut by_id: std::collections::HashMap<Uuid, RegisterRow> = rows.into_iter().collect();
    Ok(Some(
        candidates
            .iter()
            .skip(offset as usize)
            .filter_map(|id| by_id.remove(id))
            .collect(),
    ))
}

/// The register by walking the publications in its order (any filters).
async fn register_walk(
    db: &Db,
    selection: &RegisterSelection,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<RegisterRow>> {
    db_read!(db, |pool| {
        let mut q = QueryBuilder::new(REGISTER_COLUMNS);
        q.push(by_engine(
            pool,
            PUBLICATIONS_FIRST_SQLITE,
            PUBLICATIONS_FIRST_POSTGRES,
        ));
        q.push(" WHERE ");
        q.push(PUBLIC);
        push_selection!(q, selection);
        q.push(" ORDER BY p.published_at DESC, p.report_id DESC LIMIT ")
            .push_bind(limit + 1)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(register_row!(row));
        }
        Ok(out)
    })
}

/// A published case with what the public may see of its handling.
#[derive(Debug, Clone)]
pub struct PublicCase {
    pub row: RegisterRow,
    pub updated_at: OffsetDateTime,
    pub outcome: Option<String>,
    pub history: Vec<(Status, OffsetDateTime)>,
    pub updates: Vec<(String, OffsetDateTime)>,
    /// Organizations the case was referred to, with their referral's status.
    pub agencies: Vec<PublicReferral>,
}

#[derive(Debug, Clone)]
pub struct PublicReferral {
    pub organization: [String; 3],
    pub status: String,
    pub referred_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
}

pub async fn public_case(db: &Db, reference: &str) -> AppResult<Option<PublicCase>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(
            REGISTER_COLUMNS,
            ", p.updated_at FROM publications p JOIN reports r ON r.id = p.report_id \
             WHERE r.reference = $1 AND ",
            PUBLIC
        ))
        .bind(reference)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: Uuid = row.try_get("id")?;
        let history = sqlx::query(
            "SELECT status, created_at FROM report_status_history WHERE report_id = $1 \
             ORDER BY created_at",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|h| {
            let status: String = h.try_get("status")?;
            Ok((
                Status::from_code(&status).unwrap_or(Status::Received),
                h.try_get("created_at")?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let updates = sqlx::query(
            "SELECT body, created_at FROM public_updates WHERE report_id = $1 ORDER BY created_at",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|u| Ok((u.try_get("body")?, u.try_get("created_at")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let agencies = sqlx::query(
            "SELECT o.name_uk, o.name_ru, o.name_en, f.status, f.created_at, f.due_at \
             FROM referrals f JOIN organizations o ON o.id = f.organization_id \
             WHERE f.report_id = $1 ORDER BY f.created_at",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|a| {
            Ok(PublicReferral {
                organization: [
                    a.try_get("name_uk")?,
                    a.try_get("name_ru")?,
                    a.try_get("name_en")?,
                ],
                status: a.try_get("status")?,
                referred_at: a.try_get("created_at")?,
                due_at: a.try_get("due_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(PublicCase {
            row: register_row!(row),
            updated_at: row.try_get("updated_at")?,
            outcome: row.try_get("outcome")?,
            history,
            updates,
            agencies,
        }))
    })
}

/// One case of the register as the open-data downloads give it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    /// The walk's position: report ids are UUIDv7, so their order is the order received.
    pub report_id: Uuid,
    pub row: RegisterRow,
    pub outcome: Option<String>,
    /// Codes of the organizations the case was referred to, in referral order.
    pub agencies: Vec<String>,
}

/// The organizations referred to, of the cases in a range of keys, as one walk of
/// `referrals_report_order` (migration 0024): by case, then in referral order (PostgreSQL in
/// the query; SQLite's JSON array of them is sorted after it is read, see below).
/// (A list per row, `group_concat(… ORDER BY …)` in a subquery, cost SQLite a sort per row.)
/// Cases of the range that are not in the export are dropped when the lists are matched.
/// SQLite skips the unpublished cases' referrals in the query; PostgreSQL reads them all, in the
/// index's own order and from it alone, and gives the organizations' keys (named in Rust): with
/// the published cases' check and the organizations' codes joined in, it sorted the rows again
/// and started a parallel worker for every range — 14 ms a range instead of 2.
const RANGE_AGENCIES_SQLITE: &str = "SELECT f.report_id, f.created_at, o.code \
     FROM referrals f INDEXED BY referrals_report_order \
     CROSS JOIN organizations o ON o.id = f.organization_id \
     WHERE f.report_id > $1 AND f.report_id <= $2 \
     AND EXISTS (SELECT 1 FROM publications p WHERE p.report_id = f.report_id)";
const RANGE_REFERRALS_POSTGRES: &str = "SELECT report_id, organization_id FROM referrals \
     WHERE report_id > $1 AND report_id <= $2 ORDER BY report_id, created_at";

/// On SQLite the export reads each range as one value: a JSON array built by SQLite itself.
/// sqlx hands SQLite's rows over from its worker thread one at a time, copying every value and
/// waking the reader for each; at the export's hundreds of thousands of rows that hand-over
/// cost several times the query (measured on a million cases: 38 µs of CPU per exported row,
/// of which SQLite's own work was under 8). The arrays are sorted here, not in SQLite: an
/// aggregate's `ORDER BY` copied every element into a B-tree of its own.
const CHUNK_AS_JSON_SQLITE: &str = "SELECT json_group_array(json_array(hex(id), reference, \
     title, summary, language, kind, category_code, community_code, status, outcome, \
     created_at, published_at)) FROM (";
const RANGE_AGENCIES_AS_JSON_SQLITE: &str = const_format::concatcp!(
    "SELECT json_group_array(json_array(hex(report_id), created_at, code)) FROM (",
    RANGE_AGENCIES_SQLITE,
    ")"
);

/// One element of `CHUNK_AS_JSON_SQLITE`'s array, in its order.
#[derive(serde::Deserialize)]
struct JsonChunkRow(
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
);

/// The rows of a range read as JSON (SQLite: ids in hex, times as stored, RFC 3339).
fn rows_from_json(json: &str) -> AppResult<Vec<ExportRow>> {
    let rows: Vec<JsonChunkRow> = serde_json::from_str(json).map_err(AppError::internal)?;
    let at = |text: &str| OffsetDateTime::parse(text, &Rfc3339).map_err(AppError::internal);
    let mut rows = rows
        .into_iter()
        .map(|r| {
            Ok(ExportRow {
                report_id: Uuid::try_parse(&r.0).map_err(AppError::internal)?,
                outcome: r.9,
                agencies: Vec::new(),
                row: RegisterRow {
                    reference: r.1,
                    title: r.2,
                    summary: r.3,
                    language: r.4,
                    kind: ReportKind::from_code(&r.5).unwrap_or(ReportKind::Other),
                    category: r.6,
                    community: r.7,
                    status: Status::from_code(&r.8).unwrap_or(Status::Received),
                    received_at: at(&r.10)?,
                    published_at: at(&r.11)?,
                },
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    // In the order of the keys, as the walk and the matching of agencies expect.
    rows.sort_by_key(|row| row.report_id);
    Ok(rows)
}

/// Gives each row the organizations of its case: both lists are in the order of the cases'
/// keys, so one pass matches them; referrals of cases not among the rows are passed over.
fn attach_agencies(rows: &mut [ExportRow], referred: Vec<(Uuid, String)>) {
    let mut referred = referred.into_iter().peekable();
    for row in rows {
        while let Some((of, code)) = referred.next_if(|(of, _)| *of <= row.report_id) {
            if of == row.report_id {
                row.agencies.push(code);
            }
        }
    }
}

/// Keys that cut the publications after `after` into ranges of `size` (at most `count` cuts,
/// fewer near the end): each range can then be read on its own connection, at the same time.
pub async fn export_bounds(db: &Db, after: Uuid, size: i64, count: i64) -> AppResult<Vec<Uuid>> {
    let mut bounds = Vec::new();
    let mut from = after;
    for _ in 0..count {
        let next: Option<Uuid> = db_read!(db, |pool| {
            let row = sqlx::query(
                "SELECT report_id FROM publications WHERE report_id > $1 \
                 ORDER BY report_id LIMIT 1 OFFSET $2",
            )
            .bind(from)
            .bind(size - 1)
            .fetch_optional(pool)
            .await?;
            Ok::<_, AppError>(match row {
                Some(row) => Some(row.try_get("report_id")?),
                None => None,
            })
        })?;
        match next {
            Some(bound) => {
                bounds.push(bound);
                from = bound;
            }
            None => break,
        }
    }
    Ok(bounds)
}

/// Published cases with a key in `after..=until` (to the end without `until`) in the order
/// they were received, at most `limit`: the downloads walk the publications range by range (by
/// their key, never the whole table of reports), so an export of any size holds a few ranges
/// in memory and no long transaction.
pub async fn export_chunk(
    db: &Db,
    selection: &RegisterSelection,
    after: Uuid,
    until: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<ExportRow>> {
    db_read!(db, |pool| {
        let sqlite = is_sqlite(pool);
        let mut q = QueryBuilder::new(if sqlite { CHUNK_AS_JSON_SQLITE } else { "" });
        q.push(REGISTER_COLUMNS);
        q.push(by_engine(
            pool,
            PUBLICATIONS_FIRST_SQLITE,
            PUBLICATIONS_FIRST_POSTGRES,
        ));
        q.push(" WHERE ");
        q.push(PUBLIC);
        // The range on both keys: neither planner carries a range across the join's equality,
        // and without it the reports would be read from their first key on.
        q.push(" AND p.report_id > ").push_bind(after);
        q.push(" AND r.id > ").push_bind(after);
        if let Some(until) = until {
            q.push(" AND p.report_id <= ").push_bind(until);
            q.push(" AND r.id <= ").push_bind(until);
        }
        push_selection!(q, selection);
        q.push(" ORDER BY p.report_id LIMIT ").push_bind(limit);
        let mut rows = if sqlite {
            q.push(")");
            let json: String = q.build().fetch_one(pool).await?.try_get(0)?;
            rows_from_json(&json)?
        } else {
            let found = q.build().fetch_all(pool).await?;
            let mut rows = Vec::with_capacity(found.len());
            for row in found {
                rows.push(ExportRow {
                    report_id: row.try_get("id")?,
                    outcome: row.try_get("outcome")?,
                    agencies: Vec::new(),
                    row: register_row!(row),
                });
            }
            rows
        };
        let Some(last) = rows.last().map(|row| row.report_id) else {
            return Ok(rows);
        };
        let referred: Vec<(Uuid, String)> = if sqlite {
            let json: String = sqlx::query(RANGE_AGENCIES_AS_JSON_SQLITE)
                .bind(after)
                .bind(last)
                .fetch_one(pool)
                .await?
                .try_get(0)?;
            // (key in hex, referred at, code): by case, then in referral order.
            let referred: Vec<(String, String, String)> =
                serde_json::from_str(&json).map_err(AppError::internal)?;
            let mut referred = referred
                .into_iter()
                .map(|(id, at, code)| {
                    let id = Uuid::try_parse(&id).map_err(AppError::internal)?;
                    let at = OffsetDateTime::parse(&at, &Rfc3339).map_err(AppError::internal)?;
                    Ok((id, at, code))
                })
                .collect::<AppResult<Vec<_>>>()?;
            referred.sort_by_key(|(id, at, _)| (*id, *at));
            referred
                .into_iter()
                .map(|(id, _, code)| (id, code))
                .collect()
        } else {
            let codes: HashMap<Uuid, String> =
                sqlx::query_as::<_, (Uuid, String)>("SELECT id, code FROM organizations")
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .collect();
            let referred: Vec<(Uuid, Uuid)> = sqlx::query_as(RANGE_REFERRALS_POSTGRES)
                .bind(after)
                .bind(last)
                .fetch_all(pool)
                .await?;
            referred
                .into_iter()
                .filter_map(|(of, organization)| Some((of, codes.get(&organization)?.clone())))
                .collect()
        };
        attach_agencies(&mut rows, referred);
        Ok(rows)
    })
}

/// A public update of a published case, for the feed.
#[derive(Debug, Clone)]
pub struct PublicUpdate {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub body: String,
    pub language: String,
    pub at: OffsetDateTime,
}

/// The newest public updates of published cases.
pub async fn recent_updates(db: &Db, limit: i64) -> AppResult<Vec<PublicUpdate>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            "SELECT u.id, r.reference, p.title, u.body, u.language, u.created_at \
             FROM public_updates u JOIN reports r ON r.id = u.report_id \
             JOIN publications p ON p.report_id = r.id WHERE ",
            PUBLIC,
            " ORDER BY u.created_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(PublicUpdate {
                id: row.try_get("id")?,
                reference: row.try_get("reference")?,
                title: row.try_get("title")?,
                body: row.try_get("body")?,
                language: row.try_get("language")?,
                at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(report_id: Uuid) -> ExportRow {
        ExportRow {
            report_id,
            outcome: None,
            agencies: Vec::new(),
            row: RegisterRow {
                reference: String::new(),
                title: String::new(),
                summary: String::new(),
                language: "uk".into(),
                kind: ReportKind::Other,
                category: String::new(),
                community: String::new(),
                status: Status::Received,
                received_at: OffsetDateTime::UNIX_EPOCH,
                published_at: OffsetDateTime::UNIX_EPOCH,
            },
        }
    }

    #[test]
    fn agencies_are_matched_to_their_rows_in_order() {
        let ids: Vec<Uuid> = (1..=5u128).map(Uuid::from_u128).collect();
        // Rows 1, 3 and 5 are exported; 2 and 4 are published but filtered out.
        let mut rows = vec![row(ids[0]), row(ids[2]), row(ids[4])];
        let referred = vec![
            (ids[0], "police".to_string()),
            (ids[0], "ombudsman".to_string()),
            (ids[1], "prosecutor".to_string()),
            (ids[3], "council".to_string()),
            (ids[4], "ngo".to_string()),
        ];
        attach_agencies(&mut rows, referred);
        assert_eq!(rows[0].agencies, ["police", "ombudsman"]);
        assert!(rows[1].agencies.is_empty());
        assert_eq!(rows[2].agencies, ["ngo"]);
    }

    #[test]
    fn a_range_read_as_json_gives_its_rows() {
        let json = r#"[["01A219DB4DFD74C0932EED23B2F2932B","DN-2025-000001","Title","Summary \"quoted\"","uk","violation","detention","kramatorsk","referred",null,"2025-11-26T21:32:32.447049053Z","2025-11-28T21:33:32.447049053Z"]]"#;
        let rows = rows_from_json(json).expect("rows");
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            r.report_id,
            Uuid::try_parse("01a219db-4dfd-74c0-932e-ed23b2f2932b").expect("uuid")
        );
        assert_eq!(r.row.reference, "DN-2025-000001");
        assert_eq!(r.row.summary, "Summary \"quoted\"");
        assert_eq!(r.outcome, None);
        assert_eq!(r.row.received_at.unix_timestamp(), 1_764_192_752);
        assert_eq!(r.row.published_at.nanosecond(), 447_049_053);
        assert!(rows_from_json("[[\"not hex\"]]").is_err());
        assert!(rows_from_json("[]").expect("empty").is_empty());
    }
}
