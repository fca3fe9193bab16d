//! Public statistics: the figures of a period, computed from two grouped reads and kept in
//! memory for a short while.
//!
//! # Why a cache and not a rollup table
//! With a million reports (two years) and half a million referrals, a year's figures take one
//! range scan over half a million reports and one over a quarter million referrals: measured on
//! SQLite about 1.2 s and 0.75 s of wall time on a busy 2-core machine (about 0.6 s and 0.5 s
//! of CPU) — far too slow for every page view (the page must answer in under 50 ms) but fine
//! once a minute. Served from the cache the page answered in 0.6 ms median (2.9 ms at the
//! 90th percentile, 200 requests, release build). So the figures of each set of filters (the normalized
//! [`Filters`], language left out: names are put in when a page is drawn) are kept for
//! [`FRESH_FOR`] and the page says "figures as of HH:MM". Within [`STALE_FOR`] an older copy is
//! still served at once while one background task recomputes it, so a popular page never
//! waits. Concurrent requests for the same filters wait for one computation, not one each, and
//! at most [`CONCURRENT_COMPUTATIONS`] computations run at a time, so a visitor trying many
//! filters cannot tie up the database; at most [`MAX_ENTRIES`] sets are kept.
//!
//! A rollup table (counts per day, kind, category, community, status) would answer cold
//! requests fast too, but every intake and every status change would have to update it in the
//! same transaction on both engines, for figures that need not be up to the second. It stays
//! the next step if the cold computation grows too slow; the cache would sit in front of it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::{Date, OffsetDateTime};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::model::{Cell, Filters, Histogram, Spread, protect, share, spread};
use super::store::{self, Part, ReferralGroup, ReportGroup, Scope};
use crate::error::{AppError, AppResult};
use crate::intake::model::ReportKind;
use crate::state::AppState;

pub const FRESH_FOR: Duration = Duration::from_secs(60);
pub const STALE_FOR: Duration = Duration::from_secs(10 * 60);
pub const MAX_ENTRIES: usize = 256;
pub const CONCURRENT_COMPUTATIONS: usize = 2;

/// One row of a table: what it counts (a code) and the published count.
#[derive(Debug, Clone)]
pub struct Row {
    pub code: String,
    pub count: Cell,
}

/// Rows that add up to a parent's count (categories of a kind, communities of a region).
#[derive(Debug, Clone)]
pub struct Group {
    pub code: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Month {
    pub year: i32,
    pub month: u8,
    pub count: Cell,
}

/// How one organization handled the referrals it received in the period.
#[derive(Debug, Clone)]
pub struct Agency {
    pub code: String,
    pub names: [String; 3],
    pub referrals: Cell,
    pub refused: Cell,
    /// Still open (sent or accepted) and past the due date now.
    pub overdue_open: Cell,
    /// Answered by the due date, of the referrals answered or past their due date.
    pub on_time: Option<f64>,
    pub first_response: Option<Spread>,
    pub answer: Option<Spread>,
}

/// Everything the statistics publish for one set of filters, already suppressed: no exact
/// small count is kept here, so no page or download can show one by mistake.
#[derive(Debug, Clone)]
pub struct Figures {
    pub filters: Filters,
    pub computed_at: OffsetDateTime,
    /// Real cases: every report but duplicates merged into another and rejected ones.
    pub cases: Cell,
    pub open: Cell,
    pub closed: Cell,
    pub rejected: Cell,
    pub merged: Cell,
    pub by_kind: Vec<Row>,
    pub by_category: Vec<Group>,
    pub by_region: Vec<Row>,
    pub by_community: Vec<Group>,
    pub by_month: Vec<Month>,
    pub outcomes: Vec<Row>,
    pub agencies: Vec<Agency>,
    /// Names of the regions in uk, ru and en, by code.
    pub region_names: Vec<(String, [String; 3])>,
}

/// Code of closed cases with no outcome recorded.
pub const NO_OUTCOME: &str = "not_recorded";

/// What the computation needs to know of the catalog, in display order.
pub struct Reference {
    /// (category code, kind) in the catalog's order.
    pub categories: Vec<(String, ReportKind)>,
    /// (community code, region code).
    pub communities: Vec<(String, String)>,
    /// (id, code, names) of organizations that receive referrals.
    pub organizations: Vec<(Uuid, String, [String; 3])>,
}

/// Counts by key in the order keys are first given, then any others by code.
fn table<'a>(
    order: impl IntoIterator<Item = &'a str>,
    counts: &BTreeMap<String, u64>,
    keep_zero: bool,
) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for code in order {
        if out.iter().any(|(c, _)| c == code) {
            continue;
        }
        let n = counts.get(code).copied().unwrap_or(0);
        if n > 0 || keep_zero {
            out.push((code.to_string(), n));
        }
    }
    for (code, &n) in counts {
        if n > 0 && !out.iter().any(|(c, _)| c == code) {
            out.push((code.clone(), n));
        }
    }
    out
}

