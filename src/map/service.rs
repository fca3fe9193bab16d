//! What the maps show, computed from the counts: the public map (communities' counts, and
//! squares of the public grid with small ones left out) and the staff map (hot spots against
//! the previous period, exact points for those who may see cases).

use std::collections::{BTreeMap, HashMap};

use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

use super::grid::{Bounds, FineCell, PublicGrid};
use super::store::{self, CellCount, MapPoint, Scope};
use crate::accounts::{Role, Staff};
use crate::catalog::CatalogData;
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::model::Status;
use crate::state::AppState;
use crate::statistics::model::{Cell, Filters, StatsInput, protect, validate};
use crate::statistics::service::local_midnight;

/// Who may open the staff map: the platform's staff who handle or study cases, and agencies'
/// officers (whose map holds only the cases referred to their organization).
pub const STAFF_MAP_READERS: &[Role] = &[
    Role::Coordinator,
    Role::Administrator,
    Role::Operator,
    Role::Analyst,
    Role::Officer,
];
/// Who sees exact points: those who may open the cases (officers, their referred ones). Analysts
/// see hot spots only (their role has no identifying data, and an exact point can identify a
/// reporter).
pub const POINT_READERS: &[Role] = &[
    Role::Coordinator,
    Role::Administrator,
    Role::Operator,
    Role::Officer,
];
/// At most this many exact points on the staff map (the newest of the period).
pub const MAX_POINTS: i64 = 2_000;
/// Hot spots listed under the staff map.
pub const HOT_SPOTS_LISTED: usize = 10;

/// A period of whole local months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: Date,
    /// The last day of the last month.
    pub last: Date,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// `yyyymm` of the first and last month.
    pub months: (i32, i32),
}

/// A month as the maps count by it: `yyyymm`.
pub fn yyyymm(d: Date) -> i32 {
    d.year() * 100 + i32::from(u8::from(d.month()))
}

fn month_index(d: Date) -> i32 {
    d.year() * 12 + i32::from(u8::from(d.month())) - 1
}

