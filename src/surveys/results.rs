//! Results of a wave. Each wave's answers are held in memory column by column (a few bytes per
//! answer: 100,000 responses to 30 questions take about 12 MB), loaded once and then topped up
//! with the responses stored since; every results page is computed from those columns in a few
//! milliseconds, whatever filters and cross-tabulation it asks for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use uuid::Uuid;

use super::model::{Answer, Demographic, QuestionKind, Questionnaire, answers_from_json};
use super::stats::{self, ChiSquare, Comparison, Interval, MeanAccumulator};
use super::store;
use crate::db::Db;
// The platform's one rule for publishing small groups, as on the public statistics.
use crate::error::AppResult;
use crate::statistics::model::SUPPRESS_BELOW;

/// No answer in a choice or scale column.
const NONE: u16 = u16::MAX;
/// Waves kept in memory; the least recently used goes first.
const KEPT_WAVES: usize = 16;
/// Responses read per query while loading a wave.
const LOAD_CHUNK: i64 = 10_000;
/// How often the held answers are checked against the store's count (see `refresh`).
const VERIFY_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The answers to one question, one entry per response (in the order stored).
#[derive(Debug, Clone)]
pub enum Values {
    /// Index of the chosen option (single choice, Likert value − 1), or `NONE`.
    Choice(Vec<u16>),
    /// Bit set of the chosen options; 0 when not answered.
    Multiple(Vec<u32>),
    /// NaN when not answered.
    Number(Vec<f64>),
    /// Whether a text answer was given (the texts are listed from the store).
    Text(Vec<bool>),
}

#[derive(Debug, Clone)]
pub struct Column {
    /// Option codes in the questionnaire's order (`1`..`5` for a Likert scale; communities for a
    /// community question, with any unknown code seen in answers added at the end).
    pub options: Vec<String>,
    pub values: Values,
}

/// One wave's answers, column by column.
#[derive(Debug, Clone)]
pub struct WaveData {
    pub questionnaire: Arc<Questionnaire>,
    pub columns: Vec<Column>,
    /// Trust score of each response (0–100), NaN when it answered no trust item.
    pub trust: Vec<f64>,
    /// Channel of each response: 0 web, 1 paper, 2 import.
    pub channel: Vec<u8>,
    pub len: usize,
    last_id: Uuid,
    /// When the count of stored responses was last compared with what is held.
    verified: Option<Instant>,
}

impl WaveData {
    fn empty(questionnaire: Arc<Questionnaire>, communities: &[String]) -> WaveData {
        let columns = questionnaire
            .questions
            .iter()
            .map(|q| Column {
                options: match q.kind {
                    QuestionKind::Likert => (1..=5).map(|v| v.to_string()).collect(),
                    _ if q.demographic == Some(Demographic::Community) => communities.to_vec(),
                    _ => q.options.iter().map(|o| o.code.clone()).collect(),
                },
                values: match q.kind {
                    QuestionKind::Single | QuestionKind::Likert => Values::Choice(Vec::new()),
                    QuestionKind::Multiple => Values::Multiple(Vec::new()),
                    QuestionKind::Number => Values::Number(Vec::new()),
                    QuestionKind::ShortText | QuestionKind::LongText => Values::Text(Vec::new()),
                },
            })
            .collect();
        WaveData {
            questionnaire,
            columns,
            trust: Vec::new(),
            channel: Vec::new(),
            len: 0,
            last_id: Uuid::nil(),
            verified: None,
        }
    }

