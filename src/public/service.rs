//! Use cases of the public register: coordinators publish a redacted summary of a consented
//! case (or withdraw it); anyone reads the register and a published case.

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    PublicationInput, REGISTER_PAGE_SIZE, RegisterFilters, RegisterQuery, parse_register_query,
    validate_publication,
};
use std::sync::Arc;

use super::cache::RegisterLines;
use super::store::{self, PublicCase, PublicationRow, RegisterSelection};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// Who decides what the public sees.
const PUBLISHERS: &[Role] = &[Role::Coordinator, Role::Administrator];

/// Publishes or corrects the summary of a case whose reporter consented to publication.
pub async fn publish(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    input: &PublicationInput,
) -> AppResult<()> {
    staff.require(PUBLISHERS)?;
    let case = crate::cases::store::find_by_reference(&state.db, reference.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    if !case.consent_publish {
        return Err(AppError::Conflict("no-consent-to-publish"));
    }
    let publication = validate_publication(input).map_err(AppError::Validation)?;
    let before = store::publication_of(&state.db, case.id).await?;
    let describe = |title: &str, summary: &str, language: &str| {
        // The summary itself stays out of the trail, like every free text.
        serde_json::json!({
            "title": title, "language": language, "summary_characters": summary.chars().count()
        })
    };
    let action = match &before {
        Some(p) if p.withdrawn_at.is_none() => "case.publication_corrected",
        _ => "case.published",
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "case",
        case.id,
        before
            .as_ref()
            .filter(|p| p.withdrawn_at.is_none())
            .map(|p| describe(&p.title, &p.summary, &p.language)),
        Some(describe(
            &publication.title,
            &publication.summary,
            publication.language.code(),
        )),
    );
    store::publish(
        &state.db,
        case.id,
        publication,
        Some(staff.user.id),
        OffsetDateTime::now_utc(),
        Some(audited),
    )
    .await?;
    state.register.forget();
    Ok(())
}

pub async fn withdraw(state: &AppState, staff: &Staff, reference: &str) -> AppResult<()> {
    staff.require(PUBLISHERS)?;
    let case = crate::cases::store::find_by_reference(&state.db, reference.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "case.publication_withdrawn",
        "case",
        case.id,
        None,
        None,
    );
    store::withdraw(&state.db, case.id, audited).await?;
    state.register.forget();
    Ok(())
}

/// The publication of a case, for its coordinator's page.
pub async fn publication_of(
    state: &AppState,
    staff: &Staff,
    report_id: Uuid,
) -> AppResult<Option<PublicationRow>> {
    staff.require(PUBLISHERS)?;
    store::publication_of(&state.db, report_id).await
}

pub struct RegisterPage {
    pub filters: RegisterFilters,
    pub lines: Arc<RegisterLines>,
}

/// Checks the filters (codes against the catalog and the organizations) and reads one page
/// (from what this server read in the last second, see [`super::cache`]).
pub async fn register(state: &AppState, query: &RegisterQuery) -> AppResult<RegisterPage> {
    let (filters, selection) = resolve(state, query).await?;
    if let Some(lines) = state.register.get(&selection, filters.page) {
        return Ok(RegisterPage { filters, lines });
    }
    let mut rows = store::register(
        &state.db,
        &selection,
        REGISTER_PAGE_SIZE,
        (filters.page - 1) * REGISTER_PAGE_SIZE,
    )
    .await?;
    let has_next = rows.len() as i64 > REGISTER_PAGE_SIZE;
    rows.truncate(REGISTER_PAGE_SIZE as usize);
    let lines = Arc::new(RegisterLines { rows, has_next });
    state.register.keep(selection, filters.page, lines.clone());
    Ok(RegisterPage { filters, lines })
}

/// The register's filters, parsed and checked against the catalog and the organizations.
pub async fn resolve(
    state: &AppState,
    query: &RegisterQuery,
) -> AppResult<(RegisterFilters, RegisterSelection)> {
    let filters = parse_register_query(query).map_err(AppError::Validation)?;
    let catalog = state.catalog.get(&state.db).await?;
    let mut errors = Vec::new();
    if let Some(code) = &filters.category
        && catalog.category(code).is_none()
    {
        errors.push(FieldError::new("category", "error-category-invalid"));
    }
    if let Some(code) = &filters.community
        && catalog.community(code).is_none()
    {
        errors.push(FieldError::new("community", "error-community-invalid"));
    }
    let mut agency = None;
    if let Some(code) = &filters.agency {
        match catalog.agencies.iter().find(|o| &o.code == code) {
            Some(org) => agency = Some(org.id),
            None => errors.push(FieldError::new("agency", "error-organization-invalid")),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let offset = state.local_offset(OffsetDateTime::now_utc());
    let selection = RegisterSelection {
        kind: filters.kind,
        category: filters.category.clone(),
        community: filters.community.clone(),
        agency,
        status: filters.status,
        received_from: filters
            .month
            .map(|m| m.first_day().midnight().assume_offset(offset)),
        received_until: filters
            .month
            .map(|m| m.next().first_day().midnight().assume_offset(offset)),
    };
    Ok((filters, selection))
}

/// A published case by its reference; `NotFound` for anything not public, whatever the reason.
pub async fn public_case(state: &AppState, reference: &str) -> AppResult<PublicCase> {
    let reference = reference.trim().to_uppercase();
    store::public_case(&state.db, &reference)
        .await?
        .ok_or(AppError::NotFound)
}
