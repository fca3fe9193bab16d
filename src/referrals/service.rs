//! Referral use cases: a coordinator refers a case to organizations; an organization's officer
//! sees only what was referred to it, accepts or refuses, records actions and responds.

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{ReferralAction, is_overdue, next_referral_status, parse_due_date};
use super::store::{
    self, ActionRow, Escalation, NewReferrals, OrganizationChoice, OverdueRow, ReferralChange,
    ReferralRow, ToOrganization,
};
use crate::accounts::{Role, Staff};
use crate::attachments::store::AttachmentRow;
use crate::audit::Audited;
use crate::cases::store::CaseRow;
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::model::{Status, validate_message};
use crate::intake::service::SEAL_CONTACT;
use crate::notify::{self, model::Facts};
use crate::state::AppState;

const COORDINATORS: &[Role] = &[Role::Coordinator, Role::Administrator];

#[derive(Debug, Default, Clone)]
pub struct ReferInput {
    pub organizations: Vec<String>,
    pub message: String,
    pub due_date: String,
    pub share_contact: bool,
}

pub async fn refer(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    input: ReferInput,
) -> AppResult<Vec<Uuid>> {
    staff.require(COORDINATORS)?;
    let case = crate::cases::store::find_by_reference(&state.db, reference.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        case.status,
        Status::Triaged | Status::Referred | Status::InProgress | Status::Responded
    ) {
        return Err(AppError::field("status", "error-refer-not-triaged"));
    }
    let mut errors = Vec::new();
    let known = store::organizations(&state.db).await?;
    let mut organizations = Vec::new();
    for code in &input.organizations {
        match known.iter().find(|o| o.code == code.trim()) {
            Some(o) if !organizations.contains(&o.id) => organizations.push(o.id),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "organizations",
                "error-organization-invalid",
            )),
        }
    }
    if organizations.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "organizations",
            "error-organizations-required",
        ));
    }
    let message = validate_message(&input.message)
        .map_err(|_| {
            errors.push(FieldError::new(
                "message",
                "error-referral-message-required",
            ))
        })
        .ok();
    let now = OffsetDateTime::now_utc();
    let due_at = parse_due_date(&input.due_date, now, state.local_offset(now))
        .map_err(|e| errors.push(e))
        .ok();
    if input.share_contact && !case.consent_contact {
        errors.push(FieldError::new(
            "share_contact",
            "error-share-without-consent",
        ));
    }
    let (Some(message), Some(due_at), true) = (message, due_at, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let targets = notices_to_officers(state, &case.reference, &known, &organizations, due_at);
    let codes: Vec<&str> = known
        .iter()
        .filter(|o| organizations.contains(&o.id))
        .map(|o| o.code.as_str())
        .collect();
    let after = serde_json::json!({
        "organizations": codes, "due_at": crate::audit::model::format_at(due_at).unwrap_or_default(),
        "share_contact": input.share_contact, "case_status": "referred",
    });
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "case.referred",
        "case",
        case.id,
        Some(serde_json::json!({ "case_status": case.status.code() })),
        Some(after),
    );
    store::insert(
        &state.db,
        NewReferrals {
            report_id: case.id,
            case_status: case.status,
            organizations: targets,
            message,
            due_at,
            share_contact: input.share_contact,
            author_id: staff.user.id,
        },
        audited,
    )
    .await
}

/// The referral of each organization, and the e-mail its officers get about it.
fn notices_to_officers(
    state: &AppState,
    reference: &str,
    known: &[OrganizationChoice],
    organizations: &[Uuid],
    due_at: OffsetDateTime,
) -> Vec<ToOrganization> {
    let lang = state.mail_language;
    let platform = state.platform_name(lang);
    let due = state.format_local(due_at);
    organizations
        .iter()
        .map(|&organization_id| {
            let referral_id = Uuid::now_v7();
            let organization = known
                .iter()
                .find(|o| o.id == organization_id)
                .map(|o| lang.pick(&o.names[0], &o.names[1], &o.names[2]).to_string())
                .unwrap_or_default();
            let link = notify::model::link(
                state.config.public_url.as_deref(),
                &format!("/staff/referrals/{referral_id}"),
            );
            let notice = notify::model::referral_created(
                lang,
                Facts {
                    reference,
                    organization: &organization,
                    due: &due,
                    link: &link,
                    platform: &platform,
                },
            );
            ToOrganization {
                referral_id,
                organization_id,
                notice,
            }
        })
        .collect()
}

