//! HTML pages of events: the public calendar (list and month), an event's page with its
//! registration form, the registration's link, iCalendar, and the staff's pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use time::{Date, OffsetDateTime};

use super::ics;
use super::model::{
    self, AfterInput, EventInput, EventKind, EventStatus, LANGUAGES, RegistrationInput,
    RegistrationStatus,
};
use super::service;
use super::store::{DecisionRow, EventRow, RegisterOutcome};
use crate::accounts::Staff;
use crate::catalog::CatalogData;
use crate::error::{AppError, FieldError};
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, query_string, render};
use crate::http::{base_url, csrf};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list))
        .route("/events.ics", get(feed))
        .route("/events/{id}", get(event_page))
        .route("/events/{id}/calendar.ics", get(event_ics))
        .route("/events/{id}/register", post(register))
        .route(
            "/events/registrations/{token}",
            get(registration_page).post(cancel_registration),
        )
        .route("/staff/events", get(staff_list).post(create))
        .route("/staff/events/new", get(new_form))
        .route("/staff/events/{id}", get(edit_form).post(update))
        .route("/staff/events/{id}/cancel", post(cancel_event))
        .route("/staff/events/{id}/after", post(save_after))
        .route("/staff/events/{id}/decisions", post(add_decision))
        .route(
            "/staff/events/{id}/decisions/{decision}",
            post(change_decision),
        )
        .route("/staff/events/{id}/registrations", get(staff_registrations))
}

// ---- What pages show of an event ----

struct Card {
    id: String,
    title: String,
    kind: String,
    community: String,
    when: String,
    place: String,
    cancelled: bool,
    seats: String,
}

fn community_name(catalog: &CatalogData, lang: Lang, code: Option<&str>) -> String {
    code.map_or_else(
        || lang.t("events-whole-region"),
        |code| catalog.community_name(lang, code),
    )
}

fn hm(state: &AppState, at: OffsetDateTime) -> String {
    let local = at.to_offset(state.local_offset(at));
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// "03.12.2026 15:00–17:00" (the end's date too when it is another day).
fn when(state: &AppState, e: &EventRow) -> String {
    state.format_local_span(e.starts_at, e.ends_at)
}

fn seats(lang: Lang, e: &EventRow) -> String {
    use fluent_templates::fluent_bundle::FluentValue;
    match (e.capacity, e.seats_left()) {
        (Some(capacity), Some(0)) => lang.t_args(
            "events-seats-full",
            &[
                ("capacity", FluentValue::from(capacity)),
                ("waiting", FluentValue::from(e.waiting)),
            ],
        ),
        (Some(capacity), Some(left)) => lang.t_args(
            "events-seats-left",
            &[
                ("left", FluentValue::from(left)),
                ("capacity", FluentValue::from(capacity)),
            ],
        ),
        // A joint reception is visited by booking a time, not by a seat.
        _ if e.kind == EventKind::JointReception => lang.t("events-seats-reception"),
        _ => lang.t("events-seats-open"),
    }
}

fn card(state: &AppState, catalog: &CatalogData, lang: Lang, e: &EventRow) -> Card {
    Card {
        id: e.id.to_string(),
        title: e.title.clone(),
        kind: lang.t(&e.kind.message_key()),
        community: community_name(catalog, lang, e.community_code.as_deref()),
        when: when(state, e),
        place: e.place.clone(),
        cancelled: e.status == EventStatus::Cancelled,
        seats: if e.starts_at > OffsetDateTime::now_utc() {
            seats(lang, e)
        } else {
            String::new()
        },
    }
}

fn kinds(lang: Lang) -> Vec<(&'static str, String)> {
    EventKind::ALL
        .into_iter()
        .map(|k| (k.code(), lang.t(&k.message_key())))
        .collect()
}

fn host_of(base: &str) -> String {
    let rest = base.split_once("://").map(|(_, r)| r).unwrap_or(base);
    let host = rest.split('/').next().unwrap_or(rest);
    // The port is no part of a stable UID.
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => host[..=end].to_string(),
            None => host.to_string(),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_string(),
        _ => host.to_string(),
    }
}

// ---- The public list and month ----

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    community: String,
    kind: String,
    view: String,
    month: String,
    past: String,
}

