//! Staff accounts: roles, and the rules for e-mails, passwords and lock-outs.

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Technical staff: organizations, users, settings.
    Administrator,
    /// Platform staff who triage, refer, chase deadlines and publish.
    Coordinator,
    /// Hotline operators who enter calls as reports.
    Operator,
    /// Officers of an agency: see only what was referred to their organization.
    Officer,
    /// Statistics and exports, no identifying data.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Coordinator,
        Role::Operator,
        Role::Officer,
        Role::Analyst,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Coordinator => "coordinator",
            Role::Operator => "operator",
            Role::Officer => "officer",
            Role::Analyst => "analyst",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn message_key(self) -> String {
        format!("role-{}", self.code())
    }

    /// Officers act for an organization; the others are platform staff.
    pub fn needs_organization(self) -> bool {
        self == Role::Officer
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Lower-cased, trimmed e-mail, if it looks like one (the real check is that mail arrives).
pub fn normalize_email(input: &str) -> Option<String> {
    let email = input.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@');
    valid.then_some(email)
}

/// Long passphrases over composition rules (NIST SP 800-63B); a repeated character is refused.
pub fn validate_password(password: &str) -> Result<(), FieldError> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < PASSWORD_MIN_CHARS {
        return Err(FieldError::new("password", "error-password-short"));
    }
    if chars.len() > PASSWORD_MAX_CHARS {
        return Err(FieldError::new("password", "error-too-long"));
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Err(FieldError::new("password", "error-password-weak"));
    }
    Ok(())
}

/// How long an account stays locked after `failures` wrong passwords in a row: slowing down
/// guessing without locking out a person for long after a few typos.
pub fn lock_after(failures: i64) -> Option<Duration> {
    match failures {
        ..5 => None,
        5..10 => Some(Duration::minutes(15)),
        10..20 => Some(Duration::hours(1)),
        _ => Some(Duration::hours(24)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Olena@Example.ORG "),
            Some("olena@example.org".into())
        );
        assert_eq!(normalize_email("no-at-sign"), None);
        assert_eq!(normalize_email("a@b"), None);
        assert_eq!(normalize_email("a b@c.org"), None);
        assert_eq!(normalize_email("@c.org"), None);
    }

    #[test]
    fn passwords() {
        assert!(validate_password("correct horse battery").is_ok());
        assert_eq!(
            validate_password("short").unwrap_err().key,
            "error-password-short"
        );
        assert_eq!(
            validate_password("aaaaaaaaaaaaaa").unwrap_err().key,
            "error-password-weak"
        );
    }

    #[test]
    fn lockouts_grow() {
        assert_eq!(lock_after(4), None);
        assert_eq!(lock_after(5), Some(Duration::minutes(15)));
        assert_eq!(lock_after(12), Some(Duration::hours(1)));
        assert_eq!(lock_after(40), Some(Duration::hours(24)));
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
    }
}
