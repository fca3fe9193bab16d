//! Audit events, the canonical encoding their hash covers, and the check of a chain (pure: no
//! database here, so every way of breaking a chain is tested in memory).
//!
//! Event `n`'s hash is `HMAC-SHA256(audit key, hash of event n-1 || encoding(event n))`, with 32
//! zero bytes before event 1. The encoding is a sequence of length-prefixed fields (u32
//! big-endian length, then the bytes; `u32::MAX` alone for an absent value), so no two different
//! events encode alike and an absent value never equals an empty one.

use std::fmt;

use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::crypto::{MacKey, MacPurpose};
use crate::error::AppError;

/// `prev_hash` of the first event, and the head of an empty chain.
pub const ZERO_HASH: [u8; 32] = [0; 32];

/// First field of every encoding: a later format gets another tag, so it can never be confused
/// with this one.
const ENCODING_TAG: &[u8] = b"mistok.audit.v1";

/// Length prefix of an absent value (a present one is at most `u32::MAX - 1` bytes long).
const ABSENT: u32 = u32::MAX;

/// When verification finds an event that does not match its hash, it tries the positions within
/// this distance: an event that matches elsewhere was moved (re-ordered or renumbered).
const MOVE_SEARCH: i64 = 1024;

/// A change to record.
///
/// `before` and `after` are stored in clear and kept forever, so callers pass a **redacted**
/// state: never identifying data (a reporter's contact, names of witnesses, sealed fields, IP
/// addresses), only what staff may see about the change (status, category, organization, due
/// date, a `"contact": "changed"` marker instead of the contact…).
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    /// The staff member who acted, when there is one.
    pub actor_user_id: Option<Uuid>,
    /// Who acted, as shown in the history: a user's e-mail, or "system", "reporter", "cli".
    pub actor: String,
    /// What happened, `subject.verb`: "case.triaged", "referral.created", "user.created".
    pub action: &'static str,
    /// "case", "referral", "user", "setting"…
    pub subject_type: &'static str,
    /// The subject's id (a UUID, a setting's key…).
    pub subject_id: String,
    /// Redacted state before the change (none for a creation).
    pub before: Option<serde_json::Value>,
    /// Redacted state after the change (none for a deletion).
    pub after: Option<serde_json::Value>,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain: 1, 2, 3… without gaps.
    pub seq: i64,
    pub id: Uuid,
    /// UTC, in whole microseconds (PostgreSQL's precision, so both engines give back what was
    /// hashed).
    pub at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    /// JSON text exactly as stored: the hash covers these bytes.
    pub before: Option<String>,
    /// JSON text exactly as stored: the hash covers these bytes.
    pub after: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl AuditEvent {
    /// Builds the event that follows the link (`prev_seq`, `prev_hash`): 0 and [`ZERO_HASH`]
    /// for the first event.
    pub fn next(
        key: &MacKey,
        prev_seq: i64,
        prev_hash: Vec<u8>,
        event: &NewAuditEvent,
        now: OffsetDateTime,
    ) -> Result<AuditEvent, AuditError> {
        let json = |value: &Option<serde_json::Value>| {
            value
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(AuditError::Json)
        };
        let mut next = AuditEvent {
            seq: prev_seq.checked_add(1).ok_or(AuditError::Exhausted)?,
            id: Uuid::now_v7(),
            at: event_time(now),
            actor_user_id: event.actor_user_id,
            actor: event.actor.clone(),
            action: event.action.to_string(),
            subject_type: event.subject_type.to_string(),
            subject_id: event.subject_id.clone(),
            before: json(&event.before)?,
            after: json(&event.after)?,
            prev_hash,
            hash: Vec::new(),
        };
        next.hash = chain_hash(key, &next.prev_hash, &next.fields(next.seq))?.to_vec();
        Ok(next)
    }

    /// The fields the hash covers, as if the event stood at `seq`.
    fn fields(&self, seq: i64) -> EventFields<'_> {
        EventFields {
            seq,
            id: self.id,
            at: self.at,
            actor_user_id: self.actor_user_id,
            actor: &self.actor,
            action: &self.action,
            subject_type: &self.subject_type,
            subject_id: &self.subject_id,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }

    /// `before` parsed, or none when absent (or, after tampering, not JSON).
    pub fn before_value(&self) -> Option<serde_json::Value> {
        self.before
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
    }

    /// `after` parsed, or none when absent (or, after tampering, not JSON).
    pub fn after_value(&self) -> Option<serde_json::Value> {
        self.after
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
    }

    /// Whether the stored hash matches the event's own fields and `prev_hash` at position `seq`.
    fn matches_hash_at(&self, key: &MacKey, seq: i64) -> bool {
        chain_hash(key, &self.prev_hash, &self.fields(seq))
            .is_ok_and(|hash| hash.as_slice() == self.hash.as_slice())
    }
}

