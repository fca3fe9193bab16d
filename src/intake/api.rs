//! The JSON API of intake, for mobile apps: catalog, create a report, follow up by receipt.
//! The receipt travels only in request bodies or the `X-Mistok-Receipt` header, never in a URL.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{Channel, ReportInput, ReportKind, Status};
use super::service::{self, IdempotencyKey, Submission};
use super::store::TimelineEntry;
use crate::catalog::{CategoryView, CommunityView};
use crate::error::{AppError, FieldError};
use crate::http::ClientIp;
use crate::http::form::read_multipart;
use crate::http::json::{ApiJson, MAX_JSON_BYTES};
use crate::http::locale::Locale;
use crate::http::problem::{ApiError, Problem};
use crate::i18n::Lang;
use crate::state::AppState;

pub const RECEIPT_HEADER: &str = "x-mistok-receipt";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/communities", get(communities))
        // JSON bodies are small: refuse big ones before reading them whole.
        .route(
            "/api/v1/reports",
            post(create_report).layer(DefaultBodyLimit::max(MAX_JSON_BYTES)),
        )
        .route(
            "/api/v1/reports/follow-up",
            post(follow_up).layer(DefaultBodyLimit::max(MAX_JSON_BYTES)),
        )
        .route(
            "/api/v1/reports/follow-up/messages",
            post(add_message).layer(DefaultBodyLimit::max(MAX_JSON_BYTES)),
        )
        .route(
            "/api/v1/reports/follow-up/attachments",
            post(add_attachments),
        )
        .route("/api/v1/openapi.json", get(openapi))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mistok API",
        description = "Reports of human-rights violations, local safety problems and feedback on police work. \
            Errors are RFC 9457 problem documents (`application/problem+json`). Texts follow `Accept-Language` \
            or `?lang=` (uk, ru, en).",
        version = "1"
    ),
    paths(
        categories,
        communities,
        create_report,
        follow_up,
        add_message,
        add_attachments
    ),
    components(schemas(
        CreateReport,
        Location,
        Involved,
        ReportCreated,
        ReceiptRequest,
        MessageRequest,
        FollowUpView,
        TimelineItem,
        AttachmentItem,
        CategoryView,
        CommunityView,
        Problem,
        ReportKind,
        Status
    ))
)]
struct ApiDoc;

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

fn api_error(lang: Lang) -> impl Fn(AppError) -> ApiError {
    move |error| ApiError::new(error, lang)
}

/// The categories residents may choose, with names in the asked language.
#[utoipa::path(get, path = "/api/v1/categories",
    params(("lang" = Option<String>, Query, description = "uk, ru or en")),
    responses((status = 200, body = [CategoryView])))]
async fn categories(
    State(state): State<AppState>,
    Locale(lang): Locale,
) -> Result<Json<Vec<CategoryView>>, ApiError> {
    let catalog = state
        .catalog
        .get(&state.db)
        .await
        .map_err(api_error(lang))?;
    Ok(Json(
        catalog
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                kind: c.kind,
                name: c.names.get(lang).to_string(),
            })
            .collect(),
    ))
}

/// The communities (hromadas) of the platform.
#[utoipa::path(get, path = "/api/v1/communities",
    params(("lang" = Option<String>, Query, description = "uk, ru or en")),
    responses((status = 200, body = [CommunityView])))]
async fn communities(
    State(state): State<AppState>,
    Locale(lang): Locale,
) -> Result<Json<Vec<CommunityView>>, ApiError> {
    let catalog = state
        .catalog
        .get(&state.db)
        .await
        .map_err(api_error(lang))?;
    Ok(Json(
        catalog
            .communities_sorted(lang)
            .into_iter()
            .map(|c| CommunityView {
                code: c.code.clone(),
                region: c.region_code.clone(),
                name: c.names.get(lang).to_string(),
                lat: c.lat,
                lon: c.lon,
            })
            .collect(),
    ))
}

/// A point (WGS 84 degrees) in the platform's region: within 60 km of one of its communities'
/// centres, or the report is refused (`422`, field `location`). Never published as it is: public
/// maps count reports in squares of about 2 km.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Involved {
    /// The unit or service, e.g. "patrol police".
    pub unit: Option<String>,
    /// Badge number, if known.
    pub badge: Option<String>,
}

