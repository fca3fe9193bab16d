//! Searching cases: for coordinators, hotline operators (who find earlier calls) and agency
//! officers, whose search only ever reaches the cases referred to their organization.

use time::{Date, OffsetDateTime};

use super::model::terms;
use super::store::{self, Filters, Found};
use crate::accounts::{Role, Staff};
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::model::Status;
use crate::state::AppState;

pub const SEARCHERS: &[Role] = &[
    Role::Coordinator,
    Role::Operator,
    Role::Administrator,
    Role::Officer,
];
pub const PAGE_SIZE: i64 = 50;

/// The filters as typed in the search form.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SearchInput {
    pub q: String,
    pub reference: String,
    pub status: String,
    pub category: String,
    pub community: String,
    pub organization: String,
    pub from: String,
    pub to: String,
    pub page: Option<i64>,
}

impl SearchInput {
    pub fn is_empty(&self) -> bool {
        [
            &self.q,
            &self.reference,
            &self.status,
            &self.category,
            &self.community,
            &self.organization,
            &self.from,
            &self.to,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

pub struct Results {
    pub rows: Vec<Found>,
    pub page: i64,
    pub has_next: bool,
}

fn parse_day(input: &str, field: &'static str) -> Result<Option<Date>, FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| FieldError::new(field, "error-date-invalid"))
}

pub async fn search(state: &AppState, staff: &Staff, input: &SearchInput) -> AppResult<Results> {
    staff.require(SEARCHERS)?;
    let catalog = state.catalog.get(&state.db).await?;
    let mut errors = Vec::new();
    let mut filters = Filters {
        terms: terms(&input.q),
        ..Default::default()
    };
    if staff.user.role == Role::Officer {
        // An officer without an organization finds nothing rather than everything.
        filters.referred_to = Some(staff.user.organization_id.ok_or(AppError::Forbidden)?);
    }
    let reference = input.reference.trim().to_uppercase();
    if !reference.is_empty() {
        filters.reference = Some(reference);
    }
    if !input.status.trim().is_empty() {
        match Status::from_code(input.status.trim()) {
            Some(s) => filters.status = Some(s),
            None => errors.push(FieldError::new("status", "error-filter-invalid")),
        }
    }
    if !input.category.trim().is_empty() {
        match catalog.category(input.category.trim()) {
            Some(c) => filters.category = Some(c.code.clone()),
            None => errors.push(FieldError::new("category", "error-category-invalid")),
        }
    }
    if !input.community.trim().is_empty() {
        match catalog.community(input.community.trim()) {
            Some(c) => filters.community = Some(c.code.clone()),
            None => errors.push(FieldError::new("community", "error-community-invalid")),
        }
    }
    // Officers see only their own organization's referrals, so they do not filter by another's.
    if !input.organization.trim().is_empty() && filters.referred_to.is_none() {
        match catalog
            .agencies
            .iter()
            .find(|o| o.code == input.organization.trim())
        {
            Some(o) => filters.organization = Some(o.id),
            None => errors.push(FieldError::new(
                "organization",
                "error-organization-invalid",
            )),
        }
    }
    let now = OffsetDateTime::now_utc();
    let offset = state.local_offset(now);
    match parse_day(&input.from, "from") {
        Ok(day) => filters.from = day.map(|d| d.midnight().assume_offset(offset)),
        Err(e) => errors.push(e),
    }
    match parse_day(&input.to, "to") {
        Ok(day) => {
            filters.until = day
                .and_then(|d| d.next_day())
                .map(|d| d.midnight().assume_offset(offset))
        }
        Err(e) => errors.push(e),
    }
    if let (Some(from), Some(until)) = (filters.from, filters.until)
        && from >= until
    {
        errors.push(FieldError::new("to", "error-date-range"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if !filters.terms.is_empty() {
        // What was acknowledged a moment ago must be findable now.
        super::index::catch_up(&state.db).await?;
    }
    let page = input.page.unwrap_or(1).clamp(1, 10_000);
    let mut rows = store::search(&state.db, &filters, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(Results {
        rows,
        page,
        has_next,
    })
}