fn rows(values: Vec<(String, u64)>) -> Vec<Row> {
    let counts: Vec<u64> = values.iter().map(|(_, n)| *n).collect();
    values
        .into_iter()
        .zip(protect(&counts))
        .map(|((code, _), count)| Row { code, count })
        .collect()
}

/// Builds the published figures from the grouped reads; pure, so tests can feed it directly.
pub fn build(
    filters: Filters,
    computed_at: OffsetDateTime,
    reference: &Reference,
    reports: &[ReportGroup],
    referrals: &[ReferralGroup],
) -> Figures {
    let months = filters.months();
    let mut by_month = vec![0u64; months.len()];
    let (mut cases, mut open, mut closed, mut rejected, mut merged) = (0u64, 0u64, 0, 0, 0);
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut communities: BTreeMap<String, u64> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for g in reports {
        match g.status.as_str() {
            "rejected" => {
                rejected += g.count;
                continue;
            }
            "merged" => {
                merged += g.count;
                continue;
            }
            "closed" => {
                closed += g.count;
                let code = g.outcome.clone().unwrap_or_else(|| NO_OUTCOME.into());
                *outcomes.entry(code).or_default() += g.count;
            }
            _ => open += g.count,
        }
        cases += g.count;
        if let Some(m) = by_month.get_mut(g.month) {
            *m += g.count;
        }
        *kinds.entry(g.kind.clone()).or_default() += g.count;
        *categories.entry(g.category.clone()).or_default() += g.count;
        *communities.entry(g.community.clone()).or_default() += g.count;
    }

    // Kinds, then the categories of each kind against that kind's count.
    let kind_order: Vec<&str> = ReportKind::ALL.iter().map(|k| k.code()).collect();
    let by_kind = rows(table(kind_order.iter().copied(), &kinds, true));
    let kind_of = |code: &str| {
        reference
            .categories
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, k)| k.code().to_string())
    };
    let mut by_category = Vec::new();
    for kind in &by_kind {
        let of_kind: BTreeMap<String, u64> = categories
            .iter()
            .filter(|(c, _)| kind_of(c).as_deref().unwrap_or("other") == kind.code)
            .map(|(c, n)| (c.clone(), *n))
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let order = reference.categories.iter().map(|(c, _)| c.as_str());
        by_category.push(Group {
            code: kind.code.clone(),
            rows: rows(table(order, &of_kind, false)),
        });
    }

    // Regions, then the communities of each region against that region's count.
    let region_of = |code: &str| {
        reference
            .communities
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    let mut regions: BTreeMap<String, u64> = BTreeMap::new();
    for (community, n) in &communities {
        *regions.entry(region_of(community)).or_default() += n;
    }
    let by_region = rows(table([], &regions, false));
    let by_community = by_region
        .iter()
        .map(|region| {
            let of_region: BTreeMap<String, u64> = communities
                .iter()
                .filter(|(c, _)| region_of(c) == region.code)
                .map(|(c, n)| (c.clone(), *n))
                .collect();
            Group {
                code: region.code.clone(),
                rows: rows(table([], &of_region, false)),
            }
        })
        .collect();

    let month_cells = protect(&by_month);
    let by_month = months
        .iter()
        .zip(month_cells)
        .map(|(&(year, month), count)| Month {
            year,
            month: month as u8,
            count,
        })
        .collect();

    let outcome_order: Vec<&str> = crate::cases::model::Outcome::ALL
        .iter()
        .map(|o| o.code())
        .chain([NO_OUTCOME])
        .collect();
    let outcomes = rows(table(outcome_order.iter().copied(), &outcomes, false));
    let status_cells = protect(&[open, closed]);

    Figures {
        computed_at,
        cases: Cell::single(cases),
        open: status_cells[0],
        closed: status_cells[1],
        rejected: Cell::single(rejected),
        merged: Cell::single(merged),
        by_kind,
        by_category,
        by_region,
        by_community,
        by_month,
        outcomes,
        agencies: agencies(reference, referrals),
        region_names: Vec::new(),
        filters,
    }
}

