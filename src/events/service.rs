//! Use cases of events: staff announce and edit them, cancel them and record what happened;
//! residents read the calendar, register and cancel by their link.

use std::sync::Arc;

use fluent_templates::fluent_bundle::FluentValue;
use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    self, AfterInput, EventInput, EventKind, EventStatus, RegistrationInput, RegistrationStatus,
};
use super::store::{self, DecisionRow, EventFields, EventRow, Mailing, RegisterOutcome, Window};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError, parse_id};
use crate::i18n::Lang;
use crate::notify::model::{Draft, link};
use crate::notify::store::SEAL_RECIPIENT;
use crate::state::AppState;

/// Who may open the staff pages of events and announce one.
pub const MANAGERS: &[Role] = &[Role::Coordinator, Role::Administrator, Role::Officer];
/// Who manages every event (officers only those of their organization).
pub const PLATFORM: &[Role] = &[Role::Coordinator, Role::Administrator];

pub const LIST_LIMIT: i64 = 200;

/// Whether `staff` may change `event`.
pub fn can_edit(staff: &Staff, event: &EventRow) -> bool {
    staff.require(PLATFORM).is_ok()
        || (staff.user.role == Role::Officer
            && staff.user.organization_id.is_some()
            && staff.user.organization_id == event.organization_id)
}

// ---- Public ----

pub async fn upcoming(
    state: &AppState,
    community: Option<&str>,
    kind: Option<EventKind>,
) -> AppResult<Vec<EventRow>> {
    let now = OffsetDateTime::now_utc();
    store::list(
        &state.db,
        community,
        kind,
        &Window::Upcoming { now },
        LIST_LIMIT,
    )
    .await
}

pub async fn past(
    state: &AppState,
    community: Option<&str>,
    kind: Option<EventKind>,
) -> AppResult<Vec<EventRow>> {
    let now = OffsetDateTime::now_utc();
    store::list(
        &state.db,
        community,
        kind,
        &Window::Past { now },
        LIST_LIMIT,
    )
    .await
}

/// The first moment of a local day of the platform.
pub fn local_day_start(state: &AppState, day: Date) -> OffsetDateTime {
    state
        .local_to_utc(day.midnight())
        .unwrap_or_else(|| day.midnight().assume_utc())
}

/// Events starting in a month (local time of the platform).
pub async fn month(
    state: &AppState,
    year: i32,
    month: Month,
    community: Option<&str>,
    kind: Option<EventKind>,
) -> AppResult<Vec<EventRow>> {
    let first = Date::from_calendar_date(year, month, 1).map_err(|_| AppError::NotFound)?;
    let (_, (next_year, next_month)) = model::neighbour_months(year, month);
    let next =
        Date::from_calendar_date(next_year, next_month, 1).map_err(|_| AppError::NotFound)?;
    let window = Window::Starting {
        from: local_day_start(state, first),
        until: local_day_start(state, next),
    };
    store::list(&state.db, community, kind, &window, 1_000).await
}

/// The feed: events from 90 days ago to a year ahead.
pub async fn feed(
    state: &AppState,
    community: Option<&str>,
    kind: Option<EventKind>,
) -> AppResult<Vec<EventRow>> {
    let now = OffsetDateTime::now_utc();
    let window = Window::Starting {
        from: now - time::Duration::days(90),
        until: now + time::Duration::days(366),
    };
    store::list(&state.db, community, kind, &window, 1_000).await
}

pub async fn event(state: &AppState, id: &str) -> AppResult<(EventRow, Vec<DecisionRow>)> {
    let id = parse_id(id)?;
    let event = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let decisions = store::decisions(&state.db, id).await?;
    Ok((event, decisions))
}

/// Why a person cannot register, as a Fluent key; `None` when they can.
pub fn closed_reason(event: &EventRow, now: OffsetDateTime) -> Option<&'static str> {
    if event.status == EventStatus::Cancelled {
        Some("events-closed-cancelled")
    } else if event.starts_at <= now {
        Some("events-closed-past")
    } else if event.capacity.is_none() {
        Some("events-closed-open")
    } else {
        None
    }
}

