//! `mistok demo`: a realistic demo region (Donetsk region, communities under government
//! control, organizations, categories in three languages) and a few hundred varied reports.

pub mod data;
mod dialogue;
mod events;
mod receptions;
mod store;
pub mod surveys;

use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::catalog::store::{NewCommunity, NewOrganization, ensure_region};
use crate::error::AppResult;
use crate::intake::model::{ReportKind, Status};
use crate::intake::receipt::Receipt;
use crate::intake::service::{SEAL_CONTACT, SEAL_WITNESSES};
use crate::intake::store::{Inserted, NewReportRow, insert_report};
use crate::settings;
use crate::state::AppState;

pub struct DemoSummary {
    pub reports_added: usize,
    /// A few receipts of demo reports, so that a person can try the follow-up page.
    pub sample_receipts: Vec<(String, String)>,
}

/// Loads the demo region; adds `reports` reports unless the store already holds reports.
pub async fn load(state: &AppState, reports: usize) -> AppResult<DemoSummary> {
    let communities = data::COMMUNITIES
        .iter()
        .map(|c| NewCommunity {
            code: c.code,
            name: c.name,
            lat: c.lat,
            lon: c.lon,
            population: i64::from(c.population),
        })
        .collect();
    let organizations = data::ORGANIZATIONS
        .iter()
        .map(|o| NewOrganization {
            code: o.code,
            kind: o.kind,
            name: o.name,
            community: o.community,
        })
        .collect();
    ensure_region(
        &state.db,
        data::REGION.code,
        data::REGION.name,
        communities,
        organizations,
    )
    .await?;
    store::set_head_emails(&state.db, data::HEAD_EMAILS).await?;
    settings::set_default(
        &state.db,
        settings::REFERENCE_PREFIX,
        data::REGION.reference_prefix.to_string(),
    )
    .await?;
    state.catalog.invalidate();
    add_articles(state).await?;
    if store::report_count(&state.db).await? > 0 {
        return Ok(DemoSummary {
            reports_added: 0,
            sample_receipts: Vec::new(),
        });
    }
    let prefix = state.reference_prefix(&*state.catalog.get(&state.db).await?);
    let now = OffsetDateTime::now_utc();
    let context = DemoContext {
        coordinator: store::demo_coordinator(&state.db, data::DEMO_COORDINATOR).await?,
        organizations: crate::referrals::store::organizations(&state.db)
            .await?
            .into_iter()
            .map(|o| (o.code, o.id))
            .collect(),
    };
    let context = &context;
    // Reports are written by many tasks at once, so that the group-commit writer (or PostgreSQL's
    // connections) can take them in batches: a million demo cases load in minutes, not hours.
    // Each report draws from its own seeded generator, so the demo is the same whatever the order.
    let mut added = futures_util::stream::iter(0..reports)
        .map(|n| add_report(state, context, prefix.clone(), (n, reports), now))
        .buffer_unordered(CONCURRENT_WRITES);
    let mut sample_receipts = Vec::new();
    let mut done = 0usize;
    while let Some(result) = added.next().await {
        if let Some((n, reference, receipt)) = result?
            && n < 3
        {
            sample_receipts.push((reference, receipt));
        }
        done += 1;
        if done.is_multiple_of(PROGRESS_EVERY) {
            eprintln!("{done} of {reports} demo reports added");
        }
    }
    sample_receipts.sort();
    // With demo cases comes the demo survey (tests and benchmarks load no cases, and build
    // their own surveys).
    if reports > 0 {
        surveys::add(state).await?;
        // The dialogue: events first (receptions and decisions belong to them), then the
        // priorities and commitments that refer to them.
        events::add(state).await?;
        receptions::add(state).await?;
        dialogue::add(state).await?;
    }
    // Staff can find the demo cases by text straight away.
    crate::search::index::catch_up(&state.db).await?;
    Ok(DemoSummary {
        reports_added: reports,
        sample_receipts,
    })
}

