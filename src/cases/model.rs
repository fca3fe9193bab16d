//! Case handling rules: urgency, outcomes, and which status changes are allowed.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::intake::model::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [
        Urgency::Low,
        Urgency::Normal,
        Urgency::High,
        Urgency::Urgent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
            Urgency::Urgent => "urgent",
        }
    }

    pub fn from_code(code: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.code() == code.trim())
    }
}

/// How a closed case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Confirmed,
    NotConfirmed,
    ReferredToCourt,
    ResolvedByMediation,
    Resolved,
    WithdrawnByReporter,
    NoResponse,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Confirmed,
        Outcome::NotConfirmed,
        Outcome::ReferredToCourt,
        Outcome::ResolvedByMediation,
        Outcome::Resolved,
        Outcome::WithdrawnByReporter,
        Outcome::NoResponse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::NotConfirmed => "not_confirmed",
            Outcome::ReferredToCourt => "referred_to_court",
            Outcome::ResolvedByMediation => "resolved_by_mediation",
            Outcome::Resolved => "resolved",
            Outcome::WithdrawnByReporter => "withdrawn_by_reporter",
            Outcome::NoResponse => "no_response",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code.trim())
    }

    pub fn message_key(self) -> String {
        format!("outcome-{}", self.code().replace('_', "-"))
    }
}

/// A coordinator's change of a case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Triage,
    Reject,
    Merge,
    Close,
    Reopen,
}

/// The status a transition leads to from `from`, or the reason it is not allowed.
pub fn next_status(from: Status, transition: Transition) -> Result<Status, FieldError> {
    use Status::*;
    let invalid = || FieldError::new("status", "error-transition-invalid");
    match (transition, from) {
        // Triage may be repeated to correct category, urgency or community.
        (Transition::Triage, Received | Triaged) => Ok(Triaged),
        (Transition::Triage, s @ (Referred | InProgress | Responded)) => Ok(s),
        (Transition::Reject, Received | Triaged) => Ok(Rejected),
        (Transition::Merge, Received | Triaged) => Ok(Merged),
        (Transition::Close, Triaged | Referred | InProgress | Responded) => Ok(Closed),
        (Transition::Reopen, Closed | Rejected) => Ok(Triaged),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn allowed_and_refused_transitions() {
        assert_eq!(next_status(Received, Transition::Triage), Ok(Triaged));
        assert_eq!(next_status(Referred, Transition::Triage), Ok(Referred));
        assert_eq!(next_status(Received, Transition::Reject), Ok(Rejected));
        assert_eq!(next_status(Triaged, Transition::Close), Ok(Closed));
        assert!(
            next_status(Closed, Transition::Close).is_err(),
            "closing twice"
        );
        assert!(
            next_status(Received, Transition::Close).is_err(),
            "close before triage"
        );
        assert!(next_status(Merged, Transition::Reopen).is_err());
        assert_eq!(next_status(Closed, Transition::Reopen), Ok(Triaged));
        assert!(next_status(Closed, Transition::Triage).is_err());
        assert!(next_status(Referred, Transition::Reject).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::from_code(u.code()), Some(u));
        }
    }
}