struct Filters {
    community: Option<String>,
    kind: Option<EventKind>,
}

fn filters(catalog: &CatalogData, q: &ListQuery) -> Filters {
    Filters {
        community: Some(q.community.trim().to_string()).filter(|c| catalog.community(c).is_some()),
        kind: EventKind::from_code(&q.kind),
    }
}

struct MonthItem {
    id: String,
    time: String,
    title: String,
    cancelled: bool,
}

struct DayCell {
    day: u8,
    today: bool,
    items: Vec<MonthItem>,
}

struct DayList {
    label: String,
    items: Vec<MonthItem>,
}

struct MonthView {
    title: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<DayCell>>,
    days: Vec<DayList>,
    previous: String,
    next: String,
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    c: Chrome,
    communities: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    community: String,
    kind: String,
    /// "month" or "" (the list).
    view: &'static str,
    month_code: String,
    past: bool,
    cards: Vec<Card>,
    month: Option<MonthView>,
    past_link: String,
    upcoming_link: String,
    month_link: String,
    feed_link: String,
}

async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Query(q): Query<ListQuery>,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return page_error(lang, err),
    };
    let f = filters(&catalog, &q);
    let community = f.community.clone().unwrap_or_default();
    let kind = f.kind.map(EventKind::code).unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let today = state.local_date(now);
    let is_month = q.view == "month";
    let (year, month) = model::parse_month(&q.month).unwrap_or((today.year(), today.month()));
    let month_code = model::month_code(year, month);
    let past = !is_month && !q.past.is_empty();
    let link = |pairs: &[(&str, &str)]| {
        let mut all = vec![("community", community.as_str()), ("kind", kind)];
        all.extend_from_slice(pairs);
        let qs = query_string(&all);
        if qs.is_empty() {
            "/events".to_string()
        } else {
            format!("/events?{qs}")
        }
    };
    let here = if is_month {
        link(&[("view", "month"), ("month", &month_code)])
    } else if past {
        link(&[("past", "1")])
    } else {
        link(&[])
    };
    let mut cards = Vec::new();
    let mut month_view = None;
    if is_month {
        let rows = match service::month(&state, year, month, f.community.as_deref(), f.kind).await {
            Ok(rows) => rows,
            Err(err) => return page_error(lang, err),
        };
        let item = |e: &EventRow| MonthItem {
            id: e.id.to_string(),
            time: hm(&state, e.starts_at),
            title: e.title.clone(),
            cancelled: e.status == EventStatus::Cancelled,
        };
        let on = |d: Date| {
            rows.iter()
                .filter(|e| state.local_date(e.starts_at) == d)
                .map(item)
                .collect::<Vec<_>>()
        };
        let weeks = model::month_grid(year, month)
            .into_iter()
            .map(|week| {
                week.into_iter()
                    .map(|d| match d {
                        Some(d) => DayCell {
                            day: d.day(),
                            today: d == today,
                            items: on(d),
                        },
                        None => DayCell {
                            day: 0,
                            today: false,
                            items: Vec::new(),
                        },
                    })
                    .collect()
            })
            .collect();
        let mut days = Vec::new();
        for day in 1..=month.length(year) {
            if let Ok(d) = Date::from_calendar_date(year, month, day) {
                let items = on(d);
                if !items.is_empty() {
                    days.push(DayList {
                        label: format!(
                            "{}, {:02}.{:02}.{}",
                            lang.t(&format!(
                                "events-weekday-{}",
                                d.weekday().number_from_monday()
                            )),
                            d.day(),
                            u8::from(d.month()),
                            d.year()
                        ),
                        items,
                    });
                }
            }
        }
        let ((py, pm), (ny, nm)) = model::neighbour_months(year, month);
        month_view = Some(MonthView {
            title: format!(
                "{} {year}",
                lang.t(&format!("events-month-{}", u8::from(month)))
            ),
            weekdays: (1..=7)
                .map(|d| lang.t(&format!("events-weekday-short-{d}")))
                .collect(),
            weeks,
            days,
            previous: link(&[("view", "month"), ("month", &model::month_code(py, pm))]),
            next: link(&[("view", "month"), ("month", &model::month_code(ny, nm))]),
        });
    } else {
        let rows = if past {
            service::past(&state, f.community.as_deref(), f.kind).await
        } else {
            service::upcoming(&state, f.community.as_deref(), f.kind).await
        };
        match rows {
            Ok(rows) => {
                cards = rows
                    .iter()
                    .map(|e| card(&state, &catalog, lang, e))
                    .collect()
            }
            Err(err) => return page_error(lang, err),
        }
    }
    let feed_qs = query_string(&[("community", community.as_str()), ("kind", kind)]);
    let page = ListPage {
        c: Chrome::new(
            lang,
            &here,
            if past {
                "events-past-title"
            } else {
                "events-title"
            },
        )
        .nav("dialogue"),
        communities: catalog.community_choices(lang),
        kinds: kinds(lang),
        community: community.clone(),
        kind: kind.to_string(),
        view: if is_month { "month" } else { "" },
        month_code: month_code.clone(),
        past,
        cards,
        month: month_view,
        past_link: link(&[("past", "1")]),
        upcoming_link: link(&[]),
        month_link: link(&[("view", "month"), ("month", &month_code)]),
        feed_link: if feed_qs.is_empty() {
            "/events.ics".to_string()
        } else {
            format!("/events.ics?{feed_qs}")
        },
    };
    render(StatusCode::OK, &page)
}

