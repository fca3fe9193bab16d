//! Shedding load: past its capacity the server answers `503 Service Unavailable` with
//! `Retry-After` at once, instead of queueing requests without bound until memory runs out.
//!
//! Two allowances: report submissions (the web form, the API, Open311's `requests`) and
//! everything else. A crowd of readers of the register or of exports fills only its own, so a
//! person reporting is still served at the intake's own capacity.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// Seconds a client is asked to wait before trying again.
const RETRY_AFTER_SECS: u64 = 2;

#[derive(Clone)]
pub struct InFlight {
    general: Arc<Semaphore>,
    intake: Arc<Semaphore>,
}

impl InFlight {
    pub fn new(general: usize, intake: usize) -> InFlight {
        InFlight {
            general: Arc::new(Semaphore::new(general.max(1))),
            intake: Arc::new(Semaphore::new(intake.max(1))),
        }
    }
}

/// Whether a request submits a report (and so counts against the intake's allowance).
pub fn is_intake(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && (path == "/api/v1/reports"
            || path.starts_with("/report/")
            || path == "/open311/v2/requests.json"
            || path == "/open311/v2/requests.xml")
}

pub async fn shed(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    // A load balancer's health check must tell "alive", not "busy".
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let pool = if is_intake(request.method(), request.uri().path()) {
        &in_flight.intake
    } else {
        &in_flight.general
    };
    // Held until the handler has answered (a streamed body goes on without it).
    let Ok(_permit) = pool.clone().try_acquire_owned() else {
        tracing::warn!("over capacity: a request was turned away with 503");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()),
                (header::CACHE_CONTROL, "no-store".to_string()),
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
            ],
            "The service is busy. Please try again in a moment. / Сервіс перевантажено, спробуйте \
             за мить.",
        )
            .into_response();
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_forms_are_the_dialogue_posts_that_store_or_mail() {
        for path in [
            "/events/0199/register",
            "/receptions/0199",
            "/priorities",
            "/priorities/0199/support",
        ] {
            assert!(is_resident_form(&Method::POST, path), "{path}");
            assert!(!is_resident_form(&Method::GET, path), "GET {path}");
        }
        for path in [
            "/events",
            "/bookings/abc",
            "/priorities/confirm/abc",
            "/events/registrations/abc",
            "/staff/events/0199",
            "/receptions",
        ] {
            assert!(!is_resident_form(&Method::POST, path), "{path}");
        }
    }

    #[test]
    fn intake_is_the_submissions_only() {
        for path in [
            "/api/v1/reports",
            "/report/violation",
            "/open311/v2/requests.json",
        ] {
            assert!(is_intake(&Method::POST, path), "{path}");
            assert!(!is_intake(&Method::GET, path), "GET {path}");
        }
        for path in [
            "/register",
            "/register.csv",
            "/staff/login",
            "/open311/v2/services.json",
        ] {
            assert!(!is_intake(&Method::POST, path), "{path}");
        }
    }
}

/// Whether a request is a resident's form of the dialogue that stores something or sends an
/// e-mail (registering for an event, booking a reception, proposing or supporting a priority).
pub fn is_resident_form(method: &Method, path: &str) -> bool {
    if *method != Method::POST {
        return false;
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "events", _, "register"]
            | ["", "receptions", _]
            | ["", "priorities"]
            | ["", "priorities", _, "support"]
    )
}

/// Limits the residents' dialogue forms per address (in memory only): each attempt counts, so
/// that nobody makes the platform send e-mails to many addresses or fill a calendar with
/// made-up names. Past the limit the person gets a page in their language saying when to try
/// again.
pub async fn limit_resident_forms(
    State(state): State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_resident_form(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let client = <super::ClientIp as axum::extract::FromRequestParts<()>>::from_request_parts(
        &mut parts,
        &(),
    )
    .await
    .map(|c| c.0)
    .unwrap_or(None);
    if let Some(ip) = client {
        if let Err(retry_after_secs) = state.dialogue_limiter.check(ip) {
            let lang = super::locale::lang_of(&parts);
            return super::page::page_error(
                lang,
                crate::error::AppError::RateLimited { retry_after_secs },
            );
        }
        state.dialogue_limiter.record(ip);
    }
    next.run(Request::from_parts(parts, body)).await
}
