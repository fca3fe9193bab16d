//! Pages of accountability reports: the public list and report, and the officers' page to
//! publish one (a form with CSV files) or withdraw it.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use super::model::{MAX_CSV_BYTES, MAX_TABLES, ReportInput, Table};
use super::service;
use super::store::ReportRow;
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::form::read_multipart;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, render};
use crate::i18n::Lang;
use crate::news::model::paragraphs;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency-reports", get(list))
        .route("/agency-reports/{id}", get(report))
        .route(
            "/staff/agency-reports",
            get(staff_page).post(publish).layer(DefaultBodyLimit::max(
                MAX_TABLES * MAX_CSV_BYTES + 256 * 1024,
            )),
        )
        .route("/staff/agency-reports/{id}/withdraw", post(withdraw))
}

struct Line {
    id: String,
    title: String,
    organization: String,
    period: String,
    date: String,
}

fn line(state: &AppState, lang: Lang, r: &ReportRow) -> Line {
    Line {
        id: r.id.to_string(),
        title: r.title.clone(),
        organization: lang
            .pick(&r.organization[0], &r.organization[1], &r.organization[2])
            .to_string(),
        period: r.period.clone(),
        date: state.format_local_date(r.published_at),
    }
}

#[derive(Template)]
#[template(path = "accountability/list.html")]
struct ListPage {
    c: Chrome,
    agency: String,
    agencies: Vec<(String, String)>,
    lines: Vec<Line>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    agency: String,
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ListQuery>,
) -> Response {
    let agencies = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog.agencies.clone(),
        Err(err) => return page_error(lang, err),
    };
    let (found, errors) =
        match service::published(&state, Some(&q.agency), q.page.unwrap_or(1)).await {
            Ok(found) => (Some(found), Vec::new()),
            Err(AppError::Validation(errors)) => (None, errors),
            Err(err) => return page_error(lang, err),
        };
    let link = |page: i64| {
        crate::http::page::query_string(&[("agency", q.agency.trim()), ("page", &page.to_string())])
    };
    let (lines, page, has_next) = match &found {
        Some(f) => (
            f.rows.iter().map(|r| line(&state, lang, r)).collect(),
            f.page,
            f.has_next,
        ),
        None => (Vec::new(), 1, false),
    };
    let view = ListPage {
        c: Chrome::new(lang, &here(&uri), "agency-reports-title").nav("register"),
        agencies: agencies
            .into_iter()
            .map(|o| {
                let name = lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string();
                (o.code, name)
            })
            .collect(),
        lines,
        page,
        previous: (page > 1).then(|| format!("/agency-reports?{}", link(page - 1))),
        next: has_next.then(|| format!("/agency-reports?{}", link(page + 1))),
        errors: FieldErrors::new(lang, &errors),
        agency: q.agency,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &view)
}

#[derive(Template)]
#[template(path = "accountability/report.html")]
struct ReportPage {
    c: Chrome,
    l: Line,
    language: String,
    paragraphs: Vec<String>,
    tables: Vec<Table>,
}

async fn report(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(id): Path<String>,
) -> Response {
    match service::report(&state, &id).await {
        Ok(r) => {
            let mut c = Chrome::new(
                lang,
                &format!("/agency-reports/{}", r.id),
                "agency-reports-title",
            )
            .nav("register");
            c.title = r.title.clone();
            let view = ReportPage {
                c,
                l: line(&state, lang, &r),
                language: r.language.clone(),
                paragraphs: paragraphs(&r.body),
                tables: r.tables,
            };
            render(StatusCode::OK, &view)
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "accountability/staff.html")]
struct StaffPage {
    c: Chrome,
    csrf: String,
    own: Vec<Line>,
    languages: Vec<(&'static str, &'static str)>,
    v: ReportInput,
    errors: FieldErrors,
}

async fn staff_view(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    v: ReportInput,
    errors: &[FieldError],
) -> Response {
    let own = match service::own(state, staff).await {
        Ok(rows) => rows,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let view = StaffPage {
        c: Chrome::new(lang, "/staff/agency-reports", "agency-reports-staff-title")
            .staff(&staff.user, &csrf),
        csrf,
        own: own.iter().map(|r| line(state, lang, r)).collect(),
        languages: Lang::ALL
            .into_iter()
            .map(|l| (l.code(), l.native_name()))
            .collect(),
        v,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &view)).into_response()
}

async fn staff_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let v = ReportInput {
        language: lang.code().to_string(),
        ..Default::default()
    };
    staff_view(&state, lang, jar, &staff, v, &[]).await
}

async fn publish(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    multipart: Multipart,
) -> Response {
    let form = read_multipart(multipart, "tables").await;
    let input = ReportInput {
        title: form.text("title"),
        period: form.text("period"),
        language: form.text("language"),
        body: form.text("body"),
    };
    if let Some(problem) = form.problem {
        return staff_view(&state, lang, jar, &staff, input, &[problem]).await;
    }
    if !csrf::verify(&state, &jar, &headers, &form.text("csrf")) {
        let errors = [FieldError::new("title", "form-expired")];
        return staff_view(&state, lang, jar, &staff, input, &errors).await;
    }
    match service::publish(&state, &staff, &input, &form.uploads).await {
        Ok(id) => Redirect::to(&format!("/agency-reports/{id}")).into_response(),
        Err(AppError::Validation(errors)) => {
            staff_view(&state, lang, jar, &staff, input, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn withdraw(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let errors = [FieldError::new("title", "form-expired")];
        return staff_view(&state, lang, jar, &staff, ReportInput::default(), &errors).await;
    }
    match service::withdraw(&state, &staff, &id).await {
        Ok(()) => Redirect::to("/staff/agency-reports").into_response(),
        Err(err) => page_error(lang, err),
    }
}
