//! SQL of the maps. Counts come from `map_cells` (kept by triggers, migration 0021): one range
//! of its primary key per period, a few thousand rows a month however many reports there are.
//! Filters the counts do not carry (status, organization) are answered from `reports` itself,
//! and the staff's exact points are the newest located reports of the period
//! (`reports_located`).

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::grid::{FineCell, NO_CELL};
use crate::db::{Db, PushMoment, by_engine, moment_text, query_builder};
use crate::error::{AppError, AppResult};
use crate::search::model::{fts5_query, like_pattern};
use crate::{db_read, db_write};

/// Reports of one community in one fine cell (none: reports without a point).
#[derive(Debug, Clone, PartialEq)]
pub struct CellCount {
    pub community: String,
    pub cell: Option<FineCell>,
    pub count: u64,
}

/// What the counts are selected on.
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    /// Received from this moment (a local month's start) …
    pub from: Option<OffsetDateTime>,
    /// … to before this one.
    pub to: Option<OffsetDateTime>,
    /// The same period as local months `yyyymm`, both included (what `map_cells` holds).
    pub months: (i32, i32),
    pub kind: Option<&'a str>,
    pub category: Option<&'a str>,
    pub community: Option<&'a str>,
    /// Only from `reports`:
    pub status: Option<&'a str>,
    pub organization: Option<Uuid>,
    /// Words the report must contain, as in the case search (`search::terms`).
    pub terms: &'a [String],
}

impl Scope<'_> {
    /// Whether the counts table can answer (it has no status or organization).
    fn counted(&self) -> bool {
        self.status.is_none() && self.organization.is_none() && self.terms.is_empty()
    }
}

/// The scope's conditions on `reports r` (each after an `AND`); a macro, so that one text
/// serves both engines' query builders.
macro_rules! push_report_filters {
    ($q:expr, $scope:expr, $sqlite:expr) => {{
        let (q, scope) = ($q, $scope);
        // Words as the case search finds them: SQLite's trigram index (reports are in it once
        // the indexer has taken them, as for the search), PostgreSQL's trigram LIKE.
        if !scope.terms.is_empty() {
            if $sqlite {
                q.push(" AND r.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ")
                    .push_bind(fts5_query(scope.terms))
                    .push(")");
            } else {
                for term in scope.terms {
                    q.push(" AND r.search_text LIKE ")
                        .push_bind(like_pattern(term))
                        .push(" ESCAPE '\\'");
                }
            }
        }
        if let Some(from) = scope.from {
            q.push(" AND r.created_at >= ").push_moment(from);
        }
        if let Some(to) = scope.to {
            q.push(" AND r.created_at < ").push_moment(to);
        }
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
        if let Some(status) = scope.status {
            q.push(" AND r.status = ").push_bind(status.to_string());
        }
        if let Some(organization) = scope.organization {
            q.push(
                " AND EXISTS (SELECT 1 FROM referrals f WHERE f.report_id = r.id \
                 AND f.organization_id = ",
            )
            .push_bind(organization)
            .push(")");
        }
    }};
}

/// The fine cell of `r.lat`, `r.lon` as `cx`, `cy` (the same numbers as [`FineCell::of`]).
const CELL_COLUMNS: (&str, &str) = (
    "CASE WHEN r.lat IS NULL OR r.lon IS NULL THEN -999999 \
     ELSE CAST(r.lon * 128 AS INTEGER) - (r.lon * 128 < CAST(r.lon * 128 AS INTEGER)) END AS cx, \
     CASE WHEN r.lat IS NULL OR r.lon IS NULL THEN -999999 \
     ELSE CAST(r.lat * 200 AS INTEGER) - (r.lat * 200 < CAST(r.lat * 200 AS INTEGER)) END AS cy",
    "map_cell_x(r.lat, r.lon) AS cx, map_cell_y(r.lat, r.lon) AS cy",
);

