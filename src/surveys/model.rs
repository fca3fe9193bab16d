//! Questionnaires and answers. A questionnaire is one document (stored as JSON with its survey):
//! every wave of the survey asks the same questions, so results compare over time, and the
//! questions are locked once any wave has answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::Names;
use crate::i18n::Lang;

/// Longest short-text answer, in characters.
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest long-text answer, in characters.
pub const LONG_TEXT_MAX: usize = 4_000;
/// Most options a choice question may have (a multiple-choice answer is kept as a bit set).
pub const MAX_OPTIONS: usize = 32;
/// Most questions in one questionnaire.
pub const MAX_QUESTIONS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Single,
    Multiple,
    /// 1 (not at all) to 5 (fully).
    Likert,
    Number,
    ShortText,
    LongText,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 6] = [
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::Likert,
        QuestionKind::Number,
        QuestionKind::ShortText,
        QuestionKind::LongText,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Likert => "likert",
            QuestionKind::Number => "number",
            QuestionKind::ShortText => "short_text",
            QuestionKind::LongText => "long_text",
        }
    }

    pub fn from_code(code: &str) -> Option<QuestionKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn has_options(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }

    pub fn is_text(self) -> bool {
        matches!(self, QuestionKind::ShortText | QuestionKind::LongText)
    }
}

/// What a demographic question describes; results can be cross-tabulated by any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Demographic {
    AgeGroup,
    Gender,
    /// The respondent's community: its options are the platform's communities, and it is what
    /// the trust index is given per community and what weighting by population uses.
    Community,
    Other,
}

impl Demographic {
    pub const ALL: [Demographic; 4] = [
        Demographic::AgeGroup,
        Demographic::Gender,
        Demographic::Community,
        Demographic::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Demographic::AgeGroup => "age_group",
            Demographic::Gender => "gender",
            Demographic::Community => "community",
            Demographic::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Demographic> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: Names,
}

/// Show a question only when an earlier single- or multiple-choice question has this option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub question: String,
    pub option: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key: the answer's field, the CSV column, what conditions refer to.
    pub code: String,
    pub kind: QuestionKind,
    pub text: Names,
    #[serde(default)]
    pub required: bool,
    /// Choices of a single- or multiple-choice question (a community question takes the
    /// platform's communities instead).
    #[serde(default)]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub demographic: Option<Demographic>,
    /// A Likert item counted in the trust index.
    #[serde(default)]
    pub trust: bool,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub show_if: Option<Condition>,
}

/// A coordinator's text in `lang`, or in Ukrainian (the one language a survey must be written
/// in) where it was not translated.
pub fn pick_text(lang: Lang, names: &Names) -> String {
    let text = names.get(lang);
    if text.is_empty() { &names.uk } else { text }.to_string()
}

impl Question {
    /// The option codes a choice question accepts.
    pub fn option_codes<'a>(&'a self, communities: &'a [String]) -> Vec<&'a str> {
        if self.demographic == Some(Demographic::Community) {
            communities.iter().map(String::as_str).collect()
        } else {
            self.options.iter().map(|o| o.code.as_str()).collect()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub questions: Vec<Question>,
}

impl Questionnaire {
    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.code == code)
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.code == code)
    }

    /// The question giving the respondent's community, if the questionnaire asks it.
    pub fn community_question(&self) -> Option<&Question> {
        self.questions
            .iter()
            .find(|q| q.demographic == Some(Demographic::Community))
    }

    /// A code for a new question that no question has yet (`q1`, `q2`, …).
    pub fn next_code(&self) -> String {
        (1..)
            .map(|n| format!("q{n}"))
            .find(|code| self.question(code).is_none())
            .unwrap_or_default()
    }
}

/// One answer, typed by its question's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Choice(String),
    Choices(Vec<String>),
    Scale(u8),
    Number(f64),
    Text(String),
}

