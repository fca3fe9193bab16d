//! Pages of commitments: the public tracker and a commitment's page; the staff list, the
//! commitment form and the update form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use super::model::{CommitmentInput, CommitmentStatus, TrackerCounts, UpdateInput, iso_date};
use super::service::{self, EDITORS, Tracked, TrackerQuery};
use super::store::{CommitmentRow, UpdateRow};
use crate::accounts::Staff;
use crate::catalog::CatalogData;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, query_string, render};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/commitments", get(tracker))
        .route("/commitments/{id}", get(show))
        .route("/staff/commitments", get(staff_list).post(create))
        .route("/staff/commitments/new", get(new_form))
        .route("/staff/commitments/{id}", get(edit_form).post(update))
        .route("/staff/commitments/{id}/updates", post(add_update))
}

/// A commitment as a list or page shows it.
pub struct Shown {
    pub id: String,
    pub title: String,
    pub description: String,
    pub community: String,
    pub organization: String,
    pub due: String,
    pub progress: i64,
    pub status_code: &'static str,
    pub status: String,
    pub late: bool,
    pub stalled: bool,
    pub last_update: String,
    /// (link, text) of where it came from, if anything.
    pub source: Option<(String, String)>,
    pub source_kind: String,
}

fn dmy(date: time::Date) -> String {
    format!(
        "{:02}.{:02}.{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

fn org_name(lang: Lang, names: &[String; 3]) -> String {
    lang.pick(&names[0], &names[1], &names[2]).to_string()
}

fn shown(state: &AppState, lang: Lang, catalog: &CatalogData, t: &Tracked, public: bool) -> Shown {
    let c = &t.row;
    let (source, source_kind) = match (&c.priority_id, &c.decision_id) {
        (Some(p), _) => (
            Some((
                if public {
                    format!("/priorities/{p}")
                } else {
                    format!("/staff/priorities/{p}")
                },
                c.priority_title.clone().unwrap_or_default(),
            )),
            lang.t("commitments-source-priority"),
        ),
        (None, Some(_)) => (
            Some((
                c.event_id
                    .map(|e| format!("/events/{e}"))
                    .unwrap_or_default(),
                format!(
                    "{} — {}",
                    c.event_title.clone().unwrap_or_default(),
                    c.decision_text.clone().unwrap_or_default()
                ),
            )),
            lang.t("commitments-source-decision"),
        ),
        (None, None) => (None, lang.t("commitments-source-joint")),
    };
    Shown {
        id: c.id.to_string(),
        title: c.title.clone(),
        description: c.description.clone(),
        community: match &c.community_code {
            Some(code) => catalog
                .community(code)
                .map(|x| x.names.get(lang).to_string())
                .unwrap_or_else(|| code.clone()),
            None => lang.t("commitments-whole-region"),
        },
        organization: org_name(lang, &c.organization_names),
        due: dmy(c.due_on),
        progress: c.progress,
        status_code: c.status.code(),
        status: lang.t(&format!("commitments-status-{}", c.status.code())),
        late: t.late,
        stalled: t.stalled,
        last_update: state.format_local_date(c.last_update_at),
        source,
        source_kind,
    }
}

pub struct ShownUpdate {
    pub on_date: String,
    pub text: String,
    pub progress: i64,
    pub status: String,
    pub status_code: &'static str,
    pub evidence_url: Option<String>,
}

fn shown_updates(lang: Lang, updates: &[UpdateRow]) -> Vec<ShownUpdate> {
    updates
        .iter()
        .map(|u| ShownUpdate {
            on_date: dmy(u.on_date),
            text: u.text.clone(),
            progress: u.progress,
            status: lang.t(&format!("commitments-status-{}", u.status.code())),
            status_code: u.status.code(),
            evidence_url: u.evidence_url.clone(),
        })
        .collect()
}

// ---- Public tracker ----

pub struct Count {
    pub label: String,
    pub value: i64,
    pub href: String,
}

#[derive(Template)]
#[template(path = "commitments/tracker.html")]
struct TrackerPage {
    c: Chrome,
    counts: Vec<Count>,
    communities: Vec<(String, String)>,
    organizations: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    q: TrackerQuery,
    filtered: bool,
    items: Vec<Shown>,
    on: String,
}

fn count_list(lang: Lang, counts: &TrackerCounts) -> Vec<Count> {
    [
        ("", "commitments-count-total", counts.total),
        ("done", "commitments-status-done", counts.done),
        (
            "in_progress",
            "commitments-status-in_progress",
            counts.in_progress,
        ),
        ("planned", "commitments-status-planned", counts.planned),
        ("late", "commitments-late", counts.late),
        ("stalled", "commitments-stalled", counts.stalled),
        ("dropped", "commitments-status-dropped", counts.dropped),
    ]
    .into_iter()
    .map(|(code, key, value)| Count {
        label: lang.t(key),
        value,
        href: if code.is_empty() {
            "/commitments".into()
        } else {
            format!("/commitments?status={code}")
        },
    })
    .collect()
}

fn status_choices(lang: Lang) -> Vec<(&'static str, String)> {
    CommitmentStatus::ALL
        .into_iter()
        .map(|s| {
            (
                s.code(),
                lang.t(&format!("commitments-status-{}", s.code())),
            )
        })
        .chain([
            ("late", lang.t("commitments-late")),
            ("stalled", lang.t("commitments-stalled")),
        ])
        .collect()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct TrackerParams {
    #[serde(flatten)]
    q: TrackerQuery,
    /// The day the tracker is read on (`YYYY-MM-DD`); today when absent.
    on: String,
}

async fn tracker(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Query(params): Query<TrackerParams>,
) -> Response {
    let on = super::model::parse_date(&params.on).unwrap_or_else(|| state.today());
    let (found, catalog, organizations) = match (
        service::tracker(&state, on, &params.q).await,
        state.catalog.get(&state.db).await,
        service::organizations(&state).await,
    ) {
        (Ok(f), Ok(c), Ok(o)) => (f, c, o),
        (Err(err), ..) | (_, Err(err), _) | (.., Err(err)) => return page_error(lang, err),
    };
    let q = params.q;
    let path = match query_string(&[
        ("community", q.community.as_str()),
        ("organization", q.organization.as_str()),
        ("status", q.status.as_str()),
    ]) {
        s if s.is_empty() => "/commitments".to_string(),
        s => format!("/commitments?{s}"),
    };
    let page = TrackerPage {
        c: Chrome::new(lang, &path, "commitments-title").nav("dialogue"),
        counts: count_list(lang, &found.counts),
        communities: catalog.community_choices(lang),
        organizations: organizations
            .iter()
            .filter(|o| o.code != "platform")
            .map(|o| (o.code.clone(), org_name(lang, &o.names)))
            .collect(),
        statuses: status_choices(lang),
        filtered: !(q.community.is_empty() && q.organization.is_empty() && q.status.is_empty()),
        q,
        items: found
            .rows
            .iter()
            .map(|t| shown(&state, lang, &catalog, t, true))
            .collect(),
        on: dmy(on),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "commitments/show.html")]
struct ShowPage {
    c: Chrome,
    x: Shown,
    updates: Vec<ShownUpdate>,
}

async fn show(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(id): Path<String>,
) -> Response {
    let ((row, updates), catalog) = match (
        service::commitment(&state, &id).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let t = service::track(&state, row, state.today());
    let x = shown(&state, lang, &catalog, &t, true);
    let mut c =
        Chrome::new(lang, &format!("/commitments/{}", x.id), "commitments-title").nav("dialogue");
    c.title = x.title.clone();
    render(
        StatusCode::OK,
        &ShowPage {
            c,
            x,
            updates: shown_updates(lang, &updates),
        },
    )
}

// ---- Staff ----

#[derive(Template)]
#[template(path = "commitments/staff_list.html")]
struct StaffListPage {
    c: Chrome,
    can_create: bool,
    items: Vec<Shown>,
}

async fn staff_list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let (rows, catalog) = match (
        service::staff_list(&state, &staff).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let page = StaffListPage {
        c: Chrome::new(lang, "/staff/commitments", "commitments-staff-title")
            .staff(&staff.user, &csrf)
            .nav("dialogue"),
        can_create: staff.require(EDITORS).is_ok(),
        items: rows
            .iter()
            .map(|t| shown(&state, lang, &catalog, t, false))
            .collect(),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[derive(Template)]
#[template(path = "commitments/edit.html")]
struct EditPage {
    c: Chrome,
    csrf: String,
    /// None: a new commitment.
    id: Option<String>,
    x: Option<Shown>,
    can_edit: bool,
    can_update: bool,
    communities: Vec<(String, String)>,
    organizations: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    v: CommitmentInput,
    u: UpdateInput,
    updates: Vec<ShownUpdate>,
    saved: bool,
    errors: FieldErrors,
    today: String,
}

fn input_of(c: &CommitmentRow) -> CommitmentInput {
    CommitmentInput {
        title: c.title.clone(),
        description: c.description.clone(),
        community: c.community_code.clone().unwrap_or_default(),
        organization: c.organization_id.to_string(),
        due_on: iso_date(c.due_on),
        priority: c.priority_id.map(|p| p.to_string()).unwrap_or_default(),
        decision: c.decision_id.map(|d| d.to_string()).unwrap_or_default(),
    }
}

struct EditView<'a> {
    id: Option<&'a str>,
    v: Option<CommitmentInput>,
    u: Option<UpdateInput>,
    saved: bool,
    errors: &'a [FieldError],
}

async fn edit_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    view: EditView<'_>,
) -> Response {
    let existing = match view.id {
        Some(id) => match service::staff_commitment(state, staff, id).await {
            Ok(found) => Some(found),
            Err(err) => return page_error(lang, err),
        },
        None => {
            if let Err(err) = staff.require(EDITORS) {
                return page_error(lang, err);
            }
            None
        }
    };
    let (catalog, organizations, (priorities, decisions)) = match (
        state.catalog.get(&state.db).await,
        service::organizations(state).await,
        service::sources(state).await,
    ) {
        (Ok(c), Ok(o), Ok(s)) => (c, o, s),
        (Err(err), ..) | (_, Err(err), _) | (.., Err(err)) => return page_error(lang, err),
    };
    let today = state.today();
    let (x, v, updates, can_update) = match &existing {
        Some((row, updates)) => {
            let t = service::track(state, row.clone(), today);
            (
                Some(shown(state, lang, &catalog, &t, false)),
                view.v.unwrap_or_else(|| input_of(row)),
                shown_updates(lang, updates),
                service::can_update(staff, row),
            )
        }
        None => (None, view.v.unwrap_or_default(), Vec::new(), false),
    };
    let u = view.u.unwrap_or_else(|| UpdateInput {
        on_date: iso_date(today),
        progress: existing
            .as_ref()
            .map(|(r, _)| r.progress.to_string())
            .unwrap_or_default(),
        status: existing
            .as_ref()
            .map(|(r, _)| r.status.code().to_string())
            .unwrap_or_default(),
        ..Default::default()
    });
    let (jar, csrf) = csrf::token(state, jar);
    let path = match view.id {
        Some(id) => format!("/staff/commitments/{}", id.trim()),
        None => "/staff/commitments/new".to_string(),
    };
    let mut c = Chrome::new(lang, &path, "commitments-new-title")
        .staff(&staff.user, &csrf)
        .nav("dialogue");
    if let Some(x) = &x {
        c.title = x.title.clone();
    }
    let page = EditPage {
        c,
        csrf,
        id: view.id.map(|i| i.trim().to_string()),
        x,
        can_edit: staff.require(EDITORS).is_ok(),
        can_update,
        communities: catalog.community_choices(lang),
        organizations: organizations
            .iter()
            .map(|o| (o.id.to_string(), org_name(lang, &o.names)))
            .collect(),
        priorities: priorities
            .iter()
            .map(|s| (s.id.to_string(), s.text.clone()))
            .collect(),
        decisions: decisions
            .iter()
            .map(|s| {
                let event = s.context.clone().unwrap_or_default();
                (s.id.to_string(), format!("{event} — {}", s.text))
            })
            .collect(),
        statuses: CommitmentStatus::ALL
            .into_iter()
            .map(|s| {
                (
                    s.code(),
                    lang.t(&format!("commitments-status-{}", s.code())),
                )
            })
            .collect(),
        v,
        u,
        updates,
        saved: view.saved,
        errors: FieldErrors::new(lang, view.errors),
        today: iso_date(today),
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    priority: String,
    decision: String,
}

async fn new_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Query(q): Query<NewQuery>,
) -> Response {
    let mut v = CommitmentInput::default();
    // Prefilled from an adopted priority or an event's decision.
    if let Ok(id) = uuid::Uuid::parse_str(q.priority.trim())
        && let Ok(Some(p)) = crate::priorities::store::find(&state.db, id).await
        && p.status == crate::priorities::model::PriorityStatus::Adopted
    {
        v.title = p.title;
        v.description = p.description;
        v.community = p.community_code;
        v.priority = p.id.to_string();
    } else if let Ok(id) = uuid::Uuid::parse_str(q.decision.trim())
        && let Ok((_, decisions)) = service::sources(&state).await
        && let Some(d) = decisions.into_iter().find(|d| d.id == id)
    {
        v.title = d.text.chars().take(super::model::TITLE_MAX_CHARS).collect();
        v.decision = d.id.to_string();
    }
    let view = EditView {
        id: None,
        v: Some(v),
        u: None,
        saved: false,
        errors: &[],
    };
    edit_page(&state, lang, jar, &staff, view).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CommitmentForm {
    csrf: String,
    #[serde(flatten)]
    input: CommitmentInput,
}

async fn save(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    staff: &Staff,
    id: Option<&str>,
    form: CommitmentForm,
) -> Response {
    let result = if !csrf::verify(state, &jar, headers, &form.csrf) {
        Err(AppError::field("title", "form-expired"))
    } else {
        match id {
            Some(id) => service::save(state, staff, id, &form.input).await,
            None => service::create(state, staff, &form.input).await,
        }
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/commitments/{id}?saved=1")).into_response(),
        Err(AppError::Validation(errors)) => {
            let view = EditView {
                id,
                v: Some(form.input),
                u: None,
                saved: false,
                errors: &errors,
            };
            edit_page(state, lang, jar, staff, view).await
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
    Form(form): Form<CommitmentForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, None, form).await
}

async fn update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CommitmentForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, Some(&id), form).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SavedQuery {
    saved: String,
}

async fn edit_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let view = EditView {
        id: Some(&id),
        v: None,
        u: None,
        saved: !q.saved.is_empty(),
        errors: &[],
    };
    edit_page(&state, lang, jar, &staff, view).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct UpdateForm {
    csrf: String,
    #[serde(flatten)]
    input: UpdateInput,
}

async fn add_update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<UpdateForm>,
) -> Response {
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::add_update(&state, &staff, &id, &form.input).await
    } else {
        Err(AppError::field("text", "form-expired"))
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/commitments/{id}?saved=1#updates")).into_response(),
        Err(AppError::Validation(errors)) => {
            let view = EditView {
                id: Some(&id),
                v: None,
                u: Some(form.input),
                saved: false,
                errors: &errors,
            };
            edit_page(&state, lang, jar, &staff, view).await
        }
        Err(err) => page_error(lang, err),
    }
}
