//! The maps' pages (SVG drawn on the server, a table as the text alternative, and a place for
//! the interactive map that `/assets/map.js` fills when JavaScript runs), their GeoJSON
//! (RFC 7946) and the staff map's CSV. Filters come from the query string (GET, bookmarkable).

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use serde_json::{Value, json};

use super::grid::Bounds;
use super::service::{
    self, HOT_SPOTS_LISTED, MAX_POINTS, PublicMap, StaffFilters, StaffInput, StaffMap,
};
use super::svg::{self, Mark};
use crate::accounts::Staff;
use crate::catalog::CatalogData;
use crate::error::{AppError, AppResult};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::http::problem::ApiError;
use crate::i18n::Lang;
use crate::intake::model::{ReportKind, Status};
use crate::state::AppState;
use crate::statistics::model::{Cell, StatsInput, iso_date, validate};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(public_page))
        .route("/map.geojson", get(public_geojson))
        .route("/staff/map", get(staff_page))
        .route("/staff/map.geojson", get(staff_geojson))
        .route("/staff/map.csv", get(staff_csv))
}

const GEOJSON: &str = "application/geo+json";

/// Names in the page's language.
struct Names<'a> {
    lang: Lang,
    catalog: &'a CatalogData,
}

impl Names<'_> {
    fn community(&self, code: &str) -> String {
        self.catalog.community_name(self.lang, code)
    }

    fn category(&self, code: &str) -> String {
        self.catalog.category_name(self.lang, code)
    }

    fn reports(&self, shown: &str) -> String {
        self.lang
            .t_args("map-reports", &[("count", shown.to_string().into())])
    }

    /// "Kramatorsk: 120 reports" (the count as published).
    fn community_label(&self, c: &service::CommunityCount) -> String {
        format!(
            "{}: {}",
            self.community(&c.code),
            self.reports(&c.count.display())
        )
    }

    /// "Square near Kramatorsk".
    fn square_place(&self, s: &service::PublicSquare) -> String {
        self.lang.t_args(
            "map-square-near",
            &[("place", self.community(&s.community).into())],
        )
    }

    /// "Square near Kramatorsk: 12 reports".
    fn square_label(&self, s: &service::PublicSquare) -> String {
        format!(
            "{}: {}",
            self.square_place(s),
            self.reports(&s.count.to_string())
        )
    }

    /// "Kramatorsk: 12 reports (+3)".
    fn hot_spot_label(&self, h: &service::HotSpot) -> String {
        format!(
            "{}: {} ({})",
            self.community(&h.community),
            self.reports(&h.count.to_string()),
            signed(h.change())
        )
    }

    /// "DN-2026-000123 — Street lighting".
    fn point_label(&self, p: &super::store::MapPoint) -> String {
        format!("{} — {}", p.reference, self.category(&p.category))
    }

    fn period(&self, from: time::Date, to: time::Date) -> String {
        let month = |d: time::Date| {
            format!(
                "{} {}",
                self.lang.t(&format!("stats-month-{}", u8::from(d.month()))),
                d.year()
            )
        };
        if (from.year(), from.month()) == (to.year(), to.month()) {
            month(from)
        } else {
            format!("{} – {}", month(from), month(to))
        }
    }
}

