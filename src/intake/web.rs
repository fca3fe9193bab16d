//! The resident's pages: choose a kind, fill in the report form, get the receipt, follow up.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use uuid::Uuid;

use super::model::{Channel, ReportInput, ReportKind};
use super::service::{self, IdempotencyKey, Submission};
use super::store::TimelineEntry;
use crate::error::{AppError, FieldError};
use crate::http::form::read_multipart;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, error_page, page_error, render};
use crate::http::{ClientIp, csrf};
use crate::i18n::Lang;
use crate::state::AppState;

const FOLLOW_COOKIE: &str = "mistok_follow";
/// Forms without files (receipt entry, leave) are tiny.
const SMALL_FORM_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/report/{kind}", get(report_form).post(report_submit))
        .route(
            "/follow",
            get(follow_form).post(follow_open.layer(DefaultBodyLimit::max(SMALL_FORM_BYTES))),
        )
        .route("/follow/case", get(follow_case).post(follow_add))
        .route(
            "/follow/leave",
            post(follow_leave).layer(DefaultBodyLimit::max(SMALL_FORM_BYTES)),
        )
        .route("/follow/attachments/{id}", get(follow_attachment))
}

struct KindCard {
    code: &'static str,
    title: String,
    description: String,
}

#[derive(Template)]
#[template(path = "intake/home.html")]
struct HomePage {
    c: Chrome,
    kinds: Vec<KindCard>,
}

async fn home(Locale(lang): Locale) -> Response {
    let kinds = ReportKind::ALL
        .into_iter()
        .map(|k| KindCard {
            code: k.code(),
            title: lang.t(&k.message_key()),
            description: lang.t(&format!("{}-description", k.message_key())),
        })
        .collect();
    let page = HomePage {
        c: Chrome::new(lang, "/", "home-title").nav("report"),
        kinds,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "intake/form.html")]
struct FormPage {
    c: Chrome,
    kind_code: &'static str,
    kind_title: String,
    categories: Vec<(String, String)>,
    communities: Vec<(String, String)>,
    v: ReportInput,
    errors: FieldErrors,
    csrf: String,
    form_token: String,
    notice: Option<String>,
    /// For placing the point on a map when JavaScript runs.
    map: crate::map::web::Live,
}

