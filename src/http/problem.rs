//! RFC 9457 problem details for the JSON API, with messages in the client's language.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::i18n::Lang;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For validation problems: every invalid field with its message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's name in the request (a JSON member, a form field or a header).
    pub field: String,
    /// The stable code of the message, for apps that show their own texts.
    pub code: String,
    pub message: String,
}

/// An error answered to an API client, in its language.
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> ApiError {
        ApiError { error, lang }
    }
}

pub fn problem(status: StatusCode, kind: &str, lang: Lang, title_key: &str) -> Problem {
    Problem {
        kind: format!("/problems/{kind}"),
        title: lang.t(title_key),
        status: status.as_u16(),
        detail: None,
        errors: Vec::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let mut retry_after = None;
        let body = match self.error {
            AppError::NotFound => problem(
                StatusCode::NOT_FOUND,
                "not-found",
                lang,
                "problem-not-found",
            ),
            AppError::Forbidden => problem(
                StatusCode::FORBIDDEN,
                "forbidden",
                lang,
                "problem-forbidden",
            ),
            AppError::Validation(fields) => {
                let mut p = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    lang,
                    "problem-validation",
                );
                p.errors = fields
                    .into_iter()
                    .map(|f| ProblemField {
                        field: f.field.to_string(),
                        code: f.key.to_string(),
                        message: lang.t(f.key),
                    })
                    .collect();
                p
            }
            AppError::Conflict(code) => {
                let mut p = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    code,
                    lang,
                    "problem-conflict",
                );
                p.detail = Some(lang.t(&format!("problem-{code}")));
                p
            }
            AppError::RateLimited { retry_after_secs } => {
                retry_after = Some(retry_after_secs);
                problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    lang,
                    "problem-rate-limited",
                )
            }
            AppError::PayloadTooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                lang,
                "problem-payload-too-large",
            ),
            AppError::UnsupportedMediaType => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                lang,
                "problem-unsupported-media-type",
            ),
            AppError::Unavailable => {
                retry_after = Some(5);
                problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    lang,
                    "problem-unavailable",
                )
            }
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    lang,
                    "problem-internal",
                )
            }
        };
        problem_response(body, retry_after)
    }
}

pub fn problem_response(body: Problem, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(secs) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
