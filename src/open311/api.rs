//! The HTTP side of Open311 GeoReport v2 under `/open311/v2/`: each resource in JSON or XML by
//! its extension, errors always in GeoReport's own format
//! (`<errors><error><code/><description/></error></errors>`, or its JSON array) with the
//! matching HTTP status, in the client's language (`locale`, else `Accept-Language`).

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use super::doc::Doc;
use super::model::{
    ATTRIBUTES, CHANGESET, CreateParams, Datatype, Format, Open311Error, Params, PublicState,
    SPECIFICATION, format_datetime, parse_locale, parse_resource,
};
use super::service;
use super::store::RequestRow;
use crate::catalog::CatalogData;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::intake::service::IdempotencyKey;
use crate::state::AppState;

/// Form bodies of `POST requests` are small; bigger ones are refused before being read whole.
const MAX_FORM_BYTES: usize = 64 * 1024;
const BASE: &str = "/open311/v2";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", any(resource))
        .route("/open311/v2/services/{file}", any(service_definition))
        .route("/open311/v2/requests/{file}", any(single_request))
        .route("/open311/{*rest}", any(unknown))
}

/// The answer's language: GeoReport's `locale` (or `lang`), else `Accept-Language`, else
/// Ukrainian.
fn lang_of(headers: &HeaderMap, params: &Params) -> Lang {
    parse_locale(&params.one("locale"))
        .or_else(|| parse_locale(&params.one("lang")))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

fn query_params(parts: &Parts) -> Params {
    Params::parse(parts.uri.query().unwrap_or("").as_bytes())
}

/// What every Open311 handler starts from: the resource named by the path's last segment
/// (`name.format`), the parameters of the query string, and the answer's language. A path
/// that names no resource in a known format is rejected with GeoReport's 404, in JSON.
struct Resource {
    name: String,
    format: Format,
    lang: Lang,
    params: Params,
    method: Method,
    headers: HeaderMap,
}

impl Resource {
    fn error(&self, err: Open311Error) -> Response {
        error(self.format, self.lang, err)
    }

    fn is_get(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }

    fn jurisdiction(&self) -> String {
        self.params.one("jurisdiction_id")
    }

    /// 405, saying which methods the resource takes.
    fn not_allowed(&self, allow: &'static str) -> Response {
        let mut response = self.error(Open311Error::new(405, None, "open311-error-method"));
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        response
    }
}

impl FromRequestParts<AppState> for Resource {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = query_params(parts);
        let lang = lang_of(&parts.headers, &params);
        let file = match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(file)) => file,
            Err(_) => {
                let err = Open311Error::not_found("open311-error-not-found");
                return Err(error(Format::Json, lang, err));
            }
        };
        let (name, format) = parse_resource(&file).map_err(|err| error(Format::Json, lang, err))?;
        Ok(Resource {
            name: name.to_string(),
            format,
            lang,
            params,
            method: parts.method.clone(),
            headers: parts.headers.clone(),
        })
    }
}

fn answer(format: Format, status: StatusCode, root: &str, doc: &Doc) -> Response {
    let body = match format {
        Format::Json => serde_json::to_vec(&doc.to_json()).unwrap_or_default(),
        Format::Xml => doc.to_xml(root),
    };
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    response
}

/// Public data, readable by any web page (reports are created only with a key).
fn public(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// GeoReport's error document: one `error` per problem, each with the HTTP status as its code
/// and a description naming the parameter.
fn error(format: Format, lang: Lang, err: Open311Error) -> Response {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let errors = err
        .problems
        .iter()
        .map(|p| {
            let message = lang.t(p.key);
            let description = match p.param {
                Some(param) => format!("{param}: {message}"),
                None => message,
            };
            Doc::Record(vec![
                ("code", Doc::Int(i64::from(err.status))),
                ("description", Doc::Text(description)),
            ])
        })
        .collect();
    answer(format, status, "errors", &Doc::list("error", errors))
}

/// `discovery`, `services` and `requests` in either format.
async fn resource(State(state): State<AppState>, r: Resource, body: Body) -> Response {
    let (format, lang) = (r.format, r.lang);
    let result = match r.name.as_str() {
        "discovery" if r.is_get() => Ok(discovery(&state, &r.headers, lang, format)),
        "services" if r.is_get() => services(&state, &r).await,
        "requests" if r.is_get() => requests(&state, &r).await,
        "requests" if r.method == Method::POST => return create(&state, r, body).await,
        "discovery" | "services" => return r.not_allowed("GET, HEAD"),
        "requests" => return r.not_allowed("GET, HEAD, POST"),
        _ => Err(Open311Error::not_found("open311-error-not-found")),
    };
    public(result.unwrap_or_else(|err| error(format, lang, err)))
}

/// The endpoint's own address: the configured public address, else the one the client used.
pub fn endpoint_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state
        .config
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        return format!("{}{BASE}", url.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(host) => format!("http://{host}{BASE}"),
        None => BASE.to_string(),
    }
}

