//! Commitments, their states, the pure rules of "late" and "stalled", and what makes a
//! commitment or an update valid.

use time::{Date, Duration};

use crate::error::FieldError;
use crate::intake::model::clean_text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const TEXT_MAX_CHARS: usize = 5_000;
pub const URL_MAX_CHARS: usize = 2_000;
/// A commitment with no update (or creation) for more than this many days is stalled.
pub const STALLED_AFTER_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentStatus {
    Planned,
    InProgress,
    Done,
    Dropped,
}

impl CommitmentStatus {
    pub const ALL: [CommitmentStatus; 4] = [
        CommitmentStatus::Planned,
        CommitmentStatus::InProgress,
        CommitmentStatus::Done,
        CommitmentStatus::Dropped,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CommitmentStatus::Planned => "planned",
            CommitmentStatus::InProgress => "in_progress",
            CommitmentStatus::Done => "done",
            CommitmentStatus::Dropped => "dropped",
        }
    }

    pub fn from_code(code: &str) -> Option<CommitmentStatus> {
        CommitmentStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Done or dropped: nothing more is expected.
    pub fn is_closed(self) -> bool {
        matches!(self, CommitmentStatus::Done | CommitmentStatus::Dropped)
    }
}

/// Late on `on`: the due date has passed (the due day itself is still in time) and the
/// commitment is neither done nor dropped.
pub fn is_late(due_on: Date, status: CommitmentStatus, on: Date) -> bool {
    !status.is_closed() && on > due_on
}

/// Stalled on `on`: neither done nor dropped, and more than [`STALLED_AFTER_DAYS`] days passed
/// since the last update (or the creation) — on day 60 it is not stalled yet, on day 61 it is.
pub fn is_stalled(last_update_on: Date, status: CommitmentStatus, on: Date) -> bool {
    !status.is_closed() && on - last_update_on > Duration::days(STALLED_AFTER_DAYS)
}

/// What the public tracker counts (late and stalled ones are also planned or in progress).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackerCounts {
    pub total: i64,
    pub planned: i64,
    pub in_progress: i64,
    pub done: i64,
    pub dropped: i64,
    pub late: i64,
    pub stalled: i64,
}

impl TrackerCounts {
    pub fn add(&mut self, status: CommitmentStatus, late: bool, stalled: bool) {
        self.total += 1;
        match status {
            CommitmentStatus::Planned => self.planned += 1,
            CommitmentStatus::InProgress => self.in_progress += 1,
            CommitmentStatus::Done => self.done += 1,
            CommitmentStatus::Dropped => self.dropped += 1,
        }
        self.late += i64::from(late);
        self.stalled += i64::from(stalled);
    }
}

/// The tracker's status filter: a state, or late / stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(CommitmentStatus),
    Late,
    Stalled,
}

impl StatusFilter {
    pub fn from_code(code: &str) -> Option<StatusFilter> {
        match code {
            "late" => Some(StatusFilter::Late),
            "stalled" => Some(StatusFilter::Stalled),
            other => CommitmentStatus::from_code(other).map(StatusFilter::Is),
        }
    }

    pub fn matches(self, status: CommitmentStatus, late: bool, stalled: bool) -> bool {
        match self {
            StatusFilter::Is(s) => s == status,
            StatusFilter::Late => late,
            StatusFilter::Stalled => stalled,
        }
    }
}

/// `YYYY-MM-DD`, years 2000 to 2100.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let year: i32 = y.parse().ok().filter(|y| (2000..=2100).contains(y))?;
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, d.parse().ok()?).ok()
}

/// `YYYY-MM-DD` of a date, as date inputs take it.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An evidence link: an absolute http or https URL with a host, no longer than
/// [`URL_MAX_CHARS`].
pub fn valid_evidence_url(text: &str) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > URL_MAX_CHARS || text.chars().any(char::is_whitespace) {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
        .then(|| url.to_string())
}

/// A commitment's form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct CommitmentInput {
    pub title: String,
    pub description: String,
    /// A community's code; empty: the whole region.
    pub community: String,
    /// The responsible organization's id.
    pub organization: String,
    pub due_on: String,
    /// The adopted priority it comes from (id), if any.
    pub priority: String,
    /// The event's decision it comes from (id), if any.
    pub decision: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedCommitment {
    pub title: String,
    pub description: String,
    pub community: Option<String>,
    pub organization: uuid::Uuid,
    pub due_on: Date,
    pub priority: Option<uuid::Uuid>,
    pub decision: Option<uuid::Uuid>,
}