/// Referrals escalated per run at most; the rest wait for the next run.
pub const ESCALATIONS_PER_RUN: i64 = 200;

/// Escalates open referrals whose due date has passed: marks each once, records it in the audit
/// trail as done by the system, and e-mails the coordinators and the organization's head. Safe
/// to run on several servers at once: each referral is escalated by exactly one of them.
/// Returns how many this call escalated.
pub async fn escalate_overdue(state: &AppState) -> AppResult<usize> {
    let now = OffsetDateTime::now_utc();
    let mut escalated = 0;
    for row in store::overdue(&state.db, now, ESCALATIONS_PER_RUN).await? {
        if escalate(state, &row, now).await? {
            escalated += 1;
        }
    }
    Ok(escalated)
}

/// Escalates one overdue referral found at `now`, unless another run did first; returns
/// whether this call did.
pub async fn escalate(state: &AppState, row: &OverdueRow, now: OffsetDateTime) -> AppResult<bool> {
    if !is_overdue(row.status, row.due_at, now) {
        return Ok(false);
    }
    let lang = state.mail_language;
    let platform = state.platform_name(lang);
    let public_url = state.config.public_url.as_deref();
    let [uk, ru, en] = &row.organization_names;
    let organization = lang.pick(uk, ru, en);
    let due = state.format_local(row.due_at);
    let case_link = notify::model::link(public_url, &format!("/staff/cases/{}", row.reference));
    let referral_link = notify::model::link(public_url, &format!("/staff/referrals/{}", row.id));
    let facts = |link| Facts {
        reference: &row.reference,
        organization,
        due: &due,
        link,
        platform: &platform,
    };
    let escalation = Escalation {
        referral_id: row.id,
        to_coordinators: notify::model::referral_escalated(lang, facts(&case_link)),
        to_head: row
            .head_email
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                (
                    a.to_string(),
                    notify::model::referral_escalated_to_head(lang, facts(&referral_link)),
                )
            }),
    };
    let audited = Audited::by_system(
        state,
        "referral.escalated",
        "case",
        row.report_id,
        Some(serde_json::json!({
            "referral": row.id, "organization": row.organization_code,
            "referral_status": row.status.code(), "escalated": false,
        })),
        Some(serde_json::json!({
            "referral": row.id, "organization": row.organization_code,
            "due_at": crate::audit::model::format_at(row.due_at).unwrap_or_default(),
            "escalated": true,
        })),
    );
    store::escalate(&state.db, escalation, now, audited).await
}

pub async fn for_case(
    state: &AppState,
    staff: &Staff,
    report_id: Uuid,
) -> AppResult<Vec<ReferralRow>> {
    staff.require(COORDINATORS)?;
    store::for_report(&state.db, report_id).await
}

/// The officer's list: only their organization's referrals.
pub async fn for_my_organization(
    state: &AppState,
    staff: &Staff,
    page: i64,
) -> AppResult<Vec<ReferralRow>> {
    staff.require(&[Role::Officer])?;
    let organization = staff.user.organization_id.ok_or(AppError::Forbidden)?;
    let page = page.max(1);
    store::for_organization(&state.db, organization, 50, (page - 1) * 50).await
}

/// A referral as its organization's officer (or a coordinator) sees it.
pub struct ReferralView {
    pub referral: ReferralRow,
    pub case: CaseRow,
    /// Only when the reporter consented and the coordinator shared it with this organization.
    pub contact: Option<String>,
    pub actions: Vec<ActionRow>,
    pub attachments: Vec<AttachmentRow>,
    pub overdue: bool,
}

