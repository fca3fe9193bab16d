//! Use cases of joint receptions: what residents see and book, what staff lay out and see, the
//! reminders.

use fluent_templates::fluent_bundle::FluentValue;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{self, BookingInput, SeriesInput};
use super::store::{self, Booked, BookingRow, NewBooking, ReceptionRow, SlotRow};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::notify::Draft;
use crate::notify::store::SEAL_RECIPIENT;
use crate::state::AppState;

const SEAL_NAME: &str = "reception.name";
const SEAL_EMAIL: &str = "reception.email";
const SEAL_TOPIC: &str = "reception.topic";
const SEAL_TOKEN: &str = "reception.token";
/// Kind of the booking's links and forms for `crate::dialogue`'s hashes.
const TOKEN_KIND: &str = "booking";

/// Reminders queued per run at most; the rest wait for the next run.
pub const REMINDERS_PER_RUN: i64 = 200;

/// A reception with its slots, as its page shows it.
pub struct ReceptionPage {
    pub reception: ReceptionRow,
    pub slots: Vec<SlotRow>,
}

/// Receptions that have not ended (or, with `past`, those that have).
pub async fn receptions(state: &AppState, past: bool) -> AppResult<Vec<ReceptionRow>> {
    store::receptions(&state.db, OffsetDateTime::now_utc(), past).await
}

