//! Use cases of priorities: residents propose and support, coordinators moderate, round tables
//! decide.

use fluent_templates::fluent_bundle::FluentValue;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    CheckedDecision, Decision, DecisionInput, Moderation, PriorityStatus, ProposalInput,
    validate_decision, validate_moderation, validate_proposal,
};
use super::store::{self, PriorityRow, RoundTable, SupportLink};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::dialogue;
use crate::error::{AppError, AppResult, FieldError, parse_id};
use crate::i18n::Lang;
use crate::notify::model::{Draft, link};
use crate::state::AppState;

/// Who moderates proposals and records round tables' decisions.
pub const MODERATORS: &[Role] = &[Role::Coordinator, Role::Administrator];

/// Token kinds of the dialogue's hashes.
const SUPPORT: &str = "support";
const PROPOSAL: &str = "priority";

/// Open ones first (most supporters first), then decided ones (newest decision first).
pub fn public_order(rows: &mut [PriorityRow]) {
    rows.sort_by(|a, b| {
        let open = |p: &PriorityRow| p.status != PriorityStatus::Open;
        open(a)
            .cmp(&open(b))
            .then(b.supporters.cmp(&a.supporters).then_with(|| {
                b.decided_at
                    .cmp(&a.decided_at)
                    .then(b.created_at.cmp(&a.created_at))
            }))
    });
    // Among decided ones the supporters do not order; the decision date does.
    let first_decided = rows
        .iter()
        .position(|p| p.status != PriorityStatus::Open)
        .unwrap_or(rows.len());
    rows[first_decided..].sort_by(|a, b| {
        b.decided_at
            .cmp(&a.decided_at)
            .then(b.created_at.cmp(&a.created_at))
    });
}

/// The public list: published priorities, filtered by community and state.
pub async fn public_list(
    state: &AppState,
    community: Option<&str>,
    status: Option<PriorityStatus>,
) -> AppResult<Vec<PriorityRow>> {
    let mut rows: Vec<PriorityRow> = store::all(&state.db)
        .await?
        .into_iter()
        .filter(|p| p.status.is_public())
        .filter(|p| community.is_none_or(|c| p.community_code == c))
        .filter(|p| status.is_none_or(|s| p.status == s))
        .collect();
    public_order(&mut rows);
    Ok(rows)
}

/// A published priority; pending and rejected ones are not found.
pub async fn public_priority(state: &AppState, id: &str) -> AppResult<PriorityRow> {
    let id = parse_id(id)?;
    store::find(&state.db, id)
        .await?
        .filter(|p| p.status.is_public())
        .ok_or(AppError::NotFound)
}

/// Stores a resident's proposal as pending (once per form token); returns its id.
pub async fn propose(state: &AppState, input: &ProposalInput, form_token: &str) -> AppResult<Uuid> {
    let catalog = state.catalog.get(&state.db).await?;
    let proposal = validate_proposal(input, |code| catalog.community(code).is_some())
        .map_err(AppError::Validation)?;
    if form_token.trim().len() < 16 {
        return Err(AppError::field("title", "form-expired"));
    }
    let key = dialogue::submission_key(&state.keys, PROPOSAL, form_token);
    store::insert_proposal(
        &state.db,
        Uuid::now_v7(),
        proposal,
        key,
        OffsetDateTime::now_utc(),
    )
    .await
}

/// The confirmation e-mail of a support, in the resident's language.
pub fn support_mail(state: &AppState, lang: Lang, title: &str, token: &str) -> Draft {
    let path = format!("/priorities/confirm/{token}");
    let link = link(state.config.public_url.as_deref(), &path);
    let platform = state.platform_name(lang);
    let args = [
        ("title", FluentValue::from(title)),
        ("link", FluentValue::from(link.as_str())),
        ("platform", FluentValue::from(platform.as_str())),
    ];
    let subject = lang
        .t_args("priorities-mail-subject", &args)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Draft {
        subject,
        body: [
            lang.t_args("priorities-mail-body", &args),
            lang.t_args("priorities-mail-link", &args),
            lang.t_args("priorities-mail-ignore", &args),
        ]
        .join("\n\n")
            + "\n",
    }
}