/// A new report. Only `kind`, `category`, `community` and `description` are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateReport {
    pub kind: Option<String>,
    /// A category code from `/api/v1/categories` of the same kind.
    pub category: Option<String>,
    /// A community code from `/api/v1/communities`.
    pub community: Option<String>,
    /// What happened (10 to 10,000 characters).
    pub description: Option<String>,
    /// RFC 3339, or a local date/time (`2026-11-20`, `2026-11-20T18:30`) in the platform's time zone.
    pub occurred_at: Option<String>,
    pub place: Option<String>,
    pub location: Option<Location>,
    pub involved: Option<Involved>,
    /// Names or descriptions of witnesses; sealed at rest.
    pub witnesses: Option<String>,
    /// How the platform may reach the reporter; sealed at rest, shown only to staff who need it.
    pub contact: Option<String>,
    pub consent_contact: Option<bool>,
    pub consent_publish: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    /// The report's public reference, e.g. `DN-2026-000123`.
    pub reference: String,
    /// Shown to the reporter once; the only way to follow the report. Never stored by the server.
    pub receipt: String,
    pub status: Status,
}

/// Creates a report. Send `Idempotency-Key` (e.g. a UUID, 16–255 characters): a retry with the same
/// key returns the same reference and receipt instead of a duplicate.
#[utoipa::path(post, path = "/api/v1/reports", request_body = CreateReport,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unguessable key of this submission")),
    responses(
        (status = 201, body = ReportCreated),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_report(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateReport>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_key(&headers, lang)?;
    let involved = body.involved.unwrap_or_default();
    let input = ReportInput {
        kind: body.kind.unwrap_or_default(),
        category: body.category.unwrap_or_default(),
        community: body.community.unwrap_or_default(),
        place: body.place.unwrap_or_default(),
        lat: body
            .location
            .as_ref()
            .map(|l| l.lat.to_string())
            .unwrap_or_default(),
        lon: body
            .location
            .as_ref()
            .map(|l| l.lon.to_string())
            .unwrap_or_default(),
        occurred_at: body.occurred_at.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        involved_unit: involved.unit.unwrap_or_default(),
        involved_badge: involved.badge.unwrap_or_default(),
        witnesses: body.witnesses.unwrap_or_default(),
        contact: body.contact.unwrap_or_default(),
        consent_contact: body.consent_contact.unwrap_or(false),
        consent_publish: body.consent_publish.unwrap_or(false),
    };
    let submission = Submission {
        input,
        channel: Channel::Api,
        lang,
        idempotency,
        uploads: Vec::new(),
        client,
    };
    let accepted = service::submit(&state, submission)
        .await
        .map_err(api_error(lang))?;
    let created = ReportCreated {
        reference: accepted.reference,
        receipt: accepted.receipt.display(),
        status: Status::Received,
    };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    if accepted.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The `Idempotency-Key` header, when sent; a malformed one is a 422 naming the header.
fn idempotency_key(headers: &HeaderMap, lang: Lang) -> Result<Option<IdempotencyKey>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map_err(|_| FieldError::new("Idempotency-Key", "error-idempotency-key"))
            .and_then(IdempotencyKey::api)
            .map(Some)
            .map_err(|e| ApiError::new(AppError::Validation(vec![e]), lang)),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReceiptRequest {
    /// The receipt code; may instead be sent in the `X-Mistok-Receipt` header.
    pub receipt: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineItem {
    /// `status`, `public_update` or `message`.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// For messages: true when the reporter wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_reporter: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentItem {
    pub id: Uuid,
    /// The served copy's media type (metadata stripped).
    pub media_type: String,
    pub size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub reference: String,
    pub status: Status,
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub consent_publish: bool,
    pub timeline: Vec<TimelineItem>,
    pub attachments: Vec<AttachmentItem>,
}

fn receipt_of(headers: &HeaderMap, body: Option<String>) -> String {
    body.filter(|r| !r.trim().is_empty())
        .or_else(|| {
            headers
                .get(RECEIPT_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

async fn open(
    state: &AppState,
    lang: Lang,
    client: Option<std::net::IpAddr>,
    receipt: &str,
) -> Result<Uuid, ApiError> {
    if receipt.trim().is_empty() {
        return Err(ApiError::new(
            AppError::field("receipt", "error-receipt-required"),
            lang,
        ));
    }
    let report = service::open_by_receipt(state, receipt, client)
        .await
        .map_err(|err| match err {
            // A wrong receipt reveals nothing about which reports exist: the same 404 for all.
            AppError::Validation(_) => ApiError::new(AppError::NotFound, lang),
            other => ApiError::new(other, lang),
        })?;
    Ok(report.id)
}

/// The status, public updates and messages of the report a receipt belongs to.
#[utoipa::path(post, path = "/api/v1/reports/follow-up", request_body = ReceiptRequest,
    responses((status = 200, body = FollowUpView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
async fn follow_up(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReceiptRequest>,
) -> Result<Json<FollowUpView>, ApiError> {
    let id = open(&state, lang, client, &receipt_of(&headers, body.receipt)).await?;
    let view = service::follow_up(&state, id)
        .await
        .map_err(api_error(lang))?;
    let r = view.report;
    Ok(Json(FollowUpView {
        reference: r.reference,
        status: r.status,
        kind: r.kind,
        category: r.category,
        community: r.community,
        received_at: r.created_at,
        consent_publish: r.consent_publish,
        timeline: view
            .timeline
            .into_iter()
            .map(|e| match e {
                TimelineEntry::Status { status, at } => TimelineItem {
                    kind: "status".into(),
                    at,
                    status: Some(status),
                    body: None,
                    from_reporter: None,
                },
                TimelineEntry::PublicUpdate { body, at } => TimelineItem {
                    kind: "public_update".into(),
                    at,
                    status: None,
                    body: Some(body),
                    from_reporter: None,
                },
                TimelineEntry::Message {
                    from_reporter,
                    body,
                    at,
                } => TimelineItem {
                    kind: "message".into(),
                    at,
                    status: None,
                    body: Some(body),
                    from_reporter: Some(from_reporter),
                },
            })
            .collect(),
        attachments: view
            .attachments
            .into_iter()
            .map(|a| AttachmentItem {
                id: a.id,
                media_type: a.kind.mime().to_string(),
                size: a.served_size,
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MessageRequest {
    pub receipt: Option<String>,
    /// The information to add (1 to 10,000 characters).
    pub body: Option<String>,
}

/// Adds information to the report (a message from the reporter to the platform). A retry with the
/// same `Idempotency-Key` adds nothing twice.
#[utoipa::path(post, path = "/api/v1/reports/follow-up/messages", request_body = MessageRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unguessable key of this addition")),
    responses((status = 201),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_message(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<MessageRequest>,
) -> Result<StatusCode, ApiError> {
    let idempotency = idempotency_key(&headers, lang)?;
    let id = open(&state, lang, client, &receipt_of(&headers, body.receipt)).await?;
    let text = body.body.as_deref().unwrap_or("");
    service::add_information(&state, id, text, Vec::new(), idempotency.as_ref())
        .await
        .map_err(api_error(lang))?;
    Ok(StatusCode::CREATED)
}

/// Adds files to the report: `multipart/form-data` with a `receipt` part (or the header) and up
/// to 5 `attachments` parts (JPEG, PNG, WebP, GIF, PDF, MP4, MOV, WebM). Metadata is stripped
/// from every copy that is served; the original is sealed as evidence.
#[utoipa::path(post, path = "/api/v1/reports/follow-up/attachments",
    request_body(content_type = "multipart/form-data", description = "receipt + attachments"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Unguessable key of this upload")),
    responses((status = 201),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_attachments(
    State(state): State<AppState>,
    Locale(lang): Locale,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<StatusCode, ApiError> {
    let idempotency = idempotency_key(&headers, lang)?;
    let multipart = multipart.map_err(|_| ApiError::new(AppError::UnsupportedMediaType, lang))?;
    let form = read_multipart(multipart, "attachments").await;
    let id = open(
        &state,
        lang,
        client,
        &receipt_of(&headers, form.fields.get("receipt").cloned()),
    )
    .await?;
    if let Some(problem) = form.problem {
        let error = if problem.key == "attachment-too-large" {
            AppError::PayloadTooLarge
        } else {
            AppError::Validation(vec![problem])
        };
        return Err(ApiError::new(error, lang));
    }
    if form.uploads.is_empty() {
        return Err(ApiError::new(
            AppError::field("attachments", "attachment-empty"),
            lang,
        ));
    }
    service::add_information(&state, id, "", form.uploads, idempotency.as_ref())
        .await
        .map_err(api_error(lang))?;
    Ok(StatusCode::CREATED)
}