    fn push(&mut self, response: &store::StoredResponse) {
        let answers = answers_from_json(&self.questionnaire, &response.answers_json);
        for (q, column) in self.questionnaire.questions.iter().zip(&mut self.columns) {
            let answer = answers.get(&q.code);
            match &mut column.values {
                Values::Choice(values) => {
                    let index = match answer {
                        Some(Answer::Scale(v)) => u16::from(*v) - 1,
                        Some(Answer::Choice(code)) => {
                            match column.options.iter().position(|o| o == code) {
                                Some(i) => i as u16,
                                None if column.options.len() < usize::from(NONE) - 1 => {
                                    column.options.push(code.clone());
                                    (column.options.len() - 1) as u16
                                }
                                None => NONE,
                            }
                        }
                        _ => NONE,
                    };
                    values.push(index);
                }
                Values::Multiple(values) => {
                    let mut bits = 0u32;
                    if let Some(Answer::Choices(codes)) = answer {
                        for code in codes {
                            if let Some(i) = column.options.iter().position(|o| o == code)
                                && i < 32
                            {
                                bits |= 1 << i;
                            }
                        }
                    }
                    values.push(bits);
                }
                Values::Number(values) => values.push(match answer {
                    Some(Answer::Number(v)) => *v,
                    _ => f64::NAN,
                }),
                Values::Text(values) => values.push(matches!(answer, Some(Answer::Text(_)))),
            }
        }
        self.trust
            .push(super::model::trust_score(&self.questionnaire, &answers).unwrap_or(f64::NAN));
        self.channel.push(match response.channel.as_str() {
            "paper" => 1,
            "import" => 2,
            _ => 0,
        });
        self.len += 1;
        self.last_id = response.id;
    }

    /// Reads what was stored since the last load. A response can reach the store out of id
    /// order (two servers in the same millisecond, a transaction that commits late): at most
    /// every `VERIFY_EVERY` the count of stored responses is compared, and on a difference the
    /// wave is read again from the start.
    async fn refresh(&mut self, db: &Db, wave_id: Uuid, communities: &[String]) -> AppResult<()> {
        self.load_after(db, wave_id).await?;
        if self.verified.is_some_and(|at| at.elapsed() < VERIFY_EVERY) {
            return Ok(());
        }
        let stored = store::response_count(db, wave_id).await? as usize;
        if stored != self.len {
            *self = WaveData::empty(self.questionnaire.clone(), communities);
            self.load_after(db, wave_id).await?;
        }
        self.verified = Some(Instant::now());
        Ok(())
    }

    async fn load_after(&mut self, db: &Db, wave_id: Uuid) -> AppResult<()> {
        loop {
            let chunk = store::responses_after(db, wave_id, self.last_id, LOAD_CHUNK).await?;
            for response in &chunk {
                self.push(response);
            }
            if (chunk.len() as i64) < LOAD_CHUNK {
                return Ok(());
            }
        }
    }

    /// The community of each response as an index into the community question's options.
    fn community_column(&self) -> Option<(&[String], &[u16])> {
        let index = self
            .questionnaire
            .questions
            .iter()
            .position(|q| q.demographic == Some(Demographic::Community))?;
        let column = &self.columns[index];
        match &column.values {
            Values::Choice(values) => Some((&column.options, values)),
            _ => None,
        }
    }
}

struct Slot {
    data: Arc<tokio::sync::Mutex<Option<Arc<WaveData>>>>,
    used: Instant,
}

/// Waves' answers held in memory between results pages.
#[derive(Default)]
pub struct WaveCache {
    slots: Mutex<HashMap<Uuid, Slot>>,
}