fn discovery(state: &AppState, headers: &HeaderMap, lang: Lang, format: Format) -> Response {
    let formats = ["text/xml", "application/json"]
        .into_iter()
        .map(Doc::text)
        .collect();
    let contact = match state
        .config
        .public_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => format!("{} — {}", state.platform_name(lang), url.trim()),
        None => state.platform_name(lang),
    };
    let doc = Doc::Record(vec![
        ("changeset", Doc::text(CHANGESET)),
        ("contact", Doc::text(contact)),
        ("key_service", Doc::text(lang.t("open311-key-service"))),
        (
            "endpoints",
            Doc::list(
                "endpoint",
                vec![Doc::Record(vec![
                    ("specification", Doc::text(SPECIFICATION)),
                    ("url", Doc::text(endpoint_url(state, headers))),
                    ("changeset", Doc::text(CHANGESET)),
                    ("type", Doc::text("production")),
                    ("formats", Doc::list("format", formats)),
                ])],
            ),
        ),
    ]);
    answer(format, StatusCode::OK, "discovery", &doc)
}

async fn services(state: &AppState, r: &Resource) -> Result<Response, Open311Error> {
    let (catalog, _) = service::catalog_for(state, &r.jurisdiction()).await?;
    let lang = r.lang;
    let list = catalog
        .categories
        .iter()
        .map(|c| {
            let key = c.kind.message_key();
            Doc::Record(vec![
                ("service_code", Doc::text(&c.code)),
                ("service_name", Doc::text(c.names.get(lang))),
                (
                    "description",
                    Doc::text(lang.t(&format!("{key}-description"))),
                ),
                ("metadata", Doc::Bool(!ATTRIBUTES.is_empty())),
                // The request's id (its reference) is answered at once, after a durable write.
                ("type", Doc::text("realtime")),
                (
                    "keywords",
                    Doc::text(format!("{}, {}", c.kind.code(), c.code)),
                ),
                ("group", Doc::text(lang.t(&key))),
            ])
        })
        .collect();
    Ok(answer(
        r.format,
        StatusCode::OK,
        "services",
        &Doc::list("service", list),
    ))
}

/// `GET services/{service_code}`: the attributes Mistok asks for beyond GeoReport's fields.
async fn service_definition(State(state): State<AppState>, r: Resource) -> Response {
    if !r.is_get() {
        return r.not_allowed("GET, HEAD");
    }
    let result = async {
        let (catalog, region) = service::catalog_for(&state, &r.jurisdiction()).await?;
        let category = catalog
            .category(&r.name)
            .ok_or_else(|| Open311Error::new(404, Some("service_code"), "open311-error-service"))?;
        let doc = Doc::Record(vec![
            ("service_code", Doc::text(&category.code)),
            (
                "attributes",
                attributes(&catalog, region.as_deref(), r.lang),
            ),
        ]);
        Ok::<_, Open311Error>(answer(r.format, StatusCode::OK, "service_definition", &doc))
    }
    .await;
    public(result.unwrap_or_else(|err| r.error(err)))
}

fn attributes(catalog: &CatalogData, region: Option<&str>, lang: Lang) -> Doc {
    let value = |key: &str, name: String| {
        Doc::Record(vec![("key", Doc::text(key)), ("name", Doc::Text(name))])
    };
    let list = ATTRIBUTES
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut fields = vec![
                ("variable", Doc::Bool(true)),
                ("code", Doc::text(a.code)),
                ("datatype", Doc::text(a.datatype.code())),
                ("required", Doc::Bool(a.required)),
                (
                    "datatype_description",
                    Doc::opt_text(a.datatype_description_key.map(|k| lang.t(k))),
                ),
                ("order", Doc::Int(i as i64 + 1)),
                ("description", Doc::text(lang.t(a.description_key))),
            ];
            if matches!(
                a.datatype,
                Datatype::SingleValueList | Datatype::MultiValueList
            ) {
                let values = if a.code == "community" {
                    catalog
                        .communities_sorted(lang)
                        .into_iter()
                        .filter(|c| region.is_none_or(|r| r == c.region_code))
                        .map(|c| value(&c.code, c.names.get(lang).to_string()))
                        .collect()
                } else {
                    vec![
                        value("yes", lang.t("open311-yes")),
                        value("no", lang.t("open311-no")),
                    ]
                };
                fields.push(("values", Doc::list("value", values)));
            }
            Doc::Record(fields)
        })
        .collect();
    Doc::list("attribute", list)
}

