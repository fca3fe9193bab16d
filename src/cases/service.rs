//! Case handling use cases for coordinators: the queue, a case, triage, rejection, closing,
//! reopening, notes, public updates and messages to the reporter.

use uuid::Uuid;

use super::model::{Outcome, Transition, Urgency, next_status};
use super::store::{self, CaseRow, NoteRow, QueueRow, StatusChange, Writing};
use crate::accounts::{Role, Staff};
use crate::attachments::store::AttachmentRow;
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
}

async fn load(state: &AppState, staff: &Staff, reference: &str) -> AppResult<CaseRow> {
    staff.require(CASE_HANDLERS)?;
    store::find_by_reference(&state.db, reference.trim())
        .await?
        .ok_or(AppError::NotFound)
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
    Ok(CaseView {
        case,
        contact,
        witnesses,
        timeline,
        notes,
        attachments,
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
        Transition::Merge => errors.push(FieldError::new("status", "error-transition-invalid")),
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    store::change_status(&state.db, change).await
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
    store::add_writing(&state.db, case.id, staff.user.id, writing, language, body).await?;
    Ok(case.id)
}
