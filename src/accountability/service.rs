//! Use cases of accountability reports: an agency officer publishes one for their organization
//! or withdraws it; anyone reads what is published.

use uuid::Uuid;

use super::model::{MAX_TABLES, ReportInput, Table, parse_csv, validate_report};
use super::store::{self, ReportRow};
use crate::accounts::{Role, Staff};
use crate::attachments::service::Upload;
use crate::audit::Audited;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

pub const PAGE_SIZE: i64 = 20;

/// The organization an officer publishes for.
fn officer_organization(staff: &Staff) -> AppResult<Uuid> {
    staff.require(&[Role::Officer])?;
    staff.user.organization_id.ok_or(AppError::Forbidden)
}

/// Publishes a report with the tables read from the uploaded CSV files (each captioned by its
/// file name); returns its id.
pub async fn publish(
    state: &AppState,
    staff: &Staff,
    input: &ReportInput,
    uploads: &[Upload],
) -> AppResult<Uuid> {
    let organization = officer_organization(staff)?;
    let mut errors = Vec::new();
    let checked = validate_report(input);
    if let Err(e) = &checked {
        errors.extend(e.iter().cloned());
    }
    let mut tables: Vec<Table> = Vec::new();
    if uploads.len() > MAX_TABLES {
        errors.push(FieldError::new("tables", "error-csv-too-many-files"));
    }
    for upload in uploads.iter().take(MAX_TABLES) {
        let name = upload.file_name.as_deref().unwrap_or("");
        let caption = name
            .rsplit_once('.')
            .map(|(stem, _)| stem)
            .unwrap_or(name)
            .replace(['_', '-'], " ");
        match parse_csv(&upload.bytes, &caption) {
            Ok(table) => tables.push(table),
            Err(problem) => {
                errors.push(FieldError::new("tables", problem.message_key()));
                break;
            }
        }
    }
    let report = match checked {
        Ok(report) if errors.is_empty() => report,
        _ => return Err(AppError::Validation(errors)),
    };
    let id = Uuid::now_v7();
    let after = serde_json::json!({
        "title": report.title, "period": report.period, "tables": tables.len(),
    });
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "agency_report.published",
        "agency_report",
        id,
        None,
        Some(after),
    );
    store::insert(
        &state.db,
        id,
        organization,
        staff.user.id,
        report,
        tables,
        audited,
    )
    .await?;
    Ok(id)
}

pub async fn withdraw(state: &AppState, staff: &Staff, id: &str) -> AppResult<()> {
    let organization = officer_organization(staff)?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "agency_report.withdrawn",
        "agency_report",
        id,
        None,
        None,
    );
    store::withdraw(&state.db, id, organization, audited).await
}

/// The officer's own organization's published reports.
pub async fn own(state: &AppState, staff: &Staff) -> AppResult<Vec<ReportRow>> {
    let organization = officer_organization(staff)?;
    store::published(&state.db, Some(organization), 100, 0).await
}

pub struct ReportsPage {
    pub rows: Vec<ReportRow>,
    pub page: i64,
    pub has_next: bool,
}

/// Published reports, of one agency (by code) or all; an unknown agency is a field error.
pub async fn published(
    state: &AppState,
    agency: Option<&str>,
    page: i64,
) -> AppResult<ReportsPage> {
    let organization = match agency.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(code) => match crate::accounts::store::find_organization(&state.db, code).await? {
            Some(org) => Some(org.id),
            None => return Err(AppError::field("agency", "error-organization-invalid")),
        },
    };
    let page = page.clamp(1, 1_000);
    let mut rows =
        store::published(&state.db, organization, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(ReportsPage {
        rows,
        page,
        has_next,
    })
}

pub async fn report(state: &AppState, id: &str) -> AppResult<ReportRow> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::find(&state.db, id).await?.ok_or(AppError::NotFound)
}
