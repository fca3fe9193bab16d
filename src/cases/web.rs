//! Coordinators' pages: the queue of cases and a case with its actions.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use super::model::{Outcome, Transition, Urgency};
use super::service::{self, CaseView, Decision, PAGE_SIZE};
use super::store::Writing;
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, render};
use crate::i18n::Lang;
use crate::intake::model::Status;
use crate::intake::store::TimelineEntry;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/cases", get(queue))
        .route("/staff/cases/{reference}", get(case_page))
        .route("/staff/cases/{reference}/{action}", post(act))
        .route("/staff/cases/{reference}/attachments/{id}", get(attachment))
}

struct QueueLine {
    reference: String,
    received: String,
    kind: String,
    category: String,
    community: String,
    urgency: String,
    urgency_code: &'static str,
    channel: String,
}

struct StatusTab {
    code: &'static str,
    name: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "cases/queue.html")]
struct QueuePage {
    c: Chrome,
    tabs: Vec<StatusTab>,
    lines: Vec<QueueLine>,
    total: String,
    page: i64,
    pages: i64,
    status_code: &'static str,
}

#[derive(serde::Deserialize)]
struct QueueQuery {
    status: Option<String>,
    page: Option<i64>,
}

async fn queue(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    OriginalUri(uri): OriginalUri,
    Query(query): Query<QueueQuery>,
) -> Response {
    let status = query
        .status
        .as_deref()
        .and_then(Status::from_code)
        .unwrap_or(Status::Received);
    let result = service::queue(&state, &staff, status, query.page.unwrap_or(1)).await;
    let page = match result {
        Ok(page) => page,
        Err(err) => return page_error(lang, err),
    };
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let lines = page
        .rows
        .iter()
        .map(|r| QueueLine {
            reference: r.reference.clone(),
            received: state.format_local(r.created_at),
            kind: lang.t(&r.kind.message_key()),
            category: catalog
                .category(&r.category)
                .map(|c| c.names.get(lang).to_string())
                .unwrap_or_else(|| r.category.clone()),
            community: catalog
                .community(&r.community)
                .map(|c| c.names.get(lang).to_string())
                .unwrap_or_else(|| r.community.clone()),
            urgency: lang.t(&format!("urgency-{}", r.urgency.code())),
            urgency_code: r.urgency.code(),
            channel: lang.t(&format!("channel-{}", r.channel)),
        })
        .collect();
    let tabs = Status::ALL
        .into_iter()
        .map(|s| StatusTab {
            code: s.code(),
            name: lang.t(&s.message_key()),
            current: s == status,
        })
        .collect();
    let (jar, csrf) = csrf::token(&state, jar);
    let view = QueuePage {
        c: Chrome::new(lang, &here(&uri), "queue-title").staff(&staff.user, &csrf),
        tabs,
        lines,
        total: if page.total > super::store::QUEUE_COUNT_CAP {
            format!("{}+", super::store::QUEUE_COUNT_CAP)
        } else {
            page.total.to_string()
        },
        page: page.page,
        pages: ((page.total.min(super::store::QUEUE_COUNT_CAP) + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        status_code: status.code(),
    };
    (jar, render(StatusCode::OK, &view)).into_response()
}

struct Entry {
    at: String,
    label: String,
    body: String,
}

struct Choice {
    code: String,
    name: String,
    selected: bool,
}

struct AttachmentLink {
    id: Uuid,
    label: String,
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    c: Chrome,
    csrf: String,
    reference: String,
    status_code: &'static str,
    status_name: String,
    kind_name: String,
    category_name: String,
    community_name: String,
    urgency_name: String,
    received: String,
    occurred: String,
    channel: String,
    place: String,
    location: String,
    description: String,
    involved: String,
    contact: Option<String>,
    /// The day the retention rule deleted the contact, witnesses and files, if it has.
    purged: Option<String>,
    consent_contact: bool,
    consent_publish: bool,
    witnesses: Option<String>,
    outcome: String,
    reason: String,
    timeline: Vec<Entry>,
    notes: Vec<Entry>,
    history: Vec<Entry>,
    attachments: Vec<AttachmentLink>,
    categories: Vec<Choice>,
    communities: Vec<Choice>,
    urgencies: Vec<Choice>,
    outcomes: Vec<Choice>,
    can_triage: bool,
    can_reject: bool,
    can_merge: bool,
    can_close: bool,
    can_reopen: bool,
    can_refer: bool,
    referrals: Vec<crate::referrals::web::ReferralLine>,
    organizations: Vec<Choice>,
    default_due: String,
    errors: FieldErrors,
    notice: Option<String>,
    /// Only when the reporter consented to publication.
    publication: Option<PublicationForm>,
}

/// The publication form of a case: the live summary, or a draft to write (or being corrected).
struct PublicationForm {
    title: String,
    summary: String,
    languages: Vec<Choice>,
    /// Published and not withdrawn: shown in the public register since this day.
    live_since: Option<String>,
}

pub(crate) async fn render_case(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    reference: &str,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    render_case_with_draft(state, lang, jar, staff, reference, errors, notice, None).await
}

/// The case page; `draft` keeps what a coordinator typed into the publication form when it
/// comes back with errors.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn render_case_with_draft(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    reference: &str,
    errors: &[FieldError],
    notice: Option<String>,
    draft: Option<&crate::public::model::PublicationInput>,
) -> Response {
    let view = match service::case(state, staff, reference).await {
        Ok(view) => view,
        Err(err) => return page_error(lang, err),
    };
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let CaseView {
        case,
        contact,
        witnesses,
        timeline,
        notes,
        attachments,
        history,
    } = view;
    let history = history
        .iter()
        .map(|e| Entry {
            at: state.format_local(e.at),
            label: format!(
                "{} · {}",
                lang.t(&format!("audit-{}", e.action.replace(['.', '_'], "-"))),
                e.actor
            ),
            body: e.after.clone().unwrap_or_default(),
        })
        .collect();
    let status = case.status;
    let name_of_category = |code: &str| {
        catalog
            .category(code)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let timeline = timeline
        .iter()
        .map(|e| match e {
            TimelineEntry::Status { status, at } => Entry {
                at: state.format_local(*at),
                label: lang.t(&status.message_key()),
                body: String::new(),
            },
            TimelineEntry::PublicUpdate { body, at } => Entry {
                at: state.format_local(*at),
                label: lang.t("case-public-update"),
                body: body.clone(),
            },
            TimelineEntry::Message {
                from_reporter,
                body,
                at,
            } => Entry {
                at: state.format_local(*at),
                label: lang.t(if *from_reporter {
                    "staff-message-from-reporter"
                } else {
                    "staff-message-to-reporter"
                }),
                body: body.clone(),
            },
        })
        .collect();
    let notes = notes
        .iter()
        .map(|n| Entry {
            at: state.format_local(n.at),
            label: n.author.clone(),
            body: n.body.clone(),
        })
        .collect();
    let attachments = attachments
        .iter()
        .enumerate()
        .map(|(i, a)| AttachmentLink {
            id: a.id,
            label: format!(
                "{} {} ({})",
                lang.t("case-attachment"),
                i + 1,
                a.kind.extension()
            ),
        })
        .collect();
    let categories = catalog
        .categories_of(case.kind)
        .map(|c| Choice {
            code: c.code.clone(),
            name: c.names.get(lang).to_string(),
            selected: c.code == case.category,
        })
        .collect();
    let communities = catalog
        .communities_sorted(lang)
        .into_iter()
        .map(|c| Choice {
            code: c.code.clone(),
            name: c.names.get(lang).to_string(),
            selected: c.code == case.community,
        })
        .collect();
    let urgencies = Urgency::ALL
        .into_iter()
        .map(|u| Choice {
            code: u.code().into(),
            name: lang.t(&format!("urgency-{}", u.code())),
            selected: u == case.urgency,
        })
        .collect();
    let outcomes = Outcome::ALL
        .into_iter()
        .map(|o| Choice {
            code: o.code().into(),
            name: lang.t(&o.message_key()),
            selected: false,
        })
        .collect();
    let referrals = match crate::referrals::service::for_case(state, staff, case.id).await {
        Ok(rows) => rows
            .iter()
            .map(|r| crate::referrals::web::line(state, lang, r))
            .collect(),
        Err(err) => return page_error(lang, err),
    };
    let organizations = catalog
        .agencies
        .iter()
        .map(|o| Choice {
            name: lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string(),
            code: o.code.clone(),
            selected: false,
        })
        .collect();
    let publication = if case.consent_publish {
        let current = match crate::public::service::publication_of(state, staff, case.id).await {
            Ok(current) => current,
            Err(err) => return page_error(lang, err),
        };
        let live = current.as_ref().filter(|p| p.withdrawn_at.is_none());
        let (title, summary, language) = match (draft, &current) {
            (Some(d), _) => (d.title.clone(), d.summary.clone(), d.language.clone()),
            (None, Some(p)) => (p.title.clone(), p.summary.clone(), p.language.clone()),
            (None, None) => (String::new(), String::new(), case.language.clone()),
        };
        Some(PublicationForm {
            languages: Lang::ALL
                .into_iter()
                .map(|l| Choice {
                    code: l.code().to_string(),
                    name: l.native_name().to_string(),
                    selected: l.code() == language,
                })
                .collect(),
            title,
            summary,
            live_since: live.map(|p| state.format_local_date(p.published_at)),
        })
    } else {
        None
    };
    let now = time::OffsetDateTime::now_utc();
    let due = (now + time::Duration::days(crate::referrals::model::DEFAULT_DUE_DAYS))
        .to_offset(state.local_offset(now))
        .date();
    let (jar, csrf) = csrf::token(state, jar);
    let allowed = |t| super::model::next_status(status, t).is_ok();
    let page = CasePage {
        c: Chrome::new(
            lang,
            &format!("/staff/cases/{}", case.reference),
            "staff-case-title",
        )
        .staff(&staff.user, &csrf),
        csrf,
        reference: case.reference.clone(),
        status_code: status.code(),
        status_name: lang.t(&status.message_key()),
        kind_name: lang.t(&case.kind.message_key()),
        category_name: name_of_category(&case.category),
        community_name: catalog
            .community(&case.community)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| case.community.clone()),
        urgency_name: lang.t(&format!("urgency-{}", case.urgency.code())),
        received: state.format_local(case.created_at),
        occurred: case
            .occurred_at
            .map(|t| state.format_local(t))
            .unwrap_or_default(),
        channel: lang.t(&format!("channel-{}", case.channel)),
        place: case.place.clone().unwrap_or_default(),
        location: match (case.lat, case.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
            _ => String::new(),
        },
        description: case.description.clone(),
        involved: [case.involved_unit.clone(), case.involved_badge.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        contact,
        purged: case
            .identity_purged_at
            .map(|at| state.format_local_date(at)),
        consent_contact: case.consent_contact,
        consent_publish: case.consent_publish,
        witnesses,
        outcome: case
            .outcome
            .as_deref()
            .and_then(Outcome::from_code)
            .map(|o| lang.t(&o.message_key()))
            .unwrap_or_default(),
        reason: case.status_reason.clone().unwrap_or_default(),
        timeline,
        notes,
        history,
        attachments,
        categories,
        communities,
        urgencies,
        outcomes,
        can_triage: allowed(Transition::Triage),
        can_reject: allowed(Transition::Reject),
        can_merge: allowed(Transition::Merge),
        can_close: allowed(Transition::Close),
        can_reopen: allowed(Transition::Reopen),
        can_refer: matches!(
            status,
            Status::Triaged | Status::Referred | Status::InProgress | Status::Responded
        ),
        referrals,
        organizations,
        default_due: format!(
            "{:04}-{:02}-{:02}",
            due.year(),
            u8::from(due.month()),
            due.day()
        ),
        errors: FieldErrors::new(lang, errors),
        notice,
        publication,
    };
    let status = if errors.is_empty() && page.notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

async fn case_page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(reference): Path<String>,
) -> Response {
    render_case(&state, lang, jar, &staff, &reference, &[], None).await
}

#[derive(serde::Deserialize, Default)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    into: String,
}

async fn act(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((reference, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        let notice = Some(lang.t("form-expired"));
        return render_case(&state, lang, jar, &staff, &reference, &[], notice).await;
    }
    let decision = |form: &ActionForm| Decision {
        category: form.category.clone(),
        community: form.community.clone(),
        urgency: form.urgency.clone(),
        outcome: form.outcome.clone(),
        reason: form.reason.clone(),
        into: form.into.clone(),
    };
    let result = match action.as_str() {
        "triage" => {
            service::decide(
                &state,
                &staff,
                &reference,
                Transition::Triage,
                decision(&form),
            )
            .await
        }
        "reject" => {
            service::decide(
                &state,
                &staff,
                &reference,
                Transition::Reject,
                decision(&form),
            )
            .await
        }
        "close" => {
            service::decide(
                &state,
                &staff,
                &reference,
                Transition::Close,
                decision(&form),
            )
            .await
        }
        "merge" => {
            service::decide(
                &state,
                &staff,
                &reference,
                Transition::Merge,
                decision(&form),
            )
            .await
        }
        "reopen" => {
            service::decide(
                &state,
                &staff,
                &reference,
                Transition::Reopen,
                decision(&form),
            )
            .await
        }
        "note" => service::write(&state, &staff, &reference, Writing::Note, &form.body)
            .await
            .map(|_| ()),
        "update" => service::write(
            &state,
            &staff,
            &reference,
            Writing::PublicUpdate,
            &form.body,
        )
        .await
        .map(|_| ()),
        "message" => service::write(&state, &staff, &reference, Writing::Message, &form.body)
            .await
            .map(|_| ()),
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/cases/{reference}")).into_response(),
        Err(AppError::Validation(errors)) => {
            render_case(&state, lang, jar, &staff, &reference, &errors, None).await
        }
        Err(AppError::Conflict(code)) => {
            let notice = Some(lang.t(&format!("problem-{code}")));
            render_case(&state, lang, jar, &staff, &reference, &[], notice).await
        }
        Err(err) => page_error(lang, err),
    }
}

async fn attachment(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    let report_id = match service::case_id(&state, &staff, &reference).await {
        Ok(report_id) => report_id,
        Err(err) => return page_error(lang, err),
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return page_error(lang, AppError::NotFound);
    };
    let stem = format!("{}-{id}", reference.trim());
    crate::attachments::web::serve_copy(&state, lang, report_id, id, &stem).await
}
