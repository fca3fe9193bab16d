//! The statistics page, its CSV and JSON downloads and the page documenting their fields.
//! Filters come from the query string (GET, so a view can be bookmarked and shared).

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::model::{Cell, Filters, Spread, StatsInput, iso_date, validate};
use super::service::{self, Figures, NO_OUTCOME, Row};
use crate::catalog::CatalogData;
use crate::error::{AppError, AppResult};
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::http::problem::ApiError;
use crate::i18n::Lang;
use crate::intake::model::ReportKind;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/statistics", get(page))
        .route("/statistics.csv", get(csv_download))
        .route("/statistics.json", get(json_download))
        .route("/statistics/fields", get(fields))
}

/// The typed filters, and the figures when they are valid.
async fn load(
    state: &AppState,
    query: Option<&str>,
) -> (StatsInput, AppResult<std::sync::Arc<Figures>>) {
    let input = StatsInput::from_query(query);
    let result = async {
        let catalog = state.catalog.get(&state.db).await?;
        let filters = validate(&input, &*catalog, state.today()).map_err(AppError::Validation)?;
        service::figures(state, &filters).await
    }
    .await;
    (input, result)
}

/// Names of what the figures count, in one language.
struct Namer<'a> {
    lang: Lang,
    catalog: &'a CatalogData,
    figures: &'a Figures,
}

impl Namer<'_> {
    fn kind(&self, code: &str) -> String {
        ReportKind::from_code(code)
            .map(|k| self.lang.t(&k.message_key()))
            .unwrap_or_else(|| code.to_string())
    }

    fn category(&self, code: &str) -> String {
        self.catalog.category_name(self.lang, code)
    }

    fn community(&self, code: &str) -> String {
        self.catalog.community_name(self.lang, code)
    }

    fn region(&self, code: &str) -> String {
        self.figures
            .region_names
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| self.lang.pick(&n[0], &n[1], &n[2]).to_string())
            .unwrap_or_else(|| self.lang.t("stats-region-unknown"))
    }

    fn outcome(&self, code: &str) -> String {
        if code == NO_OUTCOME {
            return self.lang.t("stats-outcome-not-recorded");
        }
        crate::cases::model::Outcome::from_code(code)
            .map(|o| self.lang.t(&o.message_key()))
            .unwrap_or_else(|| code.to_string())
    }

    fn month(&self, year: i32, month: u8) -> String {
        format!("{} {year}", self.lang.t(&format!("stats-month-{month}")))
    }
}

/// Whole hours as people read them: `<1 h`, `18 h`, `2.5 d`.
pub fn duration(lang: Lang, hours: i64) -> String {
    if hours < 1 {
        return lang.t("stats-under-hour");
    }
    if hours < 48 {
        return lang.t_args("stats-hours", &[("n", hours.into())]);
    }
    let days = format!("{:.1}", hours as f64 / 24.0);
    let days = if lang == Lang::En {
        days
    } else {
        days.replace('.', ",")
    };
    lang.t_args("stats-days", &[("n", days.into())])
}

fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round())
}

/// One line of a table on the page.
struct Line {
    name: String,
    count: String,
    /// A group's own count (a kind above its categories, a region above its communities).
    total: bool,
}

fn line(name: String, count: Cell, total: bool) -> Line {
    Line {
        name,
        count: count.display(),
        total,
    }
}

struct AgencyLine {
    name: String,
    referrals: String,
    refused: String,
    overdue_open: String,
    on_time: String,
    first_median: String,
    first_p90: String,
    answer_median: String,
    answer_p90: String,
}

/// A bar of a chart, with everything the template draws already placed.
struct Bar {
    x: String,
    y: String,
    w: String,
    h: String,
    /// Suppressed counts get no bar, only their "<5" or "≥5".
    drawn: bool,
    value: String,
    value_x: String,
    value_y: String,
    label: String,
    label_x: String,
    label_y: String,
    /// A second line under a month (its year), or empty.
    sublabel: String,
}

struct GridLine {
    y: String,
    label: String,
}

/// A bar chart drawn on the server: accessible name and description, bars, grid.
pub struct Chart {
    id: &'static str,
    title: String,
    desc: String,
    width: u32,
    height: u32,
    vertical: bool,
    bars: Vec<Bar>,
    grid: Vec<GridLine>,
    /// Where the axis is drawn (vertical charts).
    base_y: String,
    plot_left: String,
    plot_right: String,
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// A round scale top with four steps of 1, 2 or 5 × 10ⁿ.
fn scale_top(max: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for step in [unit, unit * 2, unit * 5] {
            if step * 4 >= max {
                return step * 4;
            }
        }
        unit *= 10;
    }
}

