//! Events, registrations and what staff record after: types, parsing and validation of input,
//! and the pure rules (seats and the waiting list, the month grid).

use time::{Date, Month, PrimitiveDateTime};

use crate::error::FieldError;
use crate::intake::model::clean_text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const PLACE_MAX_CHARS: usize = 300;
pub const ORGANIZERS_MAX_CHARS: usize = 500;
pub const MINUTES_MAX_CHARS: usize = 50_000;
pub const DECISION_MAX_CHARS: usize = 2_000;
pub const NAME_MAX_CHARS: usize = 120;
pub const CAPACITY_MAX: i64 = 100_000;
pub const ATTENDANCE_MAX: i64 = 1_000_000;

/// What kind of meeting an event is (the seven codes of the `events` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    RoundTable,
    Training,
    SchoolLecture,
    CoffeeWithPolice,
    Forum,
    FocusGroup,
    JointReception,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::RoundTable,
        EventKind::Training,
        EventKind::SchoolLecture,
        EventKind::CoffeeWithPolice,
        EventKind::Forum,
        EventKind::FocusGroup,
        EventKind::JointReception,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::RoundTable => "round_table",
            EventKind::Training => "training",
            EventKind::SchoolLecture => "school_lecture",
            EventKind::CoffeeWithPolice => "coffee_with_police",
            EventKind::Forum => "forum",
            EventKind::FocusGroup => "focus_group",
            EventKind::JointReception => "joint_reception",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// The Fluent key of the kind's name.
    pub fn message_key(self) -> String {
        format!("events-kind-{}", self.code())
    }
}

/// Languages a meeting may be held in; "sign" is sign-language interpretation.
pub const LANGUAGES: [&str; 4] = ["uk", "ru", "en", "sign"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Scheduled,
    Cancelled,
}

impl EventStatus {
    pub fn code(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> EventStatus {
        if code == "cancelled" {
            EventStatus::Cancelled
        } else {
            EventStatus::Scheduled
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Confirmed,
    Waiting,
    Cancelled,
}

impl RegistrationStatus {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Waiting => "waiting",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> RegistrationStatus {
        match code {
            "confirmed" => RegistrationStatus::Confirmed,
            "waiting" => RegistrationStatus::Waiting,
            _ => RegistrationStatus::Cancelled,
        }
    }
}

/// A newcomer's place: a seat while `confirmed` (already confirmed people) is below `capacity`,
/// else the waiting list. Never above capacity.
pub fn place_for_newcomer(capacity: i64, confirmed: i64) -> RegistrationStatus {
    if confirmed < capacity {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waiting
    }
}

/// The event's form as typed by staff. Checkboxes send "yes" when ticked.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    /// A community code, or empty for the whole region.
    pub community: String,
    pub place: String,
    /// `datetime-local` values in the platform's time zone.
    pub starts_at: String,
    pub ends_at: String,
    pub organizers: String,
    /// Empty: no registration.
    pub capacity: String,
    pub lang_uk: String,
    pub lang_ru: String,
    pub lang_en: String,
    pub lang_sign: String,
}

impl EventInput {
    pub fn language_ticked(&self, code: &str) -> bool {
        let value = match code {
            "uk" => &self.lang_uk,
            "ru" => &self.lang_ru,
            "en" => &self.lang_en,
            "sign" => &self.lang_sign,
            _ => return false,
        };
        !value.trim().is_empty()
    }
}

/// A checked event, its times still local (the service turns them into moments).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub community: Option<String>,
    pub place: String,
    pub starts_local: PrimitiveDateTime,
    pub ends_local: PrimitiveDateTime,
    pub organizers: String,
    pub capacity: Option<i64>,
    /// Space-separated codes of [`LANGUAGES`], in that order.
    pub languages: String,
}

/// Seats: empty for none (no registration), else a whole number from 1 to [`CAPACITY_MAX`].
pub fn parse_capacity(input: &str) -> Result<Option<i64>, &'static str> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=CAPACITY_MAX).contains(&n) => Ok(Some(n)),
        Ok(_) => Err("events-error-capacity-range"),
        Err(_) => Err("events-error-capacity-number"),
    }
}

