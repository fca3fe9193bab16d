//! A wave's results as pages and files show them: percentages with intervals, the trust index,
//! cross-tabulations, charts drawn on the server (SVG with a text alternative) and the CSV
//! exports (one row per response, and a summary).

use super::model::{Demographic, QuestionKind, Questionnaire, pick_text};
use super::results::{QuestionResult, TrustRow, WaveResults};
use super::stats::{ChiSquare, Comparison, Interval};
use crate::catalog::CatalogData;
use crate::i18n::Lang;

/// A percentage with one decimal (`42.5`), in the page's convention.
pub fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// The label of an option of a question (a community's name for a community question, the
/// Likert scale's words for its values).
pub fn option_label(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    question: &str,
    code: &str,
) -> String {
    let Some(q) = questionnaire.question(question) else {
        return code.to_string();
    };
    if q.demographic == Some(Demographic::Community) {
        return catalog
            .community(code)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| code.to_string());
    }
    if q.kind == QuestionKind::Likert {
        return format!("{code} — {}", lang.t(&format!("survey-likert-{code}")));
    }
    q.options
        .iter()
        .find(|o| o.code == code)
        .map(|o| pick_text(lang, &o.label))
        .unwrap_or_else(|| code.to_string())
}

pub fn question_text(lang: Lang, questionnaire: &Questionnaire, code: &str) -> String {
    questionnaire
        .question(code)
        .map(|q| pick_text(lang, &q.text))
        .unwrap_or_default()
}

pub struct OptionLine {
    pub label: String,
    pub count: String,
    pub percent: String,
    pub interval: String,
}

pub struct CrossRow {
    pub label: String,
    pub answered: String,
    pub cells: Vec<String>,
    pub mean: String,
}

pub struct CrosstabView {
    pub by: String,
    pub columns: Vec<String>,
    pub rows: Vec<CrossRow>,
    pub test: String,
    /// Likert and number questions have a mean per group.
    pub show_mean: bool,
}

pub struct Bar {
    pub label: String,
    pub label_y: String,
    pub y: String,
    pub width: String,
    pub low: String,
    pub high: String,
    pub whisker_y: String,
    pub value: String,
    pub value_x: String,
}

/// Shares of a question's options as horizontal bars with their 95% intervals.
pub struct ShareChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
}

pub struct QuestionView {
    pub number: usize,
    pub code: String,
    pub text: String,
    pub kind: String,
    pub answered: String,
    pub suppressed: bool,
    pub options: Vec<OptionLine>,
    pub mean: String,
    pub chart: Option<ShareChart>,
    pub crosstab: Option<CrosstabView>,
    pub is_text: bool,
}

pub struct TrustLine {
    pub name: String,
    pub respondents: String,
    pub suppressed: bool,
    pub index: String,
    pub interval: String,
    pub change: String,
    pub significant: bool,
}

pub fn interval_text(i: &Interval, scale: f64) -> String {
    format!(
        "{}–{}",
        one_decimal(i.low * scale),
        one_decimal(i.high * scale)
    )
}

fn change_text(lang: Lang, c: &Comparison) -> String {
    let verdict = if c.significant {
        lang.t("survey-change-significant")
    } else {
        lang.t("survey-change-not-significant")
    };
    format!(
        "{:+.1} ({}–{}; {}) {verdict}",
        c.difference,
        one_decimal(c.low),
        one_decimal(c.high),
        p_value(c.p_value)
    )
}

fn test_text(lang: Lang, t: &ChiSquare) -> String {
    let mut text = format!(
        "χ² = {:.1}, df = {}, {}, V = {:.2}",
        t.statistic,
        t.df,
        p_value(t.p_value),
        t.cramers_v
    );
    if t.sparse {
        text.push_str(" — ");
        text.push_str(&lang.t("survey-test-sparse"));
    }
    text
}

const CHART_WIDTH: u32 = 320;

