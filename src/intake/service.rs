//! Intake use cases: accept a report, open it by receipt, add information. No HTTP types here.

use std::net::IpAddr;

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{Channel, ReportInput, ValidReport, validate_message, validate_report};
use super::receipt::Receipt;
use super::store::{self, Inserted, NewReportRow, ReportSummary, TimelineEntry};
use crate::attachments::service::{self as attachments, Upload};
use crate::attachments::store::AttachmentRow;
use crate::crypto::MacPurpose;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;

pub const SEAL_CONTACT: &str = "report.contact";
pub const SEAL_WITNESSES: &str = "report.witnesses";

/// A client's promise that retries of one submission carry the same key. Web forms carry a
/// server-made token; apps send the `Idempotency-Key` header.
#[derive(Clone)]
pub struct IdempotencyKey {
    scope: &'static str,
    key: String,
}

impl IdempotencyKey {
    /// Keys must be long enough to be unguessable (a UUID is): knowing the key of a submission
    /// is knowing its receipt.
    pub fn api(key: &str) -> Result<IdempotencyKey, FieldError> {
        let key = key.trim();
        let printable = key.chars().all(|c| c.is_ascii_graphic());
        if !(16..=255).contains(&key.len()) || !printable {
            return Err(FieldError::new("Idempotency-Key", "error-idempotency-key"));
        }
        Ok(IdempotencyKey {
            scope: "api",
            key: key.to_string(),
        })
    }

    /// The token a report form carries (made by [`new_form_token`]).
    pub fn form(token: &str) -> Option<IdempotencyKey> {
        let token = token.trim();
        (token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
            IdempotencyKey {
                scope: "web",
                key: token.to_ascii_lowercase(),
            }
        })
    }

    fn material(&self, what: &str) -> Vec<u8> {
        format!("{what}\u{1f}{}\u{1f}{}", self.scope, self.key).into_bytes()
    }
}

/// A fresh token for one report form: retrying that form gives back the same receipt.
pub fn new_form_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub struct Submission {
    pub input: ReportInput,
    pub channel: Channel,
    pub lang: Lang,
    pub idempotency: Option<IdempotencyKey>,
    pub uploads: Vec<Upload>,
    /// The address of a resident submitting from the web form or the app, for the limit of
    /// submissions per address (in memory only); `None` for staff and partner systems.
    pub client: Option<std::net::IpAddr>,
}

#[derive(Debug)]
pub struct Accepted {
    pub reference: String,
    pub receipt: Receipt,
    /// True when this answers a retry of an earlier, already stored submission.
    pub replayed: bool,
}

/// Validates, seals and durably stores a report; answers only after the commit.
pub async fn submit(state: &AppState, submission: Submission) -> AppResult<Accepted> {
    let now = OffsetDateTime::now_utc();
    let catalog = state.catalog.get(&state.db).await?;
    let valid = validate_report(&submission.input, &*catalog, now, state.local_offset(now))
        .map_err(AppError::Validation)?;
    if let Some(ip) = submission.client {
        state
            .intake_limiter
            .check(ip)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    }
    let idempotency = submission.idempotency.as_ref();
    // A retried submission gets the same receipt without the receipt being stored anywhere:
    // it is derived from the idempotency key under a server-side key.
    let receipt = match idempotency {
        Some(key) => {
            let seed = state
                .keys
                .mac(MacPurpose::Idempotency, &key.material("receipt"));
            let mut first = [0u8; 16];
            first.copy_from_slice(&seed[..16]);
            Receipt::from_seed(first)
        }
        None => Receipt::random(),
    };
    let idempotency_hash = idempotency.map(|key| {
        state
            .keys
            .mac(MacPurpose::Idempotency, &key.material("key"))
            .to_vec()
    });
    let fingerprint = idempotency.map(|_| fingerprint(state, &valid));

    let stored_files = attachments::store_uploads(state, submission.uploads, "attachments").await?;
    let search_text = crate::search::search_text(&[
        Some(&valid.description),
        valid.place.as_deref(),
        valid.involved_unit.as_deref(),
        valid.involved_badge.as_deref(),
    ]);
    let row = NewReportRow {
        search_text,
        id: Uuid::now_v7(),
        kind: valid.kind,
        category: valid.category,
        community: valid.community,
        place: valid.place,
        lat: valid.location.map(|l| l.0),
        lon: valid.location.map(|l| l.1),
        occurred_at: valid.occurred_at,
        description: valid.description,
        involved_unit: valid.involved_unit,
        involved_badge: valid.involved_badge,
        witnesses_sealed: valid
            .witnesses
            .map(|w| state.keys.seal(SEAL_WITNESSES, w.as_bytes())),
        contact_sealed: valid
            .contact
            .map(|c| state.keys.seal(SEAL_CONTACT, c.as_bytes())),
        consent_contact: valid.consent_contact,
        consent_publish: valid.consent_publish,
        channel: submission.channel.code(),
        language: submission.lang.code(),
        receipt_hash: receipt.hash(&state.keys).to_vec(),
        idempotency_hash,
        fingerprint,
        created_at: now,
        received_month: state.local_month(now),
        attachments: stored_files.clone(),
    };
    let result = store::insert_report(&state.db, state.reference_prefix(&catalog), row).await;
    match result {
        Ok(Inserted::New { reference }) => {
            tracing::info!(%reference, channel = submission.channel.code(), "report received");
            if let Some(ip) = submission.client {
                state.intake_limiter.record(ip);
            }
            Ok(Accepted {
                reference,
                receipt,
                replayed: false,
            })
        }
        Ok(Inserted::Existing {
            reference,
            same_request,
        }) => {
            attachments::discard(state, &stored_files).await;
            // The web form's token is never reused for other content by a person on purpose:
            // going back and sending again still shows the receipt of what was stored.
            if !same_request && submission.channel == Channel::Api {
                return Err(AppError::Conflict("idempotency-key-reused"));
            }
            Ok(Accepted {
                reference,
                receipt,
                replayed: true,
            })
        }
        Err(err) => {
            attachments::discard(state, &stored_files).await;
            Err(err)
        }
    }
}

