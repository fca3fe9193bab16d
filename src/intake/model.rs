//! Report intake: the types, and the validation of what residents, operators and apps send.
//! Pure rules only; no I/O.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use utoipa::ToSchema;

use crate::error::FieldError;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A human-rights violation by a security service (police, security service, military…).
    Violation,
    /// A local safety problem.
    Safety,
    /// Feedback on police work: a complaint or thanks.
    PoliceFeedback,
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Violation,
        ReportKind::Safety,
        ReportKind::PoliceFeedback,
        ReportKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Violation => "violation",
            ReportKind::Safety => "safety",
            ReportKind::PoliceFeedback => "police_feedback",
            ReportKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportKind> {
        ReportKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    /// Fluent key of the kind's name.
    pub fn message_key(self) -> String {
        format!("kind-{}", self.code().replace('_', "-"))
    }

    /// Every kind as `(code, name)`, for a form's choices.
    pub fn choices(lang: crate::i18n::Lang) -> Vec<(&'static str, String)> {
        ReportKind::ALL
            .into_iter()
            .map(|k| (k.code(), lang.t(&k.message_key())))
            .collect()
    }
}

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Api,
    Phone,
    Import,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Phone => "phone",
            Channel::Import => "import",
        }
    }
}

/// The life of a report as a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Triaged,
    Referred,
    InProgress,
    Responded,
    Closed,
    Rejected,
    Merged,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Received,
        Status::Triaged,
        Status::Referred,
        Status::InProgress,
        Status::Responded,
        Status::Closed,
        Status::Rejected,
        Status::Merged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Triaged => "triaged",
            Status::Referred => "referred",
            Status::InProgress => "in_progress",
            Status::Responded => "responded",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Merged => "merged",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Fluent key of the status's name.
    pub fn message_key(self) -> String {
        format!("status-{}", self.code().replace('_', "-"))
    }
}

/// A report as typed by a person or sent by an app, before validation. Every field is text so
/// that a form with errors can be shown again with the values kept.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub kind: String,
    pub category: String,
    pub community: String,
    pub place: String,
    pub lat: String,
    pub lon: String,
    pub occurred_at: String,
    pub description: String,
    pub involved_unit: String,
    pub involved_badge: String,
    pub witnesses: String,
    pub contact: String,
    pub consent_contact: bool,
    pub consent_publish: bool,
}

/// What the platform knows about the places and categories a report may name.
pub trait Catalog {
    fn category_kind(&self, code: &str) -> Option<ReportKind>;
    fn community_exists(&self, code: &str) -> bool;
    /// Whether a point lies in the platform's region (see `map::grid::in_region`).
    fn in_region(&self, _lat: f64, _lon: f64) -> bool {
        true
    }
}

/// A validated report, ready to be sealed and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReport {
    pub kind: ReportKind,
    pub category: String,
    pub community: String,
    pub place: Option<String>,
    pub location: Option<(f64, f64)>,
    pub occurred_at: Option<OffsetDateTime>,
    pub description: String,
    pub involved_unit: Option<String>,
    pub involved_badge: Option<String>,
    pub witnesses: Option<String>,
    pub contact: Option<String>,
    pub consent_contact: bool,
    pub consent_publish: bool,
}

pub const DESCRIPTION_MIN_CHARS: usize = 10;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const MESSAGE_MAX_CHARS: usize = 10_000;
const PLACE_MAX_CHARS: usize = 300;
const UNIT_MAX_CHARS: usize = 200;
const BADGE_MAX_CHARS: usize = 40;
const WITNESSES_MAX_CHARS: usize = 2_000;
const CONTACT_MAX_CHARS: usize = 300;
/// Clocks of phones drift; a few minutes "in the future" is not an error.
const FUTURE_TOLERANCE: time::Duration = time::Duration::minutes(15);

