//! Open311 GeoReport v2: the parameters as clients send them, their checks, and the mapping of a
//! service request onto a Mistok report. Pure rules only; no I/O. Every parameter string either
//! parses or yields an [`Open311Error`] naming it; nothing here panics on any input.

use std::collections::BTreeMap;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::catalog::CatalogData;
use crate::error::{AppError, FieldError};
use crate::i18n::Lang;
use crate::intake::model::{ReportInput, Status, clean_text};
use crate::map::grid::nearest_community;

/// The specification this API follows, as discovery names it.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this API last changed in a way clients may notice.
pub const CHANGESET: &str = "2026-11-26T00:00:00Z";
/// GeoReport's default and largest span of `GET requests`.
pub const MAX_SPAN_DAYS: i64 = 90;
/// GeoReport's default number of requests in one answer, and the largest `page_size`.
pub const MAX_PAGE_SIZE: i64 = 1000;
/// Deep pages cost the store more than any reader needs; dates narrow instead.
pub const MAX_PAGE: i64 = 1000;
/// At most this many `service_request_id`s in one `GET requests`.
pub const MAX_IDS: usize = 100;
const NAME_MAX_CHARS: usize = 100;
const CONTACT_PART_MAX_CHARS: usize = 120;

/// The formats GeoReport names by the resource's extension (`services.json`, `services.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// Splits `services.json` into `("services", Json)`; an unknown or missing extension is a 404,
/// as for any resource that does not exist.
pub fn parse_resource(file: &str) -> Result<(&str, Format), Open311Error> {
    let (name, extension) = file
        .rsplit_once('.')
        .ok_or_else(|| Open311Error::not_found("open311-error-format"))?;
    let format = match extension.to_ascii_lowercase().as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return Err(Open311Error::not_found("open311-error-format")),
    };
    if name.is_empty() {
        return Err(Open311Error::not_found("open311-error-not-found"));
    }
    Ok((name, format))
}

/// One problem of a request: the parameter it is about (if any) and the Fluent key of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub param: Option<&'static str>,
    pub key: &'static str,
}

/// An Open311 error answer: its HTTP status and every problem found, answered as
/// `<errors><error><code/><description/></error></errors>` (or its JSON array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub status: u16,
    pub problems: Vec<Problem>,
}

impl Open311Error {
    pub fn new(status: u16, param: Option<&'static str>, key: &'static str) -> Open311Error {
        Open311Error {
            status,
            problems: vec![Problem { param, key }],
        }
    }

    /// 400: a parameter is missing or wrong.
    pub fn bad(param: &'static str, key: &'static str) -> Open311Error {
        Open311Error::new(400, Some(param), key)
    }

    pub fn not_found(key: &'static str) -> Open311Error {
        Open311Error::new(404, None, key)
    }

    /// 403: the `api_key` is missing, unknown or revoked.
    pub fn api_key() -> Open311Error {
        Open311Error::new(403, Some("api_key"), "open311-error-api-key")
    }

    /// Collects several 400 problems into one answer.
    fn from_problems(problems: Vec<Problem>) -> Result<(), Open311Error> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Open311Error {
                status: 400,
                problems,
            })
        }
    }
}

/// The service layer's errors in Open311's terms; validation errors of intake are named by the
/// GeoReport parameter they came from.
impl From<AppError> for Open311Error {
    fn from(error: AppError) -> Open311Error {
        match error {
            AppError::NotFound => Open311Error::not_found("open311-error-not-found"),
            AppError::Forbidden => Open311Error::api_key(),
            AppError::Validation(fields) => Open311Error {
                status: 400,
                problems: fields.iter().map(problem_of_field).collect(),
            },
            AppError::Conflict(_) => {
                Open311Error::new(409, Some("Idempotency-Key"), "open311-error-conflict")
            }
            AppError::RateLimited { .. } => Open311Error::new(429, None, "problem-rate-limited"),
            AppError::PayloadTooLarge => Open311Error::new(413, None, "problem-payload-too-large"),
            AppError::UnsupportedMediaType => {
                Open311Error::new(415, None, "open311-error-media-type")
            }
            AppError::Unavailable => Open311Error::new(503, None, "problem-unavailable"),
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error in the Open311 API");
                Open311Error::new(500, None, "problem-internal")
            }
        }
    }
}