/// What the filter forms offer.
struct Choices {
    kinds: Vec<(&'static str, String)>,
    categories: Vec<(String, Vec<(String, String)>)>,
    communities: Vec<(String, String)>,
}

fn choices(lang: Lang, catalog: &CatalogData) -> Choices {
    Choices {
        kinds: ReportKind::choices(lang),
        categories: catalog.categories_by_kind(lang),
        communities: catalog.community_choices(lang),
    }
}

/// The interactive map's settings, read by `/assets/map.js` (on the map pages, and on the
/// report form for placing the point).
pub struct Live {
    pub geojson: String,
    pub tiles: String,
    pub attribution: String,
    pub lat: String,
    pub lon: String,
}

pub fn live(state: &AppState, geojson: String, frame: Option<Bounds>) -> Live {
    let (tiles, attribution) = match state.config.map_tiles() {
        Ok(Some((template, _))) => (
            template,
            state
                .config
                .map_tile_attribution
                .clone()
                .unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    };
    let (lat, lon) = frame.map(|f| f.centre()).unwrap_or((48.6, 37.6));
    Live {
        geojson,
        tiles,
        attribution,
        lat: format!("{lat:.4}"),
        lon: format!("{lon:.4}"),
    }
}

fn register_link(map: &PublicMap, community: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("community", community);
    if let Some(kind) = map.filters.kind {
        q.append_pair("kind", kind.code());
    }
    if let Some(category) = &map.filters.category {
        q.append_pair("category", category);
    }
    if map.period.months.0 == map.period.months.1 {
        q.append_pair(
            "month",
            &format!(
                "{:04}-{:02}",
                map.period.first.year(),
                u8::from(map.period.first.month())
            ),
        );
    }
    format!("/register?{}", q.finish())
}

/// The map drawn in `frame`, named by the `(title, description)` keys and the period; nothing
/// when no community has a centre to frame.
fn drawing(
    lang: Lang,
    frame: Option<Bounds>,
    (title, description): (&str, &str),
    period: &str,
    marks: &[Mark],
) -> String {
    frame
        .map(|frame| {
            svg::draw(
                frame,
                &format!("{} — {period}", lang.t(title)),
                &lang.t(description),
                marks,
                &lang.t("map-km"),
            )
        })
        .unwrap_or_default()
}

/// A line of the public map's table.
struct CommunityLine {
    name: String,
    count: String,
    link: String,
}

struct SquareLine {
    place: String,
    count: String,
}

#[derive(Template)]
#[template(path = "map/public.html")]
struct PublicPage {
    c: Chrome,
    v: StatsInput,
    errors: FieldErrors,
    choices: Choices,
    m: Option<PublicView>,
}

struct PublicView {
    period: String,
    query: String,
    total: String,
    /// How the map keeps reporters from being located (the square's side, the minimum count).
    privacy_note: String,
    svg: String,
    live: Live,
    communities: Vec<CommunityLine>,
    squares: Vec<SquareLine>,
    squares_more: usize,
}

/// Squares listed under the public map.
const SQUARES_LISTED: usize = 20;

fn public_view(state: &AppState, lang: Lang, catalog: &CatalogData, map: &PublicMap) -> PublicView {
    let names = Names { lang, catalog };
    let max_community = map
        .communities
        .iter()
        .filter_map(|c| c.count.value())
        .max()
        .unwrap_or(1)
        .max(1);
    let max_square = map
        .squares
        .iter()
        .map(|s| s.count)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut marks: Vec<Mark> = map
        .squares
        .iter()
        .map(|s| Mark::Square {
            bounds: s.bounds,
            weight: s.count as f64 / max_square as f64,
            hot: false,
            label: names.square_label(s),
        })
        .collect();
    for c in &map.communities {
        let Some((lat, lon)) = c.centre else { continue };
        marks.push(Mark::Community {
            lat,
            lon,
            // A hidden count is drawn as the smallest circle: its size must not tell it.
            weight: c.count.value().unwrap_or(0) as f64 / max_community as f64,
            label: format!(
                "{}. {}",
                names.community_label(c),
                lang.t("map-published-cases")
            ),
            name: names.community(&c.code),
            count: c.count.display(),
            href: Some(register_link(map, &c.code)),
        });
    }
    let drawn: Vec<Bounds> = map.squares.iter().map(|s| s.bounds).collect();
    let frame = service::frame(catalog, map.filters.community.as_deref(), &drawn);
    let period = names.period(map.period.first, map.period.last);
    let svg = drawing(lang, frame, ("map-title", "map-svg-desc"), &period, &marks);
    let mut squares: Vec<&service::PublicSquare> = map.squares.iter().collect();
    squares.sort_by_key(|s| std::cmp::Reverse(s.count));
    let query = map.filters.query();
    PublicView {
        period,
        total: map.total.display(),
        privacy_note: lang.t_args(
            "map-privacy-note",
            &[
                (
                    "km",
                    format!("{:.1}", map.cell_km)
                        .replace('.', if lang == Lang::En { "." } else { "," })
                        .into(),
                ),
                ("n", (map.min_count as i64).into()),
            ],
        ),
        svg,
        live: live(
            state,
            format!("/map.geojson?{query}&lang={}", lang.code()),
            frame,
        ),
        query,
        communities: map
            .communities
            .iter()
            .map(|c| CommunityLine {
                name: names.community(&c.code),
                count: c.count.display(),
                link: register_link(map, &c.code),
            })
            .collect(),
        squares_more: squares.len().saturating_sub(SQUARES_LISTED),
        squares: squares
            .into_iter()
            .take(SQUARES_LISTED)
            .map(|s| {
                let (lat, lon) = s.bounds.centre();
                SquareLine {
                    place: format!("{} ({lat:.3}, {lon:.3})", names.square_place(s)),
                    count: s.count.to_string(),
                }
            })
            .collect(),
    }
}

/// The typed filters (those of the statistics), and the map when they are valid.
async fn load_public(
    state: &AppState,
    catalog: &CatalogData,
    query: Option<&str>,
) -> (StatsInput, AppResult<PublicMap>) {
    let input = StatsInput::from_query(query);
    let result = match validate(&input, catalog, state.today()) {
        Ok(filters) => service::public_map(state, catalog, &filters).await,
        Err(errors) => Err(AppError::Validation(errors)),
    };
    (input, result)
}

async fn public_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    RawQuery(query): RawQuery,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (input, result) = load_public(&state, &catalog, query.as_deref()).await;
    let (errors, map) = match result {
        Ok(map) => (Vec::new(), Some(map)),
        Err(AppError::Validation(errors)) => (errors, None),
        Err(err) => return page_error(lang, err),
    };
    let path = match &map {
        Some(m) => format!("/map?{}", m.filters.query()),
        None => "/map".to_string(),
    };
    let view = PublicPage {
        c: Chrome::new(lang, &path, "map-title").nav("map"),
        errors: FieldErrors::new(lang, &errors),
        choices: choices(lang, &catalog),
        m: map.as_ref().map(|m| public_view(&state, lang, &catalog, m)),
        v: input,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &view)
}

fn polygon(b: &Bounds) -> Value {
    json!({
        "type": "Polygon",
        "coordinates": [[
            [b.west, b.south], [b.east, b.south], [b.east, b.north], [b.west, b.north], [b.west, b.south]
        ]]
    })
}

fn cell_json(cell: Cell) -> Value {
    cell.value().map(Value::from).unwrap_or(Value::Null)
}

/// The public map as GeoJSON: communities (points at their centres, with their counts) and the
/// squares of the grid shown (polygons). No coordinate of a report is in it.
async fn public_geojson(
    State(state): State<AppState>,
    Locale(lang): Locale,
    RawQuery(query): RawQuery,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return ApiError::new(err, lang).into_response(),
    };
    let map = match load_public(&state, &catalog, query.as_deref()).await.1 {
        Ok(map) => map,
        Err(err) => return ApiError::new(err, lang).into_response(),
    };
    let names = Names {
        lang,
        catalog: &catalog,
    };
    let mut features = Vec::new();
    for c in &map.communities {
        let Some((lat, lon)) = c.centre else { continue };
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "layer": "community",
                "community": c.code,
                "name": names.community(&c.code),
                "count": cell_json(c.count),
                "shown": c.count.shown(),
                "label": names.community_label(c),
                "url": register_link(&map, &c.code),
            }
        }));
    }
    for s in &map.squares {
        features.push(json!({
            "type": "Feature",
            "geometry": polygon(&s.bounds),
            "properties": {
                "layer": "cell",
                "community": s.community,
                "count": s.count,
                "label": names.square_label(s),
            }
        }));
    }
    geojson_response(json!({
        "type": "FeatureCollection",
        "period": {"from": iso_date(map.period.first), "to": iso_date(map.period.last)},
        "cell_km": map.cell_km,
        "min_count": map.min_count,
        "total": cell_json(map.total),
        "features": features,
    }))
}

