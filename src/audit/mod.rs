//! The audit trail: an append-only, tamper-evident record of every change to a case, referral,
//! user or setting — who, when, what, and the (redacted) state before and after.
//!
//! Events form a hash chain: each event's hash is an HMAC, under a key derived from the master
//! secret, over the previous event's hash and its own fields (see [`model`]). Someone holding
//! only the database can therefore not edit, delete, insert or re-order events without
//! [`service::verify`] naming the first broken event. Deleting only the newest events leaves the
//! chain consistent, which is why the newest link is also kept in a one-row head; for full
//! protection, keep the head outside the database too (`mistok audit head`, then
//! `mistok audit verify --anchor`).
//!
//! Changes record in their own transaction with [`crate::audit_append!`]; [`service::record`]
//! is for callers without one; [`store::history`] gives one subject's events for its page.

pub mod model;
pub mod service;
pub mod store;

pub use model::{AuditEvent, ChainHead, NewAuditEvent, Problem, VerifyReport};
