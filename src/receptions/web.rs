//! Pages of joint receptions: the list and a reception's slots with the booking form (public),
//! the booking's own page behind its link, and the staff's page of slots and bookings.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use super::model::{BookingInput, SeriesInput};
use super::service::{self, OpenedBooking};
use super::store::{BookingRow, ReceptionRow, SlotRow};
use crate::accounts::Staff;
use crate::catalog::CatalogData;
use crate::error::{AppError, FieldError, parse_id};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, render};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/receptions", get(list))
        .route("/receptions/{id}", get(reception).post(book))
        .route("/bookings/{token}", get(booking).post(cancel))
        .route("/staff/receptions", get(staff_list))
        .route("/staff/receptions/{id}", get(staff_reception))
        .route("/staff/receptions/{id}/slots", post(add_slots))
        .route(
            "/staff/receptions/{id}/slots/{slot}/withdraw",
            post(withdraw),
        )
        .route(
            "/staff/receptions/{id}/bookings/{booking}/cancel",
            post(staff_cancel),
        )
}

/// A reception as a line of a list.
struct Line {
    id: String,
    title: String,
    community: String,
    place: String,
    when: String,
    cancelled: bool,
    free: i64,
    slots: i64,
}

fn community_name(catalog: &CatalogData, lang: Lang, code: Option<&str>) -> String {
    code.map_or_else(
        || lang.t("reception-whole-region"),
        |code| catalog.community_name(lang, code),
    )
}

fn line(state: &AppState, lang: Lang, catalog: &CatalogData, r: &ReceptionRow) -> Line {
    Line {
        id: r.id.to_string(),
        title: r.title.clone(),
        community: community_name(catalog, lang, r.community_code.as_deref()),
        place: r.place.clone(),
        when: state.format_local_span(r.starts_at, r.ends_at),
        cancelled: r.cancelled,
        free: r.slots - r.booked,
        slots: r.slots,
    }
}

#[derive(Template)]
#[template(path = "receptions/list.html")]
struct ListPage {
    c: Chrome,
    lines: Vec<Line>,
    past: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    past: String,
}

async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ListQuery>,
) -> Response {
    let past = !q.past.is_empty();
    let found = match state.catalog.get(&state.db).await {
        Ok(catalog) => service::receptions(&state, past)
            .await
            .map(|rows| (catalog, rows)),
        Err(err) => Err(err),
    };
    match found {
        Ok((catalog, rows)) => render(
            StatusCode::OK,
            &ListPage {
                c: Chrome::new(lang, &here(&uri), "reception-title").nav("dialogue"),
                lines: rows
                    .iter()
                    .map(|r| line(&state, lang, &catalog, r))
                    .collect(),
                past,
            },
        ),
        Err(err) => page_error(lang, err),
    }
}

/// A slot as a choice on the booking form or a line of the staff's table.
struct Slot {
    id: String,
    time: String,
    official: String,
    free: bool,
    withdrawn: bool,
    past: bool,
}

fn slot(state: &AppState, s: &SlotRow, now: time::OffsetDateTime) -> Slot {
    let end = state.format_local(s.ends_at);
    Slot {
        id: s.id.to_string(),
        time: format!(
            "{}–{}",
            state.format_local(s.starts_at),
            end.split_once(' ').map(|(_, t)| t).unwrap_or(&end)
        ),
        official: s.official.clone(),
        free: !s.booked && !s.withdrawn && s.starts_at > now,
        withdrawn: s.withdrawn,
        past: s.starts_at <= now,
    }
}

