//! The digest of one month, assembled once as neutral sections (headings, text, tables) from
//! which both the web page and the PDF are drawn, so the two always say the same.
//!
//! Its figures come from the public statistics (so the same small-count suppression applies)
//! and its cases from the public register (so only consented, redacted summaries appear).

use time::{Date, OffsetDateTime};

use super::pdf::Block;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::public::model::YearMonth;
use crate::public::store::{RegisterSelection, register};
use crate::state::AppState;
use crate::statistics::model::Filters;
use crate::statistics::web::duration;

/// Published cases of the month listed by name in the digest.
const CASES_LISTED: i64 = 10;

/// One part of the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
    /// Lines of a list (cases, news), with the address they lead to on the site.
    pub items: Vec<(String, String)>,
}

/// A month's digest in one language.
#[derive(Debug, Clone)]
pub struct Digest {
    pub month: YearMonth,
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// The month is not over: figures so far.
    pub partial: bool,
    pub sections: Vec<Section>,
}

/// `2026-10` → the month, if it has begun (a digest of the future is a field error).
pub fn parse_month(state: &AppState, text: &str) -> AppResult<YearMonth> {
    let month =
        YearMonth::parse(text).ok_or_else(|| AppError::field("month", "error-month-invalid"))?;
    let today = state.today();
    if month.first_day() > today {
        return Err(AppError::field("month", "error-digest-future"));
    }
    Ok(month)
}

pub fn month_name(lang: Lang, month: YearMonth) -> String {
    format!(
        "{} {}",
        lang.t(&format!("digest-month-{}", u8::from(month.month))),
        month.year
    )
}

fn last_day(month: YearMonth) -> Date {
    month
        .next()
        .first_day()
        .previous_day()
        .unwrap_or(month.first_day())
}