/// A moment as RFC 3339, as the exports give it.
fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn geojson_response(body: Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, GEOJSON),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

// --- Staff -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "map/staff.html")]
struct StaffPage {
    c: Chrome,
    v: StaffInput,
    errors: FieldErrors,
    choices: Choices,
    statuses: Vec<(&'static str, String)>,
    organizations: Vec<(String, String)>,
    /// Officers' maps are already limited to their organization.
    by_organization: bool,
    m: Option<StaffView>,
}

/// Where a case's point leads: the case page, or for an officer the search that finds their
/// referral of it.
fn case_link(map: &StaffMap, reference: &str) -> String {
    if map.for_officer {
        format!("/staff/search?reference={reference}")
    } else {
        format!("/staff/cases/{reference}")
    }
}

struct HotSpotLine {
    rank: usize,
    place: String,
    centre: String,
    count: u64,
    previous: u64,
    change: String,
    rising: bool,
}

struct StaffView {
    period: String,
    previous_period: String,
    query: String,
    total: u64,
    previous_total: u64,
    change: String,
    located: u64,
    /// Exact points shown, and whether there were more than could be shown.
    points: Option<(usize, bool)>,
    svg: String,
    live: Live,
    hot_spots: Vec<HotSpotLine>,
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else if n < 0 {
        format!("−{}", -n)
    } else {
        "0".into()
    }
}

fn staff_view(state: &AppState, lang: Lang, catalog: &CatalogData, map: &StaffMap) -> StaffView {
    let names = Names { lang, catalog };
    // Hot spots of this period (the list also has cells only the previous period had).
    let current: Vec<&service::HotSpot> = map.hot_spots.iter().filter(|h| h.count > 0).collect();
    let max = current.first().map(|h| h.count).unwrap_or(1).max(1);
    let mut marks: Vec<Mark> = current
        .iter()
        .map(|h| Mark::Square {
            bounds: h.cell.bounds(),
            weight: h.count as f64 / max as f64,
            hot: true,
            label: names.hot_spot_label(h),
        })
        .collect();
    if let Some(points) = &map.points {
        marks.extend(points.iter().map(|p| Mark::Point {
            lat: p.lat,
            lon: p.lon,
            label: names.point_label(p),
            href: case_link(map, &p.reference),
        }));
    }
    // Names of the communities, for orientation (their counts are the table's business).
    marks.extend(catalog.communities.iter().filter_map(|c| {
        Some(Mark::Community {
            lat: c.lat?,
            lon: c.lon?,
            weight: -1.0,
            name: c.names.get(lang).to_string(),
            count: String::new(),
            label: String::new(),
            href: None,
        })
    }));
    let listed = &current[..current.len().min(HOT_SPOTS_LISTED)];
    marks.extend(listed.iter().enumerate().map(|(i, h)| Mark::Rank {
        bounds: h.cell.bounds(),
        rank: i + 1,
    }));
    let drawn: Vec<Bounds> = current.iter().map(|h| h.cell.bounds()).collect();
    let frame = service::frame(catalog, map.filters.base.community.as_deref(), &drawn);
    let period = names.period(map.period.first, map.period.last);
    let svg = drawing(
        lang,
        frame,
        ("map-staff-title", "map-staff-svg-desc"),
        &period,
        &marks,
    );
    let query = map.filters.query();
    StaffView {
        previous_period: names.period(map.previous.first, map.previous.last),
        period,
        total: map.total,
        previous_total: map.previous_total,
        change: signed(map.total as i64 - map.previous_total as i64),
        located: map.located,
        points: map
            .points
            .as_ref()
            .map(|p| (p.len(), p.len() as i64 >= MAX_POINTS)),
        svg,
        live: live(
            state,
            format!("/staff/map.geojson?{query}&lang={}", lang.code()),
            frame,
        ),
        query,
        hot_spots: listed
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let (lat, lon) = h.cell.bounds().centre();
                HotSpotLine {
                    rank: i + 1,
                    place: names.community(&h.community),
                    centre: format!("{lat:.4}, {lon:.4}"),
                    count: h.count,
                    previous: h.previous,
                    change: signed(h.change()),
                    rising: h.change() > 0,
                }
            })
            .collect(),
    }
}