impl WaveCache {
    /// The wave's answers as stored now, loaded or topped up as needed.
    pub async fn get(
        &self,
        db: &Db,
        wave_id: Uuid,
        questionnaire: &Arc<Questionnaire>,
        communities: &[String],
    ) -> AppResult<Arc<WaveData>> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if !slots.contains_key(&wave_id) && slots.len() >= KEPT_WAVES {
                let oldest = slots.iter().min_by_key(|(_, s)| s.used).map(|(id, _)| *id);
                if let Some(oldest) = oldest {
                    slots.remove(&oldest);
                }
            }
            let slot = slots.entry(wave_id).or_insert_with(|| Slot {
                data: Arc::default(),
                used: Instant::now(),
            });
            slot.used = Instant::now();
            slot.data.clone()
        };
        // One refresh of a wave at a time; pages already computing keep their snapshot.
        let mut data = slot.lock().await;
        if data
            .as_ref()
            .is_some_and(|d| *d.questionnaire != **questionnaire)
        {
            *data = None;
        }
        let wave = data
            .get_or_insert_with(|| Arc::new(WaveData::empty(questionnaire.clone(), communities)));
        // New answers since the last page, if any (one indexed query when there are none).
        let fresh = store::responses_after(db, wave_id, wave.last_id, 1).await?;
        let due = wave.verified.is_none_or(|at| at.elapsed() >= VERIFY_EVERY);
        if !fresh.is_empty() || due {
            // Copies the columns only when a page still reads the previous snapshot.
            Arc::make_mut(wave)
                .refresh(db, wave_id, communities)
                .await?;
        }
        Ok(wave.clone())
    }
}

/// What a results page asks for.
#[derive(Debug, Clone, Default)]
pub struct ResultsQuery {
    /// Cross-tabulate every question by this (demographic) question.
    pub by: Option<String>,
    /// Weight responses by the population of their community.
    pub weighted: bool,
    /// Only responses from this community.
    pub community: Option<String>,
    /// Public results: groups under 5 answers are suppressed.
    pub public: bool,
}

#[derive(Debug, Clone)]
pub struct OptionResult {
    pub code: String,
    pub count: u64,
    /// On public pages, a count from 1 to 4: not shown (it could single someone out).
    pub suppressed: bool,
    /// Share of those who answered the question, with its 95% interval; `None` when suppressed.
    pub share: Option<Interval>,
}

#[derive(Debug, Clone)]
pub struct GroupRow {
    pub code: String,
    pub answered: u64,
    pub suppressed: bool,
    /// Count and share (of the group's answers) per option; `None` for a count from 1 to 4
    /// on public pages.
    pub cells: Vec<Option<(u64, f64)>>,
    pub mean: Option<Interval>,
}

#[derive(Debug, Clone)]
pub struct Crosstab {
    pub groups: Vec<GroupRow>,
    pub test: Option<ChiSquare>,
}

#[derive(Debug, Clone)]
pub struct QuestionResult {
    pub code: String,
    pub kind: QuestionKind,
    /// Responses that answered the question.
    pub answered: u64,
    pub suppressed: bool,
    pub options: Vec<OptionResult>,
    /// Mean of a Likert scale or a number, with its 95% interval.
    pub mean: Option<Interval>,
    pub crosstab: Option<Crosstab>,
}

#[derive(Debug, Clone)]
pub struct TrustRow {
    /// A community's code, or empty for all respondents.
    pub community: String,
    pub respondents: u64,
    pub suppressed: bool,
    pub index: Option<Interval>,
    /// Against the previous wave, when it has the group too.
    pub change: Option<Comparison>,
}

#[derive(Debug, Clone)]
pub struct WaveResults {
    pub respondents: u64,
    pub by_channel: [u64; 3],
    pub questions: Vec<QuestionResult>,
    /// Overall first, then each community with answers.
    pub trust: Vec<TrustRow>,
    /// Communities with respondents but no weight (no population figure), when weighted.
    pub unweighted_communities: Vec<String>,
    pub weighted: bool,
}

/// Only the trust index of a wave (overall and per community) and its change since `previous`,
/// as public pages show it: groups under 5 respondents suppressed.
pub fn public_trust(data: &WaveData, previous: Option<&WaveData>) -> Vec<TrustRow> {
    trust_rows(data, previous, None, None, SUPPRESS_BELOW)
}

