//! Joint receptions' rules: what a resident's booking must hold, how staff lay out slots. Pure:
//! no database here.

use time::{Duration, OffsetDateTime};

use crate::error::FieldError;

pub const NAME_MAX_CHARS: usize = 120;
pub const TOPIC_MAX_CHARS: usize = 2_000;
pub const OFFICIAL_MAX_CHARS: usize = 200;
/// Slots made at once by one "series" at most (a long day of 10-minute slots is 60).
pub const SERIES_MAX_SLOTS: usize = 100;
/// The reminder goes this long before the slot.
pub const REMINDER_BEFORE: Duration = Duration::hours(24);

/// A resident's booking as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BookingInput {
    pub slot: String,
    pub name: String,
    pub email: String,
    pub topic: String,
    /// The form's own token: a retried submission is stored once.
    pub form_token: String,
}

/// A booking that passed the checks (the slot still to be found and taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBooking {
    pub slot_id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub topic: String,
}

fn clean(text: &str) -> String {
    text.trim().replace("\r\n", "\n")
}

impl BookingInput {
    pub fn validate(&self) -> Result<ValidBooking, Vec<FieldError>> {
        let mut errors = Vec::new();
        let slot_id = uuid::Uuid::parse_str(self.slot.trim()).ok();
        if slot_id.is_none() {
            errors.push(FieldError::new("slot", "reception-error-slot"));
        }
        let name = clean(&self.name);
        if name.is_empty() {
            errors.push(FieldError::new("name", "reception-error-name"));
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.push(FieldError::new("name", "error-too-long"));
        }
        let email = crate::accounts::model::normalize_email(&self.email);
        if email.is_none() {
            errors.push(FieldError::new("email", "reception-error-email"));
        }
        let topic = clean(&self.topic);
        if topic.is_empty() {
            errors.push(FieldError::new("topic", "reception-error-topic"));
        } else if topic.chars().count() > TOPIC_MAX_CHARS {
            errors.push(FieldError::new("topic", "error-too-long"));
        }
        match (slot_id, email) {
            (Some(slot_id), Some(email)) if errors.is_empty() => Ok(ValidBooking {
                slot_id,
                name,
                email,
                topic,
            }),
            _ => Err(errors),
        }
    }
}

/// Slots as staff lay them out: from a first start, `count` slots of `minutes` each, one after
/// the other, received by `official`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SeriesInput {
    pub starts_at: String,
    pub minutes: String,
    pub count: String,
    pub official: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSeries {
    pub first: time::PrimitiveDateTime,
    pub length: Duration,
    pub count: usize,
    pub official: String,
}

impl SeriesInput {
    pub fn validate(&self) -> Result<ValidSeries, Vec<FieldError>> {
        let mut errors = Vec::new();
        let first = crate::dialogue::parse_local_datetime(&self.starts_at);
        if first.is_none() {
            errors.push(FieldError::new("starts_at", "reception-error-start"));
        }
        let minutes = self
            .minutes
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|m| (5..=240).contains(m));
        if minutes.is_none() {
            errors.push(FieldError::new("minutes", "reception-error-minutes"));
        }
        let count = self
            .count
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|c| (1..=SERIES_MAX_SLOTS).contains(c));
        if count.is_none() {
            errors.push(FieldError::new("count", "reception-error-count"));
        }
        let official = clean(&self.official);
        if official.is_empty() {
            errors.push(FieldError::new("official", "reception-error-official"));
        } else if official.chars().count() > OFFICIAL_MAX_CHARS {
            errors.push(FieldError::new("official", "error-too-long"));
        }
        match (first, minutes, count) {
            (Some(first), Some(minutes), Some(count)) if errors.is_empty() => Ok(ValidSeries {
                first,
                length: Duration::minutes(minutes),
                count,
                official,
            }),
            _ => Err(errors),
        }
    }
}