fn first_of(index: i32) -> Date {
    let month = Month::try_from((index.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    Date::from_calendar_date(index.div_euclid(12), month, 1).unwrap_or(Date::MIN)
}

impl Period {
    /// The whole months from `from`'s to `to`'s.
    pub fn months(state: &AppState, from: Date, to: Date) -> Period {
        let (a, b) = (month_index(from), month_index(to));
        let first = first_of(a);
        let after = first_of(b + 1);
        Period {
            first,
            last: after.previous_day().unwrap_or(after),
            start: local_midnight(&state.time_zone, first),
            end: local_midnight(&state.time_zone, after),
            months: (yyyymm(first), yyyymm(first_of(b))),
        }
    }

    /// The same number of months just before.
    pub fn previous(&self, state: &AppState) -> Period {
        let (a, b) = (month_index(self.first), month_index(self.last));
        let length = b - a + 1;
        Period::months(state, first_of(a - length), first_of(a - 1))
    }
}

/// The local month `yyyymm` starts at this moment (for filling the months of old reports).
pub fn month_start(state: &AppState, month: i32) -> OffsetDateTime {
    let index = (month / 100) * 12 + (month % 100) - 1;
    local_midnight(&state.time_zone, first_of(index))
}

/// Dates reports stored before the maps counted by month (a no-op once done).
pub async fn fill_received_months(state: &AppState) -> AppResult<u64> {
    store::fill_received_months(
        &state.db,
        |at| state.local_month(at),
        |month| month_start(state, month),
    )
    .await
}

/// A community on the public map.
#[derive(Debug, Clone)]
pub struct CommunityCount {
    pub code: String,
    /// Its centre, when known (communities without one are listed, not drawn).
    pub centre: Option<(f64, f64)>,
    /// As published (1–4 as "<5", and what else must be hidden so that it stays hidden).
    pub count: Cell,
}

/// A square of the public grid on the public map: at least the configured minimum of reports.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicSquare {
    pub bounds: Bounds,
    pub count: u64,
    /// The community most of its reports belong to (to name where the square is).
    pub community: String,
}

#[derive(Debug, Clone)]
pub struct PublicMap {
    pub filters: Filters,
    pub period: Period,
    pub total: Cell,
    pub communities: Vec<CommunityCount>,
    pub squares: Vec<PublicSquare>,
    /// Side of a square, km.
    pub cell_km: f64,
    pub min_count: u64,
}

/// The public map of `filters`. Exact points never leave the store: reports are counted per
/// square of the public grid, and a square with fewer than `map_min_count` reports is left out
/// (its reports count in their community only).
pub async fn public_map(
    state: &AppState,
    catalog: &CatalogData,
    filters: &Filters,
) -> AppResult<PublicMap> {
    let period = Period::months(state, filters.from, filters.to);
    let scope = Scope {
        months: period.months,
        kind: filters.kind.map(|k| k.code()),
        category: filters.category.as_deref(),
        community: filters.community.as_deref(),
        ..Default::default()
    };
    let counts = store::cell_counts(&state.db, &scope).await?;
    let grid = PublicGrid::new(state.config.map_cell_km);
    let min_count = u64::from(state.config.map_min_count.max(2));
    Ok(coarsen(catalog, filters, period, &counts, grid, min_count))
}

/// The public map's figures from the fine counts (pure, so that the privacy rules are tested
/// on their own).
pub fn coarsen(
    catalog: &CatalogData,
    filters: &Filters,
    period: Period,
    counts: &[CellCount],
    grid: PublicGrid,
    min_count: u64,
) -> PublicMap {
    let mut per_community: HashMap<&str, u64> = HashMap::new();
    // Per public square: its reports, and per community (for its name).
    let mut squares: BTreeMap<super::grid::PublicCell, (u64, HashMap<&str, u64>)> = BTreeMap::new();
    for c in counts {
        *per_community.entry(c.community.as_str()).or_default() += c.count;
        if let Some(fine) = c.cell {
            let square = squares.entry(grid.cell(fine)).or_default();
            square.0 += c.count;
            *square.1.entry(c.community.as_str()).or_default() += c.count;
        }
    }
    let shown_communities: Vec<&crate::catalog::Community> = catalog
        .communities
        .iter()
        .filter(|c| filters.community.as_ref().is_none_or(|f| *f == c.code))
        .collect();
    let values: Vec<u64> = shown_communities
        .iter()
        .map(|c| per_community.get(c.code.as_str()).copied().unwrap_or(0))
        .collect();
    let cells = protect(&values);
    let total: u64 = per_community.values().sum();
    let communities = shown_communities
        .iter()
        .zip(cells)
        .map(|(c, count)| CommunityCount {
            code: c.code.clone(),
            centre: c.lat.zip(c.lon),
            count,
        })
        .collect();
    let squares = squares
        .into_iter()
        .filter(|(_, (n, _))| *n >= min_count)
        .map(|(cell, (count, by_community))| PublicSquare {
            bounds: cell.bounds(),
            count,
            community: most_reports(by_community),
        })
        .collect();
    PublicMap {
        filters: filters.clone(),
        period,
        total: Cell::single(total),
        communities,
        squares,
        cell_km: grid.cell_km(),
        min_count,
    }
}

/// The community with the most reports in a place (the first by code on a tie), to name it.
fn most_reports(by_community: HashMap<&str, u64>) -> String {
    by_community
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.to_string())
        .unwrap_or_default()
}

/// The staff map's filters as typed: the statistics' ones, and a case's status and the
/// organization it was referred to (as in the case search).
#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub base: StatsInput,
    pub q: String,
    pub status: String,
    pub organization: String,
}

impl StaffInput {
    pub fn from_query(query: Option<&str>) -> StaffInput {
        let mut input = StaffInput {
            base: StatsInput::from_query(query),
            ..Default::default()
        };
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value: String = value.chars().take(80).collect();
            match &*name {
                "q" => input.q = value,
                "status" => input.status = value,
                "organization" => input.organization = value,
                _ => {}
            }
        }
        input
    }
}

#[derive(Debug, Clone)]
pub struct StaffFilters {
    pub base: Filters,
    /// Words of the case search (at least three letters each).
    pub terms: Vec<String>,
    pub status: Option<Status>,
    /// The organization's id and code.
    pub organization: Option<(Uuid, String)>,
}