fn required(
    input: &str,
    max: usize,
    field: &'static str,
    missing: &'static str,
    one_line: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let mut text = clean_text(input);
    if one_line {
        text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if text.is_empty() {
        errors.push(FieldError::new(field, missing));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(field, "events-error-too-long"));
    }
    text
}

/// Checks an event's form; `community_exists` answers for the platform's communities.
pub fn validate_event(
    input: &EventInput,
    community_exists: impl Fn(&str) -> bool,
) -> Result<ValidEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = EventKind::from_code(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "events-error-kind"));
    }
    let title = required(
        &input.title,
        TITLE_MAX_CHARS,
        "title",
        "events-error-title",
        true,
        &mut errors,
    );
    let description = clean_text(&input.description);
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push(FieldError::new("description", "events-error-too-long"));
    }
    let community = Some(input.community.trim().to_string()).filter(|c| !c.is_empty());
    if let Some(code) = &community
        && !community_exists(code)
    {
        errors.push(FieldError::new("community", "events-error-community"));
    }
    let place = required(
        &input.place,
        PLACE_MAX_CHARS,
        "place",
        "events-error-place",
        true,
        &mut errors,
    );
    let starts = crate::dialogue::parse_local_datetime(&input.starts_at);
    if starts.is_none() {
        errors.push(FieldError::new("starts_at", "events-error-datetime"));
    }
    let ends = crate::dialogue::parse_local_datetime(&input.ends_at);
    match (starts, ends) {
        (_, None) => errors.push(FieldError::new("ends_at", "events-error-datetime")),
        (Some(s), Some(e)) if e <= s => {
            errors.push(FieldError::new("ends_at", "events-error-end-before-start"))
        }
        (Some(s), Some(e)) if e - s > time::Duration::days(14) => {
            errors.push(FieldError::new("ends_at", "events-error-too-long-event"))
        }
        _ => {}
    }
    let organizers = required(
        &input.organizers,
        ORGANIZERS_MAX_CHARS,
        "organizers",
        "events-error-organizers",
        false,
        &mut errors,
    );
    let capacity = match parse_capacity(&input.capacity) {
        Ok(c) => c,
        Err(key) => {
            errors.push(FieldError::new("capacity", key));
            None
        }
    };
    let languages: Vec<&str> = LANGUAGES
        .into_iter()
        .filter(|code| input.language_ticked(code))
        .collect();
    if languages.is_empty() {
        errors.push(FieldError::new("languages", "events-error-languages"));
    }
    match (kind, starts, ends) {
        (Some(kind), Some(starts_local), Some(ends_local)) if errors.is_empty() => Ok(ValidEvent {
            kind,
            title,
            description,
            community,
            place,
            starts_local,
            ends_local,
            organizers,
            capacity,
            languages: languages.join(" "),
        }),
        _ => Err(errors),
    }
}

/// A resident's registration form.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub name: String,
    pub email: String,
    /// The form's hidden token: a retried submission is stored once.
    pub form_token: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidRegistration {
    pub name: String,
    /// Normalized.
    pub email: Option<String>,
    pub form_token: String,
}

pub fn validate_registration(
    input: &RegistrationInput,
) -> Result<ValidRegistration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = required(
        &input.name,
        NAME_MAX_CHARS,
        "name",
        "events-error-name",
        true,
        &mut errors,
    );
    let email = if input.email.trim().is_empty() {
        None
    } else {
        let normalized = crate::accounts::model::normalize_email(&input.email);
        if normalized.is_none() {
            errors.push(FieldError::new("email", "events-error-email"));
        }
        normalized
    };
    let form_token = input.form_token.trim().to_string();
    if form_token.is_empty() || form_token.len() > 64 {
        errors.push(FieldError::new("name", "events-error-form-token"));
    }
    if errors.is_empty() {
        Ok(ValidRegistration {
            name,
            email,
            form_token,
        })
    } else {
        Err(errors)
    }
}

/// What staff record after the event.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct AfterInput {
    pub attendance: String,
    pub minutes: String,
}

