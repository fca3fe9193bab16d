//! The operator's call-entry page: one compact form, then the receipt to dictate.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use crate::accounts::{Role, Staff};
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, page_error, render};
use crate::i18n::Lang;
use crate::intake::model::{Channel, ReportInput, ReportKind};
use crate::intake::service::{self, IdempotencyKey, Submission};
use crate::state::AppState;

const TAKES_CALLS: &[Role] = &[Role::Operator, Role::Coordinator, Role::Administrator];

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/hotline", get(form).post(submit))
}

struct Group {
    kind_name: String,
    categories: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "hotline/form.html")]
struct FormPage {
    c: Chrome,
    csrf: String,
    form_token: String,
    groups: Vec<Group>,
    kinds: Vec<(&'static str, String)>,
    communities: Vec<(String, String)>,
    v: ReportInput,
    caller_lang: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "hotline/done.html")]
struct DonePage {
    c: Chrome,
    reference: String,
    receipt: String,
}

/// The call being entered: the operator's values, the caller's language, the form's token.
struct Call {
    values: ReportInput,
    caller_lang: String,
    form_token: String,
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    call: Call,
    errors: &[FieldError],
) -> Response {
    let Call {
        values,
        caller_lang,
        form_token,
    } = call;
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let page = FormPage {
        c: Chrome::new(lang, "/staff/hotline", "hotline-title").staff(&staff.user, &csrf),
        csrf,
        form_token,
        groups: ReportKind::ALL
            .into_iter()
            .map(|k| Group {
                kind_name: lang.t(&k.message_key()),
                categories: catalog
                    .categories_of(k)
                    .map(|c| (c.code.clone(), c.names.get(lang).to_string()))
                    .collect(),
            })
            .collect(),
        kinds: ReportKind::choices(lang),
        communities: catalog.community_choices(lang),
        v: values,
        caller_lang,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    if let Err(err) = staff.require(TAKES_CALLS) {
        return page_error(lang, err);
    }
    let values = ReportInput {
        kind: ReportKind::Violation.code().into(),
        ..Default::default()
    };
    let call = Call {
        values,
        caller_lang: "uk".into(),
        form_token: service::new_form_token(),
    };
    form_page(&state, lang, jar, &staff, call, &[]).await
}

#[derive(serde::Deserialize, Default)]
struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    involved_unit: String,
    #[serde(default)]
    involved_badge: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    consent_contact: Option<String>,
    #[serde(default)]
    consent_publish: Option<String>,
    #[serde(default)]
    caller_lang: String,
}

async fn submit(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(f): Form<CallForm>,
) -> Response {
    if let Err(err) = staff.require(TAKES_CALLS) {
        return page_error(lang, err);
    }
    let values = ReportInput {
        kind: f.kind,
        category: f.category,
        community: f.community,
        place: f.place,
        occurred_at: f.occurred_at,
        description: f.description,
        involved_unit: f.involved_unit,
        involved_badge: f.involved_badge,
        contact: f.contact,
        consent_contact: f.consent_contact.is_some_and(|v| !v.is_empty()),
        consent_publish: f.consent_publish.is_some_and(|v| !v.is_empty()),
        ..Default::default()
    };
    let token = IdempotencyKey::form(&f.form_token);
    let form_token = if token.is_some() {
        f.form_token.clone()
    } else {
        service::new_form_token()
    };
    if !csrf::verify(&state, &jar, &headers, &f.csrf) {
        let errors = [FieldError::new("description", "form-expired")];
        let call = Call {
            values,
            caller_lang: f.caller_lang,
            form_token,
        };
        return form_page(&state, lang, jar, &staff, call, &errors).await;
    }
    let caller = Lang::from_code(&f.caller_lang).unwrap_or_default();
    let submission = Submission {
        input: values.clone(),
        channel: Channel::Phone,
        lang: caller,
        idempotency: token,
        uploads: Vec::new(),
        // An operator types many callers' reports: no per-address limit.
        client: None,
    };
    match service::submit(&state, submission).await {
        Ok(accepted) => {
            let (_, csrf) = csrf::token(&state, jar);
            let page = DonePage {
                c: Chrome::new(lang, "/staff/hotline", "hotline-done-title")
                    .staff(&staff.user, &csrf),
                reference: accepted.reference,
                receipt: accepted.receipt.display(),
            };
            render(StatusCode::OK, &page)
        }
        Err(AppError::Validation(errors)) => {
            let call = Call {
                values,
                caller_lang: f.caller_lang,
                form_token,
            };
            form_page(&state, lang, jar, &staff, call, &errors).await
        }
        Err(err) => page_error(lang, err),
    }
}