/// The GeoReport parameter an intake field came from.
fn problem_of_field(field: &FieldError) -> Problem {
    let param = match field.field {
        "kind" | "category" => "service_code",
        "community" => "attribute[community]",
        "description" => "description",
        "location" => "lat/long",
        "occurred_at" => "attribute[occurred_at]",
        "place" => "address_string",
        "involved_unit" | "involved_badge" => "attribute[involved]",
        "contact" => "email",
        "consent_contact" => "attribute[consent_contact]",
        "consent_publish" => "attribute[consent_publish]",
        other => other,
    };
    Problem {
        param: Some(param),
        key: field.key,
    }
}

/// Parameters of a query string or a form body, in order; a name given several times keeps
/// every value (GeoReport lets `status` and list attributes repeat).
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads `application/x-www-form-urlencoded` text; bad percent-escapes become U+FFFD rather
    /// than failing, and the checks of each parameter then refuse what does not fit.
    pub fn parse(encoded: &[u8]) -> Params {
        Params(
            url::form_urlencoded::parse(encoded)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Adds `other`'s parameters after these (a form body's after the query string's).
    pub fn extend(&mut self, other: Params) {
        self.0.extend(other.0);
    }

    /// Every value of `name`, joined with commas; empty when absent.
    pub fn get(&self, name: &str) -> String {
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        values.join(",")
    }

    /// The last non-empty value of `name`: for parameters that take one value.
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
            .unwrap_or("")
            .to_string()
    }

    /// `attribute[code]=value` and `attribute[code][]=value`, by code.
    pub fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &self.0 {
            let Some(rest) = name.strip_prefix("attribute[") else {
                continue;
            };
            let code = rest
                .strip_suffix("][]")
                .or_else(|| rest.strip_suffix(']'))
                .unwrap_or(rest);
            let value = value.trim();
            let values = out.entry(code.to_string()).or_default();
            if !value.is_empty() {
                values.push(value.to_string());
            }
        }
        out
    }
}

/// The language GeoReport's `locale` names (`uk`, `ru_UA`, `en-US`); `None` for anything else.
pub fn parse_locale(locale: &str) -> Option<Lang> {
    let primary = locale.trim().split(['_', '-']).next().unwrap_or("");
    Lang::from_code(primary)
}

/// `jurisdiction_id` is optional; when given it must be one of the platform's regions.
pub fn check_jurisdiction(given: &str, regions: &[String]) -> Result<Option<String>, Open311Error> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(None);
    }
    match regions.iter().find(|r| r.eq_ignore_ascii_case(given)) {
        Some(region) => Ok(Some(region.clone())),
        None => Err(Open311Error::new(
            404,
            Some("jurisdiction_id"),
            "open311-error-jurisdiction",
        )),
    }
}

/// GeoReport's two public states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicState {
    Open,
    Closed,
}

impl PublicState {
    pub fn code(self) -> &'static str {
        match self {
            PublicState::Open => "open",
            PublicState::Closed => "closed",
        }
    }

    /// A case is closed once its handling ended: closed, rejected, or merged into another case
    /// (which is handled in its place).
    pub fn of(status: Status) -> PublicState {
        match status {
            Status::Closed | Status::Rejected | Status::Merged => PublicState::Closed,
            _ => PublicState::Open,
        }
    }

    /// The Mistok states of this public state, for the store's filter.
    pub fn statuses(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|s| PublicState::of(*s) == self)
            .collect()
    }
}

/// What `GET requests` selects, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestsFilter {
    /// When given, these references only: GeoReport says they override every other filter.
    pub ids: Option<Vec<String>>,
    pub service_codes: Vec<String>,
    pub from: OffsetDateTime,
    pub until: OffsetDateTime,
    /// `None`: open and closed alike.
    pub state: Option<PublicState>,
    pub page: i64,
    pub page_size: i64,
}

