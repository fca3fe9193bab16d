//! Priorities, their states, and what makes a proposal, a moderation or a decision valid.

use crate::error::FieldError;
use crate::intake::model::clean_text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
pub const REASON_MAX_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityStatus {
    /// Waits for a coordinator; not public.
    Pending,
    /// Public, can be supported.
    Open,
    /// Not published (abuse, personal data); never public.
    Rejected,
    Adopted,
    Merged,
    Declined,
}

impl PriorityStatus {
    pub const ALL: [PriorityStatus; 6] = [
        PriorityStatus::Pending,
        PriorityStatus::Open,
        PriorityStatus::Rejected,
        PriorityStatus::Adopted,
        PriorityStatus::Merged,
        PriorityStatus::Declined,
    ];
    /// What the public list can filter by.
    pub const PUBLIC: [PriorityStatus; 4] = [
        PriorityStatus::Open,
        PriorityStatus::Adopted,
        PriorityStatus::Merged,
        PriorityStatus::Declined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PriorityStatus::Pending => "pending",
            PriorityStatus::Open => "open",
            PriorityStatus::Rejected => "rejected",
            PriorityStatus::Adopted => "adopted",
            PriorityStatus::Merged => "merged",
            PriorityStatus::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<PriorityStatus> {
        PriorityStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the public may see a priority in this state.
    pub fn is_public(self) -> bool {
        PriorityStatus::PUBLIC.contains(&self)
    }

    /// Decided by a round table (adopted, merged, declined).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            PriorityStatus::Adopted | PriorityStatus::Merged | PriorityStatus::Declined
        )
    }
}

/// A resident's proposal as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ProposalInput {
    pub community: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub community: String,
    pub title: String,
    pub description: String,
}

/// Checks a proposal; `community_exists` answers from the catalog.
pub fn validate_proposal(
    input: &ProposalInput,
    community_exists: impl Fn(&str) -> bool,
) -> Result<Proposal, Vec<FieldError>> {
    let mut errors = Vec::new();
    let community = input.community.trim().to_string();
    if community.is_empty() || !community_exists(&community) {
        errors.push(FieldError::new("community", "priorities-error-community"));
    }
    let title = clean_text(&input.title).replace('\n', " ");
    if title.chars().count() < 3 {
        errors.push(FieldError::new("title", "priorities-error-title"));
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.push(FieldError::new("title", "priorities-error-too-long"));
    }
    let description = clean_text(&input.description);
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push(FieldError::new("description", "priorities-error-too-long"));
    }
    if errors.is_empty() {
        Ok(Proposal {
            community,
            title,
            description,
        })
    } else {
        Err(errors)
    }
}

/// A coordinator's moderation of a pending proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Publish,
    Reject,
}

/// A round table's decision on an open priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Adopt,
    Merge,
    Decline,
}

impl Decision {
    pub fn status(self) -> PriorityStatus {
        match self {
            Decision::Adopt => PriorityStatus::Adopted,
            Decision::Merge => PriorityStatus::Merged,
            Decision::Decline => PriorityStatus::Declined,
        }
    }

    pub fn from_code(code: &str) -> Option<Decision> {
        match code {
            "adopt" => Some(Decision::Adopt),
            "merge" => Some(Decision::Merge),
            "decline" => Some(Decision::Decline),
            _ => None,
        }
    }
}

/// A reason as typed: required, one text of at most [`REASON_MAX_CHARS`].
pub fn validate_reason(text: &str) -> Result<String, FieldError> {
    let reason = clean_text(text);
    if reason.is_empty() {
        Err(FieldError::new("reason", "priorities-error-reason"))
    } else if reason.chars().count() > REASON_MAX_CHARS {
        Err(FieldError::new("reason", "priorities-error-too-long"))
    } else {
        Ok(reason)
    }
}

/// The moderation form: `action` publish or reject (a reject needs a reason).
pub fn validate_moderation(
    action: &str,
    reason: &str,
) -> Result<(Moderation, Option<String>), Vec<FieldError>> {
    match action.trim() {
        "publish" => Ok((Moderation::Publish, None)),
        "reject" => validate_reason(reason)
            .map(|r| (Moderation::Reject, Some(r)))
            .map_err(|e| vec![e]),
        _ => Err(vec![FieldError::new("action", "priorities-error-action")]),
    }
}