fn agencies(reference: &Reference, referrals: &[ReferralGroup]) -> Vec<Agency> {
    #[derive(Default)]
    struct Tally {
        referrals: u64,
        refused: u64,
        overdue_open: u64,
        on_time: u64,
        judged: u64,
        first: Histogram,
        answer: Histogram,
    }
    let mut tallies: HashMap<Uuid, Tally> = HashMap::new();
    for g in referrals {
        let t = tallies.entry(g.organization_id).or_default();
        match g.part {
            Part::Tally => {
                let status = g.status.as_deref().unwrap_or("");
                t.referrals += g.count;
                if status == "refused" {
                    t.refused += g.count;
                }
                if let Some(on_time) = g.on_time {
                    t.judged += g.count;
                    if on_time {
                        t.on_time += g.count;
                    } else if matches!(status, "sent" | "accepted") {
                        t.overdue_open += g.count;
                    }
                }
            }
            Part::FirstResponse => {
                *t.first.entry(g.hours.unwrap_or(0)).or_default() += g.count;
            }
            Part::Answer => {
                *t.answer.entry(g.hours.unwrap_or(0)).or_default() += g.count;
            }
        }
    }
    reference
        .organizations
        .iter()
        .filter_map(|(id, code, names)| {
            let t = tallies.get(id)?;
            Some(Agency {
                code: code.clone(),
                names: names.clone(),
                referrals: Cell::single(t.referrals),
                refused: Cell::single(t.refused),
                overdue_open: Cell::single(t.overdue_open),
                on_time: share(t.on_time, t.judged),
                first_response: spread(&t.first),
                answer: spread(&t.answer),
            })
        })
        .collect()
}

/// The moment a day starts in the platform's time zone.
pub fn local_midnight(tz: &jiff::tz::TimeZone, day: Date) -> OffsetDateTime {
    let civil = jiff::civil::date(
        day.year() as i16,
        u8::from(day.month()) as i8,
        day.day() as i8,
    );
    tz.to_timestamp(civil.at(0, 0, 0, 0))
        .ok()
        .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts.as_second()).ok())
        .unwrap_or_else(|| day.midnight().assume_utc())
}

async fn compute(state: &AppState, filters: &Filters) -> AppResult<Figures> {
    let catalog = state.catalog.get(&state.db).await?;
    let organizations = crate::referrals::store::organizations(&state.db).await?;
    let tz = &state.time_zone;
    let mut bounds: Vec<OffsetDateTime> = filters
        .months()
        .iter()
        .skip(1)
        .filter_map(|&(y, m)| Date::from_calendar_date(y, m, 1).ok())
        .map(|d| local_midnight(tz, d))
        .collect();
    bounds.insert(0, local_midnight(tz, filters.from));
    let end = filters.to.next_day().unwrap_or(filters.to);
    bounds.push(local_midnight(tz, end));
    let now = OffsetDateTime::now_utc();
    let scope = Scope {
        bounds,
        kind: filters.kind.map(|k| k.code()),
        category: filters.category.as_deref(),
        community: filters.community.as_deref(),
        now,
    };
    let reports = store::report_groups(&state.db, &scope).await?;
    let referrals = store::referral_groups(&state.db, &scope).await?;
    let reference = Reference {
        categories: catalog
            .categories
            .iter()
            .map(|c| (c.code.clone(), c.kind))
            .collect(),
        communities: catalog
            .communities
            .iter()
            .map(|c| (c.code.clone(), c.region_code.clone()))
            .collect(),
        organizations: organizations
            .into_iter()
            .map(|o| (o.id, o.code, o.names))
            .collect(),
    };
    let mut figures = build(filters.clone(), now, &reference, &reports, &referrals);
    figures.region_names = store::regions(&state.db).await?;
    Ok(figures)
}

/// The figures of recent computations (see the module's comment).
pub struct StatsCache {
    entries: Mutex<HashMap<Filters, (Instant, Arc<Figures>)>>,
    /// One lock per set of filters being computed, so that concurrent requests share the work.
    flights: Mutex<HashMap<Filters, Arc<tokio::sync::Mutex<()>>>>,
    permits: Semaphore,
}

impl Default for StatsCache {
    fn default() -> Self {
        StatsCache {
            entries: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
            permits: Semaphore::new(CONCURRENT_COMPUTATIONS),
        }
    }
}

impl StatsCache {
    fn cached(&self, filters: &Filters) -> Option<(Duration, Arc<Figures>)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(filters)
            .map(|(at, figures)| (at.elapsed(), figures.clone()))
    }

    fn keep(&self, filters: Filters, figures: Arc<Figures>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&filters) {
            entries.retain(|_, (at, _)| at.elapsed() < STALE_FOR);
            if entries.len() >= MAX_ENTRIES
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(filters, (Instant::now(), figures));
    }

    fn flight(&self, filters: &Filters) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        // Locks no one holds or waits for are dropped as new ones are made.
        flights.retain(|_, lock| Arc::strong_count(lock) > 1);
        flights.entry(filters.clone()).or_default().clone()
    }

    /// Forgets every computed figure (tests, and after bulk changes).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Computes the figures unless another request did so meanwhile.
    async fn refresh(
        &self,
        state: &AppState,
        filters: &Filters,
        max_age: Duration,
    ) -> AppResult<Arc<Figures>> {
        let flight = self.flight(filters);
        let _computing = flight.lock().await;
        if let Some((age, figures)) = self.cached(filters)
            && age < max_age
        {
            return Ok(figures);
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        let figures = Arc::new(compute(state, filters).await?);
        self.keep(filters.clone(), figures.clone());
        Ok(figures)
    }
}