pub fn validate_after(
    input: &AfterInput,
) -> Result<(Option<i64>, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = input.attendance.trim();
    let attendance = if text.is_empty() {
        None
    } else {
        match text.parse::<i64>() {
            Ok(n) if (0..=ATTENDANCE_MAX).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new("attendance", "events-error-attendance"));
                None
            }
        }
    };
    let minutes = clean_text(&input.minutes);
    if minutes.chars().count() > MINUTES_MAX_CHARS {
        errors.push(FieldError::new("minutes", "events-error-too-long"));
    }
    if errors.is_empty() {
        Ok((attendance, Some(minutes).filter(|m| !m.is_empty())))
    } else {
        Err(errors)
    }
}

/// A decision's text: required, one paragraph or a few.
pub fn validate_decision(input: &str) -> Result<String, FieldError> {
    let text = clean_text(input);
    if text.is_empty() {
        Err(FieldError::new("decision", "events-error-decision"))
    } else if text.chars().count() > DECISION_MAX_CHARS {
        Err(FieldError::new("decision", "events-error-too-long"))
    } else {
        Ok(text)
    }
}

/// A month as `2026-12`.
pub fn parse_month(input: &str) -> Option<(i32, Month)> {
    let (year, month) = input.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    if !(2000..=2200).contains(&year) {
        return None;
    }
    Some((year, Month::try_from(month).ok()?))
}

pub fn month_code(year: i32, month: Month) -> String {
    format!("{year}-{:02}", u8::from(month))
}

/// The month before and after.
pub fn neighbour_months(year: i32, month: Month) -> ((i32, Month), (i32, Month)) {
    let previous = if month == Month::January {
        (year - 1, Month::December)
    } else {
        (year, month.previous())
    };
    let next = if month == Month::December {
        (year + 1, Month::January)
    } else {
        (year, month.next())
    };
    (previous, next)
}

/// The weeks of a month, Monday first; days of other months are `None`.
pub fn month_grid(year: i32, month: Month) -> Vec<[Option<Date>; 7]> {
    let Ok(first) = Date::from_calendar_date(year, month, 1) else {
        return Vec::new();
    };
    let lead = first.weekday().number_days_from_monday() as usize;
    let days = month.length(year);
    let mut weeks = Vec::new();
    let mut week: [Option<Date>; 7] = [None; 7];
    let mut slot = lead;
    for day in 1..=days {
        week[slot] = Date::from_calendar_date(year, month, day).ok();
        slot += 1;
        if slot == 7 {
            weeks.push(week);
            week = [None; 7];
            slot = 0;
        }
    }
    if slot > 0 {
        weeks.push(week);
    }
    weeks
}