impl Answer {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Answer::Choice(c) | Answer::Text(c) => serde_json::Value::from(c.as_str()),
            Answer::Choices(c) => serde_json::Value::from(c.clone()),
            Answer::Scale(v) => serde_json::Value::from(*v),
            Answer::Number(v) => serde_json::Value::from(*v),
        }
    }

    /// Reads a stored answer back by its question's kind; `None` when it does not fit.
    pub fn from_json(kind: QuestionKind, value: &serde_json::Value) -> Option<Answer> {
        match kind {
            QuestionKind::Single => value.as_str().map(|s| Answer::Choice(s.to_string())),
            QuestionKind::Multiple => value.as_array().map(|list| {
                Answer::Choices(
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                )
            }),
            QuestionKind::Likert => value
                .as_u64()
                .and_then(|v| u8::try_from(v).ok())
                .filter(|v| (1..=5).contains(v))
                .map(Answer::Scale),
            QuestionKind::Number => value.as_f64().map(Answer::Number),
            QuestionKind::ShortText | QuestionKind::LongText => {
                value.as_str().map(|s| Answer::Text(s.to_string()))
            }
        }
    }

    /// The answer as a form or CSV gives it back (multiple choices joined by `;`).
    pub fn to_text(&self) -> String {
        match self {
            Answer::Choice(c) | Answer::Text(c) => c.clone(),
            Answer::Choices(c) => c.join(";"),
            Answer::Scale(v) => v.to_string(),
            Answer::Number(v) => format_number(*v),
        }
    }
}

/// A number without a needless `.0`.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A response's answers by question code.
pub type Answers = BTreeMap<String, Answer>;