const CONCURRENT_WRITES: usize = 64;
const PROGRESS_EVERY: usize = 100_000;

/// What every demo report may refer to: the (disabled) demo coordinator who "handled" the
/// cases, and the organizations by code.
struct DemoContext {
    coordinator: Uuid,
    organizations: std::collections::HashMap<String, Uuid>,
}

/// Offsets (degrees of latitude, longitude) from a community's centre of the places its demo
/// reports gather around: the centre, the station, the market, an outlying district.
const DEMO_PLACES: [(f64, f64); 4] = [(0.0, 0.0), (0.009, -0.014), (-0.012, 0.008), (0.016, 0.021)];

/// Which of [`DEMO_PLACES`] a report is near, from a number 0..100: 45, 25, 18 and 12 in 100.
fn weighted_place(roll: u32) -> usize {
    match roll {
        0..45 => 0,
        45..70 => 1,
        70..88 => 2,
        _ => 3,
    }
}

/// Adds demo report number `n` with its past (status history, referrals, public updates, a
/// question from staff, a publication in the register); returns its reference and receipt.
async fn add_report(
    state: &AppState,
    context: &DemoContext,
    prefix: String,
    (n, total): (usize, usize),
    now: OffsetDateTime,
) -> AppResult<Option<(usize, String, String)>> {
    let mut rng = StdRng::seed_from_u64(2026 ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let story = &data::STORIES[rng.random_range(0..data::STORIES.len())];
    let community = pick_community(&mut rng);
    // Reports arrive over the past year in the order they are numbered, as real ones do (so the
    // order they are stored in is, roughly, the order they were received in).
    let year = 365 * 24 * 60_i64;
    let minutes_ago = year - (n as i64 * year / total.max(1) as i64) + rng.random_range(0..30);
    let created_at = now - Duration::minutes(minutes_ago.max(30));
    let occurred_at = created_at - Duration::minutes(rng.random_range(10..72 * 60));
    let has_contact = rng.random_bool(0.4);
    let contact = has_contact.then(|| {
        format!(
            "+380 {} {:03} {:02} {:02}",
            [50, 66, 67, 68, 73, 93, 95, 97, 99][rng.random_range(0..9)],
            rng.random_range(0..1000),
            rng.random_range(0..100),
            rng.random_range(0..100)
        )
    });
    let receipt = Receipt::random();
    let located = rng.random_bool(0.5);
    // Reports gather where people do (the centre, the station, the market, a district), a few
    // hundred metres around each place, so the demo's maps show hot spots as real ones do.
    let (place_lat, place_lon) = DEMO_PLACES[weighted_place(rng.random_range(0..100))];
    let jitter =
        |rng: &mut StdRng| rng.random_range(-0.002..0.002) + rng.random_range(-0.002..0.002);
    let (lat, lon) = (
        community.lat + place_lat + jitter(&mut rng),
        community.lon + place_lon + jitter(&mut rng) * 1.5,
    );
    let row = NewReportRow {
        search_text: crate::search::search_text(&[
            Some(story.description),
            story.place,
            story.involved,
        ]),
        id: Uuid::now_v7(),
        kind: ReportKind::from_code(story.kind).unwrap_or(ReportKind::Other),
        category: story.category.to_string(),
        community: community.code.to_string(),
        place: story.place.map(str::to_string),
        lat: located.then_some(lat),
        lon: located.then_some(lon),
        occurred_at: Some(occurred_at),
        description: story.description.to_string(),
        involved_unit: story.involved.map(str::to_string),
        involved_badge: None,
        witnesses_sealed: rng.random_bool(0.1).then(|| {
            state
                .keys
                .seal(SEAL_WITNESSES, b"Neighbour from the same building")
        }),
        contact_sealed: contact
            .as_ref()
            .map(|c| state.keys.seal(SEAL_CONTACT, c.as_bytes())),
        consent_contact: has_contact && rng.random_bool(0.8),
        consent_publish: rng.random_bool(0.5),
        channel: ["web", "web", "web", "api", "api", "phone"][rng.random_range(0..6)],
        language: lang_code(story.lang),
        receipt_hash: receipt.hash(&state.keys).to_vec(),
        idempotency_hash: None,
        fingerprint: None,
        received_month: state.local_month(created_at),
        created_at,
        attachments: Vec::new(),
    };
    let id = row.id;
    let consent_publish = row.consent_publish;
    let Inserted::New { reference } = insert_report(&state.db, prefix, row).await? else {
        return Ok(None);
    };
    let path = status_path(&mut rng);
    let mut at = created_at;
    let mut history = Vec::new();
    for status in path.iter().skip(1) {
        at += Duration::hours(rng.random_range(2..24 * 10));
        if at > now {
            break;
        }
        history.push((*status, at));
    }
    let mut updates = Vec::new();
    for (status, at) in &history {
        if matches!(
            status,
            Status::Referred | Status::Responded | Status::Closed
        ) {
            let update = &data::PUBLIC_UPDATES[rng.random_range(0..data::PUBLIC_UPDATES.len())];
            updates.push((
                update.get(lang_of(story.lang)).to_string(),
                *at + Duration::minutes(5),
            ));
        }
    }
    let mut messages = Vec::new();
    if rng.random_bool(0.2) {
        let question = &data::STAFF_MESSAGES[rng.random_range(0..data::STAFF_MESSAGES.len())];
        let asked = created_at + Duration::hours(rng.random_range(1..48));
        if asked < now {
            messages.push((false, question.get(lang_of(story.lang)).to_string(), asked));
        }
    }
    let referral = history
        .iter()
        .find(|(status, _)| *status == Status::Referred)
        .and_then(|(_, referred_at)| {
            let code = referring_to(story.kind, community.code);
            let organization = *context.organizations.get(code)?;
            let reached = |s: Status| history.iter().find(|(h, _)| *h == s).map(|(_, at)| *at);
            let (status, first_response_at, answered_at) =
                match (reached(Status::Responded), reached(Status::InProgress)) {
                    (Some(answered), accepted) => (
                        "responded",
                        Some(accepted.unwrap_or(answered)),
                        Some(answered),
                    ),
                    (None, Some(accepted)) => ("accepted", Some(accepted), None),
                    (None, None) => ("sent", None, None),
                };
            Some(store::DemoReferral {
                organization,
                created_by: context.coordinator,
                referred_at: *referred_at,
                due_at: *referred_at + Duration::days(14),
                status,
                first_response_at,
                answered_at,
                // Long-overdue demo referrals were escalated when they fell due, as the job
                // would have done; otherwise a fresh demo would send a storm of e-mails.
                escalated_at: (status != "responded" && *referred_at + Duration::days(14) < now)
                    .then(|| *referred_at + Duration::days(14) + Duration::hours(1)),
                response: (status == "responded").then(|| {
                    data::AGENCY_RESPONSES[rng.random_range(0..data::AGENCY_RESPONSES.len())]
                        .get(lang_of(story.lang))
                        .to_string()
                }),
            })
        });
    // Spam and out-of-scope reports are never published.
    let rejected = history
        .iter()
        .any(|(status, _)| *status == Status::Rejected);
    let publication = (consent_publish && !history.is_empty() && !rejected && rng.random_bool(0.7))
        .then(|| {
            let lang = lang_of(story.lang);
            crate::public::model::Publication {
                // Demo stories name no real person, so their text stands in for the summary a
                // coordinator would write.
                title: crate::reference_data::DEFAULT_CATEGORIES
                    .iter()
                    .find(|c| c.code == story.category)
                    .map(|c| c.name.get(lang).to_string())
                    .unwrap_or_else(|| story.category.to_string()),
                summary: story.description.to_string(),
                language: lang,
            }
        });
    if !history.is_empty() || !messages.is_empty() {
        let past = store::DemoPast {
            history,
            updates,
            messages,
            language: lang_code(story.lang),
            referral,
            // How closed demo cases ended.
            outcome: [
                "confirmed",
                "not_confirmed",
                "resolved",
                "resolved_by_mediation",
                "referred_to_court",
            ][rng.random_range(0..5)],
        };
        store::apply_history(&state.db, id, past).await?;
    }
    if let Some(publication) = publication {
        let at = created_at + Duration::days(2);
        crate::public::store::publish(&state.db, id, publication, None, at.min(now), None).await?;
    }
    Ok(Some((n, reference, receipt.display())))
}

/// News and the platform's pages, once.
async fn add_articles(state: &AppState) -> AppResult<()> {
    if !crate::news::store::all(&state.db).await?.is_empty() {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    for article in data::ARTICLES {
        let text =
            |name: &crate::i18n::Name| [name.uk, name.ru, name.en].map(|t| Some(t.to_string()));
        let checked = crate::news::model::Article {
            kind: crate::news::model::ArticleKind::from_code(article.kind)
                .unwrap_or(crate::news::model::ArticleKind::News),
            slug: Some(article.slug.to_string()).filter(|s| !s.is_empty()),
            titles: text(&article.title),
            bodies: text(&article.body),
            publish: true,
        };
        let published_at = now - Duration::days(article.days_ago);
        crate::news::store::save_as_of(&state.db, Uuid::now_v7(), checked, published_at).await?;
    }
    Ok(())
}

/// The agency a demo case of this kind in this community is referred to.
fn referring_to(kind: &str, community: &str) -> &'static str {
    let police = match community {
        "kramatorsk" => "kramatorsk_rup",
        "sloviansk" => "sloviansk_police",
        "kostiantynivka" => "kostiantynivka_police",
        _ => "gunp_donetsk",
    };
    match (kind, community) {
        ("violation", "kramatorsk" | "sloviansk") => "prosecutor_donetsk",
        ("violation", _) => "ombudsman_donetsk",
        ("safety", "kramatorsk") => "kramatorsk_city_council",
        ("safety", "sloviansk") => "sloviansk_city_council",
        ("safety", "druzhkivka") => "druzhkivka_city_council",
        _ => police,
    }
}

fn lang_code(lang: &str) -> &'static str {
    lang_of(lang).code()
}