/// Reports of the scope per community and fine cell.
pub async fn cell_counts(db: &Db, scope: &Scope<'_>) -> AppResult<Vec<CellCount>> {
    db_read!(db, |pool| {
        let mut q = if scope.counted() {
            let mut q = query_builder(
                pool,
                "SELECT community_code, cx, cy, SUM(n) AS n FROM map_cells WHERE month >= ",
            );
            q.push_bind(scope.months.0)
                .push(" AND month <= ")
                .push_bind(scope.months.1);
            if let Some(kind) = scope.kind {
                q.push(" AND kind = ").push_bind(kind.to_string());
            }
            if let Some(category) = scope.category {
                q.push(" AND category_code = ")
                    .push_bind(category.to_string());
            }
            if let Some(community) = scope.community {
                q.push(" AND community_code = ")
                    .push_bind(community.to_string());
            }
            q.push(" GROUP BY community_code, cx, cy HAVING SUM(n) > 0");
            q
        } else {
            let mut q = query_builder(pool, "SELECT r.community_code, ");
            q.push(by_engine(pool, CELL_COLUMNS.0, CELL_COLUMNS.1));
            q.push(", COUNT(*) AS n FROM reports r WHERE true");
            push_report_filters!(&mut q, scope, crate::db::is_sqlite(pool));
            q.push(" GROUP BY 1, 2, 3");
            q
        };
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (x, y): (i32, i32) = (row.try_get("cx")?, row.try_get("cy")?);
            let n: i64 = row.try_get("n")?;
            out.push(CellCount {
                community: row.try_get("community_code")?,
                cell: (x != NO_CELL && y != NO_CELL).then_some(FineCell { x, y }),
                count: u64::try_from(n).unwrap_or(0),
            });
        }
        Ok::<_, AppError>(out)
    })
}

/// A located report, for the staff's map.
#[derive(Debug, Clone)]
pub struct MapPoint {
    pub reference: String,
    pub lat: f64,
    pub lon: f64,
    pub kind: String,
    pub category: String,
    pub community: String,
    pub status: String,
    pub created_at: OffsetDateTime,
}

/// The newest `limit` located reports of the scope.
pub async fn points(db: &Db, scope: &Scope<'_>, limit: i64) -> AppResult<Vec<MapPoint>> {
    db_read!(db, |pool| {
        let mut q = query_builder(
            pool,
            "SELECT r.reference, r.lat, r.lon, r.kind, r.category_code, r.community_code, \
             r.status, r.created_at FROM reports r WHERE r.lat IS NOT NULL AND r.lon IS NOT NULL",
        );
        push_report_filters!(&mut q, scope, crate::db::is_sqlite(pool));
        q.push(" ORDER BY r.created_at DESC LIMIT ")
            .push_bind(limit);
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(MapPoint {
                reference: row.try_get("reference")?,
                lat: row.try_get("lat")?,
                lon: row.try_get("lon")?,
                kind: row.try_get("kind")?,
                category: row.try_get("category_code")?,
                community: row.try_get("community_code")?,
                status: row.try_get("status")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok::<_, AppError>(out)
    })
}

/// The oldest and newest moments of reports stored before the maps counted by month.
async fn months_missing(db: &Db) -> AppResult<Option<(OffsetDateTime, OffsetDateTime)>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM reports \
             WHERE received_month IS NULL",
        )
        .fetch_one(pool)
        .await?;
        let first: Option<OffsetDateTime> = row.try_get("first")?;
        let last: Option<OffsetDateTime> = row.try_get("last")?;
        Ok::<_, AppError>(first.zip(last))
    })
}

/// Gives reports stored before migration 0021 their received month (whose change the triggers
/// count), one local month per statement. `month_of` names the local month of a moment and
/// `month_start` the moment a local month `yyyymm` starts. Returns how many reports it dated.
pub async fn fill_received_months(
    db: &Db,
    month_of: impl Fn(OffsetDateTime) -> i32,
    month_start: impl Fn(i32) -> OffsetDateTime,
) -> AppResult<u64> {
    let Some((first, last)) = months_missing(db).await? else {
        return Ok(0);
    };
    let mut dated = 0;
    let mut month = month_of(first);
    while month <= month_of(last) {
        let next = if month % 100 == 12 {
            (month / 100 + 1) * 100 + 1
        } else {
            month + 1
        };
        let (from, to) = (
            moment_text(month_start(month)),
            moment_text(month_start(next)),
        );
        dated += db_write!(db, |conn| {
            let done = sqlx::query(by_engine(
                &*conn,
                "UPDATE reports SET received_month = $1 WHERE received_month IS NULL \
                 AND created_at >= $2 AND created_at < $3",
                "UPDATE reports SET received_month = $1 WHERE received_month IS NULL \
                 AND created_at >= CAST($2 AS TIMESTAMPTZ) AND created_at < CAST($3 AS TIMESTAMPTZ)",
            ))
            .bind(month)
            .bind(&from)
            .bind(&to)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected())
        })?;
        month = next;
    }
    Ok(dated)
}