pub async fn reception(state: &AppState, id: Uuid) -> AppResult<ReceptionPage> {
    let reception = store::reception(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let slots = store::slots(&state.db, id).await?;
    Ok(ReceptionPage { reception, slots })
}

/// Who manages a reception's slots and reads its bookings: the platform's coordinators and
/// administrators, and the officers of the organization that holds the reception.
pub fn may_manage(staff: &Staff, reception: &ReceptionRow) -> bool {
    match staff.user.role {
        Role::Administrator | Role::Coordinator => true,
        Role::Officer => {
            reception.organization_id.is_some()
                && reception.organization_id == staff.user.organization_id
        }
        Role::Operator | Role::Analyst => false,
    }
}

/// A booking as it went: the link to cancel it is given once, on the page that answers.
pub struct BookingDone {
    pub booking: BookingRow,
    /// The cancellation link's token; `None` when a retried form found the earlier booking
    /// (the link is then in the e-mail only).
    pub token: Option<String>,
}

/// Books a slot of reception `event_id` for a resident. Field errors for bad input, and for a
/// slot that is taken or gone (the form is shown again with the slots as they are now).
pub async fn book(
    state: &AppState,
    event_id: Uuid,
    input: &BookingInput,
    lang: Lang,
) -> AppResult<BookingDone> {
    let valid = input.validate().map_err(AppError::Validation)?;
    let slot = store::slot(&state.db, valid.slot_id)
        .await?
        .filter(|s| s.event_id == event_id)
        .ok_or_else(|| AppError::field("slot", "reception-error-slot"))?;
    let reception = store::reception(&state.db, event_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = crate::dialogue::new_link_token();
    let id = Uuid::now_v7();
    let confirmation = confirmation_mail(state, lang, &reception, &slot, &token);
    let keys = &state.keys;
    let new = NewBooking {
        id,
        slot_id: slot.id,
        name_sealed: keys.seal(SEAL_NAME, valid.name.as_bytes()),
        email_sealed: keys.seal(SEAL_EMAIL, valid.email.as_bytes()),
        topic_sealed: keys.seal(SEAL_TOPIC, valid.topic.as_bytes()),
        cancel_hash: crate::dialogue::token_hash(keys, TOKEN_KIND, &token).to_vec(),
        token_sealed: keys.seal(SEAL_TOKEN, token.as_bytes()),
        submission_key: crate::dialogue::submission_key(keys, TOKEN_KIND, &input.form_token)
            .to_vec(),
        language: lang.code(),
        mail_to: keys.seal(SEAL_RECIPIENT, valid.email.as_bytes()),
        confirmation,
    };
    let (stored, token) = match store::book(&state.db, new, OffsetDateTime::now_utc()).await? {
        Booked::Stored(id) => (id, Some(token)),
        Booked::Again(id) => (id, None),
        Booked::SlotTaken => return Err(AppError::field("slot", "reception-error-slot-taken")),
        Booked::SlotGone => return Err(AppError::field("slot", "reception-error-slot-gone")),
    };
    let booking = store::booking(&state.db, stored)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(BookingDone { booking, token })
}

/// The booking a cancellation link leads to (a wrong link: not found).
pub async fn booking_by_token(state: &AppState, token: &str) -> AppResult<BookingRow> {
    let hash = crate::dialogue::token_hash(&state.keys, TOKEN_KIND, token);
    store::booking_by_token(&state.db, &hash)
        .await?
        .ok_or(AppError::NotFound)
}

/// Cancels the booking of a link; a booking cancelled already stays so (no error: the person
/// may press twice). Frees the slot for someone else.
pub async fn cancel_by_token(state: &AppState, token: &str) -> AppResult<BookingRow> {
    let booking = booking_by_token(state, token).await?;
    if !booking.cancelled {
        store::cancel_booking(&state.db, booking.id, None, None).await?;
    }
    booking_by_token(state, token).await
}

/// A booking with its identifying data opened, for staff who may read it.
pub struct OpenedBooking {
    pub row: BookingRow,
    pub name: String,
    pub email: String,
    pub topic: String,
}

/// The bookings of a reception, opened for staff who manage it.
pub async fn bookings(
    state: &AppState,
    staff: &Staff,
    reception: &ReceptionRow,
) -> AppResult<Vec<OpenedBooking>> {
    if !may_manage(staff, reception) {
        return Err(AppError::Forbidden);
    }
    let rows = store::bookings(&state.db, reception.id).await?;
    let open = |context: &str, sealed: &[u8]| {
        state
            .keys
            .open_string(context, sealed)
            .map_err(|_| AppError::internal("a booking could not be opened"))
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(OpenedBooking {
            name: open(SEAL_NAME, &row.name_sealed)?,
            email: open(SEAL_EMAIL, &row.email_sealed)?,
            topic: open(SEAL_TOPIC, &row.topic_sealed)?,
            row,
        });
    }
    Ok(out)
}

/// Adds a series of slots to a reception. Slots must lie within the reception's time (with its
/// day around it: receptions often run over their announced hours) and may not overlap slots
/// already offered.
pub async fn add_slots(
    state: &AppState,
    staff: &Staff,
    reception: &ReceptionRow,
    input: &SeriesInput,
) -> AppResult<usize> {
    if !may_manage(staff, reception) {
        return Err(AppError::Forbidden);
    }
    if reception.cancelled {
        return Err(AppError::Conflict("reception-cancelled-notice"));
    }
    let series = input.validate().map_err(AppError::Validation)?;
    let first = state
        .local_to_utc(series.first)
        .ok_or_else(|| AppError::field("starts_at", "reception-error-start"))?;
    if first <= OffsetDateTime::now_utc() {
        return Err(AppError::field("starts_at", "reception-error-start-past"));
    }
    let slots = model::series_slots(first, series.length, series.count);
    let existing = store::slots(&state.db, reception.id).await?;
    let clash = slots.iter().any(|new| {
        existing
            .iter()
            .filter(|s| !s.withdrawn)
            .any(|s| model::overlaps(*new, (s.starts_at, s.ends_at)))
    });
    if clash {
        return Err(AppError::Validation(vec![FieldError::new(
            "starts_at",
            "reception-error-overlap",
        )]));
    }
    let count = slots.len();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "reception.slots_added",
        "event",
        reception.id,
        None,
        Some(serde_json::json!({
            "first": first.unix_timestamp(),
            "minutes": series.length.whole_minutes(),
            "count": count,
            "official": series.official,
        })),
    );
    store::add_slots(&state.db, reception.id, series.official, slots, audited).await?;
    Ok(count)
}

pub async fn withdraw_slot(
    state: &AppState,
    staff: &Staff,
    reception: &ReceptionRow,
    slot_id: Uuid,
) -> AppResult<()> {
    if !may_manage(staff, reception) {
        return Err(AppError::Forbidden);
    }
    let slot = store::slot(&state.db, slot_id)
        .await?
        .filter(|s| s.event_id == reception.id)
        .ok_or(AppError::NotFound)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "reception.slot_withdrawn",
        "reception_slot",
        slot.id,
        None,
        None,
    );
    store::withdraw_slot(&state.db, slot.id, audited).await
}

/// Staff cancel a booking (the official cannot receive): the resident is told by e-mail.
pub async fn cancel_by_staff(
    state: &AppState,
    staff: &Staff,
    reception: &ReceptionRow,
    booking_id: Uuid,
) -> AppResult<()> {
    if !may_manage(staff, reception) {
        return Err(AppError::Forbidden);
    }
    let booking = store::booking(&state.db, booking_id)
        .await?
        .filter(|b| b.event_id == reception.id)
        .ok_or(AppError::NotFound)?;
    cancel_booking_and_tell(state, staff, reception, &booking).await
}

