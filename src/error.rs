//! The service layer's one error type. `web.rs` renders it as a localized page, `api.rs` as
//! RFC 9457 problem details; internal details only ever reach the log.

use std::fmt;

/// One invalid input field: the field's name in the form/JSON and the Fluent key of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

impl FieldError {
    pub fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The request conflicts with the current state (e.g. an idempotency key reused with another body).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("service temporarily unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(err: impl fmt::Display) -> Self {
        AppError::Internal(err.to_string())
    }

    pub fn field(field: &'static str, key: &'static str) -> Self {
        AppError::Validation(vec![FieldError::new(field, key)])
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut => AppError::Unavailable,
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The id in a path (`/events/{id}`): one that is not a UUID names nothing, so it is not found.
pub fn parse_id(id: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}