/// Weight of each response: post-stratification by community when asked and possible, else 1.
fn weights(
    data: &WaveData,
    weighted: bool,
    populations: &[(String, f64)],
) -> (Vec<f64>, Vec<String>) {
    let mut out = vec![1.0; data.len];
    let mut unweighted = Vec::new();
    let Some((options, communities)) = data.community_column().filter(|_| weighted) else {
        return (out, unweighted);
    };
    let mut sample: Vec<(u16, u64)> = Vec::new();
    let mut counts = vec![0u64; options.len()];
    for &c in communities {
        if let Some(n) = counts.get_mut(usize::from(c)) {
            *n += 1;
        }
    }
    for (i, n) in counts.iter().enumerate() {
        if *n > 0 {
            sample.push((i as u16, *n));
        }
    }
    let population: Vec<(u16, f64)> = options
        .iter()
        .enumerate()
        .filter_map(|(i, code)| {
            populations
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, p)| (i as u16, *p))
        })
        .collect();
    for (i, n) in &sample {
        if *n > 0 && !population.iter().any(|(p, _)| p == i) {
            unweighted.push(options[usize::from(*i)].clone());
        }
    }
    let by_stratum: HashMap<u16, f64> = stats::population_weights(&sample, &population)
        .into_iter()
        .collect();
    for (w, c) in out.iter_mut().zip(communities) {
        if let Some(weight) = by_stratum.get(c) {
            *w = *weight;
        }
    }
    (out, unweighted)
}

/// Computes a wave's results (and the trust index's change since `previous`, if given).
pub fn compute(
    data: &WaveData,
    previous: Option<&WaveData>,
    query: &ResultsQuery,
    populations: &[(String, f64)],
) -> WaveResults {
    let (weights, unweighted_communities) = weights(data, query.weighted, populations);
    // Responses counted: all, or those of one community.
    let selected: Vec<bool> = match (&query.community, data.community_column()) {
        (Some(code), Some((options, communities))) => {
            let index = options.iter().position(|o| o == code).map(|i| i as u16);
            communities.iter().map(|c| Some(*c) == index).collect()
        }
        (Some(_), None) => vec![false; data.len],
        (None, _) => vec![true; data.len],
    };
    let by = query
        .by
        .as_deref()
        .and_then(|code| data.questionnaire.position(code))
        .filter(|&i| matches!(data.columns[i].values, Values::Choice(_)));
    let minimum = if query.public { SUPPRESS_BELOW } else { 1 };
    let mut by_channel = [0u64; 3];
    for (i, c) in data.channel.iter().enumerate() {
        if selected[i] {
            by_channel[usize::from(*c).min(2)] += 1;
        }
    }
    let respondents = by_channel.iter().sum();
    let questions = data
        .questionnaire
        .questions
        .iter()
        .zip(&data.columns)
        .map(|(q, column)| {
            let by_column = by
                .map(|b| &data.columns[b])
                .filter(|_| by != data.questionnaire.position(&q.code));
            question_result(
                &q.code, q.kind, column, by_column, &selected, &weights, minimum,
            )
        })
        .collect();
    let trust = trust_rows(data, previous, Some(&selected), Some(&weights), minimum);
    WaveResults {
        respondents,
        by_channel,
        questions,
        trust,
        unweighted_communities,
        weighted: query.weighted && data.community_column().is_some(),
    }
}

