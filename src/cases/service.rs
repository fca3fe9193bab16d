//! Case handling use cases for coordinators: the queue, a case, triage, rejection, closing,
//! reopening, notes, public updates and messages to the reporter.

use uuid::Uuid;

use super::model::{Outcome, Transition, Urgency, next_status};
use super::store::{self, CaseRow, NoteRow, QueueRow, StatusChange, Writing};
use crate::accounts::{Role, Staff};
use crate::attachments::store::AttachmentRow;
use crate::audit::Audited;
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::model::{Status, validate_message};
use crate::intake::service::{SEAL_CONTACT, SEAL_WITNESSES};
use crate::intake::store::TimelineEntry;
use crate::state::AppState;

/// Who handles cases on the platform's side.
const CASE_HANDLERS: &[Role] = &[Role::Coordinator, Role::Administrator];
/// Who may read reporters' contact details and witnesses.
const SEES_IDENTITY: &[Role] = &[Role::Coordinator, Role::Administrator];
pub const PAGE_SIZE: i64 = 50;

pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub page: i64,
}

pub async fn queue(
    state: &AppState,
    staff: &Staff,
    status: Status,
    page: i64,
) -> AppResult<QueuePage> {
    staff.require(CASE_HANDLERS)?;
    let page = page.max(1);
    let (rows, total) = store::queue(&state.db, status, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    Ok(QueuePage { rows, total, page })
}

/// A case as its handler sees it: identifying data opened only for roles that need it.
pub struct CaseView {
    pub case: CaseRow,
    pub contact: Option<String>,
    pub witnesses: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub notes: Vec<NoteRow>,
    pub attachments: Vec<AttachmentRow>,
    /// Every recorded change of the case, from the audit trail.
    pub history: Vec<crate::audit::AuditEvent>,
}

async fn load(state: &AppState, staff: &Staff, reference: &str) -> AppResult<CaseRow> {
    staff.require(CASE_HANDLERS)?;
    store::find_by_reference(&state.db, reference.trim())
        .await?
        .ok_or(AppError::NotFound)
}

/// The id of a case the person may handle, without opening its sealed fields or history
/// (serving a file needs no more).
pub async fn case_id(state: &AppState, staff: &Staff, reference: &str) -> AppResult<Uuid> {
    Ok(load(state, staff, reference).await?.id)
}

pub async fn case(state: &AppState, staff: &Staff, reference: &str) -> AppResult<CaseView> {
    let case = load(state, staff, reference).await?;
    let sees_identity = SEES_IDENTITY.contains(&staff.user.role);
    let open = |context: &str, sealed: &Option<Vec<u8>>| -> AppResult<Option<String>> {
        match sealed {
            Some(sealed) if sees_identity => state
                .keys
                .open_string(context, sealed)
                .map(Some)
                .map_err(AppError::internal),
            _ => Ok(None),
        }
    };
    let contact = open(SEAL_CONTACT, &case.contact_sealed)?;
    let witnesses = open(SEAL_WITNESSES, &case.witnesses_sealed)?;
    let timeline = crate::intake::store::timeline(&state.db, case.id).await?;
    let notes = store::notes(&state.db, case.id).await?;
    let attachments = crate::attachments::store::list(&state.db, case.id).await?;
    let history = crate::audit::store::history(&state.db, "case", &case.id.to_string()).await?;
    Ok(CaseView {
        case,
        contact,
        witnesses,
        timeline,
        notes,
        attachments,
        history,
    })
}

/// What a coordinator decides when changing a case's status.
#[derive(Debug, Default, Clone)]
pub struct Decision {
    pub category: String,
    pub community: String,
    pub urgency: String,
    pub outcome: String,
    pub reason: String,
    /// For a merge: the reference of the case this one duplicates.
    pub into: String,
}

pub async fn decide(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    transition: Transition,
    decision: Decision,
) -> AppResult<()> {
    let case = load(state, staff, reference).await?;
    let to = next_status(case.status, transition).map_err(|e| AppError::Validation(vec![e]))?;
    let mut change = StatusChange {
        report_id: case.id,
        from: case.status,
        to,
        category: None,
        community: None,
        urgency: None,
        outcome: case.outcome.clone(),
        reason: case.status_reason.clone(),
        merged_into: None,
        author_id: staff.user.id,
    };
    let mut errors = Vec::new();
    match transition {
        Transition::Triage => {
            let catalog = state.catalog.get(&state.db).await?;
            match catalog.category(decision.category.trim()) {
                Some(c) if c.kind == case.kind => change.category = Some(c.code.clone()),
                _ => errors.push(FieldError::new("category", "error-category-invalid")),
            }
            match catalog.community(decision.community.trim()) {
                Some(c) => change.community = Some(c.code.clone()),
                None => errors.push(FieldError::new("community", "error-community-invalid")),
            }
            match Urgency::from_code(&decision.urgency) {
                Some(u) => change.urgency = Some(u),
                None => errors.push(FieldError::new("urgency", "error-urgency-invalid")),
            }
        }
        Transition::Reject => match validate_message(&decision.reason) {
            Ok(reason) => change.reason = Some(reason),
            Err(_) => errors.push(FieldError::new("reason", "error-reason-required")),
        },
        Transition::Close => match Outcome::from_code(&decision.outcome) {
            Some(o) => change.outcome = Some(o.code().to_string()),
            None => errors.push(FieldError::new("outcome", "error-outcome-required")),
        },
        Transition::Reopen => {
            change.outcome = None;
            change.reason = None;
        }
        Transition::Merge => {
            let target =
                store::find_by_reference(&state.db, decision.into.trim().to_uppercase().as_str())
                    .await?;
            match target {
                Some(t) if t.id != case.id && t.status != Status::Merged => {
                    change.merged_into = Some(t.id);
                    change.reason = Some(t.reference.clone());
                }
                Some(_) => errors.push(FieldError::new("into", "error-merge-target-invalid")),
                None => errors.push(FieldError::new("into", "error-merge-target-unknown")),
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let state_of = |status: Status,
                    category: &str,
                    community: &str,
                    urgency: &str,
                    outcome: &Option<String>| {
        serde_json::json!({
            "status": status.code(), "category": category, "community": community,
            "urgency": urgency, "outcome": outcome,
        })
    };
    let before = state_of(
        case.status,
        &case.category,
        &case.community,
        case.urgency.code(),
        &case.outcome,
    );
    let after = state_of(
        change.to,
        change.category.as_deref().unwrap_or(&case.category),
        change.community.as_deref().unwrap_or(&case.community),
        change.urgency.unwrap_or(case.urgency).code(),
        &change.outcome,
    );
    let action = match transition {
        Transition::Triage => "case.triaged",
        Transition::Reject => "case.rejected",
        Transition::Merge => "case.merged",
        Transition::Close => "case.closed",
        Transition::Reopen => "case.reopened",
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "case",
        case.id,
        Some(before),
        Some(after),
    );
    store::change_status(&state.db, change, audited).await
}

pub async fn write(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    writing: Writing,
    body: &str,
) -> AppResult<Uuid> {
    let case = load(state, staff, reference).await?;
    let body = validate_message(body).map_err(|e| AppError::Validation(vec![e]))?;
    // Public updates and messages are written in the reporter's language by the coordinator.
    let language = crate::i18n::Lang::from_code(&case.language)
        .unwrap_or_default()
        .code();
    // The text itself stays out of the trail: it may name people.
    let action = match writing {
        Writing::Note => "case.note_added",
        Writing::PublicUpdate => "case.public_update_published",
        Writing::Message => "case.message_sent",
    };
    let after = serde_json::json!({ "characters": body.chars().count() });
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "case",
        case.id,
        None,
        Some(after),
    );
    store::add_writing(
        &state.db,
        case.id,
        staff.user.id,
        writing,
        language,
        body,
        audited,
    )
    .await?;
    Ok(case.id)
}