/// What a report form shows besides the catalog: the person's values, their errors, the form's
/// idempotency token and an optional notice.
struct FormState<'a> {
    values: ReportInput,
    errors: &'a [FieldError],
    form_token: String,
    notice: Option<String>,
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    kind: ReportKind,
    jar: CookieJar,
    form: FormState<'_>,
) -> Response {
    let FormState {
        values,
        errors,
        form_token,
        notice,
    } = form;
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let path = format!("/report/{}", kind.code());
    let page = FormPage {
        c: Chrome::new(lang, &path, &kind.message_key()).nav("report"),
        kind_code: kind.code(),
        kind_title: lang.t(&kind.message_key()),
        categories: catalog
            .categories_of(kind)
            .map(|c| (c.code.clone(), c.names.get(lang).to_string()))
            .collect(),
        communities: catalog.community_choices(lang),
        v: values,
        errors: FieldErrors::new(lang, errors),
        csrf,
        form_token,
        notice,
        map: crate::map::web::live(
            state,
            String::new(),
            crate::map::service::frame(&catalog, None, &[]),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn report_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(kind): Path<String>,
    jar: CookieJar,
) -> Response {
    let Some(kind) = ReportKind::from_code(&kind) else {
        return error_page(lang, StatusCode::NOT_FOUND, "error-page-not-found");
    };
    let values = ReportInput {
        kind: kind.code().into(),
        ..Default::default()
    };
    let form = FormState {
        values,
        errors: &[],
        form_token: service::new_form_token(),
        notice: None,
    };
    form_page(&state, lang, kind, jar, form).await
}

#[derive(Template)]
#[template(path = "intake/receipt.html")]
struct ReceiptPage {
    c: Chrome,
    reference: String,
    receipt: String,
    replayed: bool,
}

async fn report_submit(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(kind): Path<String>,
    ClientIp(client): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let Some(kind) = ReportKind::from_code(&kind) else {
        return error_page(lang, StatusCode::NOT_FOUND, "error-page-not-found");
    };
    let form = read_multipart(multipart, "attachments").await;
    let values = ReportInput {
        kind: kind.code().into(),
        category: form.text("category"),
        community: form.text("community"),
        place: form.text("place"),
        lat: form.text("lat"),
        lon: form.text("lon"),
        occurred_at: form.text("occurred_at"),
        description: form.text("description"),
        involved_unit: form.text("involved_unit"),
        involved_badge: form.text("involved_badge"),
        witnesses: form.text("witnesses"),
        contact: form.text("contact"),
        consent_contact: form.flag("consent_contact"),
        consent_publish: form.flag("consent_publish"),
    };
    let token = IdempotencyKey::form(&form.text("form_token"));
    let form_token = match &token {
        Some(_) => form.text("form_token").trim().to_ascii_lowercase(),
        None => service::new_form_token(),
    };
    // An expired or missing CSRF cookie must not cost a frightened person their text: the form
    // comes back filled in, asking them to send it again.
    if !csrf::verify(&state, &jar, &headers, &form.text("csrf")) {
        let form = FormState {
            values,
            errors: &[],
            form_token,
            notice: Some(lang.t("form-expired")),
        };
        return form_page(&state, lang, kind, jar, form).await;
    }
    if let Some(problem) = form.problem {
        let form = FormState {
            values,
            errors: &[problem],
            form_token,
            notice: None,
        };
        return form_page(&state, lang, kind, jar, form).await;
    }
    let submission = Submission {
        input: values.clone(),
        channel: Channel::Web,
        lang,
        idempotency: token,
        uploads: form.uploads,
        client,
    };
    match service::submit(&state, submission).await {
        Ok(accepted) => {
            let mut c = Chrome::new(lang, "/", "receipt-title").nav("report");
            c.show_lang_switch = false;
            let page = ReceiptPage {
                c,
                reference: accepted.reference,
                receipt: accepted.receipt.display(),
                replayed: accepted.replayed,
            };
            render(StatusCode::OK, &page)
        }
        Err(AppError::Validation(errors)) => {
            let form = FormState {
                values,
                errors: &errors,
                form_token,
                notice: None,
            };
            form_page(&state, lang, kind, jar, form).await
        }
        // Too many reports from this address: the text comes back to be sent later, never lost.
        Err(AppError::RateLimited { retry_after_secs }) => {
            let form = FormState {
                values,
                errors: &[],
                form_token,
                notice: Some(lang.t("intake-rate-limited")),
            };
            let mut response = form_page(&state, lang, kind, jar, form).await;
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "intake/follow_open.html")]
struct FollowOpenPage {
    c: Chrome,
    errors: FieldErrors,
    csrf: String,
}

fn follow_open_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let (jar, csrf) = csrf::token(state, jar);
    let page = FollowOpenPage {
        c: Chrome::new(lang, "/follow", "follow-title").nav("follow"),
        errors: FieldErrors::new(lang, errors),
        csrf,
    };
    (jar, render(status, &page)).into_response()
}

async fn follow_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
) -> Response {
    follow_open_page(&state, lang, jar, &[], StatusCode::OK)
}

#[derive(serde::Deserialize)]
struct ReceiptForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    csrf: String,
}