/// Paragraphs of a plain text: separated by blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> EventInput {
        EventInput {
            kind: "round_table".into(),
            title: "  Круглий стіл:   безпека у громаді ".into(),
            description: "Обговорення.".into(),
            community: "kramatorsk".into(),
            place: "Краматорськ, вул. Василя Стуса, 1".into(),
            starts_at: "2026-12-03T15:00".into(),
            ends_at: "2026-12-03T17:00".into(),
            organizers: "Платформа, ГУНП".into(),
            capacity: "30".into(),
            lang_uk: "yes".into(),
            lang_sign: "yes".into(),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<&'static str> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_event_is_read() {
        let event = validate_event(&input(), |c| c == "kramatorsk").unwrap();
        assert_eq!(event.title, "Круглий стіл: безпека у громаді");
        assert_eq!(event.capacity, Some(30));
        assert_eq!(event.languages, "uk sign");
        assert_eq!(event.kind, EventKind::RoundTable);
        let open = EventInput {
            capacity: " ".into(),
            community: String::new(),
            ..input()
        };
        let event = validate_event(&open, |_| false).unwrap();
        assert_eq!((event.capacity, event.community), (None, None));
    }

    #[test]
    fn bad_events_name_their_fields() {
        let bad = EventInput {
            kind: "picnic".into(),
            title: "   ".into(),
            ends_at: "2026-12-03T14:00".into(),
            capacity: "0".into(),
            lang_uk: String::new(),
            lang_sign: String::new(),
            ..input()
        };
        assert_eq!(
            fields(validate_event(&bad, |_| true).unwrap_err()),
            ["kind", "title", "ends_at", "capacity", "languages"]
        );
        for (capacity, key) in [
            ("-3", "events-error-capacity-range"),
            ("many", "events-error-capacity-number"),
            ("2.5", "events-error-capacity-number"),
        ] {
            let errors = validate_event(
                &EventInput {
                    capacity: capacity.into(),
                    ..input()
                },
                |_| true,
            )
            .unwrap_err();
            assert_eq!(errors, [FieldError::new("capacity", key)]);
        }
        let unknown = validate_event(&input(), |_| false).unwrap_err();
        assert_eq!(fields(unknown), ["community"]);
    }

    #[test]
    fn seats_then_the_waiting_list() {
        assert_eq!(place_for_newcomer(2, 0), RegistrationStatus::Confirmed);
        assert_eq!(place_for_newcomer(2, 1), RegistrationStatus::Confirmed);
        assert_eq!(place_for_newcomer(2, 2), RegistrationStatus::Waiting);
        assert_eq!(place_for_newcomer(2, 7), RegistrationStatus::Waiting);
    }

    #[test]
    fn registrations_need_a_name_and_a_real_address_if_any() {
        let ok = validate_registration(&RegistrationInput {
            name: " Олена ".into(),
            email: " Olena@Example.org ".into(),
            form_token: "abc".into(),
        })
        .unwrap();
        assert_eq!(ok.email.as_deref(), Some("olena@example.org"));
        let bad = validate_registration(&RegistrationInput {
            name: "x".repeat(NAME_MAX_CHARS + 1),
            email: "not an address".into(),
            form_token: "abc".into(),
        })
        .unwrap_err();
        assert_eq!(fields(bad), ["name", "email"]);
    }

    #[test]
    fn months_and_their_grid() {
        assert_eq!(parse_month("2026-12"), Some((2026, Month::December)));
        for bad in ["", "2026-13", "2026-1", "26-12", "abcd-ef", "1999-01"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        // December 2026 begins on a Tuesday and has 31 days.
        let weeks = month_grid(2026, Month::December);
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0], None);
        assert_eq!(weeks[0][1].map(|d| d.day()), Some(1));
        assert_eq!(weeks[4][3].map(|d| d.day()), Some(31));
        assert_eq!(
            neighbour_months(2026, Month::January),
            ((2025, Month::December), (2026, Month::February))
        );
    }

    #[test]
    fn after_the_event() {
        let (attendance, minutes) = validate_after(&AfterInput {
            attendance: " 42 ".into(),
            minutes: "  ".into(),
        })
        .unwrap();
        assert_eq!((attendance, minutes), (Some(42), None));
        assert!(
            validate_after(&AfterInput {
                attendance: "-1".into(),
                ..Default::default()
            })
            .is_err()
        );
        assert!(validate_decision("  ").is_err());
    }

    proptest! {
        #[test]
        fn any_event_form_validates_or_names_fields(
            kind in ".{0,20}", title in ".{0,40}", starts in ".{0,20}", ends in ".{0,20}",
            capacity in ".{0,8}"
        ) {
            let typed = EventInput { kind, title, starts_at: starts, ends_at: ends, capacity, ..input() };
            match validate_event(&typed, |_| true) {
                Ok(e) => {
                    prop_assert!(e.ends_local > e.starts_local);
                    prop_assert!(e.capacity.is_none_or(|c| c >= 1));
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }

        #[test]
        fn any_registration_validates_or_names_fields(
            name in ".{0,140}", email in ".{0,40}", token in ".{0,70}"
        ) {
            let input = RegistrationInput { name, email, form_token: token };
            match validate_registration(&input) {
                Ok(r) => {
                    prop_assert!(!r.name.is_empty() && r.name.chars().count() <= NAME_MAX_CHARS);
                    prop_assert!(!r.form_token.is_empty());
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }

        #[test]
        fn months_parse_or_refuse(text in ".{0,10}") {
            if let Some((year, month)) = parse_month(&text) {
                prop_assert!(!month_grid(year, month).is_empty());
            }
        }

        #[test]
        fn capacity_parses_or_refuses(text in ".{0,12}") {
            if let Ok(Some(n)) = parse_capacity(&text) {
                prop_assert!((1..=CAPACITY_MAX).contains(&n));
            }
        }
    }
}
