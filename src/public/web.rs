//! The public register's pages, and the coordinator's publish and withdraw actions.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use super::export::{self, Format};
use super::model::{PublicationInput, RegisterQuery};
use super::service;
use crate::accounts::Staff;
use crate::error::AppError;
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, query_string, render};
use crate::i18n::Lang;
use crate::intake::model::{ReportKind, Status};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(register))
        .route("/register/{reference}", get(case))
        .route("/register.csv", get(export_csv))
        .route("/register.json", get(export_json))
        .route("/open-data", get(open_data))
        .route("/staff/cases/{reference}/publish", post(publish))
        .route("/staff/cases/{reference}/withdraw", post(withdraw))
}

/// Summaries are cut at this many characters in the list; the case page has the whole text.
const EXCERPT_CHARS: usize = 280;

struct Line {
    reference: String,
    title: String,
    excerpt: String,
    language: &'static str,
    status_code: &'static str,
    status: String,
    category: String,
    community: String,
    received: String,
}

struct Choice {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "public/register.html")]
struct RegisterPage {
    c: Chrome,
    v: RegisterQuery,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    communities: Vec<Choice>,
    agencies: Vec<Choice>,
    statuses: Vec<Choice>,
    lines: Vec<Line>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
    /// The filters as a query string, for the downloads of the same selection.
    selection: String,
    errors: FieldErrors,
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

fn page_link(v: &RegisterQuery, page: i64) -> String {
    let page = page.to_string();
    let pairs = [
        ("kind", v.kind.as_str()),
        ("category", v.category.as_str()),
        ("community", v.community.as_str()),
        ("agency", v.agency.as_str()),
        ("status", v.status.as_str()),
        ("month", v.month.as_str()),
        ("page", page.as_str()),
    ];
    format!("/register?{}", query_string(&pairs))
}

async fn register(
    State(state): State<AppState>,
    Locale(lang): Locale,
    OriginalUri(uri): OriginalUri,
    Query(query): Query<RegisterQuery>,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (found, errors) = match service::register(&state, &query).await {
        Ok(found) => (Some(found), Vec::new()),
        Err(AppError::Validation(errors)) => (None, errors),
        Err(err) => return page_error(lang, err),
    };
    let (lines, page, has_next) = match &found {
        Some(found) => (
            found
                .lines
                .rows
                .iter()
                .map(|r| Line {
                    reference: r.reference.clone(),
                    title: r.title.clone(),
                    excerpt: excerpt(&r.summary),
                    language: Lang::from_code(&r.language).unwrap_or_default().code(),
                    status_code: r.status.code(),
                    status: lang.t(&r.status.message_key()),
                    category: catalog.category_name(lang, &r.category),
                    community: catalog.community_name(lang, &r.community),
                    received: state.format_local_date(r.received_at),
                })
                .collect(),
            found.filters.page,
            found.lines.has_next,
        ),
        None => (Vec::new(), 1, false),
    };
    let view = RegisterPage {
        c: Chrome::new(lang, &here(&uri), "register-title").nav("register"),
        kinds: ReportKind::ALL
            .into_iter()
            .map(|k| Choice {
                code: k.code().to_string(),
                name: lang.t(&k.message_key()),
            })
            .collect(),
        categories: catalog
            .categories
            .iter()
            .map(|c| Choice {
                code: c.code.clone(),
                name: c.names.get(lang).to_string(),
            })
            .collect(),
        communities: catalog
            .communities_sorted(lang)
            .into_iter()
            .map(|c| Choice {
                code: c.code.clone(),
                name: c.names.get(lang).to_string(),
            })
            .collect(),
        agencies: catalog
            .agencies
            .iter()
            .map(|o| Choice {
                name: lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string(),
                code: o.code.clone(),
            })
            .collect(),
        statuses: Status::ALL
            .into_iter()
            .filter(|s| *s != Status::Merged)
            .map(|s| Choice {
                code: s.code().to_string(),
                name: lang.t(&s.message_key()),
            })
            .collect(),
        lines,
        page,
        previous: (page > 1).then(|| page_link(&query, page - 1)),
        next: has_next.then(|| page_link(&query, page + 1)),
        selection: query_string(&[
            ("kind", query.kind.trim()),
            ("category", query.category.trim()),
            ("community", query.community.trim()),
            ("agency", query.agency.trim()),
            ("status", query.status.trim()),
            ("month", query.month.trim()),
        ]),
        errors: FieldErrors::new(lang, &errors),
        v: query,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &view)
}

struct Event {
    at: String,
    label: String,
    body: String,
}

struct Agency {
    name: String,
    status_code: String,
    status: String,
    referred: String,
    due: String,
}

#[derive(Template)]
#[template(path = "public/case.html")]
struct CasePage {
    c: Chrome,
    reference: String,
    title: String,
    summary: String,
    language: &'static str,
    status_code: &'static str,
    status: String,
    kind: String,
    category: String,
    community: String,
    received: String,
    published: String,
    outcome: String,
    agencies: Vec<Agency>,
    timeline: Vec<Event>,
}

async fn case(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(reference): Path<String>,
) -> Response {
    let (found, catalog) = match (
        service::public_case(&state, &reference).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(found), Ok(catalog)) => (found, catalog),
        (Err(err), _) | (_, Err(err)) => return page_error(lang, err),
    };
    let r = &found.row;
    let mut timeline: Vec<(time::OffsetDateTime, Event)> = found
        .history
        .iter()
        .map(|(status, at)| {
            (
                *at,
                Event {
                    at: state.format_local(*at),
                    label: lang.t(&status.message_key()),
                    body: String::new(),
                },
            )
        })
        .chain(found.updates.iter().map(|(body, at)| {
            (
                *at,
                Event {
                    at: state.format_local(*at),
                    label: lang.t("case-public-update"),
                    body: body.clone(),
                },
            )
        }))
        .collect();
    timeline.sort_by_key(|(at, _)| *at);
    let view = CasePage {
        c: Chrome::new(
            lang,
            &format!("/register/{}", r.reference),
            "register-case-title",
        )
        .nav("register"),
        reference: r.reference.clone(),
        title: r.title.clone(),
        summary: r.summary.clone(),
        language: Lang::from_code(&r.language).unwrap_or_default().code(),
        status_code: r.status.code(),
        status: lang.t(&r.status.message_key()),
        kind: lang.t(&r.kind.message_key()),
        category: catalog.category_name(lang, &r.category),
        community: catalog.community_name(lang, &r.community),
        received: state.format_local_date(r.received_at),
        published: state.format_local_date(r.published_at),
        outcome: found
            .outcome
            .as_deref()
            .and_then(crate::cases::model::Outcome::from_code)
            .map(|o| lang.t(&o.message_key()))
            .unwrap_or_default(),
        agencies: found
            .agencies
            .iter()
            .map(|a| Agency {
                name: lang
                    .pick(&a.organization[0], &a.organization[1], &a.organization[2])
                    .to_string(),
                status_code: a.status.clone(),
                status: lang.t(&format!("referral-status-{}", a.status)),
                referred: state.format_local_date(a.referred_at),
                due: state.format_local_date(a.due_at),
            })
            .collect(),
        timeline: timeline.into_iter().map(|(_, e)| e).collect(),
    };
    render(StatusCode::OK, &view)
}