fn request_doc(state: &AppState, catalog: &CatalogData, lang: Lang, row: &RequestRow) -> Doc {
    let community = catalog.community(&row.community);
    let service_name = catalog
        .category(&row.category)
        .map(|c| c.names.get(lang).to_string())
        .unwrap_or_else(|| row.category.clone());
    let agencies: Vec<&str> = row
        .agencies
        .iter()
        .map(|[uk, ru, en]| lang.pick(uk, ru, en))
        .collect();
    let at = |t| format_datetime(t, state.local_offset(t));
    Doc::Record(vec![
        ("service_request_id", Doc::text(&row.reference)),
        ("status", Doc::text(PublicState::of(row.status).code())),
        ("status_notes", Doc::opt_text(row.status_notes.clone())),
        ("service_name", Doc::Text(service_name)),
        ("service_code", Doc::text(&row.category)),
        ("description", Doc::text(&row.summary)),
        (
            "agency_responsible",
            Doc::opt_text((!agencies.is_empty()).then(|| agencies.join("; "))),
        ),
        ("service_notice", Doc::Null),
        ("requested_datetime", Doc::Text(at(row.requested_at))),
        ("updated_datetime", Doc::Text(at(row.updated_at))),
        ("expected_datetime", Doc::Null),
        (
            "address",
            Doc::opt_text(community.map(|c| c.names.get(lang).to_string())),
        ),
        ("address_id", Doc::Null),
        ("zipcode", Doc::Null),
        // The community's centre: never the reporter's own point.
        ("lat", Doc::opt_float(community.and_then(|c| c.lat))),
        ("long", Doc::opt_float(community.and_then(|c| c.lon))),
        ("media_url", Doc::Null),
    ])
}

async fn requests(state: &AppState, r: &Resource) -> Result<Response, Open311Error> {
    let page = service::requests(state, &r.params).await?;
    let catalog = state.catalog.get(&state.db).await?;
    let list = page
        .rows
        .iter()
        .map(|row| request_doc(state, &catalog, r.lang, row))
        .collect();
    let mut response = answer(
        r.format,
        StatusCode::OK,
        "service_requests",
        &Doc::list("request", list),
    );
    if page.has_next {
        // The `page` extension has no "more" marker of its own; a link relation says it.
        let next = format!(
            "<?page={}&page_size={}>; rel=\"next\"",
            page.filter.page + 1,
            page.filter.page_size
        );
        if let Ok(value) = HeaderValue::from_str(&next) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// `GET requests/{service_request_id}`: a one-element list, or 404 for anything unpublished.
async fn single_request(State(state): State<AppState>, r: Resource) -> Response {
    if !r.is_get() {
        return r.not_allowed("GET, HEAD");
    }
    let result = async {
        let row = service::request(&state, &r.name, &r.jurisdiction()).await?;
        let catalog = state.catalog.get(&state.db).await?;
        let doc = Doc::list("request", vec![request_doc(&state, &catalog, r.lang, &row)]);
        Ok::<_, Open311Error>(answer(r.format, StatusCode::OK, "service_requests", &doc))
    }
    .await;
    public(result.unwrap_or_else(|err| r.error(err)))
}

/// `POST requests`: a form body (`application/x-www-form-urlencoded`, as GeoReport says), with
/// parameters of the query string read too. The answer carries, beside GeoReport's fields, the
/// report's `receipt`: the partner system hands it to the resident, whom it lets follow the
/// report (it is shown once and never stored by the platform).
async fn create(state: &AppState, r: Resource, body: Body) -> Response {
    let Resource {
        format,
        mut params,
        headers,
        ..
    } = r;
    let form = content_type_is_form(&headers);
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await;
    if let Ok(bytes) = &bytes {
        params.extend(Params::parse(bytes));
    }
    let lang = lang_of(&headers, &params);
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(_) => return error(format, lang, AppError::PayloadTooLarge.into()),
    };
    if !form && !bytes.is_empty() {
        return error(format, lang, AppError::UnsupportedMediaType.into());
    }
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(value) => match value
            .to_str()
            .map_err(|_| ())
            .and_then(|v| IdempotencyKey::api(v).map_err(|_| ()))
        {
            Ok(key) => Some(key),
            Err(()) => {
                return error(
                    format,
                    lang,
                    Open311Error::bad("Idempotency-Key", "error-idempotency-key"),
                );
            }
        },
    };
    let create = CreateParams::from_params(&params);
    match service::create(state, &create, lang, idempotency).await {
        Ok(accepted) => {
            let doc = Doc::list(
                "request",
                vec![Doc::Record(vec![
                    ("service_request_id", Doc::text(&accepted.reference)),
                    (
                        "service_notice",
                        Doc::text(lang.t("open311-service-notice")),
                    ),
                    ("account_id", Doc::Null),
                    ("receipt", Doc::text(accepted.receipt.display())),
                ])],
            );
            let mut response = answer(format, StatusCode::CREATED, "service_requests", &doc);
            if accepted.replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response
        }
        Err(err) => error(format, lang, err),
    }
}

/// True for a form body, or none said (some clients send no type with an empty body).
fn content_type_is_form(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_TYPE) {
        None => true,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| m.essence_str() == "application/x-www-form-urlencoded"),
    }
}

/// Anything else under `/open311/`: GeoReport's 404, in the format the path asks for if any.
async fn unknown(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let params = query_params(&parts);
    let lang = lang_of(&parts.headers, &params);
    let format = match parts.uri.path().rsplit_once('.') {
        Some((_, ext)) if ext.eq_ignore_ascii_case("xml") => Format::Xml,
        _ => Format::Json,
    };
    error(
        format,
        lang,
        Open311Error::not_found("open311-error-not-found"),
    )
}
