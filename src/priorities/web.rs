//! Pages of priorities: the public list, the proposal form, a priority with its support form,
//! the confirmation link, and the coordinators' moderation and round-table decisions.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use super::model::{DecisionInput, PriorityStatus, ProposalInput};
use super::service;
use super::store::PriorityRow;
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, error_page, here, page_error, render};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/priorities", get(list).post(create))
        .route("/priorities/new", get(new_form))
        .route("/priorities/thanks", get(thanks))
        .route(
            "/priorities/confirm/{token}",
            get(confirm_form).post(confirm),
        )
        .route("/priorities/{id}", get(show))
        .route("/priorities/{id}/support", post(support))
        .route("/staff/priorities", get(staff_list))
        .route("/staff/priorities/{id}", get(staff_show))
        .route("/staff/priorities/{id}/moderate", post(moderate))
        .route("/staff/priorities/{id}/decide", post(decide))
}

fn priority_error(lang: Lang, err: AppError) -> Response {
    match err {
        AppError::Conflict(key) => error_page(lang, StatusCode::CONFLICT, key),
        other => page_error(lang, other),
    }
}

/// A priority as a page shows it.
pub struct Shown {
    pub id: String,
    pub title: String,
    pub description: String,
    pub community: String,
    pub status_code: &'static str,
    pub status: String,
    pub open: bool,
    pub supporters: i64,
    pub reason: String,
    pub merged_into: Option<(String, String)>,
    pub event: Option<(String, String)>,
    pub decided_on: String,
    pub proposed_on: String,
}

fn shown(
    state: &AppState,
    lang: Lang,
    catalog: &crate::catalog::CatalogData,
    p: &PriorityRow,
) -> Shown {
    Shown {
        id: p.id.to_string(),
        title: p.title.clone(),
        description: p.description.clone(),
        community: catalog
            .community(&p.community_code)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| p.community_code.clone()),
        status_code: p.status.code(),
        status: lang.t(&format!("priorities-status-{}", p.status.code())),
        open: p.status == PriorityStatus::Open,
        supporters: p.supporters,
        reason: p.reason.clone().unwrap_or_default(),
        merged_into: p
            .merged_into
            .map(|id| (id.to_string(), p.merged_title.clone().unwrap_or_default())),
        event: p
            .event_id
            .map(|id| (id.to_string(), p.event_title.clone().unwrap_or_default())),
        decided_on: p
            .decided_at
            .map(|at| state.format_local_date(at))
            .unwrap_or_default(),
        proposed_on: state.format_local_date(p.created_at),
    }
}

// ---- Public list ----

#[derive(Template)]
#[template(path = "priorities/list.html")]
struct ListPage {
    c: Chrome,
    communities: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    community: String,
    status: String,
    open: Vec<Shown>,
    decided: Vec<Shown>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    community: String,
    status: String,
}

async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ListQuery>,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return page_error(lang, err),
    };
    let community = Some(q.community.trim()).filter(|c| catalog.community(c).is_some());
    let status = PriorityStatus::from_code(q.status.trim()).filter(|s| s.is_public());
    let rows = match service::public_list(&state, community, status).await {
        Ok(rows) => rows,
        Err(err) => return page_error(lang, err),
    };
    let (open, decided): (Vec<_>, Vec<_>) = rows
        .iter()
        .map(|p| shown(&state, lang, &catalog, p))
        .partition(|p| p.open);
    let page = ListPage {
        c: Chrome::new(lang, &here(&uri), "priorities-title").nav("dialogue"),
        communities: catalog.community_choices(lang),
        statuses: PriorityStatus::PUBLIC
            .into_iter()
            .map(|s| (s.code(), lang.t(&format!("priorities-status-{}", s.code()))))
            .collect(),
        community: community.unwrap_or_default().to_string(),
        status: status.map(|s| s.code()).unwrap_or_default().to_string(),
        open,
        decided,
    };
    render(StatusCode::OK, &page)
}

// ---- Proposal ----

#[derive(Template)]
#[template(path = "priorities/new.html")]
struct NewPage {
    c: Chrome,
    csrf: String,
    form_token: String,
    communities: Vec<(String, String)>,
    v: ProposalInput,
    errors: FieldErrors,
}

async fn new_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    input: ProposalInput,
    form_token: String,
    errors: &[FieldError],
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let page = NewPage {
        c: Chrome::new(lang, "/priorities/new", "priorities-new-title").nav("dialogue"),
        csrf,
        form_token,
        communities: catalog.community_choices(lang),
        v: input,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    community: String,
}