/// Trims, and removes control characters other than line breaks and tabs (NUL in particular,
/// which PostgreSQL text cannot hold). Line breaks are normalised to `\n`.
pub fn clean_text(input: &str) -> String {
    let normalised = input.replace("\r\n", "\n").replace('\r', "\n");
    normalised
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

fn optional(
    input: &str,
    max: usize,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = clean_text(input);
    if text.chars().count() > max {
        errors.push(FieldError::new(field, "error-too-long"));
    }
    (!text.is_empty()).then_some(text)
}

/// Validates a report against the catalog; every problem is reported, field by field.
pub fn validate_report(
    input: &ReportInput,
    catalog: &impl Catalog,
    now: OffsetDateTime,
    local_offset: UtcOffset,
) -> Result<ValidReport, Vec<FieldError>> {
    let mut errors = Vec::new();

    let kind = ReportKind::from_code(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-kind-invalid"));
    }

    let category = input.category.trim().to_string();
    if category.is_empty() {
        errors.push(FieldError::new("category", "error-category-required"));
    } else {
        match (catalog.category_kind(&category), kind) {
            (None, _) => errors.push(FieldError::new("category", "error-category-invalid")),
            (Some(category_kind), Some(kind)) if category_kind != kind => {
                errors.push(FieldError::new("category", "error-category-invalid"))
            }
            _ => {}
        }
    }

    let community = input.community.trim().to_string();
    if community.is_empty() {
        errors.push(FieldError::new("community", "error-community-required"));
    } else if !catalog.community_exists(&community) {
        errors.push(FieldError::new("community", "error-community-invalid"));
    }

    let description = clean_text(&input.description);
    let length = description.chars().count();
    if length == 0 {
        errors.push(FieldError::new("description", "error-description-required"));
    } else if length < DESCRIPTION_MIN_CHARS {
        errors.push(FieldError::new(
            "description",
            "error-description-too-short",
        ));
    } else if length > DESCRIPTION_MAX_CHARS {
        errors.push(FieldError::new("description", "error-too-long"));
    }

    let location = match parse_location(&input.lat, &input.lon) {
        Ok(Some((lat, lon))) if !catalog.in_region(lat, lon) => {
            errors.push(FieldError::new("location", "error-location-outside-region"));
            None
        }
        Ok(location) => location,
        Err(e) => {
            errors.push(e);
            None
        }
    };

    let occurred_at = match parse_occurred_at(&input.occurred_at, local_offset) {
        Ok(Some(at)) if at > now + FUTURE_TOLERANCE => {
            errors.push(FieldError::new("occurred_at", "error-occurred-at-future"));
            None
        }
        Ok(at) => at,
        Err(e) => {
            errors.push(e);
            None
        }
    };

    let place = optional(&input.place, PLACE_MAX_CHARS, "place", &mut errors);
    let involved_unit = optional(
        &input.involved_unit,
        UNIT_MAX_CHARS,
        "involved_unit",
        &mut errors,
    );
    let involved_badge = optional(
        &input.involved_badge,
        BADGE_MAX_CHARS,
        "involved_badge",
        &mut errors,
    );
    let witnesses = optional(
        &input.witnesses,
        WITNESSES_MAX_CHARS,
        "witnesses",
        &mut errors,
    );
    let contact = optional(&input.contact, CONTACT_MAX_CHARS, "contact", &mut errors);
    if input.consent_contact && contact.is_none() {
        errors.push(FieldError::new(
            "contact",
            "error-contact-required-for-consent",
        ));
    }

    match (errors.is_empty(), kind) {
        (true, Some(kind)) => Ok(ValidReport {
            kind,
            category,
            community,
            place,
            location,
            occurred_at,
            description,
            involved_unit,
            involved_badge,
            witnesses,
            contact,
            consent_contact: input.consent_contact,
            consent_publish: input.consent_publish,
        }),
        _ => Err(errors),
    }
}

/// Both coordinates or neither; each within the globe's range.
fn parse_location(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, FieldError> {
    let (lat, lon) = (lat.trim(), lon.trim());
    if lat.is_empty() && lon.is_empty() {
        return Ok(None);
    }
    let invalid = || FieldError::new("location", "error-location-invalid");
    let lat: f64 = lat.replace(',', ".").parse().map_err(|_| invalid())?;
    let lon: f64 = lon.replace(',', ".").parse().map_err(|_| invalid())?;
    if !lat.is_finite()
        || !lon.is_finite()
        || !(-90.0..=90.0).contains(&lat)
        || !(-180.0..=180.0).contains(&lon)
    {
        return Err(invalid());
    }
    Ok(Some((lat, lon)))
}

/// Accepts a date (`2026-11-20`), a local date and time as sent by `datetime-local` inputs
/// (`2026-11-20T18:30`), or an RFC 3339 timestamp with offset (apps).
pub fn parse_occurred_at(
    input: &str,
    local_offset: UtcOffset,
) -> Result<Option<OffsetDateTime>, FieldError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;

    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let invalid = || FieldError::new("occurred_at", "error-occurred-at-invalid");
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Some(at));
    }
    let local = if let Ok(at) = PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ) {
        at
    } else if let Ok(at) = PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    ) {
        at
    } else {
        let date = Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map_err(|_| invalid())?;
        date.midnight()
    };
    if local.year() < 1991 {
        return Err(invalid());
    }
    Ok(Some(local.assume_offset(local_offset)))
}