/// The decision form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decision: String,
    pub reason: String,
    /// The priority it is merged into (id), for a merge.
    pub merge_into: String,
    /// The round table (an event's id), optional.
    pub event: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDecision {
    pub decision: Decision,
    pub reason: String,
    pub merge_into: Option<uuid::Uuid>,
    pub event: Option<uuid::Uuid>,
}

/// Checks the form's shape; whether the merge target and the event exist is the service's part.
pub fn validate_decision(input: &DecisionInput) -> Result<CheckedDecision, Vec<FieldError>> {
    let mut errors = Vec::new();
    let decision = Decision::from_code(input.decision.trim());
    if decision.is_none() {
        errors.push(FieldError::new("decision", "priorities-error-decision"));
    }
    let reason = validate_reason(&input.reason)
        .map_err(|e| errors.push(e))
        .ok();
    let merge_into = match (decision, input.merge_into.trim()) {
        (Some(Decision::Merge), "") => {
            errors.push(FieldError::new("merge_into", "priorities-error-merge-into"));
            None
        }
        (Some(Decision::Merge), id) => match uuid::Uuid::parse_str(id) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("merge_into", "priorities-error-merge-into"));
                None
            }
        },
        _ => None,
    };
    let event = match input.event.trim() {
        "" => None,
        id => match uuid::Uuid::parse_str(id) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("event", "priorities-error-event"));
                None
            }
        },
    };
    match (decision, reason) {
        (Some(decision), Some(reason)) if errors.is_empty() => Ok(CheckedDecision {
            decision,
            reason,
            merge_into,
            event,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn known(code: &str) -> bool {
        code == "lyman"
    }

    #[test]
    fn proposals_need_a_known_community_and_a_title() {
        let ok = validate_proposal(
            &ProposalInput {
                community: " lyman ".into(),
                title: "  Освітлення біля\nшколи №3 ".into(),
                description: "Темно ввечері.".into(),
            },
            known,
        )
        .unwrap();
        assert_eq!(ok.community, "lyman");
        assert!(!ok.title.contains('\n'));
        let errors = validate_proposal(
            &ProposalInput {
                community: "atlantis".into(),
                title: "x".into(),
                description: String::new(),
            },
            known,
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["community", "title"]);
    }

    #[test]
    fn decisions_need_a_reason_and_a_merge_target() {
        let input = DecisionInput {
            decision: "merge".into(),
            reason: "Той самий перехрестя".into(),
            ..Default::default()
        };
        let errors = validate_decision(&input).unwrap_err();
        assert_eq!(errors[0].field, "merge_into");
        let target = uuid::Uuid::now_v7();
        let ok = validate_decision(&DecisionInput {
            merge_into: target.to_string(),
            ..input.clone()
        })
        .unwrap();
        assert_eq!(ok.merge_into, Some(target));
        let errors = validate_decision(&DecisionInput {
            decision: "adopt".into(),
            reason: "  ".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(errors[0].field, "reason");
        assert!(validate_moderation("reject", "").is_err());
        assert_eq!(
            validate_moderation("publish", "").unwrap(),
            (Moderation::Publish, None)
        );
        assert!(validate_moderation("delete", "x").is_err());
    }

    #[test]
    fn only_published_states_are_public() {
        assert!(!PriorityStatus::Pending.is_public());
        assert!(!PriorityStatus::Rejected.is_public());
        for s in PriorityStatus::PUBLIC {
            assert!(s.is_public());
            assert_eq!(PriorityStatus::from_code(s.code()), Some(s));
        }
    }

    proptest! {
        #[test]
        fn any_form_validates_or_names_fields(
            community in ".{0,12}", title in ".{0,240}", description in ".{0,80}",
            decision in ".{0,8}", reason in ".{0,30}", merge in ".{0,40}", event in ".{0,40}"
        ) {
            let input = ProposalInput { community, title, description };
            match validate_proposal(&input, |c| c == "lyman") {
                Ok(p) => prop_assert!(p.title.chars().count() >= 3 && p.community == "lyman"),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
            let input = DecisionInput { decision, reason, merge_into: merge, event };
            match validate_decision(&input) {
                Ok(d) => prop_assert!(!d.reason.is_empty()),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