pub async fn digest(state: &AppState, month: YearMonth, lang: Lang) -> AppResult<Digest> {
    let today = state.today();
    let filters = Filters {
        from: month.first_day(),
        to: last_day(month).min(today),
        kind: None,
        category: None,
        community: None,
    };
    let figures = crate::statistics::service::figures(state, &filters).await?;
    let catalog = state.catalog.get(&state.db).await?;
    let name = month_name(lang, month);
    let mut sections = Vec::new();

    // Cases of the month, and how they stand.
    let mut summary = vec![lang.t_args(
        "digest-cases-summary",
        &[
            ("month", name.clone().into()),
            ("cases", figures.cases.display().into()),
            ("closed", figures.closed.display().into()),
            ("open", figures.open.display().into()),
            ("rejected", figures.rejected.display().into()),
        ],
    )];
    summary.push(lang.t("digest-small-counts"));
    let kinds = figures
        .by_kind
        .iter()
        .map(|r| {
            vec![
                lang.t(&format!("kind-{}", r.code.replace('_', "-"))),
                r.count.display(),
            ]
        })
        .collect();
    sections.push(Section {
        heading: lang.t("digest-cases"),
        paragraphs: summary,
        table: Some((vec![lang.t("case-kind"), lang.t("digest-count")], kinds)),
        items: Vec::new(),
    });

    let communities: Vec<Vec<String>> = figures
        .by_community
        .iter()
        .flat_map(|g| g.rows.iter())
        .map(|r| {
            vec![
                catalog
                    .community(&r.code)
                    .map(|c| c.names.get(lang).to_string())
                    .unwrap_or_else(|| r.code.clone()),
                r.count.display(),
            ]
        })
        .collect();
    if !communities.is_empty() {
        sections.push(Section {
            heading: lang.t("digest-communities"),
            paragraphs: Vec::new(),
            table: Some((
                vec![lang.t("field-community"), lang.t("digest-count")],
                communities,
            )),
            items: Vec::new(),
        });
    }

    let outcomes: Vec<Vec<String>> = figures
        .outcomes
        .iter()
        .map(|r| {
            let label = match crate::cases::model::Outcome::from_code(&r.code) {
                Some(outcome) => lang.t(&outcome.message_key()),
                None => lang.t("stats-outcome-not-recorded"),
            };
            vec![label, r.count.display()]
        })
        .collect();
    if !outcomes.is_empty() {
        sections.push(Section {
            heading: lang.t("digest-outcomes"),
            paragraphs: Vec::new(),
            table: Some((
                vec![lang.t("field-outcome"), lang.t("digest-count")],
                outcomes,
            )),
            items: Vec::new(),
        });
    }

    // How each agency answered.
    let agencies: Vec<Vec<String>> = figures
        .agencies
        .iter()
        .map(|a| {
            let hours = |s: Option<crate::statistics::model::Spread>| {
                s.map(|s| duration(lang, s.median))
                    .unwrap_or_else(|| "—".into())
            };
            vec![
                lang.pick(&a.names[0], &a.names[1], &a.names[2]).to_string(),
                a.referrals.display(),
                a.on_time
                    .map(|share| format!("{:.0}%", share * 100.0))
                    .unwrap_or_else(|| "—".into()),
                hours(a.first_response),
                hours(a.answer),
            ]
        })
        .collect();
    sections.push(Section {
        heading: lang.t("digest-agencies"),
        paragraphs: vec![lang.t("digest-agencies-note")],
        table: (!agencies.is_empty()).then(|| {
            (
                vec![
                    lang.t("register-agency"),
                    lang.t("digest-referrals"),
                    lang.t("digest-on-time"),
                    lang.t("digest-first-response"),
                    lang.t("digest-answer"),
                ],
                agencies,
            )
        }),
        items: Vec::new(),
    });

    // Cases of the month in the public register.
    let offset = state.local_offset(OffsetDateTime::now_utc());
    let selection = RegisterSelection {
        received_from: Some(month.first_day().midnight().assume_offset(offset)),
        received_until: Some(month.next().first_day().midnight().assume_offset(offset)),
        ..Default::default()
    };
    let published = register(&state.db, &selection, CASES_LISTED, 0).await?;
    sections.push(Section {
        heading: lang.t("digest-register"),
        paragraphs: vec![if published.is_empty() {
            lang.t("digest-register-none")
        } else {
            lang.t("digest-register-intro")
        }],
        table: None,
        items: published
            .iter()
            .take(CASES_LISTED as usize)
            .map(|r| {
                (
                    format!(
                        "{} — {} ({})",
                        r.reference,
                        r.title,
                        lang.t(&r.status.message_key())
                    ),
                    format!("/register/{}", r.reference),
                )
            })
            .collect(),
    });

    // News and agencies' reports published that month.
    let from = month.first_day().midnight().assume_offset(offset);
    let until = month.next().first_day().midnight().assume_offset(offset);
    let mut items = Vec::new();
    for article in crate::news::store::published_news(&state.db, 100, 0).await? {
        if let Some(at) = article.published_at
            && at >= from
            && at < until
        {
            items.push((
                crate::news::model::pick(&article.titles, lang).to_string(),
                format!("/news/{}", article.id),
            ));
        }
    }
    for report in crate::accountability::store::published(&state.db, None, 100, 0).await? {
        if report.published_at >= from && report.published_at < until {
            let agency = lang.pick(
                &report.organization[0],
                &report.organization[1],
                &report.organization[2],
            );
            items.push((
                format!("{agency}: {}", report.title),
                format!("/agency-reports/{}", report.id),
            ));
        }
    }
    if !items.is_empty() {
        sections.push(Section {
            heading: lang.t("digest-news"),
            paragraphs: Vec::new(),
            table: None,
            items,
        });
    }

    // The dialogue: meetings held, priorities proposed and adopted, commitments kept.
    let held = crate::events::held_between(state, from, until).await?;
    if !held.is_empty() {
        let attended: i64 = held.iter().filter_map(|e| e.attendance).sum();
        sections.push(Section {
            heading: lang.t("digest-events"),
            paragraphs: vec![lang.t_args(
                "digest-events-summary",
                &[
                    ("events", (held.len() as i64).into()),
                    ("people", attended.into()),
                ],
            )],
            table: Some((
                vec![
                    lang.t("digest-event-date"),
                    lang.t("digest-event"),
                    lang.t("field-community"),
                    lang.t("digest-event-attendance"),
                ],
                held.iter()
                    .map(|e| {
                        vec![
                            state.format_local_date(e.starts_at),
                            format!(
                                "{} ({})",
                                e.title,
                                lang.t(&format!("events-kind-{}", e.kind))
                            ),
                            e.community
                                .as_deref()
                                .and_then(|code| catalog.community(code))
                                .map(|c| c.names.get(lang).to_string())
                                .unwrap_or_else(|| lang.t("digest-whole-region")),
                            e.attendance
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
            )),
            items: held
                .iter()
                .take(CASES_LISTED as usize)
                .map(|e| (e.title.clone(), format!("/events/{}", e.id)))
                .collect(),
        });
    }
    let priorities = crate::priorities::counts_between(state, from, until).await?;
    let tracker = crate::commitments::tracker_counts(state, last_day(month).min(today)).await?;
    let moved = crate::commitments::updated_between(state, from, until).await?;
    if tracker.total > 0 || priorities.proposed > 0 {
        let mut paragraphs = vec![lang.t_args(
            "digest-commitments-summary",
            &[
                ("total", tracker.total.into()),
                ("done", tracker.done.into()),
                ("progress", tracker.in_progress.into()),
                ("planned", tracker.planned.into()),
                ("late", tracker.late.into()),
                ("stalled", tracker.stalled.into()),
            ],
        )];
        if priorities.proposed > 0 || priorities.adopted > 0 {
            paragraphs.push(lang.t_args(
                "digest-priorities-summary",
                &[
                    ("proposed", priorities.proposed.into()),
                    ("adopted", priorities.adopted.into()),
                ],
            ));
        }
        sections.push(Section {
            heading: lang.t("digest-commitments"),
            paragraphs,
            table: (!moved.is_empty()).then(|| {
                (
                    vec![
                        lang.t("digest-commitment"),
                        lang.t("digest-commitment-organization"),
                        lang.t("digest-commitment-progress"),
                    ],
                    moved
                        .iter()
                        .map(|c| {
                            let state_label = if c.done {
                                lang.t("commitments-status-done")
                            } else if c.late {
                                lang.t("commitments-late")
                            } else {
                                lang.t(&format!("commitments-status-{}", c.status.code()))
                            };
                            vec![
                                c.title.clone(),
                                c.organization.get(lang).to_string(),
                                format!("{}% · {state_label}", c.progress),
                            ]
                        })
                        .collect(),
                )
            }),
            items: vec![(lang.t("digest-commitments-link"), "/commitments".into())],
        });
    }

    // Trust surveys whose results were published that month.
    for t in crate::surveys::service::published_trust(state, Some((from, until)), 3).await? {
        let title = crate::surveys::model::pick_text(lang, &t.survey.title);
        let rows = crate::surveys::report::trust_lines(lang, &catalog, &t.rows)
            .into_iter()
            .map(|l| vec![l.name, l.respondents, l.index, l.interval, l.change])
            .collect();
        sections.push(Section {
            heading: format!("{}: {title} — {}", lang.t("digest-surveys"), t.wave.name),
            paragraphs: vec![lang.t("survey-trust-hint")],
            table: Some((
                vec![
                    lang.t("survey-community"),
                    lang.t("survey-respondents"),
                    lang.t("survey-trust-index"),
                    lang.t("survey-ci"),
                    lang.t("survey-trust-change"),
                ],
                rows,
            )),
            items: vec![(
                lang.t("digest-survey-link"),
                format!("/surveys/{}/{}", t.survey.code, t.wave.id),
            )],
        });
    }

    Ok(Digest {
        month,
        lang,
        title: lang.t("digest-title"),
        subtitle: format!("{} · {}", lang.t("site-name"), name),
        partial: last_day(month) >= today,
        sections,
    })
}

/// The digest as blocks for the PDF.
pub fn blocks(digest: &Digest) -> Vec<Block> {
    let lang = digest.lang;
    let mut out = vec![
        Block::Title(digest.title.clone()),
        Block::Subtitle(digest.subtitle.clone()),
    ];
    if digest.partial {
        out.push(Block::Paragraph(lang.t("digest-partial")));
    }
    for section in &digest.sections {
        out.push(Block::Heading(section.heading.clone()));
        for p in &section.paragraphs {
            out.push(Block::Paragraph(p.clone()));
        }
        if let Some((header, rows)) = &section.table {
            out.push(Block::Table {
                header: header.clone(),
                rows: rows.clone(),
            });
        }
        for (text, _) in &section.items {
            out.push(Block::Paragraph(format!("• {text}")));
        }
    }
    out
}

/// The digest as a printable PDF.
pub fn pdf(digest: &Digest) -> AppResult<Vec<u8>> {
    super::pdf::render(&blocks(digest), &digest.subtitle).map_err(AppError::internal)
}
