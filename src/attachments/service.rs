//! Preparing uploaded files for storage and serving the stripped copies.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::model::{self, AttachmentKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// Most files one report or one addition may carry.
pub const MAX_FILES: usize = 5;

/// A file as received, before any checks.
#[derive(Debug)]
pub struct Upload {
    pub file_name: Option<String>,
    pub bytes: bytes::Bytes,
}

/// An attachment whose blobs are durably stored; its row is written with the report.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub id: Uuid,
    pub kind: AttachmentKind,
    pub original_key: String,
    pub original_size: i64,
    pub original_sha256: Vec<u8>,
    pub served_key: String,
    pub served_size: i64,
    pub name_sealed: Option<Vec<u8>>,
}

const SEAL_ORIGINAL: &str = "attachment.original";
const SEAL_SERVED: &str = "attachment.served";
const SEAL_NAME: &str = "attachment.name";

/// Checks every upload (type sniffed from content, size) before storing any of them, so a
/// rejected file rejects the submission without leaving blobs behind.
pub async fn store_uploads(
    state: &AppState,
    uploads: Vec<Upload>,
    field: &'static str,
) -> AppResult<Vec<StoredAttachment>> {
    if uploads.len() > MAX_FILES {
        return Err(AppError::field(field, "attachment-too-many"));
    }
    let mut prepared: Vec<(Upload, AttachmentKind, Vec<u8>)> = Vec::with_capacity(uploads.len());
    for upload in uploads {
        // Sniffing and stripping parse untrusted bytes: keep them off the async workers.
        let result = tokio::task::spawn_blocking(move || {
            let kind = model::sniff(&upload.bytes)?;
            let served = model::strip_metadata(kind, &upload.bytes)?;
            Ok::<_, model::AttachmentError>((upload, kind, served))
        })
        .await
        .map_err(AppError::internal)?;
        match result {
            Ok(item) => prepared.push(item),
            Err(err) => {
                return Err(AppError::Validation(vec![FieldError::new(
                    field,
                    err.message_key(),
                )]));
            }
        }
    }
    let mut stored = Vec::with_capacity(prepared.len());
    for (upload, kind, served) in prepared {
        let id = Uuid::now_v7();
        let shard = &id.simple().to_string()[28..30];
        let original_key = format!("originals/{shard}/{id}");
        let served_key = format!("served/{shard}/{id}");
        let original_sha256 = Sha256::digest(&upload.bytes).to_vec();
        let sealed_original = state.keys.seal(SEAL_ORIGINAL, &upload.bytes);
        let sealed_served = state.keys.seal(SEAL_SERVED, &served);
        state
            .blobs
            .put(&original_key, &sealed_original)
            .await
            .map_err(AppError::internal)?;
        state
            .blobs
            .put(&served_key, &sealed_served)
            .await
            .map_err(AppError::internal)?;
        let name_sealed = upload
            .file_name
            .as_deref()
            .map(crate::intake::model::clean_text)
            .filter(|n| !n.is_empty())
            .map(|n| state.keys.seal(SEAL_NAME, n.as_bytes()));
        stored.push(StoredAttachment {
            id,
            kind,
            original_key,
            original_size: upload.bytes.len() as i64,
            original_sha256,
            served_key,
            served_size: served.len() as i64,
            name_sealed,
        });
    }
    Ok(stored)
}

/// Removes the blobs of attachments whose report was not written (e.g. a replayed submission).
pub async fn discard(state: &AppState, attachments: &[StoredAttachment]) {
    for a in attachments {
        for key in [&a.original_key, &a.served_key] {
            if let Err(err) = state.blobs.delete(key).await {
                tracing::warn!(error = %err, "could not delete an unused blob");
            }
        }
    }
}

/// The stripped copy of an attachment of `report_id`, ready to serve.
pub async fn served_copy(
    state: &AppState,
    report_id: Uuid,
    attachment_id: Uuid,
) -> AppResult<(AttachmentKind, Vec<u8>)> {
    let row = super::store::find(&state.db, report_id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sealed = state
        .blobs
        .get(&row.served_key)
        .await
        .map_err(AppError::internal)?;
    let bytes = state
        .keys
        .open(SEAL_SERVED, &sealed)
        .map_err(AppError::internal)?;
    Ok((row.kind, bytes.to_vec()))
}

/// The sealed original, opened: evidence for staff (used by case handling).
pub async fn original(
    state: &AppState,
    report_id: Uuid,
    attachment_id: Uuid,
) -> AppResult<Vec<u8>> {
    let row = super::store::find(&state.db, report_id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sealed = state
        .blobs
        .get(&row.original_key)
        .await
        .map_err(AppError::internal)?;
    let bytes = state
        .keys
        .open(SEAL_ORIGINAL, &sealed)
        .map_err(AppError::internal)?;
    Ok(bytes.to_vec())
}
