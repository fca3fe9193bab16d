//! Open311 use cases: create a service request through the platform's one intake, read the
//! published ones, and manage the API keys of partner systems. No HTTP types here.

use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    CreateParams, Open311Error, Params, PublicState, RequestsFilter, api_key_hint,
    check_jurisdiction, looks_like_api_key, new_api_key, parse_requests_query, to_report_input,
    validate_key_name,
};
use super::store::{self, ApiKeyRow, NewApiKeyRow, RequestRow, RequestSelection};
use crate::accounts::Actor;
use crate::catalog::CatalogData;
use crate::crypto::MacPurpose;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::intake::model::Channel;
use crate::intake::service::{self as intake, Accepted, IdempotencyKey, Submission};
use crate::state::AppState;

/// The platform's jurisdictions: the regions its communities belong to (`donetsk`).
pub fn regions(catalog: &CatalogData) -> Vec<String> {
    let mut regions: Vec<String> = catalog
        .communities
        .iter()
        .map(|c| c.region_code.clone())
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

/// The catalog, with the `jurisdiction_id` checked against it.
pub async fn catalog_for(
    state: &AppState,
    jurisdiction_id: &str,
) -> Result<(Arc<CatalogData>, Option<String>), Open311Error> {
    let catalog = state.catalog.get(&state.db).await?;
    let region = check_jurisdiction(jurisdiction_id, &regions(&catalog))?;
    Ok((catalog, region))
}

/// The key's partner system (id and name), or 403 for a missing, unknown or revoked key.
pub async fn authorize(state: &AppState, api_key: &str) -> Result<(Uuid, String), Open311Error> {
    let key = api_key.trim();
    if !looks_like_api_key(key) {
        return Err(Open311Error::api_key());
    }
    let hash = state.keys.mac(MacPurpose::ApiKey, key.as_bytes());
    store::active_api_key(&state.db, &hash)
        .await?
        .ok_or_else(Open311Error::api_key)
}

/// `POST requests`: the key first (a stranger learns nothing else), then the jurisdiction,
/// then the request becomes a report through the same intake as every other channel. Media
/// URLs are never fetched (see the module's notes).
pub async fn create(
    state: &AppState,
    params: &CreateParams,
    lang: Lang,
    idempotency: Option<IdempotencyKey>,
) -> Result<Accepted, Open311Error> {
    let (_, partner) = authorize(state, &params.api_key).await?;
    let (catalog, region) = catalog_for(state, &params.jurisdiction_id).await?;
    let input = to_report_input(params, &catalog, region.as_deref())?;
    let accepted = intake::submit(
        state,
        Submission {
            input,
            channel: Channel::Api,
            lang,
            idempotency,
            uploads: Vec::new(),
            // A partner system with its own key speaks for many residents.
            client: None,
        },
    )
    .await?;
    // The partner's name says which system the report came through; nothing of the reporter.
    tracing::info!(reference = %accepted.reference, %partner, "Open311 service request received");
    Ok(accepted)
}

/// A page of published requests.
pub struct RequestsPage {
    pub filter: RequestsFilter,
    pub rows: Vec<RequestRow>,
    pub has_next: bool,
}

/// `GET requests`: only published cases, under the register's own condition.
pub async fn requests(state: &AppState, params: &Params) -> Result<RequestsPage, Open311Error> {
    let (catalog, _) = catalog_for(state, &params.one("jurisdiction_id")).await?;
    let filter = parse_requests_query(params, OffsetDateTime::now_utc())?;
    if filter
        .service_codes
        .iter()
        .any(|code| catalog.category(code).is_none())
    {
        return Err(Open311Error::bad("service_code", "open311-error-service"));
    }
    let selection = RequestSelection {
        ids: filter.ids.clone(),
        categories: filter.service_codes.clone(),
        from: filter.from,
        until: filter.until,
        statuses: filter.state.map(PublicState::statuses),
    };
    let mut rows = store::requests(
        &state.db,
        &selection,
        filter.page_size,
        (filter.page - 1) * filter.page_size,
    )
    .await?;
    let has_next = rows.len() as i64 > filter.page_size;
    rows.truncate(filter.page_size as usize);
    Ok(RequestsPage {
        filter,
        rows,
        has_next,
    })
}

/// `GET requests/{id}`: a published request; 404 for anything else, whatever the reason.
pub async fn request(
    state: &AppState,
    reference: &str,
    jurisdiction_id: &str,
) -> Result<RequestRow, Open311Error> {
    catalog_for(state, jurisdiction_id).await?;
    let reference = reference.trim().to_ascii_uppercase();
    if !super::model::is_reference_like(&reference) {
        return Err(Open311Error::not_found("open311-error-request"));
    }
    store::request(&state.db, &reference)
        .await?
        .ok_or_else(|| Open311Error::not_found("open311-error-request"))
}

/// Issues a key to a partner system; the key is returned once and only its hash is kept.
pub async fn issue_api_key(
    state: &AppState,
    actor: &Actor<'_>,
    name: &str,
) -> AppResult<(Uuid, String)> {
    let name = validate_key_name(name).map_err(|e| AppError::Validation(vec![e]))?;
    let key = new_api_key();
    let id = Uuid::now_v7();
    let hint = api_key_hint(&key);
    let audited = actor.audited(
        state,
        "api_key.issued",
        "api_key",
        id,
        None,
        Some(serde_json::json!({ "name": name, "hint": hint })),
    );
    let created_by = match actor {
        Actor::Staff(user) => Some(user.id),
        Actor::Cli => None,
    };
    store::insert_api_key(
        &state.db,
        NewApiKeyRow {
            id,
            name,
            key_hash: state.keys.mac(MacPurpose::ApiKey, key.as_bytes()).to_vec(),
            hint,
            created_by,
            created_at: OffsetDateTime::now_utc(),
        },
        audited,
    )
    .await?;
    Ok((id, key))
}

/// Revokes a key at once: requests with it are refused from the next one on.
pub async fn revoke_api_key(state: &AppState, actor: &Actor<'_>, id: Uuid) -> AppResult<()> {
    let audited = actor.audited(
        state,
        "api_key.revoked",
        "api_key",
        id,
        None,
        Some(serde_json::json!({ "revoked": true })),
    );
    store::revoke_api_key(&state.db, id, audited).await
}

pub async fn api_keys(state: &AppState) -> AppResult<Vec<ApiKeyRow>> {
    store::api_keys(&state.db).await
}