/// Checks the parameters of `GET requests` (service codes are checked against the catalog by
/// the service). Dates are W3C date-times; without them, the last 90 days.
pub fn parse_requests_query(
    params: &Params,
    now: OffsetDateTime,
) -> Result<RequestsFilter, Open311Error> {
    let mut problems = Vec::new();
    let mut bad = |param: &'static str, key: &'static str| {
        problems.push(Problem {
            param: Some(param),
            key,
        })
    };

    let ids = match params.get("service_request_id") {
        text if text.is_empty() => None,
        text => {
            let ids: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_uppercase)
                .collect();
            if ids.len() > MAX_IDS {
                bad("service_request_id", "open311-error-too-many-ids");
            } else if !ids.iter().all(|id| is_reference_like(id)) {
                bad("service_request_id", "open311-error-request-id");
            }
            Some(ids)
        }
    };

    let service_codes: Vec<String> = params
        .get("service_code")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if service_codes.len() > MAX_IDS {
        bad("service_code", "open311-error-too-many-ids");
    }

    let start = match params.one("start_date") {
        text if text.is_empty() => None,
        text => {
            let at = parse_w3c_datetime(&text, false);
            if at.is_none() {
                bad("start_date", "open311-error-date");
            }
            at
        }
    };
    let end = match params.one("end_date") {
        text if text.is_empty() => None,
        text => {
            let at = parse_w3c_datetime(&text, true);
            if at.is_none() {
                bad("end_date", "open311-error-date");
            }
            at
        }
    };
    let span = Duration::days(MAX_SPAN_DAYS);
    let (from, until) = match (start, end) {
        (Some(from), Some(until)) => (from, until),
        (Some(from), None) => (from, from.saturating_add(span)),
        (None, Some(until)) => (until.saturating_sub(span), until),
        (None, None) => (now - span, now),
    };
    if start.is_some() || end.is_some() {
        if from > until {
            bad("end_date", "open311-error-date-order");
        } else if until - from > span {
            bad("end_date", "open311-error-date-span");
        }
    }

    let mut open = false;
    let mut closed = false;
    for state in params.get("status").split(',').map(str::trim) {
        match state.to_ascii_lowercase().as_str() {
            "" => {}
            "open" => open = true,
            "closed" => closed = true,
            _ => {
                bad("status", "open311-error-status");
                break;
            }
        }
    }
    let state = match (open, closed) {
        (true, false) => Some(PublicState::Open),
        (false, true) => Some(PublicState::Closed),
        _ => None,
    };

    let page = match params.one("page") {
        text if text.is_empty() => 1,
        text => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                bad("page", "open311-error-page");
                1
            }
        },
    };
    let page_size = match params.one("page_size") {
        text if text.is_empty() => MAX_PAGE_SIZE,
        text => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                bad("page_size", "open311-error-page-size");
                MAX_PAGE_SIZE
            }
        },
    };

    Open311Error::from_problems(problems)?;
    Ok(RequestsFilter {
        ids,
        service_codes,
        from,
        until,
        state,
        page,
        page_size,
    })
}

/// References are letters, digits and dashes (`DN-2026-000123`); anything else cannot name one.
pub fn is_reference_like(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A W3C date-time (the profile of ISO 8601 GeoReport uses): `2026-11-20T18:30:00+02:00`,
/// `…Z`, with or without seconds and their fraction; or a date alone (`2026-11-20`), taken in
/// UTC as the day's start, or, for an end (`end_of_day`), its last moment. A date-time must say
/// its time zone, as the specification requires.
pub fn parse_w3c_datetime(text: &str, end_of_day: bool) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;

    let text = text.trim();
    if text.len() > 40 {
        return None;
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return plausible(at);
    }
    if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        let start = date.midnight().assume_utc();
        let at = if end_of_day {
            start.checked_add(Duration::days(1))? - Duration::microseconds(1)
        } else {
            start
        };
        return plausible(at);
    }
    // Minutes without seconds, with a `Z` or an offset.
    let (local, zone) = if let Some(local) = text.strip_suffix(['Z', 'z']) {
        (local, UtcOffset::UTC)
    } else {
        let split = text.len().checked_sub(6)?;
        let (local, zone) = (text.get(..split)?, text.get(split..)?);
        let zone = UtcOffset::parse(
            zone,
            format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
        )
        .ok()?;
        (local, zone)
    };
    let local = PrimitiveDateTime::parse(
        local,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .ok()?;
    plausible(local.assume_offset(zone))
}

/// Years the platform can hold (and far from `time`'s limits, so date arithmetic never fails).
fn plausible(at: OffsetDateTime) -> Option<OffsetDateTime> {
    (1991..=2200)
        .contains(&at.year())
        .then(|| at.to_offset(UtcOffset::UTC))
}

/// A time as GeoReport writes it: W3C, whole seconds, with the offset of `offset`.
pub fn format_datetime(at: OffsetDateTime, offset: UtcOffset) -> String {
    use time::format_description::well_known::Rfc3339;
    let at = at.to_offset(offset);
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_default()
}