/// The figures for `filters`: from the cache while fresh; an older copy at once while a
/// background task recomputes it; otherwise computed now.
pub async fn figures(state: &AppState, filters: &Filters) -> AppResult<Arc<Figures>> {
    let cache = &state.statistics;
    match cache.cached(filters) {
        Some((age, figures)) if age < FRESH_FOR => Ok(figures),
        Some((age, figures)) if age < STALE_FOR => {
            let (state, filters) = (state.clone(), filters.clone());
            tokio::spawn(async move {
                if let Err(err) = state.statistics.refresh(&state, &filters, FRESH_FOR).await {
                    tracing::warn!(error = %err, "statistics were not refreshed");
                }
            });
            Ok(figures)
        }
        _ => cache.refresh(state, filters, FRESH_FOR).await,
    }
}

/// Keeps the figures of the page most people open (the last 12 months, no filter) computed in
/// the background, so that no visitor waits for their first computation: run by `mistok serve`.
pub fn spawn_warmer(state: AppState) {
    tokio::spawn(async move {
        // Refreshed before they go stale, so the page is always served from memory.
        let mut tick = tokio::time::interval(FRESH_FOR - Duration::from_secs(10));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let filters = match state.catalog.get(&state.db).await {
                Ok(catalog) => {
                    super::model::validate(&Default::default(), &*catalog, state.today())
                }
                Err(err) => {
                    tracing::warn!(error = %err, "statistics not warmed; will retry");
                    continue;
                }
            };
            let Ok(filters) = filters else {
                continue;
            };
            if let Err(err) = state.statistics.refresh(&state, &filters, FRESH_FOR).await {
                tracing::warn!(error = %err, "statistics not warmed; will retry");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn group(month: usize, category: &str, status: &str, count: u64) -> ReportGroup {
        let kind = if category.starts_with('v') {
            "violation"
        } else {
            "safety"
        };
        ReportGroup {
            month,
            kind: kind.into(),
            category: category.into(),
            community: "kramatorsk".into(),
            status: status.into(),
            outcome: (status == "closed").then(|| "confirmed".into()),
            count,
        }
    }

    #[test]
    fn builds_suppressed_tables() {
        let filters = Filters {
            from: date!(2026 - 01 - 01),
            to: date!(2026 - 03 - 31),
            kind: None,
            category: None,
            community: None,
        };
        let reference = Reference {
            categories: vec![
                ("v_detention".into(), ReportKind::Violation),
                ("v_threats".into(), ReportKind::Violation),
                ("s_lighting".into(), ReportKind::Safety),
            ],
            communities: vec![("kramatorsk".into(), "donetsk".into())],
            organizations: vec![],
        };
        let reports = vec![
            group(0, "v_detention", "received", 6),
            group(1, "v_threats", "closed", 3),
            group(2, "s_lighting", "received", 20),
            group(2, "s_lighting", "rejected", 2),
            group(2, "s_lighting", "merged", 7),
        ];
        let f = build(
            filters,
            datetime!(2026-04-01 10:00 UTC),
            &reference,
            &reports,
            &[],
        );
        assert_eq!(f.cases, Cell::Exact(29));
        assert_eq!(f.rejected, Cell::Small);
        assert_eq!(f.merged, Cell::Exact(7));
        assert_eq!(
            f.by_kind.iter().map(|r| r.count).collect::<Vec<_>>(),
            [
                Cell::Exact(9),
                Cell::Exact(20),
                Cell::Exact(0),
                Cell::Exact(0)
            ]
        );
        let violation = &f.by_category[0].rows;
        assert_eq!(violation[0].count, Cell::Hidden, "complement of the 3");
        assert_eq!(violation[1].count, Cell::Small);
        // Months 6, 3, 20: the 3 is hidden and so is the 6.
        let months: Vec<Cell> = f.by_month.iter().map(|m| m.count).collect();
        assert_eq!(months, [Cell::Hidden, Cell::Small, Cell::Exact(20)]);
        assert_eq!(f.outcomes[0].count, Cell::Small);
        assert_eq!((f.open, f.closed), (Cell::Hidden, Cell::Small));
        assert_eq!(f.by_region[0].count, Cell::Exact(29));
    }
}
