//! Pages of surveys: the public answer form and published results, the coordinators' builder
//! and waves, paper entry and CSV import, results and exports, focus groups.

mod answer;
mod builder;
mod entry;
mod focus;
mod results;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use fluent_templates::fluent_bundle::FluentValue;

use super::model::{AnswerError, Question, QuestionKind, Questionnaire, pick_text};
use super::service;
use crate::catalog::CatalogData;
use crate::error::AppError;
use crate::http::page::{error_page, page_error};
use crate::i18n::Lang;
use crate::state::AppState;

/// Largest answer form: 100 questions, long texts included.
const FORM_BYTES: usize = 1024 * 1024;
/// Largest CSV import (200,000 rows of a long questionnaire).
const IMPORT_BYTES: usize = 50 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/s/{code}",
            get(answer::form).post(answer::submit.layer(DefaultBodyLimit::max(FORM_BYTES))),
        )
        .route("/surveys", get(results::public_list))
        .route("/surveys/{code}/{wave}", get(results::public_results))
        .route("/staff/surveys", get(builder::list).post(builder::create))
        .route(
            "/staff/surveys/{id}",
            get(builder::survey).post(builder::update),
        )
        .route("/staff/surveys/{id}/questions", post(builder::add_question))
        .route(
            "/staff/surveys/{id}/questions/{code}",
            get(builder::question).post(builder::change_question),
        )
        .route("/staff/surveys/{id}/waves", post(builder::create_wave))
        .route(
            "/staff/surveys/{id}/waves/{wave}",
            post(builder::wave_action),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/invitations",
            post(builder::invitations),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/paper",
            get(entry::paper).post(entry::paper_submit.layer(DefaultBodyLimit::max(FORM_BYTES))),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/import",
            get(entry::import_form).post(entry::import.layer(DefaultBodyLimit::max(IMPORT_BYTES))),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/results",
            get(results::staff_results),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/summary.csv",
            get(results::summary_csv),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/responses.csv",
            get(results::responses_csv),
        )
        .route(
            "/staff/surveys/{id}/waves/{wave}/texts/{question}",
            get(results::texts),
        )
        .route("/staff/focus-groups", get(focus::list).post(focus::create))
        .route("/staff/focus-groups/new", get(focus::new_form))
        .route(
            "/staff/focus-groups/{id}",
            get(focus::edit_form).post(focus::update),
        )
}

/// Errors of surveys' pages: a refused change is explained, not shown as a failure.
fn survey_error(lang: Lang, err: AppError) -> Response {
    match err {
        AppError::Conflict(key) => error_page(lang, StatusCode::CONFLICT, key),
        other => page_error(lang, other),
    }
}

/// A survey and one of its waves from the path, or the page that says why not.
async fn load_wave(
    state: &AppState,
    lang: Lang,
    id: &str,
    wave: &str,
) -> Result<(super::store::SurveyRow, super::store::WaveRow), Response> {
    let (Ok(id), Ok(wave)) = (crate::error::parse_id(id), crate::error::parse_id(wave)) else {
        return Err(survey_error(lang, AppError::NotFound));
    };
    let survey = service::survey(state, id)
        .await
        .map_err(|e| survey_error(lang, e))?;
    let wave = service::wave(state, id, wave)
        .await
        .map_err(|e| survey_error(lang, e))?;
    Ok((survey, wave))
}

/// One option of a question as a form shows it.
pub struct FormOption {
    pub code: String,
    pub label: String,
    pub number: usize,
    pub checked: bool,
}

/// One question of an answer form (public or paper), with the value given and its error.
pub struct FormQuestion {
    pub number: usize,
    pub code: String,
    pub field: String,
    pub kind: &'static str,
    pub text: String,
    pub required: bool,
    pub options: Vec<FormOption>,
    /// The typed value (number, text, or on paper the option numbers).
    pub value: String,
    pub min: String,
    pub max: String,
    pub error: Option<String>,
    /// "Answer only if …": the condition in words, and the CSS class that shows the question
    /// only when the condition holds (where the browser can tell without scripts).
    pub condition: String,
    pub condition_class: String,
    pub hint: String,
}