fn share_chart(id: String, title: String, lines: &[(String, Option<Interval>)]) -> ShareChart {
    let row = 40.0;
    let plot = f64::from(CHART_WIDTH) - 56.0;
    let mut desc = Vec::new();
    let bars = lines
        .iter()
        .enumerate()
        .map(|(i, (label, share))| {
            let top = i as f64 * row;
            let (estimate, low, high) = share
                .map(|s| (s.estimate, s.low, s.high))
                .unwrap_or((0.0, 0.0, 0.0));
            desc.push(match share {
                Some(s) => format!(
                    "{label}: {}% ({}%)",
                    percent(s.estimate),
                    interval_text(s, 100.0)
                ),
                None => format!("{label}: —"),
            });
            Bar {
                label: label.clone(),
                label_y: format!("{:.1}", top + 13.0),
                y: format!("{:.1}", top + 19.0),
                width: format!("{:.1}", estimate * plot),
                low: format!("{:.1}", low * plot),
                high: format!("{:.1}", high * plot),
                whisker_y: format!("{:.1}", top + 27.0),
                value: share
                    .map(|s| format!("{}%", percent(s.estimate)))
                    .unwrap_or_else(|| "—".into()),
                value_x: format!("{:.1}", plot + 6.0),
            }
        })
        .collect();
    ShareChart {
        id,
        title,
        desc: desc.join("; "),
        width: CHART_WIDTH,
        height: (lines.len() as f64 * row).ceil() as u32 + 4,
        bars,
    }
}

/// The results as the page shows them, in `lang`.
pub fn question_views(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    results: &WaveResults,
    by: Option<&str>,
) -> Vec<QuestionView> {
    let by_text = by.map(|b| question_text(lang, questionnaire, b));
    results
        .questions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            question_view(
                lang,
                catalog,
                questionnaire,
                i + 1,
                r,
                by,
                by_text.as_deref(),
            )
        })
        .collect()
}

