//! iCalendar (RFC 5545) of one event or of the feed, written with the `icalendar` crate.

use icalendar::{Calendar, Component, EventLike, EventStatus as IcsStatus};
use time::OffsetDateTime;

use super::model::EventStatus;
use super::store::EventRow;

/// What a calendar entry says, already in the reader's language.
pub struct Entry<'a> {
    pub event: &'a EventRow,
    /// Kind, organizers, languages and the description, as one text.
    pub description: String,
    pub location: String,
}

/// `20261203T130000Z`.
pub fn utc_stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A calendar named `name` with `entries`; `base` is the platform's address (for `URL`), `host`
/// its host name (for stable `UID`s: `<id>@<host>`).
pub fn calendar(name: &str, base: &str, host: &str, entries: &[Entry<'_>]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for entry in entries {
        let e = entry.event;
        let mut item = icalendar::Event::new();
        item.uid(&format!("{}@{host}", e.id))
            .add_property("DTSTAMP", utc_stamp(e.updated_at))
            .add_property("DTSTART", utc_stamp(e.starts_at))
            .add_property("DTEND", utc_stamp(e.ends_at))
            .add_property("LAST-MODIFIED", utc_stamp(e.updated_at))
            .summary(&e.title)
            .location(&entry.location)
            .description(&entry.description)
            .url(&format!("{base}/events/{}", e.id))
            .status(match e.status {
                EventStatus::Cancelled => IcsStatus::Cancelled,
                EventStatus::Scheduled => IcsStatus::Confirmed,
            });
        calendar.push(item.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::EventKind;
    use time::macros::datetime;

    #[test]
    fn an_event_reads_back() {
        let event = EventRow {
            id: uuid::Uuid::now_v7(),
            kind: EventKind::Forum,
            title: "Форум; громада, поліція".into(),
            description: "Опис".into(),
            community_code: None,
            place: "Краматорськ".into(),
            starts_at: datetime!(2026-12-03 13:00 UTC),
            ends_at: datetime!(2026-12-03 15:30 UTC),
            organizers: "Платформа".into(),
            capacity: None,
            languages: "uk".into(),
            status: EventStatus::Cancelled,
            organization_id: None,
            attendance: None,
            minutes: None,
            created_at: datetime!(2026-11-01 10:00 UTC),
            updated_at: datetime!(2026-11-02 10:00 UTC),
            confirmed: 0,
            waiting: 0,
        };
        let text = calendar(
            "Заходи",
            "https://dn.example.org",
            "dn.example.org",
            &[Entry {
                event: &event,
                description: "Форум\nОпис".into(),
                location: event.place.clone(),
            }],
        );
        assert!(text.contains("DTSTART:20261203T130000Z"), "{text}");
        assert!(text.contains("STATUS:CANCELLED"));
        assert!(text.contains(&format!("UID:{}@dn.example.org", event.id)));
        let parsed: Calendar = text.parse().expect("parses");
        let item = parsed.events().next().expect("one event");
        assert_eq!(item.get_summary(), Some("Форум; громада, поліція"));
        assert_eq!(item.get_description(), Some("Форум\nОпис"));
    }
}
