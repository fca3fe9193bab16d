//! Audit use cases: record an event on its own, verify the whole chain. No HTTP types here.

use super::model::{ChainCheck, ChainHead, NewAuditEvent, Problem, VerifyReport};
use super::store::{self, AuditAppend, StoredEvent};
use crate::crypto::{Keys, MacPurpose};
use crate::db::Db;
use crate::db_write;
use crate::error::{AppError, AppResult};

/// Events read per query while verifying: the chain is never held in memory whole.
const PAGE: i64 = 10_000;

/// Appends `event` in a transaction of its own: for callers with no transaction of their own to
/// join (a change made elsewhere already committed, the command line). Changes of the store
/// should record inside their own transaction with [`crate::audit_append!`] instead, so the
/// change and its record commit together. `before`/`after` must be redacted (see
/// [`NewAuditEvent`]).
pub async fn record(db: &Db, keys: &Keys, event: NewAuditEvent) -> AppResult<()> {
    // An owned key: a job of the SQLite writer cannot borrow.
    let key = keys.mac_key(MacPurpose::Audit);
    db_write!(db, |conn| {
        conn.append_audit(&key, &event).await?;
        Ok::<_, AppError>(())
    })
}

/// Checks the whole chain in seq order: every event's hash, its link to the one before, no gaps,
/// and its end against the stored head.
///
/// The head lives in the same database, so someone who deletes the newest events and also moves
/// the head back is caught only by a head kept elsewhere: print it now and then with `mistok
/// audit head`, keep it outside the database, and pass it to [`verify_with_anchors`] (`mistok
/// audit verify --anchor`).
pub async fn verify(db: &Db, keys: &Keys) -> AppResult<VerifyReport> {
    verify_with_anchors(db, keys, &[]).await
}

/// [`verify`], and the chain must still hold each of `anchors` (heads printed earlier).
pub async fn verify_with_anchors(
    db: &Db,
    keys: &Keys,
    anchors: &[ChainHead],
) -> AppResult<VerifyReport> {
    let key = keys.mac_key(MacPurpose::Audit);
    let mut check = ChainCheck::new(&key, anchors);
    // Below any seq, so that an event numbered outside the chain is read too.
    let mut after = i64::MIN;
    let mut reread_after_head = false;
    loop {
        let page = store::page(db, after, PAGE).await?;
        if let Some(last) = page.last() {
            after = match last {
                StoredEvent::Event(e) => e.seq,
                StoredEvent::Unreadable { seq } => *seq,
            };
            reread_after_head = false;
            for stored in &page {
                let pushed = match stored {
                    StoredEvent::Event(event) => check.push(event),
                    StoredEvent::Unreadable { seq } => Err(Problem::Unreadable { seq: *seq }),
                };
                if let Err(problem) = pushed {
                    return Ok(VerifyReport {
                        checked: check.checked(),
                        head: store::head(db).await?,
                        problem: Some(problem),
                    });
                }
            }
            continue;
        }
        let head = store::head(db).await?;
        // An event and the head commit together, so a head ahead of the last page means events
        // appended since that page was read: read once more before calling it a deletion.
        if let Some(h) = &head
            && h.seq > check.last().seq
            && !reread_after_head
        {
            reread_after_head = true;
            continue;
        }
        return Ok(VerifyReport {
            checked: check.checked(),
            problem: check.finish(head.as_ref()).err(),
            head,
        });
    }
}