/// The time recorded for an event made at `now`: UTC, cut to whole microseconds.
pub fn event_time(now: OffsetDateTime) -> OffsetDateTime {
    let utc = now.to_offset(UtcOffset::UTC);
    utc - Duration::nanoseconds(i64::from(utc.nanosecond() % 1_000))
}

/// What an event's hash covers, besides the previous hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFields<'a> {
    pub seq: i64,
    pub id: Uuid,
    pub at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit field {0} is too long to encode")]
    FieldTooLong(&'static str),
    #[error("audit time: {0}")]
    Time(#[from] time::error::Format),
    #[error("audit before/after: {0}")]
    Json(serde_json::Error),
    #[error("the audit chain has run out of numbers")]
    Exhausted,
    #[error("the audit chain needs the audit key, not the {0:?} key")]
    WrongKey(MacPurpose),
}

impl From<AuditError> for AppError {
    fn from(err: AuditError) -> Self {
        AppError::internal(err)
    }
}

/// `at` as RFC 3339 in UTC with all nine digits of nanoseconds: one spelling per moment.
pub fn format_at(at: OffsetDateTime) -> Result<String, time::error::Format> {
    at.to_offset(UtcOffset::UTC).format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
    ))
}

/// The bytes an event's hash covers (after the previous hash).
pub fn canonical_encoding(f: &EventFields<'_>) -> Result<Vec<u8>, AuditError> {
    let at = format_at(f.at)?;
    let text_len = f.actor.len()
        + f.action.len()
        + f.subject_type.len()
        + f.subject_id.len()
        + f.before.map_or(0, str::len)
        + f.after.map_or(0, str::len);
    let mut out =
        Vec::with_capacity(11 * 4 + ENCODING_TAG.len() + 8 + 2 * 16 + at.len() + text_len);
    put(&mut out, "tag", Some(ENCODING_TAG))?;
    put(&mut out, "seq", Some(&f.seq.to_be_bytes()))?;
    put(&mut out, "id", Some(f.id.as_bytes()))?;
    put(&mut out, "at", Some(at.as_bytes()))?;
    put(
        &mut out,
        "actor_user_id",
        f.actor_user_id.as_ref().map(|id| id.as_bytes().as_slice()),
    )?;
    put(&mut out, "actor", Some(f.actor.as_bytes()))?;
    put(&mut out, "action", Some(f.action.as_bytes()))?;
    put(&mut out, "subject_type", Some(f.subject_type.as_bytes()))?;
    put(&mut out, "subject_id", Some(f.subject_id.as_bytes()))?;
    put(&mut out, "before", f.before.map(str::as_bytes))?;
    put(&mut out, "after", f.after.map(str::as_bytes))?;
    Ok(out)
}

fn put(out: &mut Vec<u8>, name: &'static str, value: Option<&[u8]>) -> Result<(), AuditError> {
    match value {
        None => out.extend_from_slice(&ABSENT.to_be_bytes()),
        Some(bytes) => {
            let len = u32::try_from(bytes.len())
                .ok()
                .filter(|len| *len != ABSENT)
                .ok_or(AuditError::FieldTooLong(name))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(bytes);
        }
    }
    Ok(())
}