/// Width of the charts' drawing: about a phone's column, so that their text is read at its size there.
const WIDTH: u32 = 320;

fn month_chart(lang: Lang, namer: &Namer, f: &Figures) -> Chart {
    let (left, right, top, bottom) = (34.0, 4.0, 18.0, 40.0);
    let height = 230u32;
    let plot_w = f64::from(WIDTH) - left - right;
    let plot_h = f64::from(height) - top - bottom;
    let n = f.by_month.len().max(1);
    let top_value = scale_top(
        f.by_month
            .iter()
            .filter_map(|m| m.count.value())
            .max()
            .unwrap_or(0)
            .max(1),
    );
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let every = n.div_ceil(12);
    let base = top + plot_h;
    let bars = f
        .by_month
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let v = m.count.value().unwrap_or(0) as f64;
            let h = v / top_value as f64 * plot_h;
            let x = left + i as f64 * slot + (slot - bar_w) / 2.0;
            let centre = x + bar_w / 2.0;
            let labelled = i % every == 0;
            Bar {
                x: f1(x),
                y: f1(base - h),
                w: f1(bar_w),
                h: f1(h),
                drawn: !m.count.is_suppressed() && h > 0.0,
                value: if n <= 12 || m.count.is_suppressed() {
                    m.count.display()
                } else {
                    String::new()
                },
                value_x: f1(centre),
                value_y: f1(if m.count.is_suppressed() {
                    base - 4.0
                } else {
                    base - h - 4.0
                }),
                // Month numbers: names of months do not fit under a phone's bars in every language.
                label: if labelled {
                    format!("{:02}", m.month)
                } else {
                    String::new()
                },
                label_x: f1(centre),
                label_y: f1(base + 15.0),
                sublabel: if labelled && (m.month == 1 || (i == 0 && m.month < 12)) {
                    m.year.to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let grid = (0..=4)
        .map(|k| GridLine {
            y: f1(base - plot_h * k as f64 / 4.0),
            label: (top_value / 4 * k).to_string(),
        })
        .collect();
    let described: Vec<String> = f
        .by_month
        .iter()
        .map(|m| format!("{}: {}", namer.month(m.year, m.month), m.count.display()))
        .collect();
    Chart {
        id: "chart-months",
        title: lang.t("stats-by-month"),
        desc: format!("{} {}", lang.t("stats-chart-desc"), described.join("; ")),
        width: WIDTH,
        height,
        vertical: true,
        bars,
        grid,
        base_y: f1(base),
        plot_left: f1(left),
        plot_right: f1(f64::from(WIDTH) - right),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn category_chart(lang: Lang, namer: &Namer, f: &Figures) -> Chart {
    let rows: Vec<&Row> = f.by_category.iter().flat_map(|g| &g.rows).collect();
    let row_h = 42.0;
    let height = (rows.len() as f64 * row_h + 6.0) as u32;
    let top_value = rows
        .iter()
        .filter_map(|r| r.count.value())
        .max()
        .unwrap_or(1)
        .max(1);
    let room = f64::from(WIDTH) - 48.0;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = i as f64 * row_h;
            let w = r.count.value().unwrap_or(0) as f64 / top_value as f64 * room;
            Bar {
                x: "0".into(),
                y: f1(y + 20.0),
                w: f1(w),
                h: "14".into(),
                drawn: !r.count.is_suppressed() && w > 0.0,
                value: r.count.display(),
                value_x: f1(w + 6.0),
                value_y: f1(y + 32.0),
                label: shorten(&namer.category(&r.code), 52),
                label_x: "0".into(),
                label_y: f1(y + 14.0),
                sublabel: String::new(),
            }
        })
        .collect();
    let described: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {}", namer.category(&r.code), r.count.display()))
        .collect();
    Chart {
        id: "chart-categories",
        title: lang.t("stats-by-category"),
        desc: format!("{} {}", lang.t("stats-chart-desc"), described.join("; ")),
        width: WIDTH,
        height,
        vertical: false,
        bars,
        grid: Vec::new(),
        base_y: String::new(),
        plot_left: String::new(),
        plot_right: String::new(),
    }
}

#[derive(Template)]
#[template(path = "statistics/statistics.html")]
struct StatisticsPage {
    c: Chrome,
    v: StatsInput,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
    /// Categories grouped by kind: (kind name, [(code, name)]).
    categories: Vec<(String, Vec<(String, String)>)>,
    communities: Vec<(String, String)>,
    f: Option<View>,
    definitions: Vec<(String, String)>,
    /// The newest published trust survey: title, wave, link and its trust index rows.
    trust: Option<TrustView>,
    /// Meetings held in the period (and people at them), commitments as they stand today.
    dialogue: DialogueView,
}

struct TrustView {
    title: String,
    link: String,
    lines: Vec<crate::surveys::report::TrustLine>,
}

/// The figures, in the page's language.
struct View {
    period: String,
    as_of: String,
    query: String,
    cases: String,
    open: String,
    closed: String,
    rejected: String,
    merged: String,
    months: Vec<Line>,
    month_chart: Chart,
    kinds: Vec<Line>,
    categories: Vec<Line>,
    category_chart: Option<Chart>,
    communities: Vec<Line>,
    outcomes: Vec<Line>,
    agencies: Vec<AgencyLine>,
}

fn spread_cells(lang: Lang, s: Option<Spread>) -> (String, String) {
    match s {
        Some(s) => (duration(lang, s.median), duration(lang, s.p90)),
        None => {
            let none = lang.t("stats-too-few");
            (none.clone(), none)
        }
    }
}

/// Each group's own count as a line above its rows (a kind above its categories, a region
/// above its communities).
fn grouped_lines(
    groups: &[service::Group],
    totals: &[Row],
    group_name: impl Fn(&str) -> String,
    row_name: impl Fn(&str) -> String,
) -> Vec<Line> {
    let mut out = Vec::new();
    for group in groups {
        let total = totals
            .iter()
            .find(|t| t.code == group.code)
            .map(|t| t.count)
            .unwrap_or(Cell::Exact(0));
        out.push(line(group_name(&group.code), total, true));
        out.extend(
            group
                .rows
                .iter()
                .map(|r| line(row_name(&r.code), r.count, false)),
        );
    }
    out
}

fn local_date(d: time::Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

fn view(state: &AppState, lang: Lang, catalog: &CatalogData, f: &Figures) -> View {
    let namer = Namer {
        lang,
        catalog,
        figures: f,
    };
    let categories = grouped_lines(
        &f.by_category,
        &f.by_kind,
        |c| namer.kind(c),
        |c| namer.category(c),
    );
    let communities = grouped_lines(
        &f.by_community,
        &f.by_region,
        |c| namer.region(c),
        |c| namer.community(c),
    );
    let agencies = f
        .agencies
        .iter()
        .map(|a| {
            let (first_median, first_p90) = spread_cells(lang, a.first_response);
            let (answer_median, answer_p90) = spread_cells(lang, a.answer);
            AgencyLine {
                name: lang.pick(&a.names[0], &a.names[1], &a.names[2]).to_string(),
                referrals: a.referrals.display(),
                refused: a.refused.display(),
                overdue_open: a.overdue_open.display(),
                on_time: a
                    .on_time
                    .map(percent)
                    .unwrap_or_else(|| lang.t("stats-too-few")),
                first_median,
                first_p90,
                answer_median,
                answer_p90,
            }
        })
        .collect();
    View {
        period: format!(
            "{} – {}",
            local_date(f.filters.from),
            local_date(f.filters.to)
        ),
        as_of: state.format_local(f.computed_at),
        query: f.filters.query(),
        cases: f.cases.display(),
        open: f.open.display(),
        closed: f.closed.display(),
        rejected: f.rejected.display(),
        merged: f.merged.display(),
        months: f
            .by_month
            .iter()
            .map(|m| line(namer.month(m.year, m.month), m.count, false))
            .collect(),
        month_chart: month_chart(lang, &namer, f),
        kinds: f
            .by_kind
            .iter()
            .map(|r| line(namer.kind(&r.code), r.count, false))
            .collect(),
        category_chart: (!f.by_category.is_empty()).then(|| category_chart(lang, &namer, f)),
        categories,
        communities,
        outcomes: f
            .outcomes
            .iter()
            .map(|r| line(namer.outcome(&r.code), r.count, false))
            .collect(),
        agencies,
    }
}

/// The dialogue's figures beside the cases': meetings held in the chosen period, and where the
/// commitments stand today.
struct DialogueView {
    meetings: Option<(usize, i64)>,
    commitments: crate::commitments::TrackerCounts,
}

async fn dialogue_view(
    state: &AppState,
    filters: Option<&crate::statistics::model::Filters>,
) -> crate::error::AppResult<DialogueView> {
    let meetings = match filters {
        Some(f) => {
            let offset = state.local_offset(time::OffsetDateTime::now_utc());
            let from = f.from.midnight().assume_offset(offset);
            let until =
                f.to.next_day()
                    .unwrap_or(f.to)
                    .midnight()
                    .assume_offset(offset);
            let held = crate::events::held_between(state, from, until).await?;
            Some((held.len(), held.iter().filter_map(|e| e.attendance).sum()))
        }
        None => None,
    };
    let today = state.today();
    Ok(DialogueView {
        meetings,
        commitments: crate::commitments::tracker_counts(state, today).await?,
    })
}

async fn page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    RawQuery(query): RawQuery,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (input, result) = load(&state, query.as_deref()).await;
    let (errors, figures) = match result {
        Ok(f) => (Vec::new(), Some(f)),
        Err(AppError::Validation(errors)) => (errors, None),
        Err(err) => return page_error(lang, err),
    };
    let path = match &figures {
        Some(f) => format!("/statistics?{}", f.filters.query()),
        None => "/statistics".to_string(),
    };
    let kinds = ReportKind::choices(lang);
    let categories = catalog.categories_by_kind(lang);
    let trust = match crate::surveys::service::published_trust(&state, None, 1).await {
        Ok(mut list) => list.pop().map(|t| TrustView {
            title: format!(
                "{} — {}",
                crate::surveys::model::pick_text(lang, &t.survey.title),
                t.wave.name
            ),
            link: format!("/surveys/{}/{}", t.survey.code, t.wave.id),
            lines: crate::surveys::report::trust_lines(lang, &catalog, &t.rows),
        }),
        Err(err) => return page_error(lang, err),
    };
    let dialogue = match dialogue_view(&state, figures.as_ref().map(|f| &f.filters)).await {
        Ok(dialogue) => dialogue,
        Err(err) => return page_error(lang, err),
    };
    let view = StatisticsPage {
        dialogue,
        trust,
        c: Chrome::new(lang, &path, "stats-title").nav("statistics"),
        errors: FieldErrors::new(lang, &errors),
        kinds,
        categories,
        communities: catalog.community_choices(lang),
        f: figures.map(|f| view(&state, lang, &catalog, &f)),
        definitions: definitions(lang),
        v: input,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &view)
}

fn file_name(f: &Filters, extension: &str) -> String {
    format!(
        "attachment; filename=\"statistics-{}-{}.{extension}\"",
        iso_date(f.from),
        iso_date(f.to)
    )
}

/// A CSV cell that a spreadsheet will not run as a formula.
pub fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One line of the CSV download: section, group, code, name, measure, value.
type CsvLine = [String; 6];

fn csv_line(
    section: &str,
    group: &str,
    code: &str,
    name: String,
    measure: &str,
    value: String,
) -> CsvLine {
    [
        section.into(),
        group.into(),
        code.into(),
        name,
        measure.into(),
        value,
    ]
}

/// The lines of a table of counts.
fn csv_counts(
    section: &str,
    group: &str,
    rows: &[Row],
    name: impl Fn(&str) -> String,
) -> Vec<CsvLine> {
    rows.iter()
        .map(|r| {
            csv_line(
                section,
                group,
                &r.code,
                name(&r.code),
                "count",
                r.count.shown(),
            )
        })
        .collect()
}

/// The lines of the CSV download.
fn csv_rows(state: &AppState, lang: Lang, catalog: &CatalogData, f: &Figures) -> Vec<CsvLine> {
    let namer = Namer {
        lang,
        catalog,
        figures: f,
    };
    let mut out = vec![
        csv_line(
            "period",
            "",
            "from",
            String::new(),
            "date",
            iso_date(f.filters.from),
        ),
        csv_line(
            "period",
            "",
            "to",
            String::new(),
            "date",
            iso_date(f.filters.to),
        ),
        csv_line(
            "period",
            "",
            "computed_at",
            state.format_local(f.computed_at),
            "moment",
            rfc3339(f.computed_at),
        ),
    ];
    let totals = [
        ("cases", f.cases),
        ("open", f.open),
        ("closed", f.closed),
        ("rejected", f.rejected),
        ("merged", f.merged),
    ]
    .map(|(code, count)| Row {
        code: code.into(),
        count,
    });
    out.extend(csv_counts("totals", "", &totals, |c| {
        lang.t(&format!("stats-total-{c}"))
    }));
    out.extend(csv_counts("kind", "", &f.by_kind, |c| namer.kind(c)));
    for g in &f.by_category {
        out.extend(csv_counts("category", &g.code, &g.rows, |c| {
            namer.category(c)
        }));
    }
    out.extend(csv_counts("region", "", &f.by_region, |c| namer.region(c)));
    for g in &f.by_community {
        out.extend(csv_counts("community", &g.code, &g.rows, |c| {
            namer.community(c)
        }));
    }
    for m in &f.by_month {
        let code = format!("{:04}-{:02}", m.year, m.month);
        let name = namer.month(m.year, m.month);
        out.push(csv_line("month", "", &code, name, "count", m.count.shown()));
    }
    out.extend(csv_counts("outcome", "", &f.outcomes, |c| namer.outcome(c)));
    let hours = |s: Option<Spread>, pick: fn(&Spread) -> i64| {
        s.map(|s| pick(&s).to_string()).unwrap_or_default()
    };
    for a in &f.agencies {
        let name = lang.pick(&a.names[0], &a.names[1], &a.names[2]).to_string();
        let measures = [
            ("referrals", a.referrals.shown()),
            ("refused", a.refused.shown()),
            ("overdue_open", a.overdue_open.shown()),
            (
                "on_time_share",
                a.on_time.map(|s| format!("{s:.3}")).unwrap_or_default(),
            ),
            (
                "first_response_median_hours",
                hours(a.first_response, |s| s.median),
            ),
            (
                "first_response_p90_hours",
                hours(a.first_response, |s| s.p90),
            ),
            ("answer_median_hours", hours(a.answer, |s| s.median)),
            ("answer_p90_hours", hours(a.answer, |s| s.p90)),
        ];
        for (measure, value) in measures {
            out.push(csv_line(
                "agency",
                "",
                &a.code,
                name.clone(),
                measure,
                value,
            ));
        }
    }
    out
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn csv_download(
    State(state): State<AppState>,
    Locale(lang): Locale,
    RawQuery(query): RawQuery,
) -> Response {
    let (_, result) = load(&state, query.as_deref()).await;
    let built = async {
        let f = result?;
        let catalog = state.catalog.get(&state.db).await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(["section", "group", "code", "name", "measure", "value"])
            .map_err(AppError::internal)?;
        for row in csv_rows(&state, lang, &catalog, &f) {
            writer
                .write_record(row.iter().map(|cell| csv_safe(cell)))
                .map_err(AppError::internal)?;
        }
        let body = writer.into_inner().map_err(AppError::internal)?;
        Ok::<_, AppError>((file_name(&f.filters, "csv"), body))
    }
    .await;
    match built {
        Ok((disposition, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response(),
        Err(err) => ApiError::new(err, lang).into_response(),
    }
}

fn cells(rows: &[Row], name: impl Fn(&str) -> String) -> Vec<Value> {
    rows.iter()
        .map(|r| json!({ "code": r.code, "name": name(&r.code), "count": r.count }))
        .collect()
}

/// The JSON download; its fields are documented on `/statistics/fields`.
pub fn json_body(state: &AppState, lang: Lang, catalog: &CatalogData, f: &Figures) -> Value {
    let namer = Namer {
        lang,
        catalog,
        figures: f,
    };
    let grouped =
        |groups: &[service::Group], key: &str, name: &dyn Fn(&str) -> String| -> Vec<Value> {
            groups
                .iter()
                .flat_map(|g| {
                    g.rows.iter().map(move |r| {
                        let mut item =
                            json!({ "code": r.code, "name": name(&r.code), "count": r.count });
                        item[key] = json!(g.code);
                        item
                    })
                })
                .collect()
        };
    json!({
        "period": { "from": iso_date(f.filters.from), "to": iso_date(f.filters.to), "time_zone": state.config.time_zone },
        "filters": {
            "kind": f.filters.kind.map(|k| k.code()),
            "category": f.filters.category,
            "community": f.filters.community,
        },
        "computed_at": rfc3339(f.computed_at),
        "language": lang.code(),
        "suppression_threshold": super::model::SUPPRESS_BELOW,
        "totals": {
            "cases": f.cases, "open": f.open, "closed": f.closed,
            "rejected": f.rejected, "merged": f.merged,
        },
        "by_kind": cells(&f.by_kind, |c| namer.kind(c)),
        "by_category": grouped(&f.by_category, "kind", &|c| namer.category(c)),
        "by_region": cells(&f.by_region, |c| namer.region(c)),
        "by_community": grouped(&f.by_community, "region", &|c| namer.community(c)),
        "by_month": f.by_month.iter().map(|m| json!({
            "month": format!("{:04}-{:02}", m.year, m.month),
            "count": m.count,
        })).collect::<Vec<_>>(),
        "outcomes": cells(&f.outcomes, |c| namer.outcome(c)),
        "agencies": f.agencies.iter().map(|a| json!({
            "code": a.code,
            "name": lang.pick(&a.names[0], &a.names[1], &a.names[2]),
            "referrals": a.referrals,
            "refused": a.refused,
            "overdue_open": a.overdue_open,
            "on_time_share": a.on_time,
            "first_response_hours": a.first_response,
            "answer_hours": a.answer,
        })).collect::<Vec<_>>(),
    })
}

async fn json_download(
    State(state): State<AppState>,
    Locale(lang): Locale,
    RawQuery(query): RawQuery,
) -> Response {
    let (_, result) = load(&state, query.as_deref()).await;
    let built = async {
        let f = result?;
        let catalog = state.catalog.get(&state.db).await?;
        Ok::<_, AppError>(json_body(&state, lang, &catalog, &f))
    }
    .await;
    match built {
        Ok(body) => axum::Json(body).into_response(),
        Err(err) => ApiError::new(err, lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "statistics/fields.html")]
struct FieldsPage {
    c: Chrome,
    csv_columns: Vec<(&'static str, String)>,
    csv_sections: Vec<(&'static str, String)>,
    csv_measures: Vec<(&'static str, String)>,
    json_fields: Vec<(&'static str, String)>,
    definitions: Vec<(String, String)>,
}

/// The definitions that the page and the fields page share: (term, explanation).
fn definitions(lang: Lang) -> Vec<(String, String)> {
    [
        "cases",
        "period",
        "first-response",
        "answer",
        "on-time",
        "percentiles",
        "suppression",
        "freshness",
    ]
    .iter()
    .map(|k| {
        (
            lang.t(&format!("stats-def-{k}")),
            lang.t(&format!("stats-def-{k}-text")),
        )
    })
    .collect()
}

async fn fields(Locale(lang): Locale) -> Response {
    let list = |prefix: &str, names: &[&'static str]| -> Vec<(&'static str, String)> {
        names
            .iter()
            .map(|n| {
                let key = n.replace("[].", "-").replace('_', "-");
                (*n, lang.t(&format!("{prefix}{key}")))
            })
            .collect()
    };
    let page = FieldsPage {
        c: Chrome::new(lang, "/statistics/fields", "stats-fields-title").nav("statistics"),
        csv_columns: list(
            "stats-csv-",
            &["section", "group", "code", "name", "measure", "value"],
        ),
        csv_sections: list(
            "stats-section-",
            &[
                "period",
                "totals",
                "kind",
                "category",
                "region",
                "community",
                "month",
                "outcome",
                "agency",
            ],
        ),
        csv_measures: list(
            "stats-measure-",
            &[
                "date",
                "moment",
                "count",
                "referrals",
                "refused",
                "overdue_open",
                "on_time_share",
                "first_response_median_hours",
                "first_response_p90_hours",
                "answer_median_hours",
                "answer_p90_hours",
            ],
        ),
        json_fields: list(
            "stats-json-",
            &[
                "period",
                "filters",
                "computed_at",
                "language",
                "suppression_threshold",
                "totals",
                "by_kind",
                "by_category",
                "by_region",
                "by_community",
                "by_month",
                "outcomes",
                "agencies",
                "count",
                "agencies[].on_time_share",
                "agencies[].first_response_hours",
                "agencies[].answer_hours",
            ],
        ),
        definitions: definitions(lang),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("-1"), "'-1");
        assert_eq!(csv_safe("@x"), "'@x");
        assert_eq!(csv_safe("<5"), "<5");
        assert_eq!(csv_safe(">=5"), ">=5");
        assert_eq!(csv_safe("Kramatorsk"), "Kramatorsk");
    }

    #[test]
    fn durations_and_scales() {
        assert_eq!(duration(Lang::En, 0), "<1 h");
        assert_eq!(duration(Lang::En, 30), "30 h");
        assert_eq!(duration(Lang::En, 60), "2.5 d");
        assert_eq!(duration(Lang::Uk, 60), "2,5 дн.");
        assert_eq!(scale_top(1), 4);
        assert_eq!(scale_top(9), 20);
        assert_eq!(scale_top(37), 40);
        assert_eq!(scale_top(41), 80);
        assert_eq!(scale_top(1234), 2000);
    }
}
