//! Demo receptions: times for booking at the demo's joint receptions (events of kind
//! `joint_reception`, added by the demo events), a few of them booked.

use time::{Duration, OffsetDateTime};

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::receptions::model::BookingInput;
use crate::receptions::{service, store};
use crate::state::AppState;

/// Length of a demo slot.
const SLOT_MINUTES: i64 = 20;
/// Who receives at the demo's receptions, one after the other.
const OFFICIALS: [&str; 3] = [
    "Начальник Краматорського районного управління поліції",
    "Заступник керівника Донецької обласної прокуратури",
    "Секретар Краматорської міської ради",
];
/// Slots per reception at most.
const SLOTS_PER_RECEPTION: usize = 9;

/// Opens times at every upcoming demo reception that has none yet (so a second load adds
/// nothing), and books two of them the way residents would.
pub async fn add(state: &AppState) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    for reception in store::receptions(&state.db, now, false).await? {
        if reception.cancelled || reception.slots > 0 || reception.starts_at <= now {
            continue;
        }
        let length = Duration::minutes(SLOT_MINUTES);
        let fits = ((reception.ends_at - reception.starts_at).whole_minutes() / SLOT_MINUTES)
            .clamp(1, SLOTS_PER_RECEPTION as i64) as usize;
        let slots = crate::receptions::model::series_slots(reception.starts_at, length, fits);
        // Each official receives for a third of the reception.
        let per_official = slots.len().div_ceil(OFFICIALS.len());
        for (official, part) in OFFICIALS.iter().zip(slots.chunks(per_official)) {
            let audited = crate::audit::Audited::by_system(
                state,
                "reception.slots_added",
                "event",
                reception.id,
                None,
                Some(serde_json::json!({ "count": part.len(), "demo": true })),
            );
            store::add_slots(
                &state.db,
                reception.id,
                official.to_string(),
                part.to_vec(),
                audited,
            )
            .await?;
        }
        let offered = store::slots(&state.db, reception.id).await?;
        let residents = [
            (
                "Галина Іваненко",
                "halyna.demo@example.org",
                "Нічні перевірки документів на блокпосту біля ринку.",
            ),
            (
                "Сергій Мельник",
                "serhii.demo@example.org",
                "Як подати скаргу на дії патрульних і хто її розглядає.",
            ),
        ];
        for (slot, (name, email, topic)) in offered.iter().skip(1).step_by(3).zip(residents) {
            let input = BookingInput {
                slot: slot.id.to_string(),
                name: name.into(),
                email: email.into(),
                topic: topic.into(),
                form_token: crate::dialogue::new_link_token(),
            };
            service::book(state, reception.id, &input, Lang::Uk).await?;
        }
    }
    Ok(())
}