fn optional_id(text: &str) -> Result<Option<uuid::Uuid>, ()> {
    match text.trim() {
        "" => Ok(None),
        id => uuid::Uuid::parse_str(id).map(Some).map_err(|_| ()),
    }
}

/// Checks the form's shape; that the community, organization, priority and decision exist is
/// checked by the service against the store.
pub fn validate_commitment(input: &CommitmentInput) -> Result<CheckedCommitment, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = clean_text(&input.title).replace('\n', " ");
    if title.is_empty() {
        errors.push(FieldError::new("title", "commitments-error-title"));
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.push(FieldError::new("title", "commitments-error-too-long"));
    }
    let description = clean_text(&input.description);
    if description.chars().count() > TEXT_MAX_CHARS {
        errors.push(FieldError::new("description", "commitments-error-too-long"));
    }
    let organization = uuid::Uuid::parse_str(input.organization.trim()).ok();
    if organization.is_none() {
        errors.push(FieldError::new(
            "organization",
            "commitments-error-organization",
        ));
    }
    let due_on = parse_date(&input.due_on);
    if due_on.is_none() {
        errors.push(FieldError::new("due_on", "commitments-error-date"));
    }
    let priority = optional_id(&input.priority)
        .map_err(|_| errors.push(FieldError::new("priority", "commitments-error-source")))
        .unwrap_or(None);
    let decision = optional_id(&input.decision)
        .map_err(|_| errors.push(FieldError::new("decision", "commitments-error-source")))
        .unwrap_or(None);
    if priority.is_some() && decision.is_some() {
        errors.push(FieldError::new("decision", "commitments-error-one-source"));
    }
    let community = Some(input.community.trim().to_string()).filter(|c| !c.is_empty());
    match (organization, due_on) {
        (Some(organization), Some(due_on)) if errors.is_empty() => Ok(CheckedCommitment {
            title,
            description,
            community,
            organization,
            due_on,
            priority,
            decision,
        }),
        _ => Err(errors),
    }
}

/// An update's form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct UpdateInput {
    pub on_date: String,
    pub text: String,
    pub progress: String,
    pub status: String,
    pub evidence_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedUpdate {
    pub on_date: Date,
    pub text: String,
    pub progress: i64,
    pub status: CommitmentStatus,
    pub evidence_url: Option<String>,
}

