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