/// The facts an e-mail about an event carries.
fn mail(
    state: &AppState,
    lang: Lang,
    key: &str,
    event: &EventRow,
    cancel_link: Option<&str>,
) -> Draft {
    let public = state.config.public_url.as_deref();
    let event_link = link(public, &format!("/events/{}", event.id));
    let platform = state.platform_name(lang);
    let when = state.format_local(event.starts_at);
    let args = [
        ("title", FluentValue::from(event.title.as_str())),
        ("when", FluentValue::from(when.as_str())),
        ("place", FluentValue::from(event.place.as_str())),
        ("link", FluentValue::from(event_link.as_str())),
        ("cancel", FluentValue::from(cancel_link.unwrap_or_default())),
        ("platform", FluentValue::from(platform.as_str())),
    ];
    let mut paragraphs = vec![lang.t_args(&format!("{key}-body"), &args)];
    if cancel_link.is_some() {
        paragraphs.push(lang.t_args("events-mail-cancel-link", &args));
    }
    paragraphs.push(lang.t_args("events-mail-footer", &args));
    Draft {
        subject: lang
            .t_args(&format!("{key}-subject"), &args)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        body: paragraphs.join("\n\n") + "\n",
    }
}

/// What the answer page shows after a registration.
pub struct Registered {
    pub event: EventRow,
    pub outcome: RegisterOutcome,
    /// The cancellation link's token, shown once (not on a repeated submission).
    pub token: Option<String>,
    pub emailed: bool,
}

pub const REGISTRATION: &str = "registration";

pub async fn register(
    state: &AppState,
    lang: Lang,
    id: &str,
    input: &RegistrationInput,
) -> AppResult<Registered> {
    let (event, _) = event(state, id).await?;
    let now = OffsetDateTime::now_utc();
    if let Some(reason) = closed_reason(&event, now) {
        return Err(AppError::field("name", reason));
    }
    let valid = model::validate_registration(input).map_err(AppError::Validation)?;
    let keys = &state.keys;
    let token = crate::dialogue::new_link_token();
    let cancel_path = format!("/events/registrations/{token}");
    let cancel_link = link(state.config.public_url.as_deref(), &cancel_path);
    let (confirmation, waiting_notice) = match &valid.email {
        Some(email) => {
            let sealed = keys.seal(SEAL_RECIPIENT, email.as_bytes());
            (
                Some((
                    sealed.clone(),
                    mail(
                        state,
                        lang,
                        "events-mail-confirmed",
                        &event,
                        Some(&cancel_link),
                    ),
                )),
                Some((
                    sealed,
                    mail(
                        state,
                        lang,
                        "events-mail-waiting",
                        &event,
                        Some(&cancel_link),
                    ),
                )),
            )
        }
        None => (None, None),
    };
    let reg = store::NewRegistration {
        id: Uuid::now_v7(),
        event_id: event.id,
        name_sealed: keys.seal(store::SEAL_NAME, valid.name.as_bytes()),
        email_sealed: valid
            .email
            .as_ref()
            .map(|e| keys.seal(store::SEAL_EMAIL, e.as_bytes())),
        email_hash: valid
            .email
            .as_ref()
            .map(|e| crate::dialogue::address_hash(keys, REGISTRATION, e)),
        cancel_hash: crate::dialogue::token_hash(keys, REGISTRATION, &token),
        submission_key: crate::dialogue::submission_key(keys, REGISTRATION, &valid.form_token),
        language: lang.code(),
        confirmation,
        waiting_notice,
    };
    let outcome = store::register(&state.db, reg, now).await?;
    match outcome {
        RegisterOutcome::Refused(refusal) => Err(AppError::field(
            if refusal == store::Refusal::AddressRegistered {
                "email"
            } else {
                "name"
            },
            match refusal {
                store::Refusal::Past => "events-closed-past",
                store::Refusal::Cancelled => "events-closed-cancelled",
                store::Refusal::NoRegistration => "events-closed-open",
                store::Refusal::AddressRegistered => "events-error-address-registered",
            },
        )),
        RegisterOutcome::Stored { .. } => Ok(Registered {
            event: store::find(&state.db, event.id).await?.unwrap_or(event),
            outcome,
            token: Some(token),
            emailed: valid.email.is_some(),
        }),
        RegisterOutcome::Repeated { .. } => Ok(Registered {
            event,
            outcome,
            token: None,
            emailed: valid.email.is_some(),
        }),
    }
}