/// Checks an update: its date not after `today` (the platform's), a text, progress 0–100, a
/// state (done means 100 %), an optional http(s) evidence link.
pub fn validate_update(input: &UpdateInput, today: Date) -> Result<CheckedUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let on_date = parse_date(&input.on_date);
    match on_date {
        None => errors.push(FieldError::new("on_date", "commitments-error-date")),
        Some(d) if d > today => errors.push(FieldError::new("on_date", "commitments-error-future")),
        _ => {}
    }
    let text = clean_text(&input.text);
    if text.is_empty() {
        errors.push(FieldError::new("text", "commitments-error-text"));
    } else if text.chars().count() > TEXT_MAX_CHARS {
        errors.push(FieldError::new("text", "commitments-error-too-long"));
    }
    let progress = input
        .progress
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (0..=100).contains(p));
    if progress.is_none() {
        errors.push(FieldError::new("progress", "commitments-error-progress"));
    }
    let status = CommitmentStatus::from_code(input.status.trim());
    match status {
        None => errors.push(FieldError::new("status", "commitments-error-status")),
        Some(CommitmentStatus::Done) if progress.is_some_and(|p| p != 100) => errors.push(
            FieldError::new("progress", "commitments-error-done-progress"),
        ),
        _ => {}
    }
    let evidence_url = match input.evidence_url.trim() {
        "" => None,
        text => {
            let url = valid_evidence_url(text);
            if url.is_none() {
                errors.push(FieldError::new("evidence_url", "commitments-error-url"));
            }
            url
        }
    };
    match (on_date, progress, status) {
        (Some(on_date), Some(progress), Some(status)) if errors.is_empty() => Ok(CheckedUpdate {
            on_date,
            text,
            progress,
            status,
            evidence_url,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn late_from_the_day_after_the_due_date() {
        let due = date!(2026 - 03 - 31);
        let open = CommitmentStatus::InProgress;
        assert!(!is_late(due, open, date!(2026 - 03 - 30)));
        assert!(!is_late(due, open, due));
        assert!(is_late(due, open, date!(2026 - 04 - 01)));
        assert!(is_late(
            due,
            CommitmentStatus::Planned,
            date!(2027 - 01 - 01)
        ));
        assert!(!is_late(due, CommitmentStatus::Done, date!(2026 - 04 - 01)));
        assert!(!is_late(
            due,
            CommitmentStatus::Dropped,
            date!(2026 - 04 - 01)
        ));
    }

    #[test]
    fn stalled_after_sixty_days_without_an_update() {
        let last = date!(2026 - 01 - 10);
        let open = CommitmentStatus::Planned;
        // 60 days later: 11 March 2026.
        assert!(!is_stalled(last, open, date!(2026 - 03 - 11)));
        assert!(is_stalled(last, open, date!(2026 - 03 - 12)));
        assert!(!is_stalled(last, open, last));
        assert!(!is_stalled(
            last,
            CommitmentStatus::Done,
            date!(2027 - 01 - 01)
        ));
        assert!(!is_stalled(
            last,
            CommitmentStatus::Dropped,
            date!(2027 - 01 - 01)
        ));
        // Across a leap day: 29 Feb 2028 counts.
        assert!(!is_stalled(
            date!(2028 - 01 - 01),
            open,
            date!(2028 - 03 - 01)
        ));
        assert!(is_stalled(
            date!(2028 - 01 - 01),
            open,
            date!(2028 - 03 - 02)
        ));
    }

    #[test]
    fn counts_and_filters() {
        let mut c = TrackerCounts::default();
        c.add(CommitmentStatus::Planned, true, true);
        c.add(CommitmentStatus::Done, false, false);
        assert_eq!(
            (c.total, c.planned, c.done, c.late, c.stalled),
            (2, 1, 1, 1, 1)
        );
        assert_eq!(StatusFilter::from_code("late"), Some(StatusFilter::Late));
        assert!(StatusFilter::from_code("in_progress").unwrap().matches(
            CommitmentStatus::InProgress,
            false,
            false
        ));
        assert_eq!(StatusFilter::from_code("nonsense"), None);
    }

    #[test]
    fn commitment_forms_name_their_errors() {
        let errors = validate_commitment(&CommitmentInput {
            title: " ".into(),
            organization: "unknown".into(),
            due_on: "31.03.2026".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "organization", "due_on"]);
        let ok = validate_commitment(&CommitmentInput {
            title: "Освітлення біля школи №3".into(),
            organization: uuid::Uuid::now_v7().to_string(),
            due_on: "2026-12-31".into(),
            community: "lyman".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.due_on, date!(2026 - 12 - 31));
        assert_eq!(ok.community.as_deref(), Some("lyman"));
    }

    #[test]
    fn update_forms_name_their_errors() {
        let today = date!(2026 - 11 - 26);
        let input = UpdateInput {
            on_date: "2026-11-26".into(),
            text: "Встановлено 12 ліхтарів".into(),
            progress: "60".into(),
            status: "in_progress".into(),
            evidence_url: "https://example.org/photo.jpg".into(),
        };
        assert_eq!(validate_update(&input, today).unwrap().progress, 60);
        let bad = UpdateInput {
            on_date: "2026-11-27".into(),
            text: String::new(),
            progress: "101".into(),
            status: "late".into(),
            evidence_url: "javascript:alert(1)".into(),
        };
        let fields: Vec<_> = validate_update(&bad, today)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["on_date", "text", "progress", "status", "evidence_url"]
        );
        let done_early = UpdateInput {
            status: "done".into(),
            ..input.clone()
        };
        assert_eq!(
            validate_update(&done_early, today).unwrap_err()[0].key,
            "commitments-error-done-progress"
        );
        for bad in ["ftp://x.org/a", "https://", "http://a b.org", "example.org"] {
            assert!(valid_evidence_url(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn late_and_stalled_never_for_closed_ones(
            due in 0i64..2000, last in 0i64..2000, on in 0i64..2000, s in 0usize..4
        ) {
            let base = date!(2024 - 01 - 01);
            let status = CommitmentStatus::ALL[s];
            let (due, last, on) = (base + Duration::days(due), base + Duration::days(last), base + Duration::days(on));
            if status.is_closed() {
                prop_assert!(!is_late(due, status, on) && !is_stalled(last, status, on));
            } else {
                prop_assert_eq!(is_late(due, status, on), on > due);
                prop_assert_eq!(is_stalled(last, status, on), (on - last).whole_days() > 60);
            }
        }

        #[test]
        fn any_update_validates_or_names_fields(
            on_date in ".{0,12}", text in ".{0,20}", progress in ".{0,5}", status in ".{0,12}",
            url in ".{0,30}"
        ) {
            let input = UpdateInput { on_date, text, progress, status, evidence_url: url };
            match validate_update(&input, date!(2026 - 11 - 26)) {
                Ok(u) => prop_assert!((0..=100).contains(&u.progress) && !u.text.is_empty()),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