fn question_result(
    code: &str,
    kind: QuestionKind,
    column: &Column,
    by: Option<&Column>,
    selected: &[bool],
    weights: &[f64],
    minimum: u64,
) -> QuestionResult {
    let options = column.options.len();
    let mut counts = vec![0u64; options];
    let mut weighted = vec![0.0f64; options];
    let (mut answered, mut answered_weight, mut sum_w2) = (0u64, 0.0f64, 0.0f64);
    let mut mean = MeanAccumulator::new();
    match &column.values {
        Values::Choice(values) => {
            for (i, &v) in values.iter().enumerate() {
                if v == NONE || !selected[i] {
                    continue;
                }
                let w = weights[i];
                counts[usize::from(v)] += 1;
                weighted[usize::from(v)] += w;
                answered += 1;
                answered_weight += w;
                sum_w2 += w * w;
                if kind == QuestionKind::Likert {
                    mean.add_weighted(f64::from(v + 1), w);
                }
            }
        }
        Values::Multiple(values) => {
            for (i, &bits) in values.iter().enumerate() {
                if bits == 0 || !selected[i] {
                    continue;
                }
                let w = weights[i];
                answered += 1;
                answered_weight += w;
                sum_w2 += w * w;
                for (o, count) in counts.iter_mut().enumerate().take(32) {
                    if bits & (1 << o) != 0 {
                        *count += 1;
                        weighted[o] += w;
                    }
                }
            }
        }
        Values::Number(values) => {
            for (i, &v) in values.iter().enumerate() {
                if v.is_nan() || !selected[i] {
                    continue;
                }
                answered += 1;
                mean.add_weighted(v, weights[i]);
            }
        }
        Values::Text(values) => {
            answered = values
                .iter()
                .zip(selected)
                .filter(|(answered, selected)| **answered && **selected)
                .count() as u64;
        }
    }
    let suppressed = answered < minimum;
    let options = column
        .options
        .iter()
        .enumerate()
        .map(|(o, code)| {
            let small = counts[o] > 0 && counts[o] < minimum;
            OptionResult {
                code: code.clone(),
                count: counts[o],
                suppressed: small,
                // Weighted shares are worth Kish's effective size of those who answered.
                share: if suppressed || small {
                    None
                } else {
                    stats::weighted_share(weighted[o], answered_weight, sum_w2)
                },
            }
        })
        .collect();
    let crosstab = match (&column.values, by) {
        (Values::Choice(_) | Values::Multiple(_) | Values::Number(_), Some(by)) => {
            Some(crosstab(kind, column, by, selected, minimum))
        }
        _ => None,
    };
    QuestionResult {
        code: code.to_string(),
        kind,
        answered,
        suppressed,
        options,
        mean: if suppressed {
            None
        } else {
            mean.interval(0.95).or_else(|| {
                mean.mean().map(|m| Interval {
                    estimate: m,
                    low: m,
                    high: m,
                })
            })
        },
        crosstab,
    }
}

/// Counts of a question's answers per group of a demographic question (unweighted: the
/// chi-square test of independence needs counts).
fn crosstab(
    kind: QuestionKind,
    column: &Column,
    by: &Column,
    selected: &[bool],
    minimum: u64,
) -> Crosstab {
    let Values::Choice(groups_of) = &by.values else {
        return Crosstab {
            groups: Vec::new(),
            test: None,
        };
    };
    let groups = by.options.len();
    let options = column.options.len();
    let mut table = vec![vec![0u64; options]; groups];
    let mut answered = vec![0u64; groups];
    let mut means = vec![MeanAccumulator::new(); groups];
    for (i, &g) in groups_of.iter().enumerate() {
        if g == NONE || !selected[i] {
            continue;
        }
        let g = usize::from(g);
        match &column.values {
            Values::Choice(values) if values[i] != NONE => {
                table[g][usize::from(values[i])] += 1;
                answered[g] += 1;
                if kind == QuestionKind::Likert {
                    means[g].add(f64::from(values[i] + 1));
                }
            }
            Values::Multiple(values) if values[i] != 0 => {
                answered[g] += 1;
                for (o, cell) in table[g].iter_mut().enumerate().take(32) {
                    if values[i] & (1 << o) != 0 {
                        *cell += 1;
                    }
                }
            }
            Values::Number(values) if !values[i].is_nan() => {
                answered[g] += 1;
                means[g].add(values[i]);
            }
            _ => {}
        }
    }
    // The test of independence only for single answers (a multiple-choice table counts a
    // respondent several times) and only over groups that are shown.
    let test = if matches!(&column.values, Values::Choice(_)) && options > 0 {
        let shown: Vec<Vec<f64>> = table
            .iter()
            .zip(&answered)
            .filter(|(_, n)| **n >= minimum.max(1))
            .map(|(row, _)| row.iter().map(|c| *c as f64).collect())
            .collect();
        stats::chi_square_independence(&shown)
    } else {
        None
    };
    let groups = by
        .options
        .iter()
        .enumerate()
        .filter(|(g, _)| answered[*g] > 0)
        .map(|(g, code)| {
            let suppressed = answered[g] < minimum;
            GroupRow {
                code: code.clone(),
                answered: answered[g],
                suppressed,
                cells: table[g]
                    .iter()
                    .map(|c| {
                        (*c == 0 || *c >= minimum)
                            .then(|| (*c, *c as f64 / answered[g].max(1) as f64))
                    })
                    .collect(),
                mean: if suppressed {
                    None
                } else {
                    means[g].interval(0.95)
                },
            }
        })
        .collect();
    Crosstab { groups, test }
}