impl StaffFilters {
    /// The query string that gives these filters back.
    pub fn query(&self) -> String {
        let mut out = self.base.query();
        let mut extra = url::form_urlencoded::Serializer::new(String::new());
        if !self.terms.is_empty() {
            extra.append_pair("q", &self.terms.join(" "));
        }
        if let Some(status) = self.status {
            extra.append_pair("status", status.code());
        }
        if let Some((_, code)) = &self.organization {
            extra.append_pair("organization", code);
        }
        let extra = extra.finish();
        if !extra.is_empty() {
            out.push('&');
            out.push_str(&extra);
        }
        out
    }
}

pub fn staff_filters(
    state: &AppState,
    catalog: &CatalogData,
    input: &StaffInput,
) -> Result<StaffFilters, Vec<FieldError>> {
    let base = validate(&input.base, catalog, state.today());
    let mut errors = base.as_ref().err().cloned().unwrap_or_default();
    let status = match input.status.trim() {
        "" => None,
        code => match Status::from_code(code) {
            Some(s) => Some(s),
            None => {
                errors.push(FieldError::new("status", "error-filter-invalid"));
                None
            }
        },
    };
    let organization = match input.organization.trim() {
        "" => None,
        code => match catalog.agencies.iter().find(|o| o.code == code) {
            Some(o) => Some((o.id, o.code.clone())),
            None => {
                errors.push(FieldError::new("organization", "error-filter-invalid"));
                None
            }
        },
    };
    match base {
        Ok(base) if errors.is_empty() => Ok(StaffFilters {
            base,
            terms: crate::search::model::terms(&input.q),
            status,
            organization,
        }),
        _ => Err(errors),
    }
}

/// A fine cell with reports in the period or the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct HotSpot {
    pub cell: FineCell,
    pub count: u64,
    pub previous: u64,
    /// The community most of its reports belong to.
    pub community: String,
}

impl HotSpot {
    pub fn change(&self) -> i64 {
        self.count as i64 - self.previous as i64
    }
}

#[derive(Debug, Clone)]
pub struct StaffMap {
    pub filters: StaffFilters,
    pub period: Period,
    pub previous: Period,
    /// Every fine cell with reports in either period, densest first.
    pub hot_spots: Vec<HotSpot>,
    pub total: u64,
    pub previous_total: u64,
    /// Reports of the period with a point.
    pub located: u64,
    /// The newest located reports (for those who may see them), at most [`MAX_POINTS`].
    pub points: Option<Vec<MapPoint>>,
    /// Drawn for an agency's officer: only their organization's referred cases, which they open
    /// from their referrals (not the case page).
    pub for_officer: bool,
}

pub async fn staff_map(
    state: &AppState,
    staff: &Staff,
    filters: &StaffFilters,
) -> AppResult<StaffMap> {
    staff.require(STAFF_MAP_READERS)?;
    let for_officer = staff.user.role == Role::Officer;
    // An officer's map is their organization's, whatever the filters say.
    let organization = if for_officer {
        Some(staff.user.organization_id.ok_or(AppError::Forbidden)?)
    } else {
        filters.organization.as_ref().map(|(id, _)| *id)
    };
    let period = Period::months(state, filters.base.from, filters.base.to);
    let previous = period.previous(state);
    let scope = |p: &Period| Scope {
        from: Some(p.start),
        to: Some(p.end),
        months: p.months,
        kind: filters.base.kind.map(|k| k.code()),
        category: filters.base.category.as_deref(),
        community: filters.base.community.as_deref(),
        status: filters.status.map(|s| s.code()),
        organization,
        terms: &filters.terms,
    };
    if !filters.terms.is_empty() {
        // As the case search does: reports not yet in the text index are added first.
        crate::search::index::catch_up(&state.db).await?;
    }
    let (now, before) = (scope(&period), scope(&previous));
    let (counts, earlier) = tokio::try_join!(
        store::cell_counts(&state.db, &now),
        store::cell_counts(&state.db, &before)
    )?;
    let points = if POINT_READERS.contains(&staff.user.role) {
        Some(store::points(&state.db, &now, MAX_POINTS).await?)
    } else {
        None
    };
    let total = counts.iter().map(|c| c.count).sum();
    let previous_total = earlier.iter().map(|c| c.count).sum();
    let located = counts
        .iter()
        .filter(|c| c.cell.is_some())
        .map(|c| c.count)
        .sum();
    Ok(StaffMap {
        filters: filters.clone(),
        period,
        previous,
        hot_spots: hot_spots(&counts, &earlier),
        total,
        previous_total,
        located,
        points,
        for_officer,
    })
}