#[derive(Template)]
#[template(path = "receptions/reception.html")]
struct ReceptionPage {
    c: Chrome,
    r: Line,
    description: String,
    organizers: String,
    open: Vec<Slot>,
    csrf: String,
    v: BookingInput,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
fn reception_page(
    state: &AppState,
    lang: Lang,
    catalog: &CatalogData,
    jar: CookieJar,
    found: service::ReceptionPage,
    v: BookingInput,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let now = time::OffsetDateTime::now_utc();
    let r = &found.reception;
    let mut c =
        Chrome::new(lang, &format!("/receptions/{}", r.id), "reception-title").nav("dialogue");
    c.title = r.title.clone();
    let v = BookingInput {
        // Every showing of the form is a new submission; a retry resends the same token.
        form_token: if v.form_token.is_empty() {
            crate::dialogue::new_link_token()
        } else {
            v.form_token
        },
        ..v
    };
    let open = if r.cancelled {
        Vec::new()
    } else {
        found
            .slots
            .iter()
            .map(|s| slot(state, s, now))
            .filter(|s| s.free)
            .collect()
    };
    let view = ReceptionPage {
        c,
        r: line(state, lang, catalog, r),
        description: r.description.clone(),
        organizers: r.organizers.clone(),
        open,
        csrf,
        v,
        errors: FieldErrors::new(lang, errors),
    };
    (jar, render(status, &view)).into_response()
}

/// The catalog (for communities' names) and the reception with its slots.
async fn reload(
    state: &AppState,
    id: Uuid,
) -> Result<(std::sync::Arc<CatalogData>, service::ReceptionPage), AppError> {
    let catalog = state.catalog.get(&state.db).await?;
    Ok((catalog, service::reception(state, id).await?))
}

async fn reception(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let found = match (parse_id(&id), state.catalog.get(&state.db).await) {
        (Ok(id), Ok(catalog)) => service::reception(&state, id)
            .await
            .map(|found| (catalog, found)),
        (Err(err), _) | (_, Err(err)) => Err(err),
    };
    match found {
        Ok((catalog, found)) => reception_page(
            &state,
            lang,
            &catalog,
            jar,
            found,
            BookingInput::default(),
            &[],
            StatusCode::OK,
        ),
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct BookingForm {
    csrf: String,
    #[serde(flatten)]
    input: BookingInput,
}

#[derive(Template)]
#[template(path = "receptions/booking.html")]
struct BookingPage {
    c: Chrome,
    b: BookingLine,
    /// Shown right after booking only: the link to keep.
    link: Option<String>,
    just_booked: bool,
    just_cancelled: bool,
    csrf: String,
    token: String,
}

struct BookingLine {
    reception_id: String,
    title: String,
    place: String,
    time: String,
    official: String,
    cancelled: bool,
    past: bool,
}

fn booking_line(state: &AppState, b: &BookingRow) -> BookingLine {
    BookingLine {
        reception_id: b.event_id.to_string(),
        title: b.title.clone(),
        place: b.place.clone(),
        time: state.format_local_span(b.starts_at, b.ends_at),
        official: b.official.clone(),
        cancelled: b.cancelled,
        past: b.starts_at <= time::OffsetDateTime::now_utc(),
    }
}

async fn book(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<BookingForm>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return page_error(lang, err),
    };
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::book(&state, id, &form.input, lang).await
    } else {
        Err(AppError::field("form", "form-expired"))
    };
    match result {
        Ok(done) => {
            let (jar, csrf) = csrf::token(&state, jar);
            let link = done.token.as_ref().map(|t| {
                crate::notify::model::link(
                    state.config.public_url.as_deref(),
                    &format!("/bookings/{t}"),
                )
            });
            let view = BookingPage {
                c: Chrome::new(lang, "/receptions", "reception-booked-title").nav("dialogue"),
                b: booking_line(&state, &done.booking),
                link,
                just_booked: true,
                just_cancelled: false,
                csrf,
                token: done.token.unwrap_or_default(),
            };
            (jar, render(StatusCode::OK, &view)).into_response()
        }
        Err(AppError::Validation(errors)) => match reload(&state, id).await {
            Ok((catalog, found)) => reception_page(
                &state,
                lang,
                &catalog,
                jar,
                found,
                form.input,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(err) => page_error(lang, err),
        },
        Err(err) => page_error(lang, err),
    }
}

fn booking_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    b: &BookingRow,
    token: &str,
    just_cancelled: bool,
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let view = BookingPage {
        // The token stays out of the language switch's link: the page is reached by its link.
        c: Chrome::new(lang, "/receptions", "reception-booking-title").nav("dialogue"),
        b: booking_line(state, b),
        link: None,
        just_booked: false,
        just_cancelled,
        csrf,
        token: token.to_string(),
    };
    (jar, render(StatusCode::OK, &view)).into_response()
}

async fn booking(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match service::booking_by_token(&state, &token).await {
        Ok(b) => booking_page(&state, lang, jar, &b, &token, false),
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn cancel(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return crate::http::page::error_page(lang, StatusCode::FORBIDDEN, "form-expired");
    }
    match service::cancel_by_token(&state, &token).await {
        Ok(b) => booking_page(&state, lang, jar, &b, &token, true),
        Err(err) => page_error(lang, err),
    }
}

// ---- Staff ----

#[derive(Template)]
#[template(path = "receptions/staff_list.html")]
struct StaffListPage {
    c: Chrome,
    lines: Vec<Line>,
    past: bool,
}

async fn staff_list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ListQuery>,
) -> Response {
    let past = !q.past.is_empty();
    let (catalog, rows) = match state.catalog.get(&state.db).await {
        Ok(catalog) => match service::receptions(&state, past).await {
            Ok(rows) => (catalog, rows),
            Err(err) => return page_error(lang, err),
        },
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let view = StaffListPage {
        c: Chrome::new(lang, &here(&uri), "reception-title")
            .staff(&staff.user, &csrf)
            .nav("dialogue"),
        lines: rows
            .iter()
            .map(|r| line(&state, lang, &catalog, r))
            .collect(),
        past,
    };
    (jar, render(StatusCode::OK, &view)).into_response()
}

struct StaffBooking {
    id: String,
    time: String,
    official: String,
    name: String,
    email: String,
    topic: String,
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "receptions/staff_reception.html")]
struct StaffReceptionPage {
    c: Chrome,
    r: Line,
    can_manage: bool,
    slots: Vec<Slot>,
    bookings: Vec<StaffBooking>,
    csrf: String,
    v: SeriesInput,
    errors: FieldErrors,
    notice: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    done: String,
}

#[allow(clippy::too_many_arguments)]
async fn staff_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: Uuid,
    v: SeriesInput,
    errors: &[FieldError],
    notice: &str,
) -> Response {
    let (catalog, found) = match reload(state, id).await {
        Ok(found) => found,
        Err(err) => return page_error(lang, err),
    };
    let can_manage = service::may_manage(staff, &found.reception);
    let bookings: Vec<OpenedBooking> = if can_manage {
        match service::bookings(state, staff, &found.reception).await {
            Ok(b) => b,
            Err(err) => return page_error(lang, err),
        }
    } else {
        Vec::new()
    };
    let now = time::OffsetDateTime::now_utc();
    let (jar, csrf) = csrf::token(state, jar);
    let r = &found.reception;
    let mut c = Chrome::new(lang, &format!("/staff/receptions/{id}"), "reception-title")
        .staff(&staff.user, &csrf)
        .nav("dialogue");
    c.title = r.title.clone();
    let notice = match notice {
        "slots" => lang.t("reception-notice-slots"),
        "withdrawn" => lang.t("reception-notice-withdrawn"),
        "cancelled" => lang.t("reception-notice-cancelled"),
        _ => String::new(),
    };
    let view = StaffReceptionPage {
        c,
        r: line(state, lang, &catalog, r),
        can_manage,
        slots: found.slots.iter().map(|s| slot(state, s, now)).collect(),
        bookings: bookings
            .into_iter()
            .map(|b| StaffBooking {
                id: b.row.id.to_string(),
                time: state.format_local_span(b.row.starts_at, b.row.ends_at),
                official: b.row.official.clone(),
                name: b.name,
                email: b.email,
                topic: b.topic,
                cancelled: b.row.cancelled,
            })
            .collect(),
        csrf,
        v,
        errors: FieldErrors::new(lang, errors),
        notice,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &view)).into_response()
}