async fn follow_open(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<ReceiptForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("receipt", "form-expired")];
        return follow_open_page(&state, lang, jar, &errors, StatusCode::FORBIDDEN);
    }
    if form.receipt.trim().is_empty() {
        let errors = [FieldError::new("receipt", "error-receipt-required")];
        return follow_open_page(&state, lang, jar, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match service::open_by_receipt(&state, &form.receipt, client).await {
        Ok(report) => {
            let cookie =
                Cookie::build((FOLLOW_COOKIE, service::follow_up_token(&state, report.id)))
                    .path("/follow")
                    .http_only(true)
                    .secure(state.config.cookie_secure)
                    .same_site(SameSite::Strict)
                    .max_age(time::Duration::seconds(service::FOLLOW_UP_SECONDS))
                    .build();
            (jar.add(cookie), Redirect::to("/follow/case")).into_response()
        }
        Err(AppError::Validation(errors)) => {
            follow_open_page(&state, lang, jar, &errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::RateLimited { retry_after_secs }) => {
            let errors = [FieldError::new("receipt", "problem-rate-limited")];
            let mut response =
                follow_open_page(&state, lang, jar, &errors, StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(err) => page_error(lang, err),
    }
}

/// The report this browser opened with a receipt, if its follow-up cookie is valid.
fn followed_report(state: &AppState, jar: &CookieJar) -> Option<Uuid> {
    jar.get(FOLLOW_COOKIE)
        .and_then(|c| service::verify_follow_up_token(state, c.value()))
}

struct TimelineItem {
    at: String,
    label: String,
    body: String,
}

struct AttachmentItem {
    id: Uuid,
    label: String,
    size: String,
}

#[derive(Template)]
#[template(path = "intake/follow_case.html")]
struct FollowCasePage {
    c: Chrome,
    reference: String,
    status_code: &'static str,
    status_name: String,
    kind_name: String,
    category_name: String,
    community_name: String,
    received: String,
    publication: String,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentItem>,
    errors: FieldErrors,
    body: String,
    csrf: String,
    /// Makes a resent addition (reload, double tap) count once.
    form_token: String,
    added: bool,
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    report_id: Uuid,
    errors: &[FieldError],
    body: String,
    added: bool,
) -> Response {
    let view = match service::follow_up(state, report_id).await {
        Ok(view) => view,
        Err(err) => return page_error(lang, err),
    };
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let r = &view.report;
    let timeline = view
        .timeline
        .iter()
        .map(|entry| match entry {
            TimelineEntry::Status { status, at } => TimelineItem {
                at: state.format_local(*at),
                label: lang.t(&status.message_key()),
                body: String::new(),
            },
            TimelineEntry::PublicUpdate { body, at } => TimelineItem {
                at: state.format_local(*at),
                label: lang.t("case-public-update"),
                body: body.clone(),
            },
            TimelineEntry::Message {
                from_reporter,
                body,
                at,
            } => TimelineItem {
                at: state.format_local(*at),
                label: lang.t(if *from_reporter {
                    "case-message-from-you"
                } else {
                    "case-message-from-platform"
                }),
                body: body.clone(),
            },
        })
        .collect();
    let attachments = view
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| AttachmentItem {
            id: a.id,
            label: format!(
                "{} {} ({})",
                lang.t("case-attachment"),
                i + 1,
                a.kind.extension()
            ),
            size: human_size(a.served_size),
        })
        .collect();
    let (jar, csrf) = csrf::token(state, jar);
    let page = FollowCasePage {
        c: Chrome::new(lang, "/follow/case", "case-title").nav("follow"),
        reference: r.reference.clone(),
        status_code: r.status.code(),
        status_name: lang.t(&r.status.message_key()),
        kind_name: lang.t(&r.kind.message_key()),
        category_name: catalog
            .category(&r.category)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| r.category.clone()),
        community_name: catalog
            .community(&r.community)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| r.community.clone()),
        received: state.format_local(r.created_at),
        publication: lang.t(if r.consent_publish {
            "case-publication-yes"
        } else {
            "case-publication-no"
        }),
        timeline,
        attachments,
        errors: FieldErrors::new(lang, errors),
        body,
        csrf,
        form_token: service::new_form_token(),
        added,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

async fn follow_case(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
) -> Response {
    match followed_report(&state, &jar) {
        Some(id) => case_page(&state, lang, jar, id, &[], String::new(), false).await,
        None => Redirect::to("/follow").into_response(),
    }
}

async fn follow_add(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let Some(id) = followed_report(&state, &jar) else {
        return Redirect::to("/follow").into_response();
    };
    let form = read_multipart(multipart, "attachments").await;
    let body = form.text("body");
    if !csrf::verify(&state, &jar, &headers, &form.text("csrf")) {
        let errors = [FieldError::new("body", "form-expired")];
        return case_page(&state, lang, jar, id, &errors, body, false).await;
    }
    if let Some(problem) = form.problem {
        return case_page(&state, lang, jar, id, &[problem], body, false).await;
    }
    let token = IdempotencyKey::form(&form.text("form_token"));
    match service::add_information(&state, id, &body, form.uploads, token.as_ref()).await {
        Ok(()) => case_page(&state, lang, jar, id, &[], String::new(), true).await,
        Err(AppError::Validation(errors)) => {
            case_page(&state, lang, jar, id, &errors, body, false).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn follow_leave(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return Redirect::to("/follow/case").into_response();
    }
    let removal = Cookie::build((FOLLOW_COOKIE, "")).path("/follow").build();
    (jar.remove(removal), Redirect::to("/follow")).into_response()
}

async fn follow_attachment(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let (Some(report_id), Ok(attachment_id)) =
        (followed_report(&state, &jar), Uuid::parse_str(&id))
    else {
        return error_page(lang, StatusCode::NOT_FOUND, "error-page-not-found");
    };
    crate::attachments::web::serve_copy(&state, lang, report_id, attachment_id, "attachment").await
}