/// Trust scores of a wave's responses (those `selected`, else all), in one pass.
struct TrustGroups {
    /// All of them, with the page's weights.
    overall: MeanAccumulator,
    /// All of them, unweighted (what a comparison with another wave uses).
    unweighted: MeanAccumulator,
    /// Per community, unweighted (weights are constant within a community).
    communities: Vec<(String, MeanAccumulator)>,
}

fn trust_groups(
    data: &WaveData,
    selected: Option<&[bool]>,
    weights: Option<&[f64]>,
) -> TrustGroups {
    let mut overall = MeanAccumulator::new();
    let mut unweighted = MeanAccumulator::new();
    let community = data.community_column();
    let mut groups = vec![MeanAccumulator::new(); community.map_or(0, |(o, _)| o.len())];
    for (i, score) in data.trust.iter().enumerate() {
        if score.is_nan() || selected.is_some_and(|s| !s[i]) {
            continue;
        }
        unweighted.add(*score);
        overall.add_weighted(*score, weights.map_or(1.0, |w| w[i]));
        if let Some((_, communities)) = community
            && communities[i] != NONE
        {
            groups[usize::from(communities[i])].add(*score);
        }
    }
    let communities = match community {
        Some((options, _)) => options
            .iter()
            .zip(groups)
            .filter(|(_, group)| group.count() > 0)
            .map(|(code, group)| (code.clone(), group))
            .collect(),
        None => Vec::new(),
    };
    TrustGroups {
        overall,
        unweighted,
        communities,
    }
}

fn trust_rows(
    data: &WaveData,
    previous: Option<&WaveData>,
    selected: Option<&[bool]>,
    weights: Option<&[f64]>,
    minimum: u64,
) -> Vec<TrustRow> {
    if !data
        .questionnaire
        .questions
        .iter()
        .any(|q| q.trust && q.kind == QuestionKind::Likert)
    {
        return Vec::new();
    }
    let now = trust_groups(data, selected, weights);
    // The previous wave compared as a whole and community by community, unweighted on both
    // sides (the page's weighting applies to this wave's figures only).
    let before = previous.map(|p| trust_groups(p, None, None));
    let row = |community: String,
               group: &MeanAccumulator,
               compare_with: &MeanAccumulator,
               before: Option<&MeanAccumulator>| {
        let suppressed = group.count() < minimum;
        TrustRow {
            community,
            respondents: group.count(),
            suppressed,
            index: if suppressed {
                None
            } else {
                group.interval(0.95)
            },
            change: if suppressed {
                None
            } else {
                before
                    .filter(|b| b.count() >= minimum)
                    .and_then(|b| stats::welch_test(b, compare_with))
            },
        }
    };
    let mut rows = vec![row(
        String::new(),
        &now.overall,
        &now.unweighted,
        before.as_ref().map(|b| &b.unweighted),
    )];
    for (code, group) in &now.communities {
        let earlier = before.as_ref().and_then(|b| {
            b.communities
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, g)| g)
        });
        rows.push(row(code.clone(), group, group, earlier));
    }
    rows
}