pub fn answers_to_json(answers: &Answers) -> String {
    let map: serde_json::Map<String, serde_json::Value> = answers
        .iter()
        .map(|(code, answer)| (code.clone(), answer.to_json()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

pub fn answers_from_json(questionnaire: &Questionnaire, json: &str) -> Answers {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Answers::new();
    };
    let mut out = Answers::new();
    for q in &questionnaire.questions {
        if let Some(answer) = map.get(&q.code).and_then(|v| Answer::from_json(q.kind, v)) {
            out.insert(q.code.clone(), answer);
        }
    }
    out
}

/// A problem with one answer: the question's code and the message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub question: String,
    pub key: &'static str,
}

/// Raw values as a form or a CSV row gives them, by question code (several for checkboxes).
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// Whether `question` is asked, given the answers so far: a conditional question is asked only
/// when its condition's question was answered with the option (and was itself asked).
pub fn is_asked(question: &Question, answers: &Answers) -> bool {
    let Some(condition) = &question.show_if else {
        return true;
    };
    match answers.get(&condition.question) {
        Some(Answer::Choice(c)) => *c == condition.option,
        Some(Answer::Choices(list)) => list.contains(&condition.option),
        _ => false,
    }
}

/// Checks raw values against the questionnaire: each answer parsed by its question's kind and
/// range, required questions answered, answers to questions not asked (their condition unmet)
/// dropped. Every problem is reported, keyed by its question.
pub fn validate(
    questionnaire: &Questionnaire,
    raw: &RawAnswers,
    communities: &[String],
) -> Result<Answers, Vec<AnswerError>> {
    let mut answers = Answers::new();
    let mut errors = Vec::new();
    // Questions are in order and conditions point backwards, so one pass sees each condition's
    // answer before the question that depends on it.
    for q in &questionnaire.questions {
        let values: Vec<&str> = raw
            .get(&q.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !is_asked(q, &answers) {
            continue;
        }
        let error = |key: &'static str| AnswerError {
            question: q.code.clone(),
            key,
        };
        if values.is_empty() {
            if q.required {
                errors.push(error("survey-error-required"));
            }
            continue;
        }
        let parsed = match q.kind {
            QuestionKind::Single => {
                if values.len() > 1 {
                    Err("survey-error-one-choice")
                } else if q.option_codes(communities).contains(&values[0]) {
                    Ok(Answer::Choice(values[0].to_string()))
                } else {
                    Err("survey-error-choice")
                }
            }
            QuestionKind::Multiple => {
                let codes = q.option_codes(communities);
                let mut chosen: Vec<String> = Vec::new();
                let mut bad = false;
                for v in values.iter().flat_map(|v| v.split(';')).map(str::trim) {
                    if v.is_empty() {
                        continue;
                    }
                    if !codes.contains(&v) {
                        bad = true;
                    } else if !chosen.iter().any(|c| c == v) {
                        chosen.push(v.to_string());
                    }
                }
                if bad {
                    Err("survey-error-choice")
                } else {
                    // Kept in the questionnaire's order, whatever order they came in.
                    chosen.sort_by_key(|c| codes.iter().position(|o| o == c));
                    Ok(Answer::Choices(chosen))
                }
            }
            QuestionKind::Likert => match values[0].parse::<u8>() {
                Ok(v) if values.len() == 1 && (1..=5).contains(&v) => Ok(Answer::Scale(v)),
                _ => Err("survey-error-scale"),
            },
            QuestionKind::Number => match values[0].replace(',', ".").parse::<f64>() {
                Ok(v) if values.len() == 1 && v.is_finite() => {
                    if q.min.is_some_and(|min| v < min) || q.max.is_some_and(|max| v > max) {
                        Err("survey-error-range")
                    } else {
                        Ok(Answer::Number(v))
                    }
                }
                _ => Err("survey-error-number"),
            },
            QuestionKind::ShortText | QuestionKind::LongText => {
                let limit = if q.kind == QuestionKind::ShortText {
                    SHORT_TEXT_MAX
                } else {
                    LONG_TEXT_MAX
                };
                let text = values.join("\n");
                if text.chars().count() > limit {
                    Err("survey-error-too-long")
                } else if text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    Err("survey-error-text")
                } else {
                    Ok(Answer::Text(text))
                }
            }
        };
        match parsed {
            Ok(answer) => {
                answers.insert(q.code.clone(), answer);
            }
            Err(key) => errors.push(error(key)),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// The respondent's trust score (0–100) from the trust items they answered, if any.
pub fn trust_score(questionnaire: &Questionnaire, answers: &Answers) -> Option<f64> {
    let values: Vec<u8> = questionnaire
        .questions
        .iter()
        .filter(|q| q.trust && q.kind == QuestionKind::Likert)
        .filter_map(|q| match answers.get(&q.code) {
            Some(Answer::Scale(v)) => Some(*v),
            _ => None,
        })
        .collect();
    super::stats::trust_score(&values)
}

/// Checks a questionnaire as a coordinator saves it: codes unique, options where a kind needs
/// them, conditions pointing to an earlier choice question and one of its options.
pub fn check_questionnaire(questionnaire: &Questionnaire) -> Result<(), &'static str> {
    if questionnaire.questions.len() > MAX_QUESTIONS {
        return Err("survey-error-too-many-questions");
    }
    for (i, q) in questionnaire.questions.iter().enumerate() {
        if questionnaire.questions[..i]
            .iter()
            .any(|p| p.code == q.code)
        {
            return Err("survey-error-duplicate-code");
        }
        if q.text.uk.trim().is_empty() {
            return Err("survey-error-question-text");
        }
        let community = q.demographic == Some(Demographic::Community);
        if community && q.kind != QuestionKind::Single {
            return Err("survey-error-community-single");
        }
        if q.kind.has_options() && !community {
            if q.options.len() < 2 {
                return Err("survey-error-options");
            }
            if q.options.len() > MAX_OPTIONS {
                return Err("survey-error-too-many-options");
            }
        }
        if q.trust && q.kind != QuestionKind::Likert {
            return Err("survey-error-trust-likert");
        }
        if let (Some(min), Some(max)) = (q.min, q.max)
            && min > max
        {
            return Err("survey-error-min-max");
        }
        if let Some(condition) = &q.show_if {
            let earlier = questionnaire.questions[..i]
                .iter()
                .find(|p| p.code == condition.question);
            match earlier {
                Some(p)
                    if p.kind.has_options()
                        && p.options.iter().any(|o| o.code == condition.option) => {}
                _ => return Err("survey-error-condition"),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Names {
        Names {
            uk: text.into(),
            ru: text.into(),
            en: text.into(),
        }
    }

    fn choice(code: &str) -> Choice {
        Choice {
            code: code.into(),
            label: names(code),
        }
    }

    fn question(code: &str, kind: QuestionKind) -> Question {
        Question {
            code: code.into(),
            kind,
            text: names(code),
            required: false,
            options: Vec::new(),
            demographic: None,
            trust: false,
            min: None,
            max: None,
            show_if: None,
        }
    }

    fn sample() -> Questionnaire {
        let mut victim = question("victim", QuestionKind::Single);
        victim.options = vec![choice("yes"), choice("no")];
        victim.required = true;
        let mut reported = question("reported", QuestionKind::Single);
        reported.options = vec![choice("yes"), choice("no")];
        reported.required = true;
        reported.show_if = Some(Condition {
            question: "victim".into(),
            option: "yes".into(),
        });
        let mut trust = question("trust", QuestionKind::Likert);
        trust.trust = true;
        let mut age = question("age", QuestionKind::Number);
        age.min = Some(14.0);
        age.max = Some(120.0);
        let mut problems = question("problems", QuestionKind::Multiple);
        problems.options = vec![choice("light"), choice("drugs"), choice("roads")];
        let mut community = question("community", QuestionKind::Single);
        community.demographic = Some(Demographic::Community);
        Questionnaire {
            questions: vec![
                victim,
                reported,
                trust,
                age,
                problems,
                community,
                question("comment", QuestionKind::ShortText),
            ],
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
        let mut out = RawAnswers::new();
        for (k, v) in pairs {
            out.entry(k.to_string()).or_default().push(v.to_string());
        }
        out
    }

    #[test]
    fn valid_answers_are_typed() {
        let communities = vec!["kramatorsk".to_string()];
        let answers = validate(
            &sample(),
            &raw(&[
                ("victim", "yes"),
                ("reported", "no"),
                ("trust", "4"),
                ("age", "37,5"),
                ("problems", "roads"),
                ("problems", "light"),
                ("community", "kramatorsk"),
                ("comment", "  ok  "),
            ]),
            &communities,
        )
        .expect("valid");
        assert_eq!(answers["trust"], Answer::Scale(4));
        assert_eq!(answers["age"], Answer::Number(37.5));
        assert_eq!(
            answers["problems"],
            Answer::Choices(vec!["light".into(), "roads".into()])
        );
        assert_eq!(answers["comment"], Answer::Text("ok".into()));
        let json = answers_to_json(&answers);
        assert_eq!(answers_from_json(&sample(), &json), answers);
        assert_eq!(trust_score(&sample(), &answers), Some(75.0));
    }

    #[test]
    fn every_problem_is_reported_by_question() {
        let errors = validate(
            &sample(),
            &raw(&[
                ("victim", "yes"),
                ("trust", "6"),
                ("age", "12"),
                ("problems", "roads;guns"),
                ("community", "atlantis"),
            ]),
            &[],
        )
        .expect_err("invalid");
        let by: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.question.as_str(), e.key))
            .collect();
        assert_eq!(
            by,
            vec![
                ("reported", "survey-error-required"),
                ("trust", "survey-error-scale"),
                ("age", "survey-error-range"),
                ("problems", "survey-error-choice"),
                ("community", "survey-error-choice"),
            ]
        );
    }

    #[test]
    fn questions_not_asked_are_dropped_and_not_required() {
        let answers = validate(
            &sample(),
            &raw(&[("victim", "no"), ("reported", "yes")]),
            &[],
        )
        .expect("valid");
        assert!(!answers.contains_key("reported"));
    }

    proptest::proptest! {
        /// Whatever a form or a CSV row holds, validation answers (never panics), and what it
        /// accepts is stored and read back unchanged.
        #[test]
        fn any_input_is_answered_and_accepted_answers_round_trip(
            values in proptest::collection::vec(
                (0usize..8, proptest::prelude::any::<String>()),
                0..20,
            )
        ) {
            let questionnaire = sample();
            let codes = ["victim", "reported", "trust", "age", "problems", "community", "comment", "other"];
            let mut raw = RawAnswers::new();
            for (field, value) in values {
                raw.entry(codes[field].to_string()).or_default().push(value);
            }
            let communities = vec!["kramatorsk".to_string()];
            if let Ok(answers) = validate(&questionnaire, &raw, &communities) {
                let json = answers_to_json(&answers);
                proptest::prop_assert_eq!(answers_from_json(&questionnaire, &json), answers);
            }
        }
    }

    #[test]
    fn questionnaire_checks() {
        assert_eq!(check_questionnaire(&sample()), Ok(()));
        let mut bad = sample();
        bad.questions[1].show_if = Some(Condition {
            question: "trust".into(),
            option: "x".into(),
        });
        assert_eq!(check_questionnaire(&bad), Err("survey-error-condition"));
        let mut bad = sample();
        bad.questions[2].code = "victim".into();
        assert_eq!(
            check_questionnaire(&bad),
            Err("survey-error-duplicate-code")
        );
        assert_eq!(sample().next_code(), "q1");
    }
}