async fn load_staff(
    state: &AppState,
    catalog: &CatalogData,
    staff: &Staff,
    query: Option<&str>,
) -> (StaffInput, AppResult<StaffMap>) {
    let input = StaffInput::from_query(query);
    let result = async {
        staff.require(service::STAFF_MAP_READERS)?;
        let filters: StaffFilters =
            service::staff_filters(state, catalog, &input).map_err(AppError::Validation)?;
        service::staff_map(state, staff, &filters).await
    }
    .await;
    (input, result)
}

async fn staff_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (input, result) = load_staff(&state, &catalog, &staff, query.as_deref()).await;
    let (errors, map) = match result {
        Ok(map) => (Vec::new(), Some(map)),
        Err(AppError::Validation(errors)) => (errors, None),
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let view = StaffPage {
        c: Chrome::new(lang, "/staff/map", "map-staff-title").staff(&staff.user, &csrf),
        errors: FieldErrors::new(lang, &errors),
        choices: choices(lang, &catalog),
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.code(), lang.t(&s.message_key())))
            .collect(),
        organizations: catalog
            .agencies
            .iter()
            .map(|o| {
                (
                    o.code.clone(),
                    lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string(),
                )
            })
            .collect(),
        by_organization: staff.user.role != crate::accounts::Role::Officer,
        m: map.as_ref().map(|m| staff_view(&state, lang, &catalog, m)),
        v: input,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &view)).into_response()
}