fn lang_of(lang: &str) -> crate::i18n::Lang {
    crate::i18n::Lang::from_code(lang).unwrap_or_default()
}

/// Larger communities send more reports.
fn pick_community(rng: &mut StdRng) -> &'static data::DemoCommunity {
    let total: u64 = data::COMMUNITIES
        .iter()
        .map(|c| u64::from(c.population))
        .sum();
    let mut ticket = rng.random_range(0..total.max(1));
    for community in data::COMMUNITIES {
        let weight = u64::from(community.population);
        if ticket < weight {
            return community;
        }
        ticket -= weight;
    }
    &data::COMMUNITIES[0]
}

/// The statuses a demo case passes through, ending at a plausible current one.
fn status_path(rng: &mut StdRng) -> Vec<Status> {
    use Status::*;
    let paths: [&[Status]; 8] = [
        &[Received],
        &[Received, Triaged],
        &[Received, Triaged, Referred],
        &[Received, Triaged, Referred, InProgress],
        &[Received, Triaged, Referred, InProgress, Responded],
        &[Received, Triaged, Referred, InProgress, Responded, Closed],
        &[Received, Triaged, Referred, Responded, Closed],
        &[Received, Rejected],
    ];
    let weights = [20, 15, 20, 15, 10, 10, 5, 5];
    let total: u32 = weights.iter().sum();
    let mut ticket = rng.random_range(0..total);
    for (path, weight) in paths.iter().zip(weights) {
        if ticket < weight {
            return path.to_vec();
        }
        ticket -= weight;
    }
    vec![Received]
}