/// The registration of a cancellation link, with its event.
pub async fn registration(
    state: &AppState,
    token: &str,
) -> AppResult<(store::RegistrationRow, EventRow)> {
    let hash = crate::dialogue::token_hash(&state.keys, REGISTRATION, token);
    let reg = store::registration_by_link(&state.db, hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = store::find(&state.db, reg.event_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((reg, event))
}

pub async fn cancel_registration(state: &AppState, token: &str) -> AppResult<store::CancelOutcome> {
    let (_, event) = registration(state, token).await?;
    let hash = crate::dialogue::token_hash(&state.keys, REGISTRATION, token);
    let promotion = Mailing {
        keys: Arc::clone(&state.keys),
        drafts: crate::i18n::Lang::ALL
            .iter()
            .map(|lang| mail(state, *lang, "events-mail-promoted", &event, None))
            .collect(),
    };
    store::cancel_registration(&state.db, hash, OffsetDateTime::now_utc(), promotion).await
}

// ---- Staff ----

/// Every event, for the staff list: all staff may read it (the calendar is public anyway).
pub async fn all(state: &AppState, _staff: &Staff) -> AppResult<Vec<EventRow>> {
    store::all(&state.db).await
}

/// An event as staff see it: every member of staff sees every event; who may change it is
/// [`can_edit`], who may read the registered people's names [`may_see_names`].
pub async fn for_staff(
    state: &AppState,
    _staff: &Staff,
    id: &str,
) -> AppResult<(EventRow, Vec<DecisionRow>)> {
    event(state, id).await
}

async fn editable(state: &AppState, staff: &Staff, id: &str) -> AppResult<EventRow> {
    let (event, _) = for_staff(state, staff, id).await?;
    if can_edit(staff, &event) {
        Ok(event)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn fields_of(state: &AppState, input: &EventInput) -> AppResult<EventFields> {
    let catalog = state.catalog.get(&state.db).await?;
    let event = model::validate_event(input, |code| catalog.community(code).is_some())
        .map_err(AppError::Validation)?;
    let starts_at = state
        .local_to_utc(event.starts_local)
        .ok_or_else(|| AppError::field("starts_at", "events-error-datetime"))?;
    let ends_at = state
        .local_to_utc(event.ends_local)
        .ok_or_else(|| AppError::field("ends_at", "events-error-datetime"))?;
    if ends_at <= starts_at {
        return Err(AppError::field("ends_at", "events-error-end-before-start"));
    }
    Ok(EventFields {
        event,
        starts_at,
        ends_at,
    })
}

fn audit_view(fields: &EventFields) -> serde_json::Value {
    let e = &fields.event;
    serde_json::json!({
        "kind": e.kind.code(), "title": e.title, "community": e.community, "place": e.place,
        "starts_at": fields.starts_at.unix_timestamp(), "ends_at": fields.ends_at.unix_timestamp(),
        "capacity": e.capacity, "languages": e.languages,
    })
}

fn audit_row(e: &EventRow) -> serde_json::Value {
    serde_json::json!({
        "kind": e.kind.code(), "title": e.title, "community": e.community_code, "place": e.place,
        "starts_at": e.starts_at.unix_timestamp(), "ends_at": e.ends_at.unix_timestamp(),
        "capacity": e.capacity, "languages": e.languages, "status": e.status.code(),
    })
}

pub async fn create(state: &AppState, staff: &Staff, input: &EventInput) -> AppResult<Uuid> {
    staff.require(MANAGERS)?;
    let fields = fields_of(state, input).await?;
    let organization = if staff.user.role == Role::Officer {
        Some(staff.user.organization_id.ok_or(AppError::Forbidden)?)
    } else {
        None
    };
    let id = Uuid::now_v7();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "event.created",
        "event",
        id,
        None,
        Some(audit_view(&fields)),
    );
    store::insert(
        &state.db,
        id,
        fields,
        organization,
        Some(staff.user.id),
        OffsetDateTime::now_utc(),
        Some(audited),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: &EventInput,
) -> AppResult<Uuid> {
    let event = editable(state, staff, id).await?;
    let fields = fields_of(state, input).await?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "event.updated",
        "event",
        event.id,
        Some(audit_row(&event)),
        Some(audit_view(&fields)),
    );
    let promotion = Mailing {
        keys: Arc::clone(&state.keys),
        drafts: crate::i18n::Lang::ALL
            .iter()
            .map(|lang| mail(state, *lang, "events-mail-promoted", &event, None))
            .collect(),
    };
    store::update(
        &state.db,
        event.id,
        fields,
        OffsetDateTime::now_utc(),
        promotion,
        audited,
    )
    .await?;
    Ok(event.id)
}

/// Cancels the event; returns how many registered people were e-mailed.
pub async fn cancel(state: &AppState, staff: &Staff, id: &str) -> AppResult<usize> {
    let event = editable(state, staff, id).await?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "event.cancelled",
        "event",
        event.id,
        Some(serde_json::json!({ "status": event.status.code() })),
        Some(serde_json::json!({ "status": EventStatus::Cancelled.code() })),
    );
    let notice = Mailing {
        keys: Arc::clone(&state.keys),
        drafts: crate::i18n::Lang::ALL
            .iter()
            .map(|lang| mail(state, *lang, "events-mail-cancelled", &event, None))
            .collect(),
    };
    let told = store::cancel(
        &state.db,
        event.id,
        OffsetDateTime::now_utc(),
        notice,
        audited,
    )
    .await?;
    // A joint reception's bookings end with it; each resident is told (a later cancellation
    // finds none left, so a retry after a failure here finishes the work).
    let booked = crate::receptions::service::event_cancelled(state, staff, event.id).await?;
    Ok(told + booked)
}

pub async fn save_after(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: &AfterInput,
) -> AppResult<Uuid> {
    let event = editable(state, staff, id).await?;
    let (attendance, minutes) = model::validate_after(input).map_err(AppError::Validation)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "event.after_recorded",
        "event",
        event.id,
        Some(
            serde_json::json!({ "attendance": event.attendance, "minutes_chars": event.minutes.as_deref().map(|m| m.chars().count()) }),
        ),
        Some(
            serde_json::json!({ "attendance": attendance, "minutes_chars": minutes.as_deref().map(|m| m.chars().count()) }),
        ),
    );
    store::save_after(
        &state.db,
        event.id,
        attendance,
        minutes,
        OffsetDateTime::now_utc(),
        audited,
    )
    .await?;
    Ok(event.id)
}

pub async fn add_decision(
    state: &AppState,
    staff: &Staff,
    id: &str,
    text: &str,
) -> AppResult<Uuid> {
    let event = editable(state, staff, id).await?;
    let text = model::validate_decision(text).map_err(|e| AppError::Validation(vec![e]))?;
    let decision = Uuid::now_v7();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "event.decision_added",
        "event_decision",
        decision,
        None,
        Some(serde_json::json!({ "event": event.id, "text": text })),
    );
    store::add_decision(
        &state.db,
        decision,
        event.id,
        text,
        OffsetDateTime::now_utc(),
        audited,
    )
    .await?;
    Ok(event.id)
}