/// Asks for a support of an open priority by `email`. The answer is the same whether or not the
/// address had asked before; a mail leaves only for a new request.
pub async fn ask_support(state: &AppState, lang: Lang, id: &str, email: &str) -> AppResult<()> {
    let priority = public_priority(state, id).await?;
    let Some(email) = crate::accounts::model::normalize_email(email) else {
        return Err(AppError::field("email", "priorities-error-email"));
    };
    if priority.status != PriorityStatus::Open {
        return Err(AppError::field("email", "priorities-error-not-open"));
    }
    let token = dialogue::new_link_token();
    let draft = support_mail(state, lang, &priority.title, &token);
    let sealed = state
        .keys
        .seal(crate::notify::store::SEAL_RECIPIENT, email.as_bytes());
    store::request_support(
        &state.db,
        priority.id,
        // Keyed per priority: the hashes of one person's supports of two priorities differ, so
        // the store cannot tell that they came from the same address.
        dialogue::address_hash(&state.keys, &format!("{SUPPORT}:{}", priority.id), &email),
        dialogue::token_hash(&state.keys, SUPPORT, token.as_str()),
        sealed,
        draft,
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(())
}

/// What a confirmation link points to (for the page with the button), if anything.
pub async fn support_link(state: &AppState, token: &str) -> AppResult<Option<SupportLink>> {
    if token.trim().len() != 32 {
        return Ok(None);
    }
    store::support_link(&state.db, dialogue::token_hash(&state.keys, SUPPORT, token)).await
}

/// Confirms a support; the priority's id when it was counted now.
pub async fn confirm_support(state: &AppState, token: &str) -> AppResult<Option<Uuid>> {
    if token.trim().len() != 32 {
        return Ok(None);
    }
    store::confirm_support(
        &state.db,
        dialogue::token_hash(&state.keys, SUPPORT, token),
        OffsetDateTime::now_utc(),
    )
    .await
}

// ---- Staff ----

pub async fn all(state: &AppState, staff: &Staff) -> AppResult<Vec<PriorityRow>> {
    staff.require(MODERATORS)?;
    store::all(&state.db).await
}

pub async fn priority(state: &AppState, staff: &Staff, id: &str) -> AppResult<PriorityRow> {
    staff.require(MODERATORS)?;
    store::find(&state.db, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn round_tables(state: &AppState) -> AppResult<Vec<RoundTable>> {
    store::round_tables(&state.db).await
}

/// Publishes a pending proposal or rejects it with a reason (never public).
pub async fn moderate(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: &str,
    reason: &str,
) -> AppResult<()> {
    let priority = priority(state, staff, id).await?;
    let (moderation, reason) = validate_moderation(action, reason).map_err(AppError::Validation)?;
    let status = match moderation {
        Moderation::Publish => PriorityStatus::Open,
        Moderation::Reject => PriorityStatus::Rejected,
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        if status == PriorityStatus::Open {
            "priority.published"
        } else {
            "priority.rejected"
        },
        "priority",
        priority.id,
        Some(serde_json::json!({ "status": priority.status.code() })),
        Some(serde_json::json!({ "status": status.code(), "reason": reason })),
    );
    let changed = store::moderate(
        &state.db,
        priority.id,
        status,
        reason,
        audited,
        OffsetDateTime::now_utc(),
    )
    .await?;
    if changed {
        Ok(())
    } else {
        Err(AppError::Conflict("priorities-error-not-pending"))
    }
}

/// Records a round table's decision on an open priority.
pub async fn decide(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: &DecisionInput,
) -> AppResult<CheckedDecision> {
    let priority = priority(state, staff, id).await?;
    let checked = validate_decision(input).map_err(AppError::Validation)?;
    let mut errors = Vec::new();
    if let Some(target) = checked.merge_into {
        let target = store::find(&state.db, target).await?;
        let fits = target.is_some_and(|t| {
            t.id != priority.id
                && t.community_code == priority.community_code
                && t.status.is_public()
                && t.status != PriorityStatus::Merged
        });
        if !fits {
            errors.push(FieldError::new("merge_into", "priorities-error-merge-into"));
        }
    }
    if let Some(event) = checked.event
        && !store::round_table_exists(&state.db, event).await?
    {
        errors.push(FieldError::new("event", "priorities-error-event"));
    }
    if priority.status != PriorityStatus::Open {
        errors.push(FieldError::new("decision", "priorities-error-not-open"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let status = checked.decision.status();
    let action = match checked.decision {
        Decision::Adopt => "priority.adopted",
        Decision::Merge => "priority.merged",
        Decision::Decline => "priority.declined",
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "priority",
        priority.id,
        Some(serde_json::json!({ "status": priority.status.code() })),
        Some(serde_json::json!({
            "status": status.code(), "reason": checked.reason,
            "merged_into": checked.merge_into, "event": checked.event,
        })),
    );
    let changed = store::decide(
        &state.db,
        priority.id,
        status,
        checked.reason.clone(),
        checked.merge_into,
        checked.event,
        audited,
        OffsetDateTime::now_utc(),
    )
    .await?;
    if changed {
        Ok(checked)
    } else {
        Err(AppError::field("decision", "priorities-error-not-open"))
    }
}

/// Proposals received and priorities adopted in a period (for the digest and statistics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriorityCounts {
    pub proposed: i64,
    pub adopted: i64,
}

/// Proposals received (whatever became of them) and priorities adopted in [from, until).
pub async fn counts_between(
    state: &AppState,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<PriorityCounts> {
    let (proposed, adopted) = store::counts_between(&state.db, from, until).await?;
    Ok(PriorityCounts { proposed, adopted })
}