/// Validates text the reporter adds to their report later.
pub fn validate_message(input: &str) -> Result<String, FieldError> {
    let text = clean_text(input);
    if text.is_empty() {
        Err(FieldError::new("body", "error-message-required"))
    } else if text.chars().count() > MESSAGE_MAX_CHARS {
        Err(FieldError::new("body", "error-too-long"))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{datetime, offset};

    struct TestCatalog;
    impl Catalog for TestCatalog {
        fn category_kind(&self, code: &str) -> Option<ReportKind> {
            match code {
                "unlawful_detention" => Some(ReportKind::Violation),
                "street_lighting" => Some(ReportKind::Safety),
                _ => None,
            }
        }
        fn community_exists(&self, code: &str) -> bool {
            code == "kramatorsk"
        }
        fn in_region(&self, lat: f64, _lon: f64) -> bool {
            (47.0..50.0).contains(&lat)
        }
    }

    fn good() -> ReportInput {
        ReportInput {
            kind: "violation".into(),
            category: "unlawful_detention".into(),
            community: "kramatorsk".into(),
            description: "Detained without explanation at the checkpoint.".into(),
            ..Default::default()
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);
    const KYIV: UtcOffset = offset!(+2);

    fn fields(input: &ReportInput) -> Vec<&'static str> {
        match validate_report(input, &TestCatalog, NOW, KYIV) {
            Ok(_) => vec![],
            Err(errors) => errors.iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn accepts_a_minimal_report() {
        let valid = validate_report(&good(), &TestCatalog, NOW, KYIV).unwrap();
        assert_eq!(valid.kind, ReportKind::Violation);
        assert_eq!(valid.contact, None);
        assert!(!valid.consent_publish);
    }

    #[test]
    fn reports_every_invalid_field() {
        let input = ReportInput {
            kind: "nonsense".into(),
            category: "".into(),
            community: "atlantis".into(),
            description: "short".into(),
            lat: "91".into(),
            lon: "37".into(),
            occurred_at: "yesterday".into(),
            consent_contact: true,
            ..Default::default()
        };
        assert_eq!(
            fields(&input),
            vec![
                "kind",
                "category",
                "community",
                "description",
                "location",
                "occurred_at",
                "contact"
            ]
        );
    }

    #[test]
    fn category_must_match_kind() {
        let input = ReportInput {
            category: "street_lighting".into(),
            ..good()
        };
        assert_eq!(fields(&input), vec!["category"]);
    }

    #[test]
    fn occurred_at_formats_and_future() {
        let local = parse_occurred_at("2026-11-20T18:30", KYIV)
            .unwrap()
            .unwrap();
        assert_eq!(local, datetime!(2026-11-20 16:30 UTC));
        let day = parse_occurred_at("2026-11-20", KYIV).unwrap().unwrap();
        assert_eq!(day, datetime!(2026-11-19 22:00 UTC));
        let api = parse_occurred_at("2026-11-20T10:00:00Z", KYIV)
            .unwrap()
            .unwrap();
        assert_eq!(api, datetime!(2026-11-20 10:00 UTC));
        let future = ReportInput {
            occurred_at: "2026-12-31".into(),
            ..good()
        };
        assert_eq!(fields(&future), vec!["occurred_at"]);
    }

    #[test]
    fn clean_text_strips_control_characters() {
        assert_eq!(clean_text("  a\u{0}b\r\nc\u{7}  "), "ab\nc");
    }

    #[test]
    fn points_outside_the_region_are_refused() {
        let input = ReportInput {
            lat: "50.45".into(),
            lon: "30.52".into(),
            ..good()
        };
        assert_eq!(fields(&input), vec!["location"]);
        let inside = ReportInput {
            lat: "48.74".into(),
            lon: "37.58".into(),
            ..good()
        };
        assert!(fields(&inside).is_empty());
    }

    #[test]
    fn location_needs_both_coordinates() {
        let input = ReportInput {
            lat: "48.72".into(),
            ..good()
        };
        assert_eq!(fields(&input), vec!["location"]);
        let both = ReportInput {
            lat: "48,72".into(),
            lon: "37.55".into(),
            ..good()
        };
        let valid = validate_report(&both, &TestCatalog, NOW, KYIV).unwrap();
        assert_eq!(valid.location, Some((48.72, 37.55)));
    }

    proptest! {
        #[test]
        fn validation_never_panics(
            kind in ".{0,20}", category in ".{0,20}", community in ".{0,20}",
            description in ".{0,200}", lat in ".{0,12}", lon in ".{0,12}", occurred in ".{0,30}",
            contact in ".{0,50}", consent in any::<bool>()
        ) {
            let input = ReportInput {
                kind, category, community, description, lat, lon, occurred_at: occurred, contact,
                consent_contact: consent, ..Default::default()
            };
            if let Ok(valid) = validate_report(&input, &TestCatalog, NOW, KYIV) {
                prop_assert!(!valid.description.contains(char::from(0)), "NUL kept");
                prop_assert!(valid.description.chars().count() >= DESCRIPTION_MIN_CHARS);
            }
        }
    }
}
