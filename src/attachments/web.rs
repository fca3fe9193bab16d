//! Serving an attachment's stripped copy, for every page that lists attachments.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::http::page::page_error;
use crate::i18n::Lang;
use crate::state::AppState;

/// The stripped copy of `attachment_id` of `report_id`, shown inline as `{file_stem}.{ext}`.
/// Callers check first that the person may see the report.
pub async fn serve_copy(
    state: &AppState,
    lang: Lang,
    report_id: Uuid,
    attachment_id: Uuid,
    file_stem: &str,
) -> Response {
    match super::service::served_copy(state, report_id, attachment_id).await {
        Ok((kind, bytes)) => (
            [
                (header::CONTENT_TYPE, kind.mime().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{file_stem}.{}\"", kind.extension()),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => page_error(lang, err),
    }
}
