//! The report form's body (and the API's fields, which meet the same validation): any bytes,
//! read as `application/x-www-form-urlencoded`, are validated without a panic, and a report that
//! passes holds only what the rules allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::intake::model::{Catalog, ReportInput, ReportKind, validate_report};

struct Region;

impl Catalog for Region {
    fn category_kind(&self, code: &str) -> Option<ReportKind> {
        mistok::reference_data::DEFAULT_CATEGORIES
            .iter()
            .find(|c| c.code == code)
            .and_then(|c| ReportKind::from_code(c.kind))
    }

    fn community_exists(&self, code: &str) -> bool {
        ["kramatorsk", "lyman", "sloviansk"].contains(&code)
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    let mut input = ReportInput::default();
    for (name, value) in pairs {
        match name.as_str() {
            "kind" => input.kind = value,
            "category" => input.category = value,
            "community" => input.community = value,
            "place" => input.place = value,
            "lat" => input.lat = value,
            "lon" => input.lon = value,
            "occurred_at" => input.occurred_at = value,
            "description" => input.description = value,
            "involved_unit" => input.involved_unit = value,
            "involved_badge" => input.involved_badge = value,
            "witnesses" => input.witnesses = value,
            "contact" => input.contact = value,
            "consent_contact" => input.consent_contact = !value.is_empty(),
            "consent_publish" => input.consent_publish = !value.is_empty(),
            _ => {}
        }
    }
    let now = time::OffsetDateTime::now_utc();
    if let Ok(valid) = validate_report(&input, &Region, now, time::UtcOffset::UTC) {
        assert!(Region.community_exists(&valid.community));
        assert!(!valid.description.trim().is_empty());
        if let Some((lat, lon)) = valid.location {
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }
    }
});