/// What a field of a service definition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn code(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }
}

/// An attribute of every service: what Mistok asks that GeoReport's own fields do not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeSpec {
    pub code: &'static str,
    pub datatype: Datatype,
    /// Required for every request (the community is required only without `lat`/`long`).
    pub required: bool,
    /// Fluent key of the question shown to the person.
    pub description_key: &'static str,
    /// Fluent key of the note on the expected value, if any.
    pub datatype_description_key: Option<&'static str>,
}

pub const ATTRIBUTES: [AttributeSpec; 5] = [
    AttributeSpec {
        code: "community",
        datatype: Datatype::SingleValueList,
        required: false,
        description_key: "open311-attribute-community",
        datatype_description_key: Some("open311-attribute-community-note"),
    },
    AttributeSpec {
        code: "occurred_at",
        datatype: Datatype::Datetime,
        required: false,
        description_key: "open311-attribute-occurred-at",
        datatype_description_key: Some("open311-attribute-occurred-at-note"),
    },
    AttributeSpec {
        code: "involved",
        datatype: Datatype::String,
        required: false,
        description_key: "open311-attribute-involved",
        datatype_description_key: None,
    },
    AttributeSpec {
        code: "consent_publish",
        datatype: Datatype::SingleValueList,
        required: false,
        description_key: "open311-attribute-consent-publish",
        datatype_description_key: Some("open311-attribute-yes-no-note"),
    },
    AttributeSpec {
        code: "consent_contact",
        datatype: Datatype::SingleValueList,
        required: false,
        description_key: "open311-attribute-consent-contact",
        datatype_description_key: Some("open311-attribute-yes-no-note"),
    },
];

/// The parameter name of an attribute, as errors name it.
fn attribute_param(code: &str) -> &'static str {
    match code {
        "community" => "attribute[community]",
        "occurred_at" => "attribute[occurred_at]",
        "involved" => "attribute[involved]",
        "consent_publish" => "attribute[consent_publish]",
        "consent_contact" => "attribute[consent_contact]",
        _ => "attribute",
    }
}