fn question_view(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    number: usize,
    r: &QuestionResult,
    by: Option<&str>,
    by_text: Option<&str>,
) -> QuestionView {
    let label = |code: &str| option_label(lang, catalog, questionnaire, &r.code, code);
    let with_options = matches!(
        r.kind,
        QuestionKind::Single | QuestionKind::Multiple | QuestionKind::Likert
    );
    // A community question lists only the communities that answered.
    let shown: Vec<_> = r
        .options
        .iter()
        .filter(|o| {
            o.count > 0
                || questionnaire
                    .question(&r.code)
                    .is_some_and(|q| q.demographic != Some(Demographic::Community))
        })
        .collect();
    let options = if with_options {
        shown
            .iter()
            .map(|o| OptionLine {
                label: label(&o.code),
                count: if r.suppressed {
                    "—".into()
                } else if o.suppressed {
                    lang.t("survey-suppressed")
                } else {
                    o.count.to_string()
                },
                percent: o
                    .share
                    .map(|s| percent(s.estimate))
                    .unwrap_or_else(|| "—".into()),
                interval: o
                    .share
                    .map(|s| interval_text(&s, 100.0))
                    .unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let chart = (with_options && !r.suppressed && r.answered > 0).then(|| {
        share_chart(
            format!("chart-{}", r.code),
            question_text(lang, questionnaire, &r.code),
            &shown
                .iter()
                .map(|o| (label(&o.code), o.share))
                .collect::<Vec<_>>(),
        )
    });
    // A community question's columns: only the communities that answered.
    let community = questionnaire
        .question(&r.code)
        .is_some_and(|q| q.demographic == Some(Demographic::Community));
    let column_shown: Vec<bool> = r
        .options
        .iter()
        .map(|o| !community || o.count > 0)
        .collect();
    let crosstab = r.crosstab.as_ref().map(|x| {
        let by_label =
            |code: &str| option_label(lang, catalog, questionnaire, by.unwrap_or_default(), code);
        let numeric = r.kind == QuestionKind::Number;
        CrosstabView {
            by: by_text.unwrap_or_default().to_string(),
            columns: if numeric {
                Vec::new()
            } else {
                r.options
                    .iter()
                    .zip(&column_shown)
                    .filter(|(_, shown)| **shown)
                    .map(|(o, _)| label(&o.code))
                    .collect()
            },
            rows: x
                .groups
                .iter()
                .map(|g| CrossRow {
                    label: by_label(&g.code),
                    answered: if g.suppressed {
                        lang.t("survey-suppressed")
                    } else {
                        g.answered.to_string()
                    },
                    cells: if g.suppressed || numeric {
                        Vec::new()
                    } else {
                        g.cells
                            .iter()
                            .zip(&column_shown)
                            .filter(|(_, shown)| **shown)
                            .map(|(cell, _)| match cell {
                                Some((count, share)) => format!("{}% ({count})", percent(*share)),
                                None => lang.t("survey-suppressed"),
                            })
                            .collect()
                    },
                    mean: g
                        .mean
                        .map(|m| {
                            format!("{} ({})", one_decimal(m.estimate), interval_text(&m, 1.0))
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            test: x
                .test
                .as_ref()
                .map(|t| test_text(lang, t))
                .unwrap_or_default(),
            show_mean: numeric || r.kind == QuestionKind::Likert,
        }
    });
    QuestionView {
        number,
        code: r.code.clone(),
        text: question_text(lang, questionnaire, &r.code),
        kind: lang.t(&format!("survey-kind-{}", r.kind.code().replace('_', "-"))),
        answered: r.answered.to_string(),
        suppressed: r.suppressed,
        options,
        mean: r
            .mean
            .map(|m| format!("{} ({})", one_decimal(m.estimate), interval_text(&m, 1.0)))
            .unwrap_or_default(),
        chart,
        crosstab,
        is_text: r.kind.is_text(),
    }
}

pub fn trust_lines(lang: Lang, catalog: &CatalogData, rows: &[TrustRow]) -> Vec<TrustLine> {
    rows.iter()
        .map(|t| TrustLine {
            name: if t.community.is_empty() {
                lang.t("survey-trust-all")
            } else {
                catalog
                    .community(&t.community)
                    .map(|c| c.names.get(lang).to_string())
                    .unwrap_or_else(|| t.community.clone())
            },
            respondents: if t.suppressed {
                lang.t("survey-suppressed")
            } else {
                t.respondents.to_string()
            },
            suppressed: t.suppressed,
            index: t.index.map(|i| one_decimal(i.estimate)).unwrap_or_default(),
            interval: t.index.map(|i| interval_text(&i, 1.0)).unwrap_or_default(),
            change: t.change.map(|c| change_text(lang, &c)).unwrap_or_default(),
            significant: t.change.is_some_and(|c| c.significant),
        })
        .collect()
}

/// The summary CSV: one row per option (or per question for numbers and texts).
pub fn summary_csv(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    results: &WaveResults,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "question",
        "question_text",
        "kind",
        "option",
        "option_label",
        "answered",
        "count",
        "percent",
        "ci95_low",
        "ci95_high",
        "mean",
        "mean_ci95_low",
        "mean_ci95_high",
    ])?;
    let cell = crate::public::export::csv_cell;
    for r in &results.questions {
        let text = question_text(lang, questionnaire, &r.code);
        let mean =
            |f: fn(&Interval) -> f64| r.mean.map(|m| format!("{:.3}", f(&m))).unwrap_or_default();
        let base = |option: &str, label: &str, count: String, share: Option<Interval>| {
            vec![
                r.code.clone(),
                cell(&text).into_owned(),
                r.kind.code().to_string(),
                option.to_string(),
                cell(label).into_owned(),
                if r.suppressed {
                    String::new()
                } else {
                    r.answered.to_string()
                },
                count,
                share
                    .map(|s| format!("{:.2}", s.estimate * 100.0))
                    .unwrap_or_default(),
                share
                    .map(|s| format!("{:.2}", s.low * 100.0))
                    .unwrap_or_default(),
                share
                    .map(|s| format!("{:.2}", s.high * 100.0))
                    .unwrap_or_default(),
                mean(|m| m.estimate),
                mean(|m| m.low),
                mean(|m| m.high),
            ]
        };
        if r.options.is_empty() {
            out.write_record(base("", "", String::new(), None))?;
        }
        for o in &r.options {
            let label = option_label(lang, catalog, questionnaire, &r.code, &o.code);
            let count = if r.suppressed {
                String::new()
            } else {
                o.count.to_string()
            };
            out.write_record(base(&o.code, &label, count, o.share))?;
        }
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Numbers of respondents by channel, as the page says them.
pub fn channels(lang: Lang, results: &WaveResults) -> String {
    let [web, paper, import] = results.by_channel;
    format!(
        "{}: {web} · {}: {paper} · {}: {import}",
        lang.t("survey-channel-web"),
        lang.t("survey-channel-paper"),
        lang.t("survey-channel-import")
    )
}

/// The header of the per-response CSV: the response's id, channel and date, then each question.
pub fn responses_header(questionnaire: &Questionnaire) -> Vec<String> {
    let mut header = vec![
        "response".to_string(),
        "channel".to_string(),
        "received_at".to_string(),
    ];
    header.extend(questionnaire.questions.iter().map(|q| q.code.clone()));
    header
}
