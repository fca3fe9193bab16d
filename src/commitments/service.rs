//! Use cases of commitments: coordinators create and edit them, officers of the responsible
//! organization add dated updates, everyone reads the tracker.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    CheckedCommitment, CommitmentInput, CommitmentStatus, StatusFilter, TrackerCounts, UpdateInput,
    is_late, is_stalled, validate_commitment, validate_update,
};
use super::store::{self, CommitmentRow, UpdateRow};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::catalog::Names;
use crate::error::{AppError, AppResult, FieldError, parse_id};
use crate::state::AppState;

/// Who creates and edits commitments (and may add updates to any).
pub const EDITORS: &[Role] = &[Role::Coordinator, Role::Administrator];
/// Who sees the staff pages of commitments.
pub const READERS: &[Role] = &[Role::Coordinator, Role::Administrator, Role::Officer];

/// A commitment with what the date `on` makes of it.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub row: CommitmentRow,
    pub late: bool,
    pub stalled: bool,
}

pub fn track(state: &AppState, row: CommitmentRow, on: Date) -> Tracked {
    Tracked {
        late: is_late(row.due_on, row.status, on),
        stalled: is_stalled(state.local_date(row.last_update_at), row.status, on),
        row,
    }
}

/// The tracker's filters as the query gives them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TrackerQuery {
    pub community: String,
    /// An organization's code.
    pub organization: String,
    /// planned, in_progress, done, dropped, late, stalled
    pub status: String,
}

pub struct Tracker {
    /// Counts over all commitments (not only the filtered ones).
    pub counts: TrackerCounts,
    pub rows: Vec<Tracked>,
}

/// The public tracker on `on`: every commitment counted, the filtered ones listed (late and
/// stalled first, then by due date).
pub async fn tracker(state: &AppState, on: Date, q: &TrackerQuery) -> AppResult<Tracker> {
    let status = StatusFilter::from_code(q.status.trim());
    let mut counts = TrackerCounts::default();
    let mut rows = Vec::new();
    for row in store::all(&state.db).await? {
        let t = track(state, row, on);
        counts.add(t.row.status, t.late, t.stalled);
        let community = q.community.trim();
        let organization = q.organization.trim();
        if (community.is_empty() || t.row.community_code.as_deref() == Some(community))
            && (organization.is_empty() || t.row.organization_code == organization)
            && status.is_none_or(|s| s.matches(t.row.status, t.late, t.stalled))
        {
            rows.push(t);
        }
    }
    attention_first(&mut rows);
    Ok(Tracker { counts, rows })
}

/// Open ones before done and dropped ones; among open ones, late or stalled first; then by due
/// date.
pub fn attention_first(rows: &mut [Tracked]) {
    rows.sort_by_key(|t| {
        (
            t.row.status.is_closed(),
            !(t.late || t.stalled),
            t.row.due_on,
        )
    });
}

/// The tracker's counts on `on` (for the digest and statistics).
pub async fn tracker_counts(state: &AppState, on: Date) -> AppResult<TrackerCounts> {
    let mut counts = TrackerCounts::default();
    for row in store::all(&state.db).await? {
        let t = track(state, row, on);
        counts.add(t.row.status, t.late, t.stalled);
    }
    Ok(counts)
}

/// A commitment with an update recorded in a period, as the digest shows it.
#[derive(Debug, Clone)]
pub struct UpdatedCommitment {
    pub id: Uuid,
    pub title: String,
    pub community_code: Option<String>,
    /// The responsible organization's name in each language.
    pub organization: Names,
    pub progress: i64,
    pub status: CommitmentStatus,
    /// Done in the period's last state.
    pub done: bool,
    /// Late at the period's end.
    pub late: bool,
    /// Public page: `/commitments/{id}`.
    pub link: String,
}