async fn publish(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<PublicationForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let notice = Some(lang.t("form-expired"));
        return crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &[], notice)
            .await;
    }
    let result = service::publish(&state, &staff, &reference, &form.publication).await;
    after_action(
        state,
        lang,
        jar,
        staff,
        reference,
        result,
        Some(&form.publication),
    )
    .await
}

async fn withdraw(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<PublicationForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let notice = Some(lang.t("form-expired"));
        return crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &[], notice)
            .await;
    }
    let result = service::withdraw(&state, &staff, &reference).await;
    after_action(state, lang, jar, staff, reference, result, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PublicationForm {
    csrf: String,
    #[serde(flatten)]
    publication: PublicationInput,
}

/// Back to the case page: redirected on success, shown again with what went wrong otherwise.
async fn after_action(
    state: AppState,
    lang: Lang,
    jar: CookieJar,
    staff: Staff,
    reference: String,
    result: Result<(), AppError>,
    draft: Option<&PublicationInput>,
) -> Response {
    match result {
        Ok(()) => {
            Redirect::to(&format!("/staff/cases/{}#publication", reference.trim())).into_response()
        }
        Err(AppError::Validation(errors)) => {
            crate::cases::web::render_case_with_draft(
                &state, lang, jar, &staff, &reference, &errors, None, draft,
            )
            .await
        }
        Err(AppError::Conflict(code)) => {
            let notice = Some(lang.t(&format!("problem-{code}")));
            crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &[], notice).await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn export_csv(state: State<AppState>, lang: Locale, query: Query<RegisterQuery>) -> Response {
    export(state, lang, query, Format::Csv).await
}

async fn export_json(
    state: State<AppState>,
    lang: Locale,
    query: Query<RegisterQuery>,
) -> Response {
    export(state, lang, query, Format::Json).await
}

/// Streams the filtered register; bad filters answer 422 with problem details (a download has
/// no page to show errors on).
async fn export(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Query(query): Query<RegisterQuery>,
    format: Format,
) -> Response {
    let resolved = service::resolve(&state, &query).await;
    let catalog = state.catalog.get(&state.db).await;
    let (selection, catalog) = match (resolved, catalog) {
        (Ok((_, selection)), Ok(catalog)) => (selection, catalog),
        (Err(err), _) | (_, Err(err)) => {
            return crate::http::problem::ApiError::new(err, lang).into_response();
        }
    };
    let (content_type, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "mistok-register.csv"),
        Format::Json => ("application/json", "mistok-register.json"),
    };
    let body = axum::body::Body::from_stream(export::stream(
        state.clone(),
        catalog,
        selection,
        lang,
        format,
        export::CHUNK,
    ));
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

struct FieldDoc {
    name: &'static str,
    description: String,
}

#[derive(Template)]
#[template(path = "public/open_data.html")]
struct OpenDataPage {
    c: Chrome,
    fields: Vec<FieldDoc>,
}

/// What can be downloaded, and what every field means.
async fn open_data(Locale(lang): Locale) -> Response {
    let view = OpenDataPage {
        c: Chrome::new(lang, "/open-data", "open-data-title").nav("register"),
        fields: export::FIELDS
            .iter()
            .map(|name| FieldDoc {
                name,
                description: lang.t(&format!("open-data-field-{}", name.replace('_', "-"))),
            })
            .collect(),
    };
    render(StatusCode::OK, &view)
}