async fn cancel_booking_and_tell(
    state: &AppState,
    staff: &Staff,
    reception: &ReceptionRow,
    booking: &BookingRow,
) -> AppResult<()> {
    let email = state
        .keys
        .open_string(SEAL_EMAIL, &booking.email_sealed)
        .map_err(|_| AppError::internal("a booking could not be opened"))?;
    let lang = Lang::from_code(&booking.language).unwrap_or_default();
    let draft = compose(
        lang,
        "reception-mail-cancelled",
        &facts(
            state,
            lang,
            reception,
            &booking.starts_at,
            &booking.official,
            "",
        ),
    );
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "reception.booking_cancelled",
        "reception_booking",
        booking.id,
        None,
        None,
    );
    store::cancel_booking(
        &state.db,
        booking.id,
        Some((state.keys.seal(SEAL_RECIPIENT, email.as_bytes()), draft)),
        Some(audited),
    )
    .await?;
    Ok(())
}

/// Its event was cancelled: every booking still held is cancelled and its resident told by
/// e-mail; returns how many.
pub async fn event_cancelled(state: &AppState, staff: &Staff, event_id: Uuid) -> AppResult<usize> {
    let Some(reception) = store::reception(&state.db, event_id).await? else {
        return Ok(0); // not a joint reception
    };
    let mut told = 0;
    for booking in store::bookings(&state.db, event_id).await? {
        if !booking.cancelled {
            cancel_booking_and_tell(state, staff, &reception, &booking).await?;
            told += 1;
        }
    }
    Ok(told)
}

/// Queues the reminders due now (a day before each booked slot); returns how many. Each is
/// claimed in the database first, so several servers running this at once remind once.
pub async fn queue_reminders(state: &AppState, now: OffsetDateTime) -> AppResult<usize> {
    let due = store::reminders_due(
        &state.db,
        now,
        now + model::REMINDER_BEFORE,
        REMINDERS_PER_RUN,
    )
    .await?;
    let mut queued = 0;
    let mut receptions: std::collections::HashMap<Uuid, Option<ReceptionRow>> =
        std::collections::HashMap::new();
    for booking in due {
        let (Ok(email), Ok(token)) = (
            state.keys.open_string(SEAL_EMAIL, &booking.email_sealed),
            state.keys.open_string(SEAL_TOKEN, &booking.token_sealed),
        ) else {
            tracing::error!(booking = %booking.id, "a booking could not be opened for its reminder");
            continue;
        };
        // A reception's slots are reminded together: read each reception once per run.
        let reception = match receptions.get(&booking.event_id) {
            Some(found) => found.clone(),
            None => {
                let found = store::reception(&state.db, booking.event_id).await?;
                receptions.insert(booking.event_id, found.clone());
                found
            }
        };
        let Some(reception) = reception else {
            continue;
        };
        let lang = Lang::from_code(&booking.language).unwrap_or_default();
        let draft = compose(
            lang,
            "reception-mail-reminder",
            &facts(
                state,
                lang,
                &reception,
                &booking.starts_at,
                &booking.official,
                &token,
            ),
        );
        let to = state.keys.seal(SEAL_RECIPIENT, email.as_bytes());
        if store::queue_reminder(&state.db, booking.id, to, draft, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What the residents' e-mails of a booking say.
struct Facts {
    title: String,
    place: String,
    time: String,
    official: String,
    link: String,
    platform: String,
}

fn facts(
    state: &AppState,
    lang: Lang,
    reception: &ReceptionRow,
    starts_at: &OffsetDateTime,
    official: &str,
    token: &str,
) -> Facts {
    Facts {
        title: reception.title.clone(),
        place: reception.place.clone(),
        time: state.format_local(*starts_at),
        official: official.to_string(),
        link: crate::notify::model::link(
            state.config.public_url.as_deref(),
            &format!("/bookings/{token}"),
        ),
        platform: state.platform_name(lang),
    }
}

fn confirmation_mail(
    state: &AppState,
    lang: Lang,
    reception: &ReceptionRow,
    slot: &SlotRow,
    token: &str,
) -> Draft {
    compose(
        lang,
        "reception-mail-booked",
        &facts(
            state,
            lang,
            reception,
            &slot.starts_at,
            &slot.official,
            token,
        ),
    )
}

fn compose(lang: Lang, key: &str, f: &Facts) -> Draft {
    let args = [
        ("title", FluentValue::from(f.title.as_str())),
        ("place", FluentValue::from(f.place.as_str())),
        ("time", FluentValue::from(f.time.as_str())),
        ("official", FluentValue::from(f.official.as_str())),
        ("link", FluentValue::from(f.link.as_str())),
        ("platform", FluentValue::from(f.platform.as_str())),
    ];
    let subject = lang.t_args(&format!("{key}-subject"), &args);
    let body = [
        lang.t_args(&format!("{key}-body"), &args),
        lang.t_args("reception-mail-footer", &args),
    ]
    .join("\n\n")
        + "\n";
    Draft {
        subject: subject.replace(['\r', '\n'], " "),
        body,
    }
}
