//! E-mails to staff: their texts, and the rules of delivery (lease, retries, back-off). Pure: no
//! database and no network here.

use fluent_templates::fluent_bundle::FluentValue;
use time::Duration;

use crate::i18n::Lang;

/// An e-mail ready to queue: plain text, already in the recipient's language. It carries only
/// what staff need to find the case (reference, organization, due date, a link), never a
/// reporter's contact or description: e-mail travels and is kept outside the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub subject: String,
    pub body: String,
}

/// How long a claimed notification belongs to the server that claimed it. Longer than one SMTP
/// attempt can take (see `mailer`), so a slow send is not picked up by another server meanwhile;
/// short enough that a server that died while sending is replaced soon.
pub const LEASE: Duration = Duration::minutes(5);

/// After this many attempts a notification is no longer tried (about a day of retries); it stays
/// in the table with its last error.
pub const MAX_ATTEMPTS: i64 = 12;

/// Wait before the next attempt after `attempts` failed ones: one minute, doubling, at most six
/// hours, so a mail server that is down for a while is not hammered and a short outage costs
/// little delay.
pub fn backoff(attempts: i64) -> Duration {
    const FIRST_SECS: i64 = 60;
    const MAX_SECS: i64 = 6 * 60 * 60;
    let doublings = attempts.clamp(1, 32) - 1;
    let secs = FIRST_SECS.saturating_mul(1_i64 << doublings).min(MAX_SECS);
    Duration::seconds(secs)
}

/// `path` on the platform, absolute when its public address is known.
pub fn link(public_url: Option<&str>, path: &str) -> String {
    match public_url.map(|u| u.trim().trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("{base}{path}"),
        _ => path.to_string(),
    }
}

/// What every message of one kind needs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The case's reference, e.g. `DN-2026-000123`.
    pub reference: &'a str,
    /// The organization's name in the mail's language.
    pub organization: &'a str,
    /// The due date as people read it, in the platform's time zone.
    pub due: &'a str,
    /// Where to act (see [`link`]).
    pub link: &'a str,
    /// The platform's name, for the signature.
    pub platform: &'a str,
}

/// To each officer of an organization: a case was referred to it.
pub fn referral_created(lang: Lang, facts: Facts<'_>) -> Draft {
    compose(lang, "notify-referral-created", facts)
}

/// To the coordinators: a referral's due date passed without an answer.
pub fn referral_escalated(lang: Lang, facts: Facts<'_>) -> Draft {
    compose(lang, "notify-referral-escalated", facts)
}

/// To the head of the organization: its referral's due date passed without an answer.
pub fn referral_escalated_to_head(lang: Lang, facts: Facts<'_>) -> Draft {
    compose(lang, "notify-referral-escalated-head", facts)
}

fn compose(lang: Lang, key: &str, f: Facts<'_>) -> Draft {
    let args = [
        ("reference", FluentValue::from(f.reference)),
        ("organization", FluentValue::from(f.organization)),
        ("due", FluentValue::from(f.due)),
        ("link", FluentValue::from(f.link)),
        ("platform", FluentValue::from(f.platform)),
    ];
    let paragraphs = [
        lang.t_args(&format!("{key}-body"), &args),
        lang.t_args("notify-open", &args),
        lang.t_args("notify-footer", &args),
    ];
    Draft {
        subject: one_line(&lang.t_args(&format!("{key}-subject"), &args)),
        body: paragraphs.join("\n\n") + "\n",
    }
}

/// A subject is one header line: no line breaks may reach it.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(3), Duration::minutes(4));
        assert_eq!(backoff(9), Duration::minutes(256));
        assert_eq!(backoff(10), Duration::hours(6));
        assert_eq!(backoff(MAX_ATTEMPTS), Duration::hours(6));
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(backoff(i64::MAX), Duration::hours(6));
        let total: Duration = (1..MAX_ATTEMPTS).map(backoff).sum();
        assert!(total > Duration::hours(20) && total < Duration::hours(36));
        assert!(LEASE < backoff(MAX_ATTEMPTS));
    }

    #[test]
    fn links_are_absolute_when_the_address_is_known() {
        assert_eq!(link(None, "/staff/cases/DN-1"), "/staff/cases/DN-1");
        assert_eq!(link(Some(" "), "/staff/cases/DN-1"), "/staff/cases/DN-1");
        assert_eq!(
            link(Some("https://dn.example.org/"), "/staff/referrals/x"),
            "https://dn.example.org/staff/referrals/x"
        );
    }

    #[test]
    fn drafts_are_localized_and_carry_the_facts() {
        let facts = Facts {
            reference: "DN-2026-000042",
            organization: "Org\nName",
            due: "10.12.2026 23:59",
            link: "/staff/referrals/abc",
            platform: "Місток",
        };
        for lang in Lang::ALL {
            for draft in [
                referral_created(lang, facts),
                referral_escalated(lang, facts),
                referral_escalated_to_head(lang, facts),
            ] {
                assert!(draft.subject.contains("DN-2026-000042"), "{draft:?}");
                assert!(!draft.subject.contains('\n'));
                assert!(draft.body.contains("10.12.2026 23:59"), "{draft:?}");
                assert!(draft.body.contains("/staff/referrals/abc"), "{draft:?}");
                assert!(!draft.body.contains("notify-"), "{draft:?}");
            }
        }
        assert!(
            referral_created(Lang::Uk, facts)
                .subject
                .contains("передано")
        );
        assert!(
            referral_escalated(Lang::En, facts)
                .subject
                .contains("overdue")
        );
    }
}