/// A service request as posted (`POST requests`), before it becomes a report.
#[derive(Debug, Clone, Default)]
pub struct CreateParams {
    pub api_key: String,
    pub jurisdiction_id: String,
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    /// Never fetched (see [`crate::open311`]); kept only to say so.
    pub media_url: String,
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl CreateParams {
    pub fn from_params(params: &Params) -> CreateParams {
        CreateParams {
            api_key: params.one("api_key"),
            jurisdiction_id: params.one("jurisdiction_id"),
            service_code: params.one("service_code"),
            lat: params.one("lat"),
            long: params.one("long"),
            address_string: params.one("address_string"),
            address_id: params.one("address_id"),
            email: params.one("email"),
            first_name: params.one("first_name"),
            last_name: params.one("last_name"),
            phone: params.one("phone"),
            description: params.one("description"),
            media_url: params.one("media_url"),
            attributes: params.attributes(),
        }
    }
}

/// Maps a posted service request onto the intake's report input: the service is the category
/// (and its kind); the community is the attribute, or else the nearest to `lat`/`long` within
/// `region` (when the jurisdiction was named); the contact is sealed by intake as one text.
/// Intake then validates the rest, exactly as for every other channel.
pub fn to_report_input(
    params: &CreateParams,
    catalog: &CatalogData,
    region: Option<&str>,
) -> Result<ReportInput, Open311Error> {
    let code = params.service_code.trim();
    if code.is_empty() {
        return Err(Open311Error::bad(
            "service_code",
            "open311-error-service-code-required",
        ));
    }
    let category = catalog
        .category(code)
        .ok_or_else(|| Open311Error::new(404, Some("service_code"), "open311-error-service"))?;

    let mut problems = Vec::new();
    let mut bad = |param: &'static str, key: &'static str| {
        problems.push(Problem {
            param: Some(param),
            key,
        })
    };
    let mut single = |code: &'static str| -> String {
        match params.attributes.get(code).map(Vec::as_slice) {
            None | Some([]) => String::new(),
            Some([one]) => one.clone(),
            Some(_) => {
                bad(attribute_param(code), "open311-error-attribute-single");
                String::new()
            }
        }
    };
    let community_given = single("community");
    let occurred_at = single("occurred_at");
    let involved = single("involved");
    let consent_publish_text = single("consent_publish");
    let consent_contact_text = single("consent_contact");
    for code in params.attributes.keys() {
        if !ATTRIBUTES.iter().any(|a| a.code == code) {
            bad("attribute", "open311-error-attribute-unknown");
            break;
        }
    }
    let mut yes_no = |code: &'static str, text: &str| match text.to_ascii_lowercase().as_str() {
        "" | "no" => false,
        "yes" => true,
        _ => {
            bad(attribute_param(code), "open311-error-yes-no");
            false
        }
    };
    let consent_publish = yes_no("consent_publish", &consent_publish_text);
    let consent_contact = yes_no("consent_contact", &consent_contact_text);

    let (lat, long) = (params.lat.trim(), params.long.trim());
    let point = match (lat.is_empty(), long.is_empty()) {
        (true, true) => None,
        (false, false) => match (parse_coordinate(lat, 90.0), parse_coordinate(long, 180.0)) {
            (Some(lat), Some(long)) => Some((lat, long)),
            _ => {
                bad("lat/long", "error-location-invalid");
                None
            }
        },
        _ => {
            bad("lat/long", "error-location-invalid");
            None
        }
    };
    let community = if !community_given.is_empty() {
        match catalog.community(&community_given) {
            Some(c) if region.is_some_and(|r| r != c.region_code) => {
                bad("attribute[community]", "open311-error-community-region");
                String::new()
            }
            // Unknown codes are named by intake's own check.
            _ => community_given,
        }
    } else if let Some((lat, long)) = point {
        match nearest_community(&catalog.communities, region, lat, long) {
            Some(c) => c.code.clone(),
            None => {
                bad("lat/long", "open311-error-outside-region");
                String::new()
            }
        }
    } else if lat.is_empty() && long.is_empty() {
        if params.address_string.trim().is_empty() && params.address_id.trim().is_empty() {
            bad("lat/long", "open311-error-location-required");
        } else {
            bad("attribute[community]", "open311-error-address-only");
        }
        String::new()
    } else {
        String::new()
    };

    let mut contact_parts = Vec::new();
    let name = [params.first_name.trim(), params.last_name.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    for (param, part) in [
        ("first_name", name.as_str()),
        ("email", params.email.trim()),
        ("phone", params.phone.trim()),
    ] {
        if part.chars().count() > CONTACT_PART_MAX_CHARS {
            bad(param, "error-too-long");
        } else if !part.is_empty() {
            contact_parts.push(part.to_string());
        }
    }

    Open311Error::from_problems(problems)?;
    Ok(ReportInput {
        kind: category.kind.code().to_string(),
        category: category.code.clone(),
        community,
        place: params.address_string.clone(),
        lat: point.map(|p| p.0.to_string()).unwrap_or_default(),
        lon: point.map(|p| p.1.to_string()).unwrap_or_default(),
        occurred_at,
        description: params.description.clone(),
        involved_unit: involved,
        involved_badge: String::new(),
        witnesses: String::new(),
        contact: contact_parts.join("; "),
        consent_contact,
        consent_publish,
    })
}

fn parse_coordinate(text: &str, limit: f64) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && (-limit..=limit).contains(&value)).then_some(value)
}

/// Prefix of every API key, so that a key found somewhere is recognisable as one.
pub const API_KEY_PREFIX: &str = "m311_";
/// How much of a key is kept in clear to tell keys apart (the prefix and four characters, of
/// 32 random ones).
const API_KEY_HINT_CHARS: usize = API_KEY_PREFIX.len() + 4;