/// Loads a referral the person may see. An officer of another organization gets "not found",
/// exactly as for a referral that does not exist, so guessing identifiers reveals nothing.
async fn visible(state: &AppState, staff: &Staff, id: Uuid) -> AppResult<ReferralRow> {
    let referral = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match staff.user.role {
        Role::Coordinator | Role::Administrator => Ok(referral),
        Role::Officer if staff.user.organization_id == Some(referral.organization_id) => {
            Ok(referral)
        }
        Role::Officer => Err(AppError::NotFound),
        _ => Err(AppError::Forbidden),
    }
}

/// The case a referral the person may see belongs to (serving its files needs no more).
pub async fn report_of(state: &AppState, staff: &Staff, id: Uuid) -> AppResult<Uuid> {
    Ok(visible(state, staff, id).await?.report_id)
}

pub async fn view(state: &AppState, staff: &Staff, id: Uuid) -> AppResult<ReferralView> {
    let referral = visible(state, staff, id).await?;
    let case = crate::cases::store::find_by_reference(&state.db, &referral.reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = match &case.contact_sealed {
        Some(sealed) if referral.share_contact && case.consent_contact => Some(
            state
                .keys
                .open_string(SEAL_CONTACT, sealed)
                .map_err(AppError::internal)?,
        ),
        _ => None,
    };
    let actions = store::actions(&state.db, id).await?;
    let attachments = crate::attachments::store::list(&state.db, case.id).await?;
    let overdue = is_overdue(referral.status, referral.due_at, OffsetDateTime::now_utc());
    Ok(ReferralView {
        referral,
        case,
        contact,
        actions,
        attachments,
        overdue,
    })
}

/// Accept, refuse (with a reason) or respond (with the response): only the organization's officers.
pub async fn decide(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    action: ReferralAction,
    text: &str,
) -> AppResult<()> {
    staff.require(&[Role::Officer])?;
    let referral = visible(state, staff, id).await?;
    let to =
        next_referral_status(referral.status, action).map_err(|e| AppError::Validation(vec![e]))?;
    let mut change = ReferralChange {
        referral_id: id,
        from: referral.status,
        to,
        refusal_reason: None,
        response: None,
        report_id: referral.report_id,
        case_from: referral.case_status,
        case_to: referral.case_status,
        author_id: staff.user.id,
    };
    match action {
        ReferralAction::Accept => {
            if referral.case_status == Status::Referred {
                change.case_to = Status::InProgress;
            }
        }
        ReferralAction::Refuse => {
            let reason = validate_message(text)
                .map_err(|_| AppError::field("text", "error-reason-required"))?;
            change.refusal_reason = Some(reason);
        }
        ReferralAction::Respond => {
            let response = validate_message(text)
                .map_err(|_| AppError::field("text", "error-response-required"))?;
            change.response = Some(response);
            if matches!(referral.case_status, Status::Referred | Status::InProgress) {
                change.case_to = Status::Responded;
            }
        }
    }
    let action_code = match action {
        ReferralAction::Accept => "referral.accepted",
        ReferralAction::Refuse => "referral.refused",
        ReferralAction::Respond => "referral.responded",
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action_code,
        "case",
        referral.report_id,
        Some(serde_json::json!({
            "referral": id, "organization": referral.organization_code,
            "referral_status": referral.status.code(), "case_status": referral.case_status.code(),
        })),
        Some(serde_json::json!({
            "referral": id, "organization": referral.organization_code,
            "referral_status": change.to.code(), "case_status": change.case_to.code(),
        })),
    );
    store::change(&state.db, change, audited).await
}

/// Records something the organization did (a check, a meeting, a decision).
pub async fn record_action(state: &AppState, staff: &Staff, id: Uuid, text: &str) -> AppResult<()> {
    staff.require(&[Role::Officer])?;
    let referral = visible(state, staff, id).await?;
    if !referral.status.is_open() {
        return Err(AppError::field("status", "error-transition-invalid"));
    }
    let body =
        validate_message(text).map_err(|_| AppError::field("text", "error-message-required"))?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "referral.action_recorded",
        "case",
        referral.report_id,
        None,
        Some(serde_json::json!({ "referral": id, "organization": referral.organization_code })),
    );
    store::add_action(&state.db, id, staff.user.id, body, audited).await
}