/// Changes a decision's text, or removes it (`remove`).
pub async fn change_decision(
    state: &AppState,
    staff: &Staff,
    id: &str,
    decision: &str,
    text: &str,
    remove: bool,
) -> AppResult<Uuid> {
    let event = editable(state, staff, id).await?;
    let decision = parse_id(decision)?;
    let before = store::decisions(&state.db, event.id)
        .await?
        .into_iter()
        .find(|d| d.id == decision)
        .ok_or(AppError::NotFound)?;
    if remove {
        let audited = Audited::by_staff(
            state,
            &staff.user,
            "event.decision_removed",
            "event_decision",
            decision,
            Some(serde_json::json!({ "event": event.id, "text": before.text })),
            None,
        );
        store::remove_decision(&state.db, decision, event.id, audited).await?;
    } else {
        let text = model::validate_decision(text).map_err(|e| AppError::Validation(vec![e]))?;
        let audited = Audited::by_staff(
            state,
            &staff.user,
            "event.decision_updated",
            "event_decision",
            decision,
            Some(serde_json::json!({ "event": event.id, "text": before.text })),
            Some(serde_json::json!({ "event": event.id, "text": text })),
        );
        store::update_decision(&state.db, decision, event.id, text, audited).await?;
    }
    Ok(event.id)
}