async fn new_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Query(q): Query<NewQuery>,
) -> Response {
    let input = ProposalInput {
        community: q.community,
        ..Default::default()
    };
    new_page(
        &state,
        lang,
        jar,
        input,
        crate::dialogue::new_link_token(),
        &[],
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ProposalForm {
    csrf: String,
    form_token: String,
    #[serde(flatten)]
    input: ProposalInput,
}

async fn create(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<ProposalForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::propose(&state, &form.input, &form.form_token).await
    } else {
        Err(AppError::field("title", "form-expired"))
    };
    match result {
        Ok(_) => Redirect::to("/priorities/thanks").into_response(),
        Err(AppError::Validation(errors)) => {
            let token = if form.form_token.trim().len() >= 16 {
                form.form_token
            } else {
                crate::dialogue::new_link_token()
            };
            new_page(&state, lang, jar, form.input, token, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "priorities/thanks.html")]
struct ThanksPage {
    c: Chrome,
}

async fn thanks(Locale(lang): Locale) -> Response {
    render(
        StatusCode::OK,
        &ThanksPage {
            c: Chrome::new(lang, "/priorities/thanks", "priorities-thanks-title").nav("dialogue"),
        },
    )
}

// ---- A priority and its support ----

#[derive(Template)]
#[template(path = "priorities/show.html")]
struct ShowPage {
    c: Chrome,
    csrf: String,
    p: Shown,
    email: String,
    asked: bool,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    asked: String,
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    id: &str,
    email: String,
    asked: bool,
    errors: &[FieldError],
) -> Response {
    let (priority, catalog) = match (
        service::public_priority(state, id).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let p = shown(state, lang, &catalog, &priority);
    let (jar, csrf) = csrf::token(state, jar);
    let mut c =
        Chrome::new(lang, &format!("/priorities/{}", p.id), "priorities-title").nav("dialogue");
    c.title = p.title.clone();
    let page = ShowPage {
        c,
        csrf,
        p,
        email,
        asked,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn show(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    show_page(
        &state,
        lang,
        jar,
        &id,
        String::new(),
        !q.asked.is_empty(),
        &[],
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SupportForm {
    csrf: String,
    email: String,
}

async fn support(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SupportForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::ask_support(&state, lang, &id, &form.email).await
    } else {
        Err(AppError::field("email", "form-expired"))
    };
    match result {
        Ok(()) => Redirect::to(&format!("/priorities/{}?asked=1", id.trim())).into_response(),
        Err(AppError::Validation(errors)) => {
            show_page(&state, lang, jar, &id, form.email, false, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "priorities/confirm.html")]
struct ConfirmPage {
    c: Chrome,
    csrf: String,
    token: String,
    /// ask (show the button), done (counted now), used (confirmed before), invalid
    outcome: &'static str,
    priority: String,
}

async fn confirm_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    token: &str,
    outcome: &'static str,
    priority: String,
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let mut c = Chrome::new(lang, "/priorities", "priorities-confirm-title").nav("dialogue");
    // The token stays out of the language switch's link.
    c.path = "/priorities".into();
    let status = if outcome == "invalid" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = ConfirmPage {
        c,
        csrf,
        token: token.trim().to_string(),
        outcome,
        priority,
    };
    (jar, render(status, &page)).into_response()
}

async fn confirm_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match service::support_link(&state, &token).await {
        Ok(Some(link)) => {
            let outcome = if link.confirmed { "used" } else { "ask" };
            confirm_page(
                &state,
                lang,
                jar,
                &token,
                outcome,
                link.priority_id.to_string(),
            )
            .await
        }
        Ok(None) => confirm_page(&state, lang, jar, "", "invalid", String::new()).await,
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn confirm(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return confirm_page(&state, lang, jar, &token, "ask", String::new()).await;
    }
    match service::confirm_support(&state, &token).await {
        Ok(Some(id)) => confirm_page(&state, lang, jar, "", "done", id.to_string()).await,
        Ok(None) => match service::support_link(&state, &token).await {
            Ok(Some(link)) => {
                confirm_page(&state, lang, jar, "", "used", link.priority_id.to_string()).await
            }
            Ok(None) => confirm_page(&state, lang, jar, "", "invalid", String::new()).await,
            Err(err) => page_error(lang, err),
        },
        Err(err) => page_error(lang, err),
    }
}

// ---- Staff ----

#[derive(Template)]
#[template(path = "priorities/staff_list.html")]
struct StaffListPage {
    c: Chrome,
    csrf: String,
    pending: Vec<Shown>,
    open: Vec<Shown>,
    decided: Vec<Shown>,
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
    let of = |status: &[PriorityStatus]| -> Vec<Shown> {
        let mut picked: Vec<PriorityRow> = rows
            .iter()
            .filter(|p| status.contains(&p.status))
            .cloned()
            .collect();
        service::public_order(&mut picked);
        picked
            .iter()
            .map(|p| shown(&state, lang, &catalog, p))
            .collect()
    };
    let mut pending = of(&[PriorityStatus::Pending]);
    // The oldest proposal waits longest: first.
    pending.reverse();
    let (jar, csrf) = csrf::token(&state, jar);
    let page = StaffListPage {
        c: Chrome::new(lang, "/staff/priorities", "priorities-staff-title")
            .staff(&staff.user, &csrf)
            .nav("dialogue"),
        csrf,
        pending,
        open: of(&[PriorityStatus::Open]),
        decided: of(&[
            PriorityStatus::Adopted,
            PriorityStatus::Merged,
            PriorityStatus::Declined,
            PriorityStatus::Rejected,
        ]),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[derive(Template)]
#[template(path = "priorities/staff_show.html")]
struct StaffShowPage {
    c: Chrome,
    csrf: String,
    p: Shown,
    pending: bool,
    /// Priorities of the same community this one may be merged into.
    targets: Vec<(String, String)>,
    round_tables: Vec<(String, String)>,
    decisions: Vec<(&'static str, String)>,
    v: DecisionInput,
    reject_reason: String,
    adopted: bool,
    saved: bool,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn staff_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: &str,
    v: DecisionInput,
    reject_reason: String,
    saved: bool,
    errors: &[FieldError],
) -> Response {
    let (priority, all, catalog, tables) = match (
        service::priority(state, staff, id).await,
        service::all(state, staff).await,
        state.catalog.get(&state.db).await,
        service::round_tables(state).await,
    ) {
        (Ok(p), Ok(a), Ok(c), Ok(t)) => (p, a, c, t),
        (Err(err), ..) | (_, Err(err), ..) | (_, _, Err(err), _) | (.., Err(err)) => {
            return priority_error(lang, err);
        }
    };
    let targets = all
        .iter()
        .filter(|t| {
            t.id != priority.id
                && t.community_code == priority.community_code
                && t.status.is_public()
                && t.status != PriorityStatus::Merged
        })
        .map(|t| (t.id.to_string(), t.title.clone()))
        .collect();
    let p = shown(state, lang, &catalog, &priority);
    let (jar, csrf) = csrf::token(state, jar);
    let mut c = Chrome::new(
        lang,
        &format!("/staff/priorities/{}", p.id),
        "priorities-staff-title",
    )
    .staff(&staff.user, &csrf)
    .nav("dialogue");
    c.title = p.title.clone();
    let page = StaffShowPage {
        c,
        csrf,
        pending: priority.status == PriorityStatus::Pending,
        adopted: priority.status == PriorityStatus::Adopted,
        p,
        targets,
        round_tables: tables
            .iter()
            .map(|t| {
                (
                    t.id.to_string(),
                    format!("{} — {}", state.format_local_date(t.starts_at), t.title),
                )
            })
            .collect(),
        decisions: ["adopt", "merge", "decline"]
            .into_iter()
            .map(|d| (d, lang.t(&format!("priorities-decision-{d}"))))
            .collect(),
        v,
        reject_reason,
        saved,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SavedQuery {
    saved: String,
}

async fn staff_show(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = DecisionInput::default();
    staff_page(
        &state,
        lang,
        jar,
        &staff,
        &id,
        v,
        String::new(),
        !q.saved.is_empty(),
        &[],
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ModerationForm {
    csrf: String,
    action: String,
    reason: String,
}

async fn moderate(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ModerationForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::moderate(&state, &staff, &id, &form.action, &form.reason).await
    } else {
        Err(AppError::field("reason", "form-expired"))
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/priorities/{}?saved=1", id.trim())).into_response(),
        Err(AppError::Validation(errors)) => {
            let v = DecisionInput::default();
            staff_page(
                &state,
                lang,
                jar,
                &staff,
                &id,
                v,
                form.reason,
                false,
                &errors,
            )
            .await
        }
        Err(err) => priority_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    csrf: String,
    #[serde(flatten)]
    input: DecisionInput,
}

async fn decide(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::decide(&state, &staff, &id, &form.input).await
    } else {
        Err(AppError::field("reason", "form-expired"))
    };
    match result {
        Ok(_) => Redirect::to(&format!("/staff/priorities/{}?saved=1", id.trim())).into_response(),
        Err(AppError::Validation(errors)) => {
            staff_page(
                &state,
                lang,
                jar,
                &staff,
                &id,
                form.input,
                String::new(),
                false,
                &errors,
            )
            .await
        }
        Err(err) => priority_error(lang, err),
    }
}