/// Commitments with an update (or completion, which is an update) recorded in [from, until).
pub async fn updated_between(
    state: &AppState,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<Vec<UpdatedCommitment>> {
    let end = state.local_date(until);
    Ok(store::updated_between(&state.db, from, until)
        .await?
        .into_iter()
        .map(|c| {
            let [uk, ru, en] = c.organization_names.clone();
            UpdatedCommitment {
                id: c.id,
                link: format!("/commitments/{}", c.id),
                late: is_late(c.due_on, c.status, end),
                done: c.status == CommitmentStatus::Done,
                title: c.title,
                community_code: c.community_code,
                organization: Names { uk, ru, en },
                progress: c.progress,
                status: c.status,
            }
        })
        .collect())
}

/// A commitment and its updates, for its public page.
pub async fn commitment(state: &AppState, id: &str) -> AppResult<(CommitmentRow, Vec<UpdateRow>)> {
    let row = store::find(&state.db, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let updates = store::updates(&state.db, row.id).await?;
    Ok((row, updates))
}

pub async fn organizations(state: &AppState) -> AppResult<Vec<store::OrganizationChoice>> {
    store::organizations(&state.db).await
}

// ---- Staff ----

/// Whether `staff` may add updates to `row`: editors always, officers for their organization.
pub fn can_update(staff: &Staff, row: &CommitmentRow) -> bool {
    staff.require(EDITORS).is_ok()
        || (staff.user.role == Role::Officer
            && staff.user.organization_id == Some(row.organization_id))
}

/// The staff list: all of them for editors, their organization's for officers.
pub async fn staff_list(state: &AppState, staff: &Staff) -> AppResult<Vec<Tracked>> {
    staff.require(READERS)?;
    let on = state.today();
    let mut rows: Vec<Tracked> = store::all(&state.db)
        .await?
        .into_iter()
        .filter(|c| {
            staff.require(EDITORS).is_ok() || staff.user.organization_id == Some(c.organization_id)
        })
        .map(|c| track(state, c, on))
        .collect();
    attention_first(&mut rows);
    Ok(rows)
}

pub async fn staff_commitment(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> AppResult<(CommitmentRow, Vec<UpdateRow>)> {
    staff.require(READERS)?;
    let (row, updates) = commitment(state, id).await?;
    if staff.require(EDITORS).is_err() && !can_update(staff, &row) {
        return Err(AppError::Forbidden);
    }
    Ok((row, updates))
}

async fn check(state: &AppState, input: &CommitmentInput) -> AppResult<CheckedCommitment> {
    let shape = validate_commitment(input);
    let mut errors = shape.as_ref().err().cloned().unwrap_or_default();
    let catalog = state.catalog.get(&state.db).await?;
    let community = input.community.trim();
    if !community.is_empty() && catalog.community(community).is_none() {
        errors.push(FieldError::new("community", "commitments-error-community"));
    }
    if let Ok(c) = &shape {
        if !store::organizations(&state.db)
            .await?
            .iter()
            .any(|o| o.id == c.organization)
        {
            errors.push(FieldError::new(
                "organization",
                "commitments-error-organization",
            ));
        }
        if let Some(p) = c.priority
            && !store::adopted_priorities(&state.db)
                .await?
                .iter()
                .any(|s| s.id == p)
        {
            errors.push(FieldError::new("priority", "commitments-error-source"));
        }
        if let Some(d) = c.decision
            && !store::decisions(&state.db).await?.iter().any(|s| s.id == d)
        {
            errors.push(FieldError::new("decision", "commitments-error-source"));
        }
    }
    match shape {
        Ok(c) if errors.is_empty() => Ok(c),
        _ => Err(AppError::Validation(errors)),
    }
}

fn audit_fields(c: &CheckedCommitment) -> serde_json::Value {
    serde_json::json!({
        "title": c.title, "community": c.community, "organization": c.organization,
        "due_on": super::model::iso_date(c.due_on), "priority": c.priority, "decision": c.decision,
    })
}

/// Creates a commitment (planned, 0 %); returns its id.
pub async fn create(state: &AppState, staff: &Staff, input: &CommitmentInput) -> AppResult<Uuid> {
    staff.require(EDITORS)?;
    let checked = check(state, input).await?;
    let id = Uuid::now_v7();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "commitment.created",
        "commitment",
        id,
        None,
        Some(audit_fields(&checked)),
    );
    store::insert(
        &state.db,
        id,
        checked,
        Some(staff.user.id),
        Some(audited),
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(id)
}

/// Changes what a commitment is.
pub async fn save(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: &CommitmentInput,
) -> AppResult<Uuid> {
    staff.require(EDITORS)?;
    let (row, _) = commitment(state, id).await?;
    let checked = check(state, input).await?;
    let before = serde_json::json!({
        "title": row.title, "community": row.community_code, "organization": row.organization_id,
        "due_on": super::model::iso_date(row.due_on),
    });
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "commitment.updated",
        "commitment",
        row.id,
        Some(before),
        Some(audit_fields(&checked)),
    );
    store::save(
        &state.db,
        row.id,
        checked,
        audited,
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(row.id)
}

/// Adds a dated update (editors, or officers of the responsible organization).
pub async fn add_update(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: &UpdateInput,
) -> AppResult<Uuid> {
    staff.require(READERS)?;
    let (row, _) = commitment(state, id).await?;
    if !can_update(staff, &row) {
        return Err(AppError::Forbidden);
    }
    let update = validate_update(input, state.today()).map_err(AppError::Validation)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "commitment.update_added",
        "commitment",
        row.id,
        Some(serde_json::json!({ "progress": row.progress, "status": row.status.code() })),
        Some(serde_json::json!({
            "on_date": super::model::iso_date(update.on_date), "progress": update.progress,
            "status": update.status.code(), "evidence_url": update.evidence_url,
        })),
    );
    store::add_update(
        &state.db,
        row.id,
        update,
        Some(staff.user.id),
        Some(audited),
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(row.id)
}

/// Choices of the commitment form's sources.
pub async fn sources(
    state: &AppState,
) -> AppResult<(Vec<store::SourceChoice>, Vec<store::SourceChoice>)> {
    Ok((
        store::adopted_priorities(&state.db).await?,
        store::decisions(&state.db).await?,
    ))
}