/// The slots of a series once its first start is a moment: back to back, none overlapping.
pub fn series_slots(
    first: OffsetDateTime,
    length: Duration,
    count: usize,
) -> Vec<(OffsetDateTime, OffsetDateTime)> {
    (0..count)
        .map(|i| {
            let start = first + length * (i as u32);
            (start, start + length)
        })
        .collect()
}

/// Whether two slots share any minute (touching ends do not overlap).
pub fn overlaps(a: (OffsetDateTime, OffsetDateTime), b: (OffsetDateTime, OffsetDateTime)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// A slot can be booked while it is offered and has not begun.
pub fn bookable(starts_at: OffsetDateTime, withdrawn: bool, now: OffsetDateTime) -> bool {
    !withdrawn && starts_at > now
}

/// Whether the reminder of a booking is due at `now`: within [`REMINDER_BEFORE`] of the slot and
/// before it begins.
pub fn reminder_due(starts_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    starts_at > now && starts_at - now <= REMINDER_BEFORE
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn booking() -> BookingInput {
        BookingInput {
            slot: uuid::Uuid::now_v7().to_string(),
            name: " Олена ".into(),
            email: "Olena@Example.org".into(),
            topic: "Освітлення біля школи".into(),
            form_token: "t".into(),
        }
    }

    #[test]
    fn a_complete_booking_is_valid_and_normalized() {
        let valid = booking().validate().expect("valid");
        assert_eq!(valid.name, "Олена");
        assert_eq!(valid.email, "olena@example.org");
    }

    #[test]
    fn every_missing_field_is_named() {
        let errors = BookingInput::default().validate().expect_err("empty");
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["slot", "name", "email", "topic"]);
        let long = BookingInput {
            topic: "x".repeat(TOPIC_MAX_CHARS + 1),
            ..booking()
        };
        assert_eq!(
            long.validate().expect_err("long")[0],
            FieldError::new("topic", "error-too-long")
        );
    }

    #[test]
    fn series_checks_its_numbers() {
        let ok = SeriesInput {
            starts_at: "2026-12-03T10:00".into(),
            minutes: "15".into(),
            count: "8".into(),
            official: "Начальник відділу поліції".into(),
        };
        let valid = ok.validate().expect("valid");
        assert_eq!(valid.count, 8);
        for (minutes, count) in [
            ("0", "8"),
            ("15", "0"),
            ("15", "101"),
            ("x", "8"),
            ("600", "1"),
        ] {
            let bad = SeriesInput {
                minutes: minutes.into(),
                count: count.into(),
                ..ok.clone()
            };
            assert!(bad.validate().is_err(), "{minutes} {count}");
        }
    }

    #[test]
    fn reminders_are_due_within_a_day_before_the_slot() {
        let slot = datetime!(2026-12-03 10:00 UTC);
        assert!(!reminder_due(slot, datetime!(2026-12-02 09:59 UTC)));
        assert!(reminder_due(slot, datetime!(2026-12-02 10:00 UTC)));
        assert!(reminder_due(slot, datetime!(2026-12-03 09:59 UTC)));
        assert!(!reminder_due(slot, datetime!(2026-12-03 10:00 UTC)));
    }

    proptest! {
        #[test]
        fn series_slots_never_overlap(minutes in 5i64..=240, count in 1usize..=SERIES_MAX_SLOTS) {
            let slots = series_slots(datetime!(2026-12-03 08:00 UTC), Duration::minutes(minutes), count);
            prop_assert_eq!(slots.len(), count);
            for pair in slots.windows(2) {
                prop_assert!(!overlaps(pair[0], pair[1]));
                prop_assert_eq!(pair[0].1, pair[1].0);
            }
        }

        #[test]
        fn any_input_is_judged_without_panicking(
            slot in ".{0,40}", name in ".{0,200}", email in ".{0,80}", topic in ".{0,300}",
        ) {
            let _ = BookingInput { slot, name, email, topic, form_token: String::new() }.validate();
        }
    }
}
