//! Pages of referrals: the coordinator's referral of a case, and the officer's list and
//! referral page with accept, refuse, record an action and respond.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form};
use uuid::Uuid;

use super::model::ReferralAction;
use super::service::{self, ReferInput};
use crate::accounts::Staff;
use crate::error::{AppError, FieldError, parse_id};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, render};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/cases/{reference}/refer", post(refer))
        .route("/staff/referrals", get(list))
        .route("/staff/referrals/{id}", get(page))
        .route("/staff/referrals/{id}/{action}", post(act))
        .route(
            "/staff/referrals/{id}/attachments/{attachment}",
            get(attachment),
        )
}

#[derive(serde::Deserialize, Default)]
struct ReferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organizations: Vec<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    share_contact: Option<String>,
}

async fn refer(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ReferForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let notice = Some(lang.t("form-expired"));
        return crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &[], notice)
            .await;
    }
    let input = ReferInput {
        organizations: form.organizations,
        message: form.message,
        due_date: form.due_date,
        share_contact: form.share_contact.is_some_and(|v| !v.is_empty()),
    };
    match service::refer(&state, &staff, &reference, input).await {
        Ok(_) => Redirect::to(&format!("/staff/cases/{reference}#referrals")).into_response(),
        Err(AppError::Validation(errors)) => {
            crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &errors, None)
                .await
        }
        Err(AppError::Conflict(code)) => {
            let notice = Some(lang.t(&format!("problem-{code}")));
            crate::cases::web::render_case(&state, lang, jar, &staff, &reference, &[], notice).await
        }
        Err(err) => page_error(lang, err),
    }
}

pub(crate) struct ReferralLine {
    pub id: Uuid,
    pub reference: String,
    pub organization: String,
    pub status_code: &'static str,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    /// The coordinators (and the organization's head) were told that the due date passed.
    pub escalated: bool,
    pub created: String,
    pub response: String,
}

pub(crate) fn line(state: &AppState, lang: Lang, r: &super::store::ReferralRow) -> ReferralLine {
    let now = time::OffsetDateTime::now_utc();
    ReferralLine {
        id: r.id,
        reference: r.reference.clone(),
        organization: lang
            .pick(
                &r.organization_names[0],
                &r.organization_names[1],
                &r.organization_names[2],
            )
            .to_string(),
        status_code: r.status.code(),
        status: lang.t(&r.status.message_key()),
        due: state.format_local(r.due_at),
        overdue: super::model::is_overdue(r.status, r.due_at, now),
        escalated: r.escalated_at.is_some(),
        created: state.format_local(r.created_at),
        response: r
            .response
            .clone()
            .or_else(|| r.refusal_reason.clone())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "referrals/list.html")]
struct ListPage {
    c: Chrome,
    lines: Vec<ReferralLine>,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    OriginalUri(uri): OriginalUri,
    Query(query): Query<ListQuery>,
) -> Response {
    let rows = match service::for_my_organization(&state, &staff, query.page.unwrap_or(1)).await {
        Ok(rows) => rows,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let page = ListPage {
        c: Chrome::new(lang, &here(&uri), "referrals-title").staff(&staff.user, &csrf),
        lines: rows.iter().map(|r| line(&state, lang, r)).collect(),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

struct Entry {
    at: String,
    label: String,
    body: String,
}

#[derive(Template)]
#[template(path = "referrals/referral.html")]
struct ReferralPage {
    c: Chrome,
    csrf: String,
    r: ReferralLine,
    message: String,
    kind_name: String,
    category_name: String,
    community_name: String,
    received: String,
    occurred: String,
    place: String,
    description: String,
    involved: String,
    contact: Option<String>,
    actions: Vec<Entry>,
    attachments: Vec<(Uuid, String)>,
    can_accept: bool,
    can_act: bool,
    is_officer: bool,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn render_referral(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: Uuid,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let view = match service::view(state, staff, id).await {
        Ok(view) => view,
        Err(err) => return page_error(lang, err),
    };
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let case = &view.case;
    let (jar, csrf) = csrf::token(state, jar);
    let status = view.referral.status;
    let page = ReferralPage {
        c: Chrome::new(lang, &format!("/staff/referrals/{id}"), "referral-title")
            .staff(&staff.user, &csrf),
        csrf,
        r: line(state, lang, &view.referral),
        message: view.referral.message.clone(),
        kind_name: lang.t(&case.kind.message_key()),
        category_name: catalog
            .category(&case.category)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| case.category.clone()),
        community_name: catalog
            .community(&case.community)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| case.community.clone()),
        received: state.format_local(case.created_at),
        occurred: case
            .occurred_at
            .map(|t| state.format_local(t))
            .unwrap_or_default(),
        place: case.place.clone().unwrap_or_default(),
        description: case.description.clone(),
        involved: [case.involved_unit.clone(), case.involved_badge.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        contact: view.contact,
        actions: view
            .actions
            .iter()
            .map(|a| Entry {
                at: state.format_local(a.at),
                label: a.author.clone(),
                body: a.body.clone(),
            })
            .collect(),
        attachments: view
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    a.id,
                    format!(
                        "{} {} ({})",
                        lang.t("case-attachment"),
                        i + 1,
                        a.kind.extension()
                    ),
                )
            })
            .collect(),
        can_accept: status == super::model::ReferralStatus::Sent,
        can_act: status.is_open(),
        is_officer: staff.user.role == crate::accounts::Role::Officer,
        errors: FieldErrors::new(lang, errors),
        notice,
    };
    let code = if errors.is_empty() && page.notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(code, &page)).into_response()
}

async fn page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_referral(&state, lang, jar, &staff, id, &[], None).await,
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

async fn act(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActForm>,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return page_error(lang, err),
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let notice = Some(lang.t("form-expired"));
        return render_referral(&state, lang, jar, &staff, id, &[], notice).await;
    }
    let result = match action.as_str() {
        "accept" => service::decide(&state, &staff, id, ReferralAction::Accept, &form.text).await,
        "refuse" => service::decide(&state, &staff, id, ReferralAction::Refuse, &form.text).await,
        "respond" => service::decide(&state, &staff, id, ReferralAction::Respond, &form.text).await,
        "act" => service::record_action(&state, &staff, id, &form.text).await,
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/referrals/{id}")).into_response(),
        Err(AppError::Validation(errors)) => {
            render_referral(&state, lang, jar, &staff, id, &errors, None).await
        }
        Err(AppError::Conflict(code)) => {
            let notice = Some(lang.t(&format!("problem-{code}")));
            render_referral(&state, lang, jar, &staff, id, &[], notice).await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn attachment(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    Path((id, attachment)): Path<(String, String)>,
) -> Response {
    let (Ok(id), Ok(attachment)) = (parse_id(&id), parse_id(&attachment)) else {
        return page_error(lang, AppError::NotFound);
    };
    let report_id = match service::report_of(&state, &staff, id).await {
        Ok(report_id) => report_id,
        Err(err) => return page_error(lang, err),
    };
    let stem = attachment.to_string();
    crate::attachments::web::serve_copy(&state, lang, report_id, attachment, &stem).await
}