/// `HMAC(audit key, prev_hash || encoding(fields))`.
pub fn chain_hash(
    key: &MacKey,
    prev_hash: &[u8],
    fields: &EventFields<'_>,
) -> Result<[u8; 32], AuditError> {
    if !matches!(key.purpose(), MacPurpose::Audit) {
        return Err(AuditError::WrongKey(key.purpose()));
    }
    let encoding = canonical_encoding(fields)?;
    let mut data = Vec::with_capacity(prev_hash.len() + encoding.len());
    data.extend_from_slice(prev_hash);
    data.extend_from_slice(&encoding);
    Ok(key.mac(&data))
}

/// A link of the chain: an event's seq and hash. The head is the newest link (seq 0 and
/// [`ZERO_HASH`] while there are no events). Written and parsed as `SEQ HASH-IN-HEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: Vec<u8>,
}

impl ChainHead {
    pub fn empty() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: ZERO_HASH.to_vec(),
        }
    }
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.seq)?;
        self.hash.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::str::FromStr for ChainHead {
    type Err = String;

    /// Accepts what [`fmt::Display`] writes (`SEQ HEX`), or `SEQ:HEX`.
    fn from_str(text: &str) -> Result<ChainHead, String> {
        let expected = || "expected `SEQ HASH` as printed by `mistok audit head`".to_string();
        let (seq, hex) = text
            .trim()
            .split_once(|c: char| c == ':' || c.is_whitespace())
            .ok_or_else(expected)?;
        let seq: i64 = seq.parse().map_err(|_| expected())?;
        let hex = hex.trim();
        if seq < 0 || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(expected());
        }
        let hash = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| expected())?;
        Ok(ChainHead { seq, hash })
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event no longer matches its hash: its content was edited (or its hash replaced).
    Edited { seq: i64 },
    /// A column of the event holds a value of the wrong type: it was edited.
    Unreadable { seq: i64 },
    /// The event matches its hash only at another position: events were re-ordered, or removed
    /// and the rest renumbered.
    Moved { seq: i64, written_as: i64 },
    /// The numbers jump from `seq - 1` to `next`: events were deleted.
    Missing { seq: i64, next: i64 },
    /// The event is intact but does not follow the one before it (its `prev_hash` names
    /// another): events before it were deleted or replaced, or the chain re-ordered.
    Unlinked { seq: i64 },
    /// An event numbered outside the chain (which starts at 1) was inserted.
    OutOfRange { seq: i64 },
    /// The chain ends elsewhere than the stored head says: the newest events were deleted, or
    /// the head was altered.
    HeadMismatch { head: ChainHead, last: ChainHead },
    /// The head's row is gone.
    HeadMissing,
    /// The chain holds another event at a position anchored outside the database.
    AnchorMismatch { seq: i64 },
    /// The chain ends at `last`, before `seq`, which was anchored outside the database: the
    /// newest events were deleted (and the head moved back).
    AnchorMissing { seq: i64, last: i64 },
}