// ---- iCalendar ----

fn entry<'a>(catalog: &CatalogData, lang: Lang, e: &'a EventRow) -> ics::Entry<'a> {
    let languages = e
        .languages
        .split_whitespace()
        .map(|l| lang.t(&format!("events-language-{l}")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut description = format!(
        "{}\n{}: {}\n{}: {}",
        lang.t(&e.kind.message_key()),
        lang.t("events-field-organizers"),
        e.organizers,
        lang.t("events-field-languages"),
        languages
    );
    if !e.description.is_empty() {
        description.push_str("\n\n");
        description.push_str(&e.description);
    }
    ics::Entry {
        event: e,
        description,
        location: format!(
            "{}, {}",
            e.place,
            community_name(catalog, lang, e.community_code.as_deref())
        ),
    }
}

fn calendar_response(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn feed(
    State(state): State<AppState>,
    Locale(lang): Locale,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return page_error(lang, err),
    };
    let f = filters(&catalog, &q);
    let rows = match service::feed(&state, f.community.as_deref(), f.kind).await {
        Ok(rows) => rows,
        Err(err) => return page_error(lang, err),
    };
    let base = base_url(&state, &headers);
    let entries: Vec<_> = rows.iter().map(|e| entry(&catalog, lang, e)).collect();
    let name = format!("{} — {}", state.platform_name(lang), lang.t("events-title"));
    calendar_response(
        ics::calendar(&name, &base, &host_of(&base), &entries),
        "events.ics",
    )
}

async fn one_ics(state: &AppState, lang: Lang, headers: &HeaderMap, id: &str) -> Response {
    let (catalog, found) = match (
        state.catalog.get(&state.db).await,
        service::event(state, id).await,
    ) {
        (Ok(c), Ok(found)) => (c, found),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let base = base_url(state, headers);
    let event = found.0;
    calendar_response(
        ics::calendar(
            &event.title,
            &base,
            &host_of(&base),
            &[entry(&catalog, lang, &event)],
        ),
        &format!("event-{}.ics", event.id),
    )
}

async fn event_ics(
    State(state): State<AppState>,
    Locale(lang): Locale,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    one_ics(&state, lang, &headers, &id).await
}

// ---- An event's page and registration ----

struct EventView {
    id: String,
    title: String,
    kind: String,
    community: String,
    when: String,
    place: String,
    organizers: String,
    languages: Vec<String>,
    paragraphs: Vec<String>,
    cancelled: bool,
    seats: Option<String>,
    attendance: Option<i64>,
    minutes: Vec<String>,
    decisions: Vec<String>,
    is_reception: bool,
    held: bool,
}

fn event_view(
    state: &AppState,
    catalog: &CatalogData,
    lang: Lang,
    e: &EventRow,
    decisions: &[DecisionRow],
) -> EventView {
    EventView {
        id: e.id.to_string(),
        title: e.title.clone(),
        kind: lang.t(&e.kind.message_key()),
        community: community_name(catalog, lang, e.community_code.as_deref()),
        when: when(state, e),
        place: e.place.clone(),
        organizers: e.organizers.clone(),
        languages: e
            .languages
            .split_whitespace()
            .map(|l| lang.t(&format!("events-language-{l}")))
            .collect(),
        paragraphs: model::paragraphs(&e.description),
        cancelled: e.status == EventStatus::Cancelled,
        seats: e
            .capacity
            .filter(|_| {
                e.starts_at > OffsetDateTime::now_utc() && e.status != EventStatus::Cancelled
            })
            .map(|_| seats(lang, e)),
        attendance: e.attendance,
        minutes: e
            .minutes
            .as_deref()
            .map(model::paragraphs)
            .unwrap_or_default(),
        decisions: decisions.iter().map(|d| d.text.clone()).collect(),
        is_reception: e.kind == EventKind::JointReception,
        held: e.starts_at <= OffsetDateTime::now_utc() && e.status != EventStatus::Cancelled,
    }
}

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    c: Chrome,
    e: EventView,
    /// Why registration is closed (a message), or None with the form.
    closed: Option<String>,
    csrf: String,
    form_token: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

async fn show_event(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    id: &str,
    input: RegistrationInput,
    errors: &[FieldError],
) -> Response {
    let (catalog, (event, decisions)) = match (
        state.catalog.get(&state.db).await,
        service::event(state, id).await,
    ) {
        (Ok(c), Ok(found)) => (c, found),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let closed = service::closed_reason(&event, OffsetDateTime::now_utc()).map(|k| lang.t(k));
    let mut c = Chrome::new(lang, &format!("/events/{}", event.id), "events-title").nav("dialogue");
    c.title = event.title.clone();
    let page = EventPage {
        c,
        e: event_view(state, &catalog, lang, &event, &decisions),
        closed,
        csrf,
        form_token: if input.form_token.trim().is_empty() {
            crate::dialogue::new_link_token()
        } else {
            input.form_token.trim().to_string()
        },
        name: input.name,
        email: input.email,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn event_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(id) = id.strip_suffix(".ics") {
        return one_ics(&state, lang, &headers, id).await;
    }
    show_event(&state, lang, jar, &id, RegistrationInput::default(), &[]).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    csrf: String,
    name: String,
    email: String,
    form_token: String,
}

#[derive(Template)]
#[template(path = "events/registered.html")]
struct RegisteredPage {
    c: Chrome,
    event_id: String,
    title: String,
    when: String,
    confirmed: bool,
    position: i64,
    repeated: bool,
    cancel_link: Option<String>,
    emailed: bool,
}

async fn register(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RegisterForm>,
) -> Response {
    let input = RegistrationInput {
        name: form.name,
        email: form.email,
        form_token: form.form_token,
    };
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::register(&state, lang, &id, &input).await
    } else {
        Err(AppError::field("name", "form-expired"))
    };
    match result {
        Ok(done) => {
            let (status, position, repeated) = match done.outcome {
                RegisterOutcome::Stored { status, position } => (status, position, false),
                RegisterOutcome::Repeated { status, position } => (status, position, true),
                RegisterOutcome::Refused(_) => (RegistrationStatus::Cancelled, 0, false),
            };
            let base = base_url(&state, &headers);
            let mut c = Chrome::new(
                lang,
                &format!("/events/{}", done.event.id),
                "events-registered-title",
            )
            .nav("dialogue");
            // The link is shown once: switching the language would lose it.
            c.show_lang_switch = false;
            let page = RegisteredPage {
                c,
                event_id: done.event.id.to_string(),
                title: done.event.title.clone(),
                when: when(&state, &done.event),
                confirmed: status == RegistrationStatus::Confirmed,
                position,
                repeated,
                cancel_link: done
                    .token
                    .map(|t| format!("{base}/events/registrations/{t}")),
                emailed: done.emailed,
            };
            let mut response = render(StatusCode::OK, &page);
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(AppError::Validation(errors)) => {
            show_event(&state, lang, jar, &id, input, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "events/registration.html")]
struct RegistrationPage {
    c: Chrome,
    csrf: String,
    event_id: String,
    title: String,
    when: String,
    status: &'static str,
    status_label: String,
    position: i64,
    can_cancel: bool,
    just_cancelled: bool,
}

async fn show_registration(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    token: &str,
    just_cancelled: bool,
) -> Response {
    let (reg, event) = match service::registration(state, token).await {
        Ok(found) => found,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let mut c = Chrome::new(lang, "/events", "events-registration-title").nav("dialogue");
    c.show_lang_switch = false;
    let page = RegistrationPage {
        c,
        csrf,
        event_id: event.id.to_string(),
        title: event.title.clone(),
        when: when(state, &event),
        status: reg.status.code(),
        status_label: lang.t(&format!("events-status-{}", reg.status.code())),
        position: reg.position,
        can_cancel: reg.status != RegistrationStatus::Cancelled
            && event.starts_at > OffsetDateTime::now_utc(),
        just_cancelled,
    };
    let mut response = (jar, render(StatusCode::OK, &page)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn registration_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    show_registration(&state, lang, jar, &token, false).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn cancel_registration(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return show_registration(&state, lang, jar, &token, false).await;
    }
    match service::cancel_registration(&state, &token).await {
        Ok(_) => show_registration(&state, lang, jar, &token, true).await,
        Err(err) => page_error(lang, err),
    }
}

// ---- Staff ----

struct StaffLine {
    id: String,
    title: String,
    kind: String,
    community: String,
    when: String,
    cancelled: bool,
    capacity: String,
    confirmed: i64,
    waiting: i64,
    editable: bool,
}

#[derive(Template)]
#[template(path = "events/staff_list.html")]
struct StaffListPage {
    c: Chrome,
    can_create: bool,
    lines: Vec<StaffLine>,
}

async fn staff_list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let (rows, catalog) = match (
        service::all(&state, &staff).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let page = StaffListPage {
        c: Chrome::new(lang, "/staff/events", "events-staff-title")
            .staff(&staff.user, &csrf)
            .nav("dialogue"),
        can_create: staff.require(service::MANAGERS).is_ok(),
        lines: rows
            .iter()
            .map(|e| StaffLine {
                id: e.id.to_string(),
                title: e.title.clone(),
                kind: lang.t(&e.kind.message_key()),
                community: community_name(&catalog, lang, e.community_code.as_deref()),
                when: when(&state, e),
                cancelled: e.status == EventStatus::Cancelled,
                capacity: e
                    .capacity
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "—".into()),
                confirmed: e.confirmed,
                waiting: e.waiting,
                editable: service::can_edit(&staff, e),
            })
            .collect(),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

struct DecisionView {
    id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "events/edit.html")]
struct EditPage {
    c: Chrome,
    csrf: String,
    action: String,
    id: String,
    kinds: Vec<(&'static str, String)>,
    communities: Vec<(String, String)>,
    languages: Vec<(&'static str, String, bool)>,
    v: EventInput,
    after: AfterInput,
    decisions: Vec<DecisionView>,
    new_decision: String,
    cancelled: bool,
    registrations: String,
    saved: bool,
    errors: FieldErrors,
}

fn input_of(state: &AppState, e: &EventRow) -> EventInput {
    let has = |code: &str| {
        if e.languages.split_whitespace().any(|l| l == code) {
            "yes".to_string()
        } else {
            String::new()
        }
    };
    EventInput {
        kind: e.kind.code().to_string(),
        title: e.title.clone(),
        description: e.description.clone(),
        community: e.community_code.clone().unwrap_or_default(),
        place: e.place.clone(),
        starts_at: state.local_input_value(e.starts_at),
        ends_at: state.local_input_value(e.ends_at),
        organizers: e.organizers.clone(),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        lang_uk: has("uk"),
        lang_ru: has("ru"),
        lang_en: has("en"),
        lang_sign: has("sign"),
    }
}

/// What the edit page shows besides the event's own form.
#[derive(Default)]
struct EditExtras {
    after: Option<AfterInput>,
    new_decision: String,
    saved: bool,
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: Option<&str>,
    input: Option<EventInput>,
    extras: EditExtras,
    errors: &[FieldError],
) -> Response {
    if let Err(err) = staff.require(service::MANAGERS) {
        return page_error(lang, err);
    }
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return page_error(lang, err),
    };
    let existing = match id {
        Some(id) => match service::for_staff(state, staff, id).await {
            Ok((event, decisions)) if service::can_edit(staff, &event) => Some((event, decisions)),
            Ok(_) => return page_error(lang, AppError::Forbidden),
            Err(err) => return page_error(lang, err),
        },
        None => None,
    };
    let (jar, csrf) = csrf::token(state, jar);
    let (path, action) = match &existing {
        Some((e, _)) => (
            format!("/staff/events/{}", e.id),
            format!("/staff/events/{}", e.id),
        ),
        None => ("/staff/events/new".to_string(), "/staff/events".to_string()),
    };
    let v = match (input, &existing) {
        (Some(input), _) => input,
        (None, Some((e, _))) => input_of(state, e),
        (None, None) => EventInput {
            kind: EventKind::RoundTable.code().to_string(),
            lang_uk: "yes".into(),
            ..Default::default()
        },
    };
    let after = extras.after.unwrap_or_else(|| match &existing {
        Some((e, _)) => AfterInput {
            attendance: e.attendance.map(|a| a.to_string()).unwrap_or_default(),
            minutes: e.minutes.clone().unwrap_or_default(),
        },
        None => AfterInput::default(),
    });
    let page = EditPage {
        c: Chrome::new(
            lang,
            &path,
            if existing.is_some() {
                "events-edit-title"
            } else {
                "events-new-title"
            },
        )
        .staff(&staff.user, &csrf)
        .nav("dialogue"),
        csrf,
        action,
        id: existing
            .as_ref()
            .map(|(e, _)| e.id.to_string())
            .unwrap_or_default(),
        kinds: kinds(lang),
        communities: catalog.community_choices(lang),
        languages: LANGUAGES
            .into_iter()
            .map(|l| {
                (
                    l,
                    lang.t(&format!("events-language-{l}")),
                    v.language_ticked(l),
                )
            })
            .collect(),
        after,
        decisions: existing
            .as_ref()
            .map(|(_, d)| {
                d.iter()
                    .map(|d| DecisionView {
                        id: d.id.to_string(),
                        text: d.text.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        new_decision: extras.new_decision,
        cancelled: existing
            .as_ref()
            .is_some_and(|(e, _)| e.status == EventStatus::Cancelled),
        registrations: existing
            .as_ref()
            .map(|(e, _)| {
                use fluent_templates::fluent_bundle::FluentValue;
                lang.t_args(
                    "events-registrations-count",
                    &[
                        ("confirmed", FluentValue::from(e.confirmed)),
                        ("waiting", FluentValue::from(e.waiting)),
                    ],
                )
            })
            .unwrap_or_default(),
        v,
        saved: extras.saved,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn new_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    edit_page(
        &state,
        lang,
        jar,
        &staff,
        None,
        None,
        EditExtras::default(),
        &[],
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn edit_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let extras = EditExtras {
        saved: q.saved.is_some(),
        ..Default::default()
    };
    edit_page(&state, lang, jar, &staff, Some(&id), None, extras, &[]).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EventForm {
    csrf: String,
    #[serde(flatten)]
    input: EventInput,
}

async fn save_event(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    staff: &Staff,
    id: Option<&str>,
    form: EventForm,
) -> Response {
    let result = if !csrf::verify(state, &jar, headers, &form.csrf) {
        Err(AppError::field("title", "form-expired"))
    } else {
        match id {
            Some(id) => service::update(state, staff, id, &form.input).await,
            None => service::create(state, staff, &form.input).await,
        }
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/events/{id}?saved=1")).into_response(),
        Err(AppError::Validation(errors)) => {
            edit_page(
                state,
                lang,
                jar,
                staff,
                id,
                Some(form.input),
                EditExtras::default(),
                &errors,
            )
            .await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn create(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<EventForm>,
) -> Response {
    save_event(&state, lang, jar, &headers, &staff, None, form).await
}

async fn update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<EventForm>,
) -> Response {
    save_event(&state, lang, jar, &headers, &staff, Some(&id), form).await
}

async fn cancel_event(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return edit_page(
            &state,
            lang,
            jar,
            &staff,
            Some(&id),
            None,
            EditExtras::default(),
            &[FieldError::new("title", "form-expired")],
        )
        .await;
    }
    match service::cancel(&state, &staff, &id).await {
        Ok(_) => Redirect::to(&format!("/staff/events/{}?saved=1", id.trim())).into_response(),
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AfterForm {
    csrf: String,
    #[serde(flatten)]
    input: AfterInput,
}

async fn save_after(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<AfterForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::save_after(&state, &staff, &id, &form.input).await
    } else {
        Err(AppError::field("attendance", "form-expired"))
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/events/{id}?saved=1#after")).into_response(),
        Err(AppError::Validation(errors)) => {
            let extras = EditExtras {
                after: Some(form.input),
                ..Default::default()
            };
            edit_page(&state, lang, jar, &staff, Some(&id), None, extras, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    csrf: String,
    text: String,
    /// "remove" removes; anything else saves the text.
    action: String,
}

async fn add_decision(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::add_decision(&state, &staff, &id, &form.text).await
    } else {
        Err(AppError::field("decision", "form-expired"))
    };
    decision_answer(&state, lang, jar, &staff, &id, result, form.text).await
}

async fn decision_answer(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: &str,
    result: Result<uuid::Uuid, AppError>,
    text: String,
) -> Response {
    match result {
        Ok(id) => Redirect::to(&format!("/staff/events/{id}?saved=1#decisions")).into_response(),
        Err(AppError::Validation(errors)) => {
            let extras = EditExtras {
                new_decision: text,
                ..Default::default()
            };
            edit_page(state, lang, jar, staff, Some(id), None, extras, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn change_decision(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::change_decision(
            &state,
            &staff,
            &id,
            &decision,
            &form.text,
            form.action == "remove",
        )
        .await
    } else {
        Err(AppError::field("decision", "form-expired"))
    };
    decision_answer(&state, lang, jar, &staff, &id, result, String::new()).await
}

struct RegistrationLine {
    number: usize,
    name: String,
    email: String,
    status: &'static str,
    status_label: String,
    position: i64,
    at: String,
    promoted: String,
}

#[derive(Template)]
#[template(path = "events/registrations.html")]
struct RegistrationsPage {
    c: Chrome,
    event_id: String,
    title: String,
    when: String,
    capacity: String,
    confirmed: i64,
    waiting: i64,
    cancelled: usize,
    names: bool,
    can_edit: bool,
    lines: Vec<RegistrationLine>,
}

async fn staff_registrations(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let (event, regs, names) = match service::registrations(&state, &staff, &id).await {
        Ok(found) => found,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let page = RegistrationsPage {
        c: Chrome::new(
            lang,
            &format!("/staff/events/{}/registrations", event.id),
            "events-registrations-title",
        )
        .staff(&staff.user, &csrf)
        .nav("dialogue"),
        event_id: event.id.to_string(),
        title: event.title.clone(),
        when: when(&state, &event),
        capacity: event
            .capacity
            .map(|c| c.to_string())
            .unwrap_or_else(|| "—".into()),
        confirmed: event.confirmed,
        waiting: event.waiting,
        cancelled: regs
            .iter()
            .filter(|r| r.status == RegistrationStatus::Cancelled)
            .count(),
        names,
        can_edit: names,
        lines: if names {
            regs.iter()
                .enumerate()
                .map(|(i, r)| RegistrationLine {
                    number: i + 1,
                    name: r.name.clone().unwrap_or_default(),
                    email: r.email.clone().unwrap_or_default(),
                    status: r.status.code(),
                    status_label: lang.t(&format!("events-status-{}", r.status.code())),
                    position: r.position,
                    at: state.format_local(r.created_at),
                    promoted: r
                        .promoted_at
                        .or(r.cancelled_at)
                        .map(|at| state.format_local(at))
                        .unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_addresses() {
        assert_eq!(host_of("https://dn.example.org"), "dn.example.org");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:80/x"), "[::1]");
    }
}