/// A registration as staff see it; names and addresses only for those who may open them.
pub struct StaffRegistration {
    pub name: Option<String>,
    pub email: Option<String>,
    pub status: RegistrationStatus,
    pub position: i64,
    pub created_at: OffsetDateTime,
    pub promoted_at: Option<OffsetDateTime>,
    pub cancelled_at: Option<OffsetDateTime>,
}

/// Whether `staff` may read who registered for `event`.
pub fn may_see_names(staff: &Staff, event: &EventRow) -> bool {
    can_edit(staff, event)
}

pub async fn registrations(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> AppResult<(EventRow, Vec<StaffRegistration>, bool)> {
    let (event, _) = for_staff(state, staff, id).await?;
    let names = may_see_names(staff, &event);
    let rows = store::registrations(&state.db, event.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (name, email) = if names {
            (
                Some(
                    state
                        .keys
                        .open_string(store::SEAL_NAME, &r.name_sealed)
                        .map_err(AppError::internal)?,
                ),
                match &r.email_sealed {
                    Some(sealed) => Some(
                        state
                            .keys
                            .open_string(store::SEAL_EMAIL, sealed)
                            .map_err(AppError::internal)?,
                    ),
                    None => None,
                },
            )
        } else {
            (None, None)
        };
        out.push(StaffRegistration {
            name,
            email,
            status: r.status,
            position: r.position,
            created_at: r.created_at,
            promoted_at: r.promoted_at,
            cancelled_at: r.cancelled_at,
        });
    }
    Ok((event, out, names))
}

// ---- For other capabilities ----

/// An event that took place, for the digest and statistics.
#[derive(Debug, Clone)]
pub struct HeldEvent {
    pub id: Uuid,
    pub title: String,
    /// One of the seven codes (`round_table`, …).
    pub kind: &'static str,
    /// `None`: the whole region.
    pub community: Option<String>,
    pub starts_at: OffsetDateTime,
    pub attendance: Option<i64>,
}

/// Events that started in `[from, until)` (and before now) and were not cancelled, in order of
/// their start.
pub async fn held_between(
    state: &AppState,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> AppResult<Vec<HeldEvent>> {
    Ok(store::held_between(&state.db, from, until)
        .await?
        .into_iter()
        .map(|e| HeldEvent {
            id: e.id,
            title: e.title,
            kind: e.kind.code(),
            community: e.community_code,
            starts_at: e.starts_at,
            attendance: e.attendance,
        })
        .collect())
}

fn day(at: OffsetDateTime) -> String {
    // Events are held in the daytime: the UTC day is the local one in Ukraine.
    let at = at.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:02}.{:02}.{}", at.day(), u8::from(at.month()), at.year())
}

/// Decisions of events for a commitment's form: (decision id, "event title — date — decision
/// text"), newest event first, at most 300.
pub async fn decisions_for_choice(db: &Db) -> AppResult<Vec<(Uuid, String)>> {
    Ok(store::recent_decisions(db, 300)
        .await?
        .into_iter()
        .map(|(id, title, at, text)| {
            let text: String = if text.chars().count() > 160 {
                text.chars().take(157).collect::<String>() + "…"
            } else {
                text
            };
            (id, format!("{title} — {} — {text}", day(at)))
        })
        .collect())
}

/// Round tables that have begun (not cancelled): (event id, "title — date"), latest first.
pub async fn round_tables_for_choice(db: &Db) -> AppResult<Vec<(Uuid, String)>> {
    Ok(store::past_round_tables(db, OffsetDateTime::now_utc(), 300)
        .await?
        .into_iter()
        .map(|(id, title, at)| (id, format!("{title} — {}", day(at))))
        .collect())
}

/// The field errors of a refused registration that are not the form's own.
pub fn is_closed_error(errors: &[FieldError]) -> bool {
    errors.iter().any(|e| e.key.starts_with("events-closed-"))
}
