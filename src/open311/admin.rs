//! The administrators' page of Open311 API keys: issue a key to a partner system (shown once),
//! revoke one.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form};
use uuid::Uuid;

use super::service;
use crate::accounts::{Actor, Role, Staff};
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::i18n::Lang;
use crate::state::AppState;

const PATH: &str = "/staff/admin/api-keys";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(keys).post(issue))
        .route("/staff/admin/api-keys/{id}/revoke", post(revoke))
}

struct KeyLine {
    id: Uuid,
    name: String,
    hint: String,
    created: String,
    /// When it was revoked, if it was.
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "open311/api_keys.html")]
struct KeysPage {
    c: Chrome,
    csrf: String,
    keys: Vec<KeyLine>,
    name: String,
    errors: FieldErrors,
    /// A key just issued (its name and the key), shown this once.
    issued: Option<(String, String)>,
    revoked: bool,
    /// The address partners send requests to.
    endpoint: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct KeyForm {
    csrf: String,
    name: String,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Outcome {
    name: String,
    errors: Vec<FieldError>,
    issued: Option<(String, String)>,
    revoked: bool,
}

async fn keys_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    staff: &Staff,
    outcome: Outcome,
) -> Response {
    let list = match service::api_keys(state).await {
        Ok(list) => list,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let endpoint = format!("{}/", super::api::endpoint_url(state, headers));
    let page = KeysPage {
        c: Chrome::new(lang, PATH, "api-keys-title").staff(&staff.user, &csrf),
        csrf,
        keys: list
            .into_iter()
            .map(|k| KeyLine {
                id: k.id,
                name: k.name,
                hint: k.hint,
                created: state.format_local(k.created_at),
                revoked: k.revoked_at.map(|at| state.format_local(at)),
            })
            .collect(),
        name: outcome.name,
        errors: FieldErrors::new(lang, &outcome.errors),
        issued: outcome.issued,
        revoked: outcome.revoked,
        endpoint,
    };
    let status = if outcome.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn keys(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    keys_page(&state, lang, jar, &headers, &staff, Outcome::default()).await
}

async fn issue(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<KeyForm>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let mut outcome = Outcome {
        name: form.name.clone(),
        ..Outcome::default()
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        outcome.errors = vec![FieldError::new("name", "form-expired")];
        return keys_page(&state, lang, jar, &headers, &staff, outcome).await;
    }
    match service::issue_api_key(&state, &Actor::Staff(&staff.user), &form.name).await {
        Ok((_, key)) => {
            outcome.issued = Some((form.name.trim().to_string(), key));
            outcome.name = String::new();
        }
        Err(AppError::Validation(errors)) => outcome.errors = errors,
        Err(err) => return page_error(lang, err),
    }
    keys_page(&state, lang, jar, &headers, &staff, outcome).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn revoke(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(err) = staff.require(&[Role::Administrator]) {
        return page_error(lang, err);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return page_error(lang, AppError::NotFound);
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let outcome = Outcome {
            errors: vec![FieldError::new("name", "form-expired")],
            ..Outcome::default()
        };
        return keys_page(&state, lang, jar, &headers, &staff, outcome).await;
    }
    let outcome = match service::revoke_api_key(&state, &Actor::Staff(&staff.user), id).await {
        // Revoked already (another tab, another administrator): the list shows it so.
        Ok(()) | Err(AppError::Conflict(_)) => Outcome {
            revoked: true,
            ..Outcome::default()
        },
        Err(err) => return page_error(lang, err),
    };
    keys_page(&state, lang, jar, &headers, &staff, outcome).await
}
