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

/// An event ready to be appended inside a write transaction, with the key to chain it: built in
/// the service layer (which knows who acted), appended by the store (which owns the transaction).
#[derive(Debug, Clone)]
pub struct Audited {
    pub key: crate::crypto::MacKey,
    pub event: NewAuditEvent,
}

impl Audited {
    /// A change by `actor` (a user's e-mail, or "cli", "system"), with the user's id if any.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        state: &crate::state::AppState,
        actor_user_id: Option<uuid::Uuid>,
        actor: String,
        action: &'static str,
        subject_type: &'static str,
        subject_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Audited {
        Audited {
            key: state.keys.mac_key(crate::crypto::MacPurpose::Audit),
            event: NewAuditEvent {
                actor_user_id,
                actor,
                action,
                subject_type,
                subject_id: subject_id.to_string(),
                before,
                after,
            },
        }
    }

    /// A change made by a member of staff to `subject_type`/`subject_id`. `before` and `after`
    /// must hold no identifying data (see [`NewAuditEvent`]).
    pub fn by_staff(
        state: &crate::state::AppState,
        user: &crate::accounts::UserRow,
        action: &'static str,
        subject_type: &'static str,
        subject_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Audited {
        Audited {
            key: state.keys.mac_key(crate::crypto::MacPurpose::Audit),
            event: NewAuditEvent {
                actor_user_id: Some(user.id),
                actor: user.email.clone(),
                action,
                subject_type,
                subject_id: subject_id.to_string(),
                before,
                after,
            },
        }
    }

    /// A change the platform made by itself (a background job), recorded with the actor
    /// "system". `before` and `after` must hold no identifying data (see [`NewAuditEvent`]).
    pub fn by_system(
        state: &crate::state::AppState,
        action: &'static str,
        subject_type: &'static str,
        subject_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Audited {
        Audited::new(
            state,
            None,
            "system".to_string(),
            action,
            subject_type,
            subject_id,
            before,
            after,
        )
    }
}

/// Appends an [`Audited`] inside a `db_write!` body (which must be guarded), with `?`.
#[macro_export]
macro_rules! append_audited {
    ($conn:expr, $audited:expr) => {
        $crate::audit::store::AuditAppend::append_audit(&mut *$conn, &$audited.key, &$audited.event)
            .await?
    };
}