impl Problem {
    /// The first seq that is not as it should be (none when the head's row is gone).
    pub fn seq(&self) -> Option<i64> {
        Some(match self {
            Problem::Edited { seq }
            | Problem::Unreadable { seq }
            | Problem::Moved { seq, .. }
            | Problem::Missing { seq, .. }
            | Problem::Unlinked { seq }
            | Problem::OutOfRange { seq }
            | Problem::AnchorMismatch { seq } => *seq,
            Problem::AnchorMissing { last, .. } => last.saturating_add(1),
            // The first event deleted, or the first one the head does not cover.
            Problem::HeadMismatch { head, last } if head.seq != last.seq => {
                last.seq.min(head.seq) + 1
            }
            Problem::HeadMismatch { last, .. } => last.seq,
            Problem::HeadMissing => return None,
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Edited { seq } => {
                write!(f, "event {seq} does not match its hash: it was edited")
            }
            Problem::Unreadable { seq } => write!(
                f,
                "event {seq} cannot be read (a column holds a value of the wrong type): it was edited"
            ),
            Problem::Moved { seq, written_as } => write!(
                f,
                "the event at {seq} was written as event {written_as}: the chain was re-ordered, \
                 or events were removed and the rest renumbered"
            ),
            Problem::Missing { seq, next } if *next == seq + 1 => {
                write!(f, "event {seq} is missing: it was deleted")
            }
            Problem::Missing { seq, next } => write!(
                f,
                "events {seq} to {} are missing: they were deleted",
                next - 1
            ),
            Problem::Unlinked { seq } => write!(
                f,
                "event {seq} does not follow event {}: events were deleted or replaced, or the \
                 chain was re-ordered",
                seq - 1
            ),
            Problem::OutOfRange { seq } => {
                write!(f, "an event numbered {seq} lies outside the chain")
            }
            Problem::HeadMismatch { head, last } if head.seq > last.seq => write!(
                f,
                "the chain ends at event {} but its head says {}: the newest events were deleted",
                last.seq, head.seq
            ),
            Problem::HeadMismatch { head, last } => write!(
                f,
                "the chain ends at ({last}) but its head says ({head}): the head was altered"
            ),
            Problem::HeadMissing => write!(f, "the chain's head is missing"),
            Problem::AnchorMismatch { seq } => write!(
                f,
                "event {seq} is not the one anchored outside the database: the chain was rewritten"
            ),
            Problem::AnchorMissing { seq, last } => write!(
                f,
                "the chain ends at event {last}, before event {seq}, which was anchored outside \
                 the database: the newest events were deleted"
            ),
        }
    }
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events found intact, in order, before the problem (all of them when there is none).
    pub checked: u64,
    /// The head as stored.
    pub head: Option<ChainHead>,
    pub problem: Option<Problem>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Checks a chain fed one event at a time in seq order, keeping only the last link.
pub struct ChainCheck<'k> {
    key: &'k MacKey,
    /// Anchors not yet reached, highest seq first (popped as the chain reaches them).
    anchors: Vec<ChainHead>,
    last: ChainHead,
    checked: u64,
}

impl<'k> ChainCheck<'k> {
    /// `anchors` are heads kept outside the database: the chain must still contain each.
    pub fn new(key: &'k MacKey, anchors: &[ChainHead]) -> ChainCheck<'k> {
        let mut anchors = anchors.to_vec();
        anchors.sort_by_key(|a| std::cmp::Reverse(a.seq));
        ChainCheck {
            key,
            anchors,
            last: ChainHead::empty(),
            checked: 0,
        }
    }

    /// The last event found intact (the empty head before any).
    pub fn last(&self) -> &ChainHead {
        &self.last
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Checks the next event; the first problem stops the check (the caller stops feeding).
    pub fn push(&mut self, event: &AuditEvent) -> Result<(), Problem> {
        let expected = self.last.seq.saturating_add(1);
        if event.seq < expected {
            return Err(Problem::OutOfRange { seq: event.seq });
        }
        if event.seq > expected {
            return Err(Problem::Missing {
                seq: expected,
                next: event.seq,
            });
        }
        if !event.matches_hash_at(self.key, event.seq) {
            let lowest = event.seq.saturating_sub(MOVE_SEARCH).max(1);
            let written_as = (lowest..=event.seq.saturating_add(MOVE_SEARCH))
                .find(|s| event.matches_hash_at(self.key, *s));
            return Err(match written_as {
                Some(written_as) if written_as != event.seq => Problem::Moved {
                    seq: event.seq,
                    written_as,
                },
                _ => Problem::Edited { seq: event.seq },
            });
        }
        if event.prev_hash != self.last.hash {
            return Err(Problem::Unlinked { seq: event.seq });
        }
        while let Some(anchor) = self.anchors.last() {
            if anchor.seq > event.seq {
                break;
            }
            // Events arrive without gaps, so an anchor is passed only at its own seq, or at the
            // start when it names seq 0 (the empty chain, which every chain contains).
            if anchor.seq == event.seq && anchor.hash != event.hash {
                return Err(Problem::AnchorMismatch { seq: event.seq });
            }
            self.anchors.pop();
        }
        self.last = ChainHead {
            seq: event.seq,
            hash: event.hash.clone(),
        };
        self.checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the stored head and the anchors not yet reached.
    pub fn finish(&self, head: Option<&ChainHead>) -> Result<(), Problem> {
        let head = head.ok_or(Problem::HeadMissing)?;
        if *head != self.last {
            return Err(Problem::HeadMismatch {
                head: head.clone(),
                last: self.last.clone(),
            });
        }
        match self.anchors.iter().rev().find(|a| a.seq > self.last.seq) {
            Some(anchor) => Err(Problem::AnchorMissing {
                seq: anchor.seq,
                last: self.last.seq,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::crypto::Keys;

    fn key() -> MacKey {
        Keys::from_master(&[3u8; 32]).mac_key(MacPurpose::Audit)
    }

    fn fields() -> EventFields<'static> {
        EventFields {
            seq: 1,
            id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            at: datetime!(2026-05-09 07:29:33.123456 UTC),
            actor_user_id: None,
            actor: "system",
            action: "case.triaged",
            subject_type: "case",
            subject_id: "42",
            before: Some(r#"{"status":"received"}"#),
            after: Some(r#"{"status":"triaged"}"#),
        }
    }

    /// Reads an encoding back: that every encoding decodes to its own fields is what makes two
    /// different events encode differently.
    fn decode(mut bytes: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let (len, rest) = bytes.split_at(4);
            let len = u32::from_be_bytes(len.try_into().unwrap());
            if len == ABSENT {
                out.push(None);
                bytes = rest;
            } else {
                let (value, rest) = rest.split_at(len as usize);
                out.push(Some(value.to_vec()));
                bytes = rest;
            }
        }
        out
    }

    fn expected_fields(f: &EventFields<'_>) -> Vec<Option<Vec<u8>>> {
        vec![
            Some(ENCODING_TAG.to_vec()),
            Some(f.seq.to_be_bytes().to_vec()),
            Some(f.id.as_bytes().to_vec()),
            Some(format_at(f.at).unwrap().into_bytes()),
            f.actor_user_id.map(|id| id.as_bytes().to_vec()),
            Some(f.actor.as_bytes().to_vec()),
            Some(f.action.as_bytes().to_vec()),
            Some(f.subject_type.as_bytes().to_vec()),
            Some(f.subject_id.as_bytes().to_vec()),
            f.before.map(|t| t.as_bytes().to_vec()),
            f.after.map(|t| t.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn time_is_spelled_once_in_utc_with_nanoseconds() {
        let kyiv = datetime!(2026-05-09 10:29:33.1 +3);
        assert_eq!(format_at(kyiv).unwrap(), "2026-05-09T07:29:33.100000000Z");
        assert_eq!(
            format_at(datetime!(2026-01-01 00:00 UTC)).unwrap(),
            "2026-01-01T00:00:00.000000000Z"
        );
        let cut = event_time(datetime!(2026-05-09 10:29:33.123456789 +3));
        assert_eq!(cut, datetime!(2026-05-09 07:29:33.123456 UTC));
        assert_eq!(cut.offset(), UtcOffset::UTC);
    }

    #[test]
    fn absent_differs_from_empty_and_boundaries_are_kept() {
        let base = fields();
        let encode = |f: EventFields<'_>| canonical_encoding(&f).unwrap();
        assert_ne!(
            encode(EventFields {
                before: None,
                ..base
            }),
            encode(EventFields {
                before: Some(""),
                ..base
            })
        );
        // The same bytes split differently between two fields.
        assert_ne!(
            encode(EventFields {
                actor: "ab",
                action: "c",
                ..base
            }),
            encode(EventFields {
                actor: "a",
                action: "bc",
                ..base
            })
        );
        // A value moved from `before` to `after`.
        assert_ne!(
            encode(EventFields {
                before: Some("x"),
                after: None,
                ..base
            }),
            encode(EventFields {
                before: None,
                after: Some("x"),
                ..base
            })
        );
        assert_ne!(
            encode(EventFields {
                actor_user_id: Some(Uuid::nil()),
                ..base
            }),
            encode(base)
        );
        assert_eq!(decode(&encode(base)), expected_fields(&base));
    }

    #[test]
    fn hash_covers_key_previous_hash_and_fields() {
        let f = fields();
        let k = key();
        let h = chain_hash(&k, &ZERO_HASH, &f).unwrap();
        assert_ne!(h, chain_hash(&k, &[1u8; 32], &f).unwrap());
        assert_ne!(
            h,
            chain_hash(&k, &ZERO_HASH, &EventFields { seq: 2, ..f }).unwrap()
        );
        let other = Keys::from_master(&[4u8; 32]).mac_key(MacPurpose::Audit);
        assert_ne!(h, chain_hash(&other, &ZERO_HASH, &f).unwrap());
        let wrong = Keys::from_master(&[3u8; 32]).mac_key(MacPurpose::Receipt);
        assert!(matches!(
            chain_hash(&wrong, &ZERO_HASH, &f),
            Err(AuditError::WrongKey(MacPurpose::Receipt))
        ));
    }

    #[test]
    fn head_is_written_and_read_back() {
        let head = ChainHead {
            seq: 50,
            hash: (0u8..32).collect(),
        };
        let text = head.to_string();
        assert_eq!(
            text,
            "50 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        );
        assert_eq!(text.parse::<ChainHead>().unwrap(), head);
        assert_eq!(text.replace(' ', ":").parse::<ChainHead>().unwrap(), head);
        assert!("50".parse::<ChainHead>().is_err());
        assert!("50 abc".parse::<ChainHead>().is_err());
        assert!("x 00".parse::<ChainHead>().is_err());
        assert!(
            format!("50 {}", "+f".repeat(32))
                .parse::<ChainHead>()
                .is_err()
        );
        assert!(
            format!("50 {}", "zz".repeat(32))
                .parse::<ChainHead>()
                .is_err()
        );
    }

    fn new_event(n: usize) -> NewAuditEvent {
        NewAuditEvent {
            actor_user_id: n.is_multiple_of(3).then(Uuid::now_v7),
            actor: format!("staff{}@example.org", n % 4),
            action: "case.triaged",
            subject_type: "case",
            subject_id: format!("{}", n % 5),
            before: n
                .is_multiple_of(2)
                .then(|| serde_json::json!({ "status": "received", "n": n })),
            after: Some(serde_json::json!({ "status": "triaged", "n": n })),
        }
    }

    fn chain(k: &MacKey, len: usize) -> Vec<AuditEvent> {
        let mut events: Vec<AuditEvent> = Vec::new();
        for n in 0..len {
            let (seq, hash) = events
                .last()
                .map_or((0, ZERO_HASH.to_vec()), |e| (e.seq, e.hash.clone()));
            let at = datetime!(2026-05-09 07:00 UTC) + Duration::seconds(n as i64);
            events.push(AuditEvent::next(k, seq, hash, &new_event(n), at).unwrap());
        }
        events
    }

    fn head_of(events: &[AuditEvent]) -> ChainHead {
        events.last().map_or(ChainHead::empty(), |e| ChainHead {
            seq: e.seq,
            hash: e.hash.clone(),
        })
    }

    /// Runs the check over `events` against `head`, as verification does.
    fn check(
        k: &MacKey,
        events: &[AuditEvent],
        head: &ChainHead,
        anchors: &[ChainHead],
    ) -> (u64, Option<Problem>) {
        let mut c = ChainCheck::new(k, anchors);
        for e in events {
            if let Err(p) = c.push(e) {
                return (c.checked(), Some(p));
            }
        }
        (c.checked(), c.finish(Some(head)).err())
    }

    #[test]
    fn intact_chains_pass() {
        let k = key();
        for len in [0, 1, 2, 50] {
            let events = chain(&k, len);
            assert_eq!(
                check(&k, &events, &head_of(&events), &[]),
                (len as u64, None)
            );
        }
        let events = chain(&k, 3);
        assert_eq!(events[0].prev_hash, ZERO_HASH.to_vec());
        assert_eq!(events[1].prev_hash, events[0].hash);
        assert_eq!(events[2].seq, 3);
        assert_eq!(
            events[0].after_value(),
            Some(serde_json::json!({ "status": "triaged", "n": 0 }))
        );
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let k = key();
        let events = chain(&k, 50);
        let head = head_of(&events);

        let mut edited = events.clone();
        edited[16].after = Some(r#"{"status":"closed"}"#.into());
        assert_eq!(
            check(&k, &edited, &head, &[]),
            (16, Some(Problem::Edited { seq: 17 }))
        );

        // Re-hashing the edited event with a guessed key does not help without the real key.
        let forger = Keys::from_master(&[9u8; 32]).mac_key(MacPurpose::Audit);
        let forged = AuditEvent::next(
            &forger,
            16,
            events[15].hash.clone(),
            &new_event(16),
            events[16].at,
        )
        .unwrap();
        let mut replaced = events.clone();
        replaced[16] = forged;
        assert_eq!(
            check(&k, &replaced, &head, &[]).1,
            Some(Problem::Edited { seq: 17 })
        );

        let mut deleted = events.clone();
        deleted.remove(29);
        assert_eq!(
            check(&k, &deleted, &head, &[]),
            (29, Some(Problem::Missing { seq: 30, next: 31 }))
        );
        assert_eq!(
            Problem::Missing { seq: 30, next: 31 }.to_string(),
            "event 30 is missing: it was deleted"
        );

        // Deleted, and the later events renumbered to close the gap.
        let mut renumbered = deleted.clone();
        for e in &mut renumbered[29..] {
            e.seq -= 1;
        }
        assert_eq!(
            check(&k, &renumbered, &head, &[]).1,
            Some(Problem::Moved {
                seq: 30,
                written_as: 31
            })
        );

        // Two events swapped, each keeping its position's number.
        let mut swapped = events.clone();
        swapped.swap(19, 20);
        swapped[19].seq = 20;
        swapped[20].seq = 21;
        assert_eq!(
            check(&k, &swapped, &head, &[]).1,
            Some(Problem::Moved {
                seq: 20,
                written_as: 21
            })
        );

        // An intact event whose predecessor was replaced by another intact chain's event.
        let other = chain(&k, 50);
        let mut spliced = events.clone();
        spliced[9] = other[9].clone();
        assert_eq!(
            check(&k, &spliced, &head, &[]).1,
            Some(Problem::Unlinked { seq: 10 })
        );

        let mut newest_gone = events.clone();
        newest_gone.pop();
        let (checked, problem) = check(&k, &newest_gone, &head, &[]);
        assert_eq!(checked, 49);
        let problem = problem.unwrap();
        assert!(matches!(problem, Problem::HeadMismatch { .. }));
        assert_eq!(problem.seq(), Some(50));

        let mut early = events.clone();
        early[0].seq = 0;
        assert_eq!(
            check(&k, &early, &head, &[]).1,
            Some(Problem::OutOfRange { seq: 0 })
        );

        let mut c = ChainCheck::new(&k, &[]);
        assert_eq!(c.finish(None), Err(Problem::HeadMissing));
        c.push(&events[0]).unwrap();
        assert_eq!(c.last().seq, 1);
    }

    #[test]
    fn anchors_catch_a_consistent_rewrite_of_the_end() {
        let k = key();
        let events = chain(&k, 50);
        let anchor = head_of(&events[..40]);
        assert_eq!(
            check(
                &k,
                &events,
                &head_of(&events),
                std::slice::from_ref(&anchor)
            ),
            (50, None)
        );
        assert_eq!(
            check(&k, &events, &head_of(&events), &[ChainHead::empty()]),
            (50, None)
        );

        // The newest ten events deleted and the head moved back: only the anchor shows it.
        let cut = &events[..35];
        let (checked, problem) = check(&k, cut, &head_of(cut), std::slice::from_ref(&anchor));
        assert_eq!(checked, 35);
        assert_eq!(problem, Some(Problem::AnchorMissing { seq: 40, last: 35 }));
        assert_eq!(problem.unwrap().seq(), Some(36));

        // Rewritten from 38 on by someone holding the key: the anchor at 40 no longer matches.
        let mut rewritten = events[..37].to_vec();
        let mut n = 1000;
        while rewritten.len() < 50 {
            let last = rewritten.last().unwrap();
            let at = last.at + Duration::seconds(1);
            let next =
                AuditEvent::next(&k, last.seq, last.hash.clone(), &new_event(n), at).unwrap();
            rewritten.push(next);
            n += 1;
        }
        assert_eq!(
            check(&k, &rewritten, &head_of(&rewritten), &[anchor]).1,
            Some(Problem::AnchorMismatch { seq: 40 })
        );
    }

    /// Seq, id, time in nanoseconds, user id, [actor, action, subject type, subject id],
    /// [before, after].
    type Raw = (
        i64,
        u128,
        i64,
        Option<u128>,
        Vec<String>,
        [Option<String>; 2],
    );

    /// Short strings over few characters: boundary collisions would show, were they possible.
    fn text() -> impl Strategy<Value = String> {
        "[ab\u{ff}]{0,3}"
    }

    fn any_fields() -> impl Strategy<Value = Raw> {
        (
            any::<i64>(),
            any::<u128>(),
            0i64..4_000_000_000_000_000_000,
            proptest::option::of(any::<u128>()),
            proptest::collection::vec(text(), 4),
            [proptest::option::of(text()), proptest::option::of(text())],
        )
    }

    /// Values from tiny sets, so that two draws are often equal or differ in one field only.
    fn few_fields() -> impl Strategy<Value = Raw> {
        let tiny = || "[ab]{0,1}";
        (
            0i64..2,
            0u128..2,
            0i64..2,
            proptest::option::of(0u128..2),
            proptest::collection::vec(tiny(), 4),
            [proptest::option::of(tiny()), proptest::option::of(tiny())],
        )
    }

    fn to_fields(raw: &Raw) -> EventFields<'_> {
        let (seq, id, nanos, user, texts, [before, after]) = raw;
        EventFields {
            seq: *seq,
            id: Uuid::from_u128(*id),
            at: OffsetDateTime::UNIX_EPOCH + Duration::nanoseconds(*nanos),
            actor_user_id: user.map(Uuid::from_u128),
            actor: &texts[0],
            action: &texts[1],
            subject_type: &texts[2],
            subject_id: &texts[3],
            before: before.as_deref(),
            after: after.as_deref(),
        }
    }

    proptest! {
        #[test]
        fn encoding_decodes_to_its_fields(raw in any_fields()) {
            let f = to_fields(&raw);
            prop_assert_eq!(decode(&canonical_encoding(&f).unwrap()), expected_fields(&f));
        }

        #[test]
        fn distinct_events_encode_distinctly(a in few_fields(), b in few_fields()) {
            let (fa, fb) = (to_fields(&a), to_fields(&b));
            let (ea, eb) = (canonical_encoding(&fa).unwrap(), canonical_encoding(&fb).unwrap());
            prop_assert_eq!(fa == fb, ea == eb);
        }

        #[test]
        fn changing_one_field_changes_the_encoding(raw in any_fields(), which in 0usize..10, t in text()) {
            let f = to_fields(&raw);
            let mut g = f;
            match which {
                0 => g.seq = f.seq.wrapping_add(1),
                1 => g.id = Uuid::from_u128(f.id.as_u128() ^ 1),
                2 => g.at = f.at + Duration::nanoseconds(1),
                3 => g.actor_user_id = match f.actor_user_id { None => Some(Uuid::nil()), Some(_) => None },
                4 => g.actor = if f.actor == t { "c" } else { t.as_str() },
                5 => g.action = if f.action == t { "c" } else { t.as_str() },
                6 => g.subject_type = if f.subject_type == t { "c" } else { t.as_str() },
                7 => g.subject_id = if f.subject_id == t { "c" } else { t.as_str() },
                8 => g.before = if f.before == Some(t.as_str()) { None } else { Some(t.as_str()) },
                _ => g.after = if f.after == Some(t.as_str()) { None } else { Some(t.as_str()) },
            }
            prop_assert_ne!(canonical_encoding(&f).unwrap(), canonical_encoding(&g).unwrap());
        }
    }
}
