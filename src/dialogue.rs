//! What the parts of the dialogue (events, receptions, priorities, commitments) share: the
//! tokens of links sent to residents and the keyed hashes that let the platform recognise an
//! address or a retried form without keeping either.

use crate::crypto::{Keys, MacPurpose};

/// A fresh token for a link sent to a resident (cancel a registration or a booking, confirm a
/// support): 128 random bits as 32 hex digits. Only [`token_hash`] of it is stored.
pub fn new_link_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a link's token. `kind` keeps tokens of one use from working for another
/// (e.g. "registration", "booking", "support").
pub fn token_hash(keys: &Keys, kind: &str, token: &str) -> [u8; 32] {
    keys.mac(
        MacPurpose::Dialogue,
        format!("{kind}\u{1f}{}", token.trim().to_ascii_lowercase()).as_bytes(),
    )
}

/// The stored form of a resident's address where one person may act only once (one support of a
/// priority, one registration for an event): `email` must already be normalized
/// (`accounts::model::normalize_email`).
pub fn address_hash(keys: &Keys, kind: &str, email: &str) -> [u8; 32] {
    keys.mac(
        MacPurpose::Dialogue,
        format!("address\u{1f}{kind}\u{1f}{email}").as_bytes(),
    )
}

/// The key under which a form's submission is stored once, however often it is retried: a hash
/// of the form's hidden token (a fresh [`new_link_token`] on every form shown).
pub fn submission_key(keys: &Keys, kind: &str, form_token: &str) -> [u8; 32] {
    keys.mac(
        MacPurpose::Dialogue,
        format!("submission\u{1f}{kind}\u{1f}{}", form_token.trim()).as_bytes(),
    )
}

/// A local date and time as a `datetime-local` input sends it (`2026-12-03T15:00`, seconds
/// allowed); `None` for anything else. Turn it into a moment with `AppState::local_to_utc`.
pub fn parse_local_datetime(input: &str) -> Option<time::PrimitiveDateTime> {
    use time::macros::format_description;
    let text = input.trim();
    time::PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .or_else(|_| {
        time::PrimitiveDateTime::parse(
            text,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
    })
    .ok()
    .filter(|at| (2000..=2200).contains(&at.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_differ_by_kind_and_ignore_case_of_tokens() {
        let keys = Keys::from_master(&[7; 32]);
        let token = new_link_token();
        assert_eq!(token.len(), 32);
        assert_eq!(
            token_hash(&keys, "booking", &token),
            token_hash(&keys, "booking", &token.to_uppercase())
        );
        assert_ne!(
            token_hash(&keys, "booking", &token),
            token_hash(&keys, "registration", &token)
        );
        assert_ne!(
            address_hash(&keys, "support", "a@example.org"),
            address_hash(&keys, "registration", "a@example.org")
        );
        assert_ne!(new_link_token(), new_link_token());
    }

    #[test]
    fn reads_datetime_local_values() {
        let at = parse_local_datetime("2026-12-03T15:00").expect("minutes");
        assert_eq!((at.hour(), at.minute()), (15, 0));
        assert!(parse_local_datetime("2026-12-03T15:00:30").is_some());
        for bad in [
            "",
            "2026-12-03",
            "03.12.2026 15:00",
            "2026-13-03T15:00",
            "1900-01-01T00:00",
        ] {
            assert!(parse_local_datetime(bad).is_none(), "{bad}");
        }
    }
}
