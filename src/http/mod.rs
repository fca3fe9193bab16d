//! The HTTP side: router, middleware (security headers, limits, request ids), shared extractors.

pub mod assets;
pub mod connections;
pub mod csrf;
pub mod form;
pub mod json;
pub mod locale;
pub mod page;
pub mod problem;
pub mod shed;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// No inline script or style anywhere, no framing, nothing from other origins (but the map
/// tiles' server, when one is configured).
fn content_security_policy(tiles: Option<&str>) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{}; \
         media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
        tiles.map(|source| format!(" {source}")).unwrap_or_default()
    )
}

pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    // Checked when the state was made; a policy that cannot be a header falls back to none.
    let tiles = state
        .config
        .map_tiles()
        .ok()
        .flatten()
        .map(|(_, source)| source);
    let csp = HeaderValue::from_str(&content_security_policy(tiles.as_deref()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let request_id = HeaderName::from_static("x-request-id");
    let headers = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/lang/{code}", get(locale::switch))
        .merge(crate::intake::routes())
        .merge(crate::accounts::web::routes())
        .merge(crate::accounts::admin::routes())
        .merge(crate::cases::web::routes())
        .merge(crate::referrals::web::routes())
        .merge(crate::hotline::web::routes())
        .merge(crate::search::web::routes())
        .merge(crate::public::routes())
        .merge(crate::news::routes())
        .merge(crate::accountability::routes())
        .merge(crate::digest::routes())
        .merge(crate::statistics::routes())
        .merge(crate::open311::routes())
        .merge(crate::surveys::web::routes())
        .merge(crate::events::routes())
        .merge(crate::receptions::routes())
        .merge(crate::priorities::routes())
        .merge(crate::commitments::routes())
        .merge(crate::map::routes())
        .merge(assets::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(headers(header::REFERRER_POLICY, "no-referrer"))
        .layer(headers(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(headers(header::X_FRAME_OPTIONS, "DENY"))
        .layer(headers(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(headers(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(self), interest-cohort=()",
        ))
        // Pages may hold a receipt or a reporter's words: no cache keeps them.
        .layer(headers(header::CACHE_CONTROL, "no-store"))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        // Only method, path and status are logged: paths never carry receipts or personal data.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_string();
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shed::limit_resident_forms,
        ))
        // Outermost: a request turned away costs almost nothing.
        .layer(axum::middleware::from_fn_with_state(
            shed::InFlight::new(
                state.config.max_requests_in_flight,
                state.config.max_intake_in_flight,
                (state.config.intake_latency_target_ms > 0)
                    .then(|| Duration::from_millis(state.config.intake_latency_target_ms)),
            ),
            shed::shed,
        ))
        .with_state(state)
}

/// The platform's address for absolute links (feeds, calendars, links shown to keep): the
/// configured one, else the request's host (when it looks like a host name).
pub fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn not_found(locale: locale::Locale, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return problem::ApiError::new(crate::error::AppError::NotFound, locale.0).into_response();
    }
    page::error_page(locale.0, StatusCode::NOT_FOUND, "error-page-not-found")
}

/// The address a connection came from, as [`connections::LimitedListener`] hands it to the
/// router.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddress(pub SocketAddr);

/// The peer address of the connection, when the server knows it. Used only in memory (rate
/// limits); never stored or logged.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<PeerAddress>>()
                .map(|ConnectInfo(PeerAddress(addr))| addr.ip()),
        ))
    }
}