/// Fine cells with reports now or before, with both counts, densest first.
pub fn hot_spots(now: &[CellCount], before: &[CellCount]) -> Vec<HotSpot> {
    let mut cells: HashMap<FineCell, (u64, u64, HashMap<&str, u64>)> = HashMap::new();
    for c in now {
        if let Some(cell) = c.cell {
            let entry = cells.entry(cell).or_default();
            entry.0 += c.count;
            *entry.2.entry(c.community.as_str()).or_default() += c.count;
        }
    }
    for c in before {
        if let Some(cell) = c.cell {
            let entry = cells.entry(cell).or_default();
            entry.1 += c.count;
            entry.2.entry(c.community.as_str()).or_default();
        }
    }
    let mut out: Vec<HotSpot> = cells
        .into_iter()
        .map(|(cell, (count, previous, by_community))| HotSpot {
            cell,
            count,
            previous,
            community: most_reports(by_community),
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.previous.cmp(&a.previous))
            .then(a.cell.cmp(&b.cell))
    });
    out
}

/// The area a map frames: the communities' centres with a margin; for one community, its
/// centre and `shown` (the squares drawn) with a margin in proportion, so that a town's map is
/// a town's size.
pub fn frame(catalog: &CatalogData, community: Option<&str>, shown: &[Bounds]) -> Option<Bounds> {
    let chosen: Vec<crate::catalog::Community> = catalog
        .communities
        .iter()
        .filter(|c| community.is_none_or(|f| f == c.code))
        .cloned()
        .collect();
    let mut b = super::grid::communities_bounds(&chosen)
        .or_else(|| super::grid::communities_bounds(&catalog.communities))?;
    if community.is_none() {
        return Some(Bounds {
            south: b.south - 0.08,
            west: b.west - 0.12,
            north: b.north + 0.08,
            east: b.east + 0.12,
        });
    }
    for square in shown {
        b = b.union(*square);
    }
    // At least about 3 km across; a fifth of the size again around it.
    let lat_margin = ((b.north - b.south) * 0.2).max(0.015);
    let lon_margin = ((b.east - b.west) * 0.2).max(0.02);
    Some(Bounds {
        south: b.south - lat_margin,
        west: b.west - lon_margin,
        north: b.north + lat_margin,
        east: b.east + lon_margin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Community, Names};

    fn community(code: &str, lat: f64, lon: f64) -> Community {
        Community {
            code: code.into(),
            region_code: "DN".into(),
            names: Names {
                uk: code.into(),
                ru: code.into(),
                en: code.into(),
            },
            lat: Some(lat),
            lon: Some(lon),
        }
    }

    fn period() -> Period {
        let d = time::macros::date!(2026 - 01 - 01);
        let at = time::macros::datetime!(2026-01-01 00:00 UTC);
        Period {
            first: d,
            last: d,
            start: at,
            end: at,
            months: (202601, 202601),
        }
    }

    fn filters() -> Filters {
        Filters {
            from: time::macros::date!(2026 - 01 - 01),
            to: time::macros::date!(2026 - 01 - 31),
            kind: None,
            category: None,
            community: None,
        }
    }

    #[test]
    fn small_squares_are_left_out_and_counted_in_their_community() {
        let catalog = CatalogData {
            communities: vec![community("a", 48.7, 37.5), community("b", 48.9, 37.6)],
            ..Default::default()
        };
        let grid = PublicGrid::new(2.0);
        let busy = FineCell::of(48.7, 37.5);
        let lonely = FineCell::of(48.9, 37.6);
        let counts = vec![
            CellCount {
                community: "a".into(),
                cell: Some(busy),
                count: 7,
            },
            CellCount {
                community: "b".into(),
                cell: Some(lonely),
                count: 2,
            },
            CellCount {
                community: "b".into(),
                cell: None,
                count: 9,
            },
        ];
        let map = coarsen(&catalog, &filters(), period(), &counts, grid, 5);
        assert_eq!(map.squares.len(), 1);
        assert_eq!(map.squares[0].count, 7);
        assert_eq!(map.squares[0].community, "a");
        assert!(map.squares[0].bounds.contains(48.7, 37.5));
        assert_eq!(map.total, Cell::Exact(18));
        let b = map
            .communities
            .iter()
            .find(|c| c.code == "b")
            .map(|c| c.count);
        assert_eq!(b, Some(Cell::Exact(11)));
    }

    #[test]
    fn small_community_counts_are_protected() {
        let catalog = CatalogData {
            communities: vec![
                community("a", 48.7, 37.5),
                community("b", 48.9, 37.6),
                community("c", 48.5, 37.7),
            ],
            ..Default::default()
        };
        let counts = vec![
            CellCount {
                community: "a".into(),
                cell: None,
                count: 30,
            },
            CellCount {
                community: "b".into(),
                cell: None,
                count: 2,
            },
            CellCount {
                community: "c".into(),
                cell: None,
                count: 8,
            },
        ];
        let map = coarsen(
            &catalog,
            &filters(),
            period(),
            &counts,
            PublicGrid::new(2.0),
            5,
        );
        let shown: Vec<Cell> = map.communities.iter().map(|c| c.count).collect();
        assert_eq!(shown[1], Cell::Small);
        // With the total published, the smallest other count is hidden too.
        assert_eq!(shown[2], Cell::Hidden);
    }

    proptest::proptest! {
        /// What the public map shows depends on which square each report lies in, never on
        /// where inside it: moving every point anywhere within its square changes nothing.
        #[test]
        fn the_public_map_says_nothing_finer_than_its_squares(
            points in proptest::collection::vec((48.5f64..49.0, 37.3f64..37.9), 0..60),
            moves in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 60),
            km in 0.6f64..10.0,
            min in 2u64..8,
        ) {
            let catalog = CatalogData {
                communities: vec![community("a", 48.7, 37.5)],
                ..Default::default()
            };
            let grid = PublicGrid::new(km);
            let counts = |points: &[(f64, f64)]| -> Vec<CellCount> {
                let mut fine: BTreeMap<FineCell, u64> = BTreeMap::new();
                for (lat, lon) in points {
                    *fine.entry(FineCell::of(*lat, *lon)).or_default() += 1;
                }
                fine.into_iter()
                    .map(|(cell, count)| CellCount { community: "a".into(), cell: Some(cell), count })
                    .collect()
            };
            let moved: Vec<(f64, f64)> = points
                .iter()
                .zip(&moves)
                .map(|((lat, lon), (dy, dx))| {
                    let b = grid.cell(FineCell::of(*lat, *lon)).bounds();
                    // Inside the square, clear of its edges' rounding.
                    let lat = b.south + (b.north - b.south) * (0.001 + 0.998 * dy);
                    let lon = b.west + (b.east - b.west) * (0.001 + 0.998 * dx);
                    (lat, lon)
                })
                .collect();
            let before = coarsen(&catalog, &filters(), period(), &counts(&points), grid, min);
            let after = coarsen(&catalog, &filters(), period(), &counts(&moved), grid, min);
            proptest::prop_assert_eq!(&before.squares, &after.squares);
            for square in &before.squares {
                proptest::prop_assert!(square.count >= min);
            }
        }
    }

    #[test]
    fn hot_spots_compare_periods() {
        let a = FineCell { x: 1, y: 1 };
        let b = FineCell { x: 2, y: 1 };
        let now = vec![
            CellCount {
                community: "k".into(),
                cell: Some(a),
                count: 9,
            },
            CellCount {
                community: "k".into(),
                cell: None,
                count: 4,
            },
        ];
        let before = vec![
            CellCount {
                community: "k".into(),
                cell: Some(a),
                count: 3,
            },
            CellCount {
                community: "k".into(),
                cell: Some(b),
                count: 5,
            },
        ];
        let spots = hot_spots(&now, &before);
        assert_eq!(spots.len(), 2);
        assert_eq!(
            (spots[0].cell, spots[0].count, spots[0].change()),
            (a, 9, 6)
        );
        assert_eq!(
            (spots[1].cell, spots[1].count, spots[1].change()),
            (b, 0, -5)
        );
    }
}