/// A keyed digest of the validated content, to tell a true retry from a reused key.
fn fingerprint(state: &AppState, valid: &ValidReport) -> Vec<u8> {
    let text = format!("{valid:?}");
    state
        .keys
        .mac(MacPurpose::Idempotency, text.as_bytes())
        .to_vec()
}

/// Finds the report a receipt belongs to; wrong receipts are counted per client address.
pub async fn open_by_receipt(
    state: &AppState,
    receipt: &str,
    client: Option<IpAddr>,
) -> AppResult<ReportSummary> {
    if let Some(ip) = client {
        state
            .receipt_failures
            .check(ip)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    }
    let found = match Receipt::parse(receipt) {
        Some(receipt) => store::find_by_receipt_hash(&state.db, &receipt.hash(&state.keys)).await?,
        None => None,
    };
    match found {
        Some(report) => Ok(report),
        None => {
            if let Some(ip) = client {
                state.receipt_failures.record_failure(ip);
            }
            Err(AppError::field("receipt", "error-receipt-unknown"))
        }
    }
}

/// Everything the reporter sees on the follow-up page.
pub struct FollowUp {
    pub report: ReportSummary,
    pub timeline: Vec<TimelineEntry>,
    pub attachments: Vec<AttachmentRow>,
}

pub async fn follow_up(state: &AppState, report_id: Uuid) -> AppResult<FollowUp> {
    let report = store::find_by_id(&state.db, report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let timeline = store::timeline(&state.db, report_id).await?;
    let attachments = crate::attachments::store::list(&state.db, report_id).await?;
    Ok(FollowUp {
        report,
        timeline,
        attachments,
    })
}

/// The reporter adds information: text, files, or both. A retry with the same idempotency key
/// adds nothing a second time.
pub async fn add_information(
    state: &AppState,
    report_id: Uuid,
    body: &str,
    uploads: Vec<Upload>,
    idempotency: Option<&IdempotencyKey>,
) -> AppResult<()> {
    let text = match validate_message(body) {
        Ok(text) => Some(text),
        Err(_) if !uploads.is_empty() && body.trim().is_empty() => None,
        Err(err) => return Err(AppError::Validation(vec![err])),
    };
    let key_hash = idempotency.map(|key| {
        let what = format!("addition\u{1f}{report_id}");
        state
            .keys
            .mac(MacPurpose::Idempotency, &key.material(&what))
            .to_vec()
    });
    let stored = attachments::store_uploads(state, uploads, "attachments").await?;
    let added =
        store::add_reporter_message(&state.db, report_id, text, stored.clone(), key_hash).await;
    if !matches!(added, Ok(true)) {
        // A retry (nothing added) or a failure: the files just stored are not referenced.
        attachments::discard(state, &stored).await;
    }
    added.map(|_| ())
}

/// How long a browser may follow a report after its receipt was entered.
pub const FOLLOW_UP_SECONDS: i64 = 30 * 60;

/// A short-lived, keyed token naming the report opened with a receipt, so the follow-up pages
/// work without the receipt ever travelling in a URL or being stored in the browser.
pub fn follow_up_token(state: &AppState, report_id: Uuid) -> String {
    use base64::Engine;
    let expires = OffsetDateTime::now_utc().unix_timestamp() + FOLLOW_UP_SECONDS;
    let mut data = Vec::with_capacity(24 + 32);
    data.extend_from_slice(report_id.as_bytes());
    data.extend_from_slice(&expires.to_be_bytes());
    let tag = state.keys.mac(MacPurpose::FollowUp, &data);
    data.extend_from_slice(&tag);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

pub fn verify_follow_up_token(state: &AppState, token: &str) -> Option<Uuid> {
    use base64::Engine;
    let data = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    if data.len() != 16 + 8 + 32 {
        return None;
    }
    let (signed, tag) = data.split_at(24);
    if !state.keys.verify_mac(MacPurpose::FollowUp, signed, tag) {
        return None;
    }
    let expires = i64::from_be_bytes(signed[16..24].try_into().ok()?);
    if OffsetDateTime::now_utc().unix_timestamp() > expires {
        return None;
    }
    Uuid::from_slice(&signed[..16]).ok()
}