/// The catalog and the staff map for the GeoJSON and the CSV (errors as problem details).
async fn staff_map_for_download(
    state: &AppState,
    staff: &Staff,
    query: Option<&str>,
) -> AppResult<(std::sync::Arc<CatalogData>, StaffMap)> {
    let catalog = state.catalog.get(&state.db).await?;
    let map = load_staff(state, &catalog, staff, query).await.1?;
    Ok((catalog, map))
}

/// The staff map as GeoJSON: hot spots (fine cells, with the previous period's count) and, for
/// those who may see them, the exact points.
async fn staff_geojson(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Response {
    let (catalog, map) = match staff_map_for_download(&state, &staff, query.as_deref()).await {
        Ok(found) => found,
        Err(err) => return ApiError::new(err, lang).into_response(),
    };
    let names = Names {
        lang,
        catalog: &catalog,
    };
    let mut features: Vec<Value> = map
        .hot_spots
        .iter()
        .map(|h| {
            json!({
                "type": "Feature",
                "geometry": polygon(&h.cell.bounds()),
                "properties": {
                    "layer": "hotspot",
                    "community": h.community,
                    "count": h.count,
                    "previous": h.previous,
                    "change": h.change(),
                    "label": names.hot_spot_label(h),
                }
            })
        })
        .collect();
    for p in map.points.iter().flatten() {
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "layer": "point",
                "reference": p.reference,
                "kind": p.kind,
                "category": p.category,
                "community": p.community,
                "status": p.status,
                "received": rfc3339(p.created_at),
                "label": names.point_label(p),
                "url": case_link(&map, &p.reference),
            }
        }));
    }
    geojson_response(json!({
        "type": "FeatureCollection",
        "period": {"from": iso_date(map.period.first), "to": iso_date(map.period.last)},
        "previous_period": {"from": iso_date(map.previous.first), "to": iso_date(map.previous.last)},
        "total": map.total,
        "previous_total": map.previous_total,
        "features": features,
    }))
}

/// What the staff map shows, as CSV: one line per hot spot, then one per exact point.
async fn staff_csv(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Response {
    let (_, map) = match staff_map_for_download(&state, &staff, query.as_deref()).await {
        Ok(found) => found,
        Err(err) => return ApiError::new(err, lang).into_response(),
    };
    match staff_csv_text(&map) {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"mistok-map.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(err) => ApiError::new(err, lang).into_response(),
    }
}

fn staff_csv_text(map: &StaffMap) -> AppResult<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| AppError::internal(e.to_string());
    out.write_record([
        "layer",
        "reference",
        "community",
        "lat",
        "lon",
        "south",
        "west",
        "north",
        "east",
        "count",
        "previous",
        "kind",
        "category",
        "status",
        "received",
    ])
    .map_err(csv_error)?;
    for h in &map.hot_spots {
        let b = h.cell.bounds();
        let (lat, lon) = b.centre();
        out.write_record([
            "hotspot".to_string(),
            String::new(),
            h.community.clone(),
            format!("{lat:.5}"),
            format!("{lon:.5}"),
            format!("{:.5}", b.south),
            format!("{:.5}", b.west),
            format!("{:.5}", b.north),
            format!("{:.5}", b.east),
            h.count.to_string(),
            h.previous.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(csv_error)?;
    }
    for p in map.points.iter().flatten() {
        out.write_record([
            "point".to_string(),
            p.reference.clone(),
            p.community.clone(),
            format!("{:.6}", p.lat),
            format!("{:.6}", p.lon),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.kind.clone(),
            p.category.clone(),
            p.status.clone(),
            rfc3339(p.created_at),
        ])
        .map_err(csv_error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(e.to_string()))
}