async fn staff_reception(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => {
            staff_page(
                &state,
                lang,
                jar,
                &staff,
                id,
                SeriesInput::default(),
                &[],
                &q.done,
            )
            .await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SeriesForm {
    csrf: String,
    #[serde(flatten)]
    input: SeriesInput,
}

async fn add_slots(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<SeriesForm>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return page_error(lang, err),
    };
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        match service::reception(&state, id).await {
            Ok(found) => service::add_slots(&state, &staff, &found.reception, &form.input).await,
            Err(err) => Err(err),
        }
    } else {
        Err(AppError::field("starts_at", "form-expired"))
    };
    match result {
        Ok(_) => Redirect::to(&format!("/staff/receptions/{id}?done=slots")).into_response(),
        Err(AppError::Validation(errors)) => {
            staff_page(&state, lang, jar, &staff, id, form.input, &errors, "").await
        }
        Err(AppError::Conflict(key)) => {
            let errors = [FieldError::new("starts_at", key)];
            staff_page(&state, lang, jar, &staff, id, form.input, &errors, "").await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn withdraw(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, slot)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (Ok(id), Ok(slot)) = (parse_id(&id), parse_id(&slot)) else {
        return page_error(lang, AppError::NotFound);
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return crate::http::page::error_page(lang, StatusCode::FORBIDDEN, "form-expired");
    }
    let result = match service::reception(&state, id).await {
        Ok(found) => service::withdraw_slot(&state, &staff, &found.reception, slot).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/receptions/{id}?done=withdrawn")).into_response(),
        Err(AppError::Conflict(key)) => {
            let errors = [FieldError::new("slots", key)];
            staff_page(
                &state,
                lang,
                jar,
                &staff,
                id,
                SeriesInput::default(),
                &errors,
                "",
            )
            .await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn staff_cancel(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, booking)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (Ok(id), Ok(booking)) = (parse_id(&id), parse_id(&booking)) else {
        return page_error(lang, AppError::NotFound);
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return crate::http::page::error_page(lang, StatusCode::FORBIDDEN, "form-expired");
    }
    let result = match service::reception(&state, id).await {
        Ok(found) => service::cancel_by_staff(&state, &staff, &found.reception, booking).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/receptions/{id}?done=cancelled")).into_response(),
        Err(err) => page_error(lang, err),
    }
}