/// The questions of a form in `lang` with the values and errors of a submission.
fn form_questions(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    values: &super::model::RawAnswers,
    errors: &[AnswerError],
) -> Vec<FormQuestion> {
    questionnaire
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| form_question(lang, catalog, questionnaire, i + 1, q, values, errors))
        .collect()
}

fn form_question(
    lang: Lang,
    catalog: &CatalogData,
    questionnaire: &Questionnaire,
    number: usize,
    q: &Question,
    values: &super::model::RawAnswers,
    errors: &[AnswerError],
) -> FormQuestion {
    let given: &[String] = values.get(&q.code).map(Vec::as_slice).unwrap_or_default();
    let options: Vec<FormOption> = match q.kind {
        QuestionKind::Likert => (1..=5)
            .map(|v| FormOption {
                code: v.to_string(),
                // The number is shown beside it (a radio's label, a paper form's key).
                label: lang.t(&format!("survey-likert-{v}")),
                number: v,
                checked: given.iter().any(|g| g.trim() == v.to_string()),
            })
            .collect(),
        _ if q.demographic == Some(super::model::Demographic::Community) => catalog
            .communities
            .iter()
            .enumerate()
            .map(|(i, c)| FormOption {
                code: c.code.clone(),
                label: c.names.get(lang).to_string(),
                number: i + 1,
                checked: given.iter().any(|g| g.trim() == c.code),
            })
            .collect(),
        _ => q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| FormOption {
                code: o.code.clone(),
                label: pick_text(lang, &o.label),
                number: i + 1,
                checked: given.iter().any(|g| g.trim() == o.code),
            })
            .collect(),
    };
    let (condition, condition_class) = match &q.show_if {
        Some(c) => {
            let on = questionnaire
                .position(&c.question)
                .map(|p| p + 1)
                .unwrap_or_default();
            let option =
                super::report::option_label(lang, catalog, questionnaire, &c.question, &c.option);
            (
                lang.t_args(
                    "survey-condition",
                    &[
                        ("question", FluentValue::from(on.to_string())),
                        ("option", FluentValue::from(option)),
                    ],
                ),
                format!("when-{}-{}", c.question, c.option),
            )
        }
        None => (String::new(), String::new()),
    };
    let hint = match (q.kind, q.min, q.max) {
        (QuestionKind::Number, Some(min), Some(max)) => format!(
            "{} – {}",
            super::model::format_number(min),
            super::model::format_number(max)
        ),
        (QuestionKind::Multiple, _, _) => lang.t("survey-hint-multiple"),
        _ => String::new(),
    };
    FormQuestion {
        number,
        code: q.code.clone(),
        field: format!("q-{}", q.code),
        kind: q.kind.code(),
        text: pick_text(lang, &q.text),
        required: q.required,
        options,
        value: given.join(" "),
        min: q.min.map(super::model::format_number).unwrap_or_default(),
        max: q.max.map(super::model::format_number).unwrap_or_default(),
        error: errors
            .iter()
            .find(|e| e.question == q.code)
            .map(|e| lang.t(e.key)),
        condition,
        condition_class,
        hint,
    }
}

/// CSS that hides conditional questions until their condition is chosen, for browsers that
/// understand `:has()`; others show every question with its "answer only if" note. No script.
fn condition_css(questionnaire: &Questionnaire) -> String {
    let mut css = String::new();
    for q in &questionnaire.questions {
        if let Some(c) = &q.show_if {
            let class = format!("when-{}-{}", c.question, c.option);
            let safe = |s: &str| {
                s.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            };
            if !safe(&class) {
                continue;
            }
            css.push_str(&format!(
                "@supports selector(:has(*)){{.survey-form .{class}{{display:none}}\
                 .survey-form:has(input[name=\"q-{}\"][value=\"{}\"]:checked) .{class}{{display:block}}}}\n",
                c.question, c.option
            ));
        }
    }
    css
}

/// The raw answers of a form body: `q-<code>` fields (several for checkboxes).
fn raw_answers(pairs: &[(String, String)]) -> super::model::RawAnswers {
    let mut raw = super::model::RawAnswers::new();
    for (name, value) in pairs {
        if let Some(code) = name.strip_prefix("q-") {
            raw.entry(code.to_string()).or_default().push(value.clone());
        }
    }
    raw
}

fn field_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}
