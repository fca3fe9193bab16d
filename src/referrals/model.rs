//! Referrals: their states, what may follow what, deadlines.

use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralStatus {
    Sent,
    Accepted,
    Refused,
    Responded,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 4] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Refused,
        ReferralStatus::Responded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Refused => "refused",
            ReferralStatus::Responded => "responded",
        }
    }

    pub fn from_code(code: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn message_key(self) -> String {
        format!("referral-status-{}", self.code())
    }

    /// Still waiting for the organization: the deadline applies.
    pub fn is_open(self) -> bool {
        matches!(self, ReferralStatus::Sent | ReferralStatus::Accepted)
    }
}

/// What an organization does with a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralAction {
    Accept,
    Refuse,
    Respond,
}

pub fn next_referral_status(
    from: ReferralStatus,
    action: ReferralAction,
) -> Result<ReferralStatus, FieldError> {
    use ReferralStatus::*;
    match (action, from) {
        (ReferralAction::Accept, Sent) => Ok(Accepted),
        (ReferralAction::Refuse, Sent | Accepted) => Ok(Refused),
        (ReferralAction::Respond, Sent | Accepted) => Ok(Responded),
        _ => Err(FieldError::new("status", "error-transition-invalid")),
    }
}

pub fn is_overdue(status: ReferralStatus, due_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    status.is_open() && due_at < now
}

/// Days an organization gets by default (Ukrainian law gives a month for citizens' appeals;
/// the platform asks for a first answer sooner).
pub const DEFAULT_DUE_DAYS: i64 = 14;

/// A due date typed as `YYYY-MM-DD`: the end of that day in the platform's time zone, not in the past.
pub fn parse_due_date(
    input: &str,
    now: OffsetDateTime,
    offset: UtcOffset,
) -> Result<OffsetDateTime, FieldError> {
    let invalid = || FieldError::new("due_date", "error-due-date-invalid");
    let date = Date::parse(
        input.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| invalid())?;
    let end_of_day = date
        .with_hms(23, 59, 59)
        .map_err(|_| invalid())?
        .assume_offset(offset);
    if end_of_day < now {
        return Err(FieldError::new("due_date", "error-due-date-past"));
    }
    if end_of_day > now + time::Duration::days(366) {
        return Err(invalid());
    }
    Ok(end_of_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn transitions() {
        use ReferralStatus::*;
        assert_eq!(
            next_referral_status(Sent, ReferralAction::Accept),
            Ok(Accepted)
        );
        assert!(next_referral_status(Accepted, ReferralAction::Accept).is_err());
        assert_eq!(
            next_referral_status(Accepted, ReferralAction::Respond),
            Ok(Responded)
        );
        assert!(next_referral_status(Refused, ReferralAction::Respond).is_err());
        assert!(next_referral_status(Responded, ReferralAction::Refuse).is_err());
    }

    #[test]
    fn due_dates() {
        let now = datetime!(2026-11-26 10:00 UTC);
        let due = parse_due_date("2026-12-10", now, offset!(+2)).unwrap();
        assert_eq!(due, datetime!(2026-12-10 21:59:59 UTC));
        assert!(parse_due_date("2026-11-20", now, offset!(+2)).is_err());
        assert!(parse_due_date("tomorrow", now, offset!(+2)).is_err());
        assert!(parse_due_date("2030-01-01", now, offset!(+2)).is_err());
        assert!(is_overdue(
            ReferralStatus::Sent,
            due,
            datetime!(2026-12-11 00:00 UTC)
        ));
        assert!(!is_overdue(
            ReferralStatus::Responded,
            due,
            datetime!(2026-12-11 00:00 UTC)
        ));
    }
}