/// A new API key: the prefix and 192 random bits, URL-safe.
pub fn new_api_key() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    format!(
        "{API_KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The beginning of a key shown to administrators (`m311_AbCd…`).
pub fn api_key_hint(key: &str) -> String {
    let start: String = key.chars().take(API_KEY_HINT_CHARS).collect();
    format!("{start}…")
}

/// A key as a client sends it: checked for shape before it is hashed and looked up.
pub fn looks_like_api_key(key: &str) -> bool {
    key.starts_with(API_KEY_PREFIX)
        && key.len() == API_KEY_PREFIX.len() + 32
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The name an administrator gives a key (the partner system's name).
pub fn validate_key_name(name: &str) -> Result<String, FieldError> {
    let name = clean_text(name).replace('\n', " ");
    if name.is_empty() {
        Err(FieldError::new("name", "api-key-error-name-required"))
    } else if name.chars().count() > NAME_MAX_CHARS {
        Err(FieldError::new("name", "error-too-long"))
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Category, Community, Names};
    use crate::intake::model::ReportKind;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn names(n: &str) -> Names {
        Names {
            uk: n.into(),
            ru: n.into(),
            en: n.into(),
        }
    }

    fn catalog() -> CatalogData {
        CatalogData {
            categories: vec![Category {
                code: "street_lighting".into(),
                kind: ReportKind::Safety,
                names: names("Street lighting"),
                position: 0,
            }],
            communities: vec![
                Community {
                    code: "kramatorsk".into(),
                    region_code: "donetsk".into(),
                    names: names("Kramatorsk"),
                    lat: Some(48.7389),
                    lon: Some(37.5844),
                },
                Community {
                    code: "sloviansk".into(),
                    region_code: "donetsk".into(),
                    names: names("Sloviansk"),
                    lat: Some(48.8533),
                    lon: Some(37.6050),
                },
                Community {
                    code: "kharkiv".into(),
                    region_code: "kharkiv".into(),
                    names: names("Kharkiv"),
                    lat: Some(49.9935),
                    lon: Some(36.2304),
                },
            ],
            reference_prefix: None,
            agencies: Vec::new(),
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn params_of(problems: &Open311Error) -> Vec<&'static str> {
        problems.problems.iter().filter_map(|p| p.param).collect()
    }

    #[test]
    fn resources_name_their_format() {
        assert_eq!(
            parse_resource("services.json").unwrap(),
            ("services", Format::Json)
        );
        assert_eq!(
            parse_resource("DN-2026-000001.XML").unwrap(),
            ("DN-2026-000001", Format::Xml)
        );
        assert_eq!(parse_resource("services.csv").unwrap_err().status, 404);
        assert_eq!(parse_resource("services").unwrap_err().status, 404);
        assert_eq!(parse_resource(".json").unwrap_err().status, 404);
    }

    #[test]
    fn locales_and_jurisdictions() {
        assert_eq!(parse_locale("ru_UA"), Some(Lang::Ru));
        assert_eq!(parse_locale("en-US"), Some(Lang::En));
        assert_eq!(parse_locale("de"), None);
        let regions = vec!["donetsk".to_string()];
        assert_eq!(check_jurisdiction("", &regions), Ok(None));
        assert_eq!(
            check_jurisdiction("Donetsk", &regions),
            Ok(Some("donetsk".into()))
        );
        assert_eq!(
            check_jurisdiction("luhansk", &regions).unwrap_err().status,
            404
        );
    }

    #[test]
    fn w3c_datetimes() {
        let at = parse_w3c_datetime("2026-11-20T18:30:00+02:00", false).unwrap();
        assert_eq!(at, datetime!(2026-11-20 16:30 UTC));
        assert_eq!(
            parse_w3c_datetime("2026-11-20T16:30Z", false),
            Some(datetime!(2026-11-20 16:30 UTC))
        );
        assert_eq!(
            parse_w3c_datetime("2026-11-20T18:30-01:00", false),
            Some(datetime!(2026-11-20 19:30 UTC))
        );
        assert_eq!(
            parse_w3c_datetime("2026-11-20", false),
            Some(datetime!(2026-11-20 0:00 UTC))
        );
        assert!(
            parse_w3c_datetime("2026-11-20", true).unwrap() > datetime!(2026-11-20 23:59:59 UTC)
        );
        assert_eq!(
            parse_w3c_datetime("2026-11-20T18:30:00", false),
            None,
            "zone required"
        );
        assert_eq!(parse_w3c_datetime("yesterday", false), None);
        assert_eq!(parse_w3c_datetime("9999-12-31", true), None);
        assert_eq!(
            format_datetime(
                datetime!(2026-11-20 16:30:05.123 UTC),
                UtcOffset::from_hms(2, 0, 0).unwrap()
            ),
            "2026-11-20T18:30:05+02:00"
        );
    }

    #[test]
    fn requests_default_to_the_last_ninety_days() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let f = parse_requests_query(&Params::default(), now).unwrap();
        assert_eq!(f.until, now);
        assert_eq!(f.until - f.from, Duration::days(90));
        assert_eq!((f.page, f.page_size, f.state, f.ids), (1, 1000, None, None));

        let f = parse_requests_query(
            &params(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("status", "closed"),
                ("service_request_id", "dn-2026-000001, DN-2026-000002"),
                ("page", "2"),
                ("page_size", "50"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(f.until, datetime!(2026-04-01 0:00 UTC));
        assert_eq!(f.state, Some(PublicState::Closed));
        assert_eq!(
            f.ids,
            Some(vec!["DN-2026-000001".to_string(), "DN-2026-000002".into()])
        );
        assert_eq!((f.page, f.page_size), (2, 50));
        let both = parse_requests_query(&params(&[("status", "open"), ("status", "closed")]), now);
        assert_eq!(both.unwrap().state, None);
    }

    #[test]
    fn bad_request_parameters_are_named() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let e = parse_requests_query(
            &params(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("end_date", "2026-06-01T00:00:00Z"),
                ("status", "pending"),
                ("page", "0"),
                ("page_size", "1001"),
                ("service_request_id", "<script>"),
            ]),
            now,
        )
        .unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            params_of(&e),
            [
                "service_request_id",
                "end_date",
                "status",
                "page",
                "page_size"
            ]
        );
        let e = parse_requests_query(
            &params(&[("start_date", "2026-02-01"), ("end_date", "2026-01-01")]),
            now,
        )
        .unwrap_err();
        assert_eq!(e.problems[0].key, "open311-error-date-order");
        let e = parse_requests_query(&params(&[("start_date", "soon")]), now).unwrap_err();
        assert_eq!(params_of(&e), ["start_date"]);
    }

    #[test]
    fn attributes_are_read_from_brackets() {
        let p = params(&[
            ("attribute[community]", "kramatorsk"),
            ("attribute[tags][]", "a"),
            ("attribute[tags][]", "b"),
        ]);
        let a = p.attributes();
        assert_eq!(a["community"], ["kramatorsk"]);
        assert_eq!(a["tags"], ["a", "b"]);
    }

    fn create(pairs: &[(&str, &str)]) -> CreateParams {
        CreateParams::from_params(&params(pairs))
    }

    #[test]
    fn a_request_becomes_a_report_input() {
        let input = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("lat", "48.85"),
                ("long", "37.60"),
                ("address_string", "Shevchenka St, 1"),
                ("description", "The street is dark at night."),
                ("first_name", "Olena"),
                ("email", "olena@example.org"),
                ("attribute[consent_publish]", "yes"),
                ("attribute[involved]", "patrol police"),
            ]),
            &catalog(),
            None,
        )
        .unwrap();
        assert_eq!(input.kind, "safety");
        assert_eq!(input.category, "street_lighting");
        assert_eq!(input.community, "sloviansk", "the nearest centre");
        assert_eq!(input.place, "Shevchenka St, 1");
        assert_eq!(input.contact, "Olena; olena@example.org");
        assert!(input.consent_publish && !input.consent_contact);
        assert_eq!(input.involved_unit, "patrol police");

        let input = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("attribute[community]", "kramatorsk"),
            ]),
            &catalog(),
            Some("donetsk"),
        )
        .unwrap();
        assert_eq!(input.community, "kramatorsk");
    }

    #[test]
    fn missing_and_wrong_parts_are_named() {
        let e = to_report_input(&create(&[("lat", "48.8")]), &catalog(), None).unwrap_err();
        assert_eq!((e.status, params_of(&e)), (400, vec!["service_code"]));
        let e = to_report_input(&create(&[("service_code", "potholes")]), &catalog(), None)
            .unwrap_err();
        assert_eq!(e.status, 404);
        let e = to_report_input(
            &create(&[("service_code", "street_lighting")]),
            &catalog(),
            None,
        )
        .unwrap_err();
        assert_eq!(params_of(&e), ["lat/long"]);
        let e = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("address_string", "Main St"),
            ]),
            &catalog(),
            None,
        )
        .unwrap_err();
        assert_eq!(params_of(&e), ["attribute[community]"]);
        let e = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("lat", "0"),
                ("long", "0"),
                ("attribute[consent_publish]", "maybe"),
                ("attribute[colour]", "red"),
            ]),
            &catalog(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            params_of(&e),
            ["attribute", "attribute[consent_publish]", "lat/long"]
        );
        // Kharkiv is nearer, but not the named jurisdiction's.
        let e = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("attribute[community]", "kharkiv"),
            ]),
            &catalog(),
            Some("donetsk"),
        )
        .unwrap_err();
        assert_eq!(params_of(&e), ["attribute[community]"]);
        let e = to_report_input(
            &create(&[
                ("service_code", "street_lighting"),
                ("lat", "49.99"),
                ("long", "36.23"),
            ]),
            &catalog(),
            Some("donetsk"),
        )
        .unwrap_err();
        assert_eq!(params_of(&e), ["lat/long"]);
    }

    #[test]
    fn intake_fields_map_to_parameters() {
        let e = Open311Error::from(AppError::Validation(vec![
            FieldError::new("description", "error-description-too-short"),
            FieldError::new("occurred_at", "error-occurred-at-invalid"),
        ]));
        assert_eq!(e.status, 400);
        assert_eq!(params_of(&e), ["description", "attribute[occurred_at]"]);
        assert_eq!(Open311Error::from(AppError::Forbidden).status, 403);
        assert_eq!(Open311Error::from(AppError::internal("x")).status, 500);
    }

    #[test]
    fn distances_and_states() {
        let d = crate::map::grid::distance_km(48.7389, 37.5844, 48.8533, 37.6050);
        assert!((12.0..14.0).contains(&d), "{d}");
        assert_eq!(PublicState::of(Status::Rejected), PublicState::Closed);
        assert_eq!(PublicState::of(Status::Referred), PublicState::Open);
        assert_eq!(PublicState::Closed.statuses().len(), 3);
    }

    #[test]
    fn api_keys() {
        let key = new_api_key();
        assert!(looks_like_api_key(&key), "{key}");
        assert_ne!(key, new_api_key());
        assert_eq!(api_key_hint(&key).chars().count(), 10);
        assert!(!looks_like_api_key("m311_short"));
        assert!(validate_key_name("  ").is_err());
        assert_eq!(
            validate_key_name(" City 311\napp ").unwrap(),
            "City 311 app"
        );
    }

    proptest! {
        #[test]
        fn any_query_parses_or_names_a_parameter(
            ids in ".{0,30}", codes in ".{0,20}", start in ".{0,30}", end in ".{0,30}",
            status in ".{0,12}", page in ".{0,6}", size in ".{0,6}"
        ) {
            let p = params(&[
                ("service_request_id", &ids), ("service_code", &codes), ("start_date", &start),
                ("end_date", &end), ("status", &status), ("page", &page), ("page_size", &size),
            ]);
            match parse_requests_query(&p, OffsetDateTime::now_utc()) {
                Ok(f) => {
                    prop_assert!(f.from <= f.until);
                    prop_assert!(f.until - f.from <= Duration::days(MAX_SPAN_DAYS));
                    prop_assert!((1..=MAX_PAGE_SIZE).contains(&f.page_size));
                }
                Err(e) => {
                    prop_assert_eq!(e.status, 400);
                    prop_assert!(!e.problems.is_empty());
                    prop_assert!(e.problems.iter().all(|p| p.param.is_some()));
                }
            }
        }

        #[test]
        fn any_post_maps_or_names_a_parameter(
            code in prop::sample::select(vec!["", "street_lighting", "x"]),
            lat in ".{0,12}", long in ".{0,12}", address in ".{0,20}",
            attribute in ".{0,12}", value in ".{0,12}", email in ".{0,130}"
        ) {
            let name = format!("attribute[{attribute}]");
            let p = create(&[
                ("service_code", code), ("lat", &lat), ("long", &long),
                ("address_string", &address), (&name, &value), ("email", &email),
            ]);
            match to_report_input(&p, &catalog(), None) {
                Ok(input) => prop_assert!(!input.community.is_empty()),
                Err(e) => {
                    prop_assert!([400, 404].contains(&e.status));
                    prop_assert!(!e.problems.is_empty());
                }
            }
        }

        #[test]
        fn any_form_text_parses(body in any::<Vec<u8>>()) {
            let p = Params::parse(&body);
            let _ = p.attributes();
            let _ = CreateParams::from_params(&p);
        }

        #[test]
        fn any_datetime_text_parses_or_not(text in ".{0,40}") {
            let _ = parse_w3c_datetime(&text, false);
            let _ = parse_w3c_datetime(&text, true);
            let _ = parse_resource(&text);
            let _ = parse_locale(&text);
        }
    }
}
