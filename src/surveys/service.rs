//! Use cases of surveys: coordinators build questionnaires and run waves; residents answer by a
//! link; staff enter paper forms and import CSV; analysts read results; focus groups recorded.

use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    Answer, AnswerError, Answers, Choice, Condition, Demographic, Question, QuestionKind,
    Questionnaire, RawAnswers, answers_to_json, check_questionnaire, trust_score, validate,
};
use super::results::{self, ResultsQuery, WaveData, WaveResults};
use super::store::{
    self, Access, FocusGroupFields, FocusGroupRow, NewResponse, Stored, SurveyFields, SurveyRow,
    WaveRow, WaveStatus,
};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::catalog::Names;
use crate::crypto::MacPurpose;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// Who builds surveys and runs their waves.
pub const MANAGERS: &[Role] = &[Role::Coordinator, Role::Administrator];
/// Who reads results and exports.
pub const READERS: &[Role] = &[Role::Coordinator, Role::Administrator, Role::Analyst];
/// Who enters paper questionnaires and imports answers.
pub const ENTRY: &[Role] = &[Role::Coordinator, Role::Administrator, Role::Operator];
/// Who sees the surveys and their waves (to read results or to enter answers).
pub const VIEWERS: &[Role] = &[
    Role::Coordinator,
    Role::Administrator,
    Role::Analyst,
    Role::Operator,
];
/// Most invitations made at once.
pub const MAX_INVITATIONS: u32 = 5_000;

fn text(value: &str) -> String {
    value.trim().to_string()
}

/// The survey's settings as a form gives them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SurveyInput {
    pub code: String,
    pub title_uk: String,
    pub title_ru: String,
    pub title_en: String,
    pub intro_uk: String,
    pub intro_ru: String,
    pub intro_en: String,
    pub access: String,
}

impl SurveyInput {
    pub fn of(s: &SurveyRow) -> SurveyInput {
        SurveyInput {
            code: s.code.clone(),
            title_uk: s.title.uk.clone(),
            title_ru: s.title.ru.clone(),
            title_en: s.title.en.clone(),
            intro_uk: s.intro.uk.clone(),
            intro_ru: s.intro.ru.clone(),
            intro_en: s.intro.en.clone(),
            access: s.access.code().to_string(),
        }
    }
}

fn validate_survey(input: &SurveyInput) -> Result<SurveyFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_ascii_lowercase();
    if code.len() < 2
        || code.len() > 40
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push(FieldError::new("code", "survey-error-code"));
    }
    if input.title_uk.trim().is_empty() {
        errors.push(FieldError::new("title_uk", "survey-error-title"));
    }
    for (field, value) in [
        ("title_uk", &input.title_uk),
        ("title_ru", &input.title_ru),
        ("title_en", &input.title_en),
    ] {
        if value.chars().count() > 200 {
            errors.push(FieldError::new(field, "survey-error-too-long"));
        }
    }
    for (field, value) in [
        ("intro_uk", &input.intro_uk),
        ("intro_ru", &input.intro_ru),
        ("intro_en", &input.intro_en),
    ] {
        if value.chars().count() > 4_000 {
            errors.push(FieldError::new(field, "survey-error-too-long"));
        }
    }
    let access = Access::from_code(input.access.trim());
    if access.is_none() {
        errors.push(FieldError::new("access", "survey-error-access"));
    }
    match access {
        Some(access) if errors.is_empty() => Ok(SurveyFields {
            code,
            title: Names {
                uk: text(&input.title_uk),
                ru: text(&input.title_ru),
                en: text(&input.title_en),
            },
            intro: Names {
                uk: text(&input.intro_uk),
                ru: text(&input.intro_ru),
                en: text(&input.intro_en),
            },
            access,
        }),
        _ => Err(errors),
    }
}

pub async fn surveys(state: &AppState, staff: &Staff) -> AppResult<Vec<SurveyRow>> {
    staff.require(VIEWERS)?;
    store::surveys(&state.db).await
}

pub async fn create_survey(
    state: &AppState,
    staff: &Staff,
    input: &SurveyInput,
) -> AppResult<Uuid> {
    staff.require(MANAGERS)?;
    let fields = validate_survey(input).map_err(AppError::Validation)?;
    let id = Uuid::now_v7();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "survey.created",
        "survey",
        id,
        None,
        Some(serde_json::json!({ "code": fields.code, "title": fields.title.uk })),
    );
    store::create_survey(&state.db, id, fields, staff.user.id, audited)
        .await
        .map_err(code_taken)?;
    Ok(id)
}

fn code_taken(err: AppError) -> AppError {
    match err {
        AppError::Conflict("survey-code-taken") => AppError::field("code", "survey-code-taken"),
        other => other,
    }
}

/// Changes a survey's settings (`before`: the survey as the page read it).
pub async fn update_survey(
    state: &AppState,
    staff: &Staff,
    before: &SurveyRow,
    input: &SurveyInput,
) -> AppResult<()> {
    staff.require(MANAGERS)?;
    let id = before.id;
    let fields = validate_survey(input).map_err(AppError::Validation)?;
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "survey.updated",
        "survey",
        id,
        Some(serde_json::json!({ "code": before.code, "title": before.title.uk })),
        Some(serde_json::json!({ "code": fields.code, "title": fields.title.uk })),
    );
    store::update_survey(&state.db, id, fields, audited)
        .await
        .map_err(code_taken)
}

pub async fn survey(state: &AppState, id: Uuid) -> AppResult<SurveyRow> {
    store::survey(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A question as the builder's form gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    pub kind: String,
    pub text_uk: String,
    pub text_ru: String,
    pub text_en: String,
    pub required: String,
    /// One option per line; the Russian and English lines in the same order.
    pub options_uk: String,
    pub options_ru: String,
    pub options_en: String,
    pub demographic: String,
    pub trust: String,
    pub min: String,
    pub max: String,
    /// `question=option`, or empty.
    pub show_if: String,
}

impl QuestionInput {
    pub fn of(q: &Question) -> QuestionInput {
        let lines = |pick: fn(&Names) -> &String| {
            q.options
                .iter()
                .map(|o| pick(&o.label).clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        QuestionInput {
            kind: q.kind.code().to_string(),
            text_uk: q.text.uk.clone(),
            text_ru: q.text.ru.clone(),
            text_en: q.text.en.clone(),
            required: if q.required { "yes" } else { "" }.into(),
            options_uk: lines(|n| &n.uk),
            options_ru: lines(|n| &n.ru),
            options_en: lines(|n| &n.en),
            demographic: q.demographic.map(|d| d.code()).unwrap_or_default().into(),
            trust: if q.trust { "yes" } else { "" }.into(),
            min: q.min.map(super::model::format_number).unwrap_or_default(),
            max: q.max.map(super::model::format_number).unwrap_or_default(),
            show_if: q
                .show_if
                .as_ref()
                .map(|c| format!("{}={}", c.question, c.option))
                .unwrap_or_default(),
        }
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Builds a question from the form; `code` is kept when the question is changed.
fn question_of(input: &QuestionInput, code: String) -> Result<Question, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = QuestionKind::from_code(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "survey-error-kind"));
    }
    if input.text_uk.trim().is_empty() {
        errors.push(FieldError::new("text_uk", "survey-error-question-text"));
    }
    for (field, value) in [
        ("text_uk", &input.text_uk),
        ("text_ru", &input.text_ru),
        ("text_en", &input.text_en),
    ] {
        if value.chars().count() > 1_000 {
            errors.push(FieldError::new(field, "survey-error-too-long"));
        }
    }
    let demographic = match input.demographic.trim() {
        "" => None,
        code => match Demographic::from_code(code) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new("demographic", "survey-error-demographic"));
                None
            }
        },
    };
    let (uk, ru, en) = (
        lines(&input.options_uk),
        lines(&input.options_ru),
        lines(&input.options_en),
    );
    let community = demographic == Some(Demographic::Community);
    let mut options = Vec::new();
    if kind.is_some_and(QuestionKind::has_options) && !community {
        if uk.len() < 2 {
            errors.push(FieldError::new("options_uk", "survey-error-options"));
        } else if uk.len() > super::model::MAX_OPTIONS {
            errors.push(FieldError::new(
                "options_uk",
                "survey-error-too-many-options",
            ));
        }
        if !ru.is_empty() && ru.len() != uk.len() {
            errors.push(FieldError::new("options_ru", "survey-error-option-lines"));
        }
        if !en.is_empty() && en.len() != uk.len() {
            errors.push(FieldError::new("options_en", "survey-error-option-lines"));
        }
        if uk.iter().any(|l| l.chars().count() > 200) {
            errors.push(FieldError::new("options_uk", "survey-error-too-long"));
        }
        // Codes are the options' numbers: short to type on paper entry and in CSV files.
        options = uk
            .iter()
            .enumerate()
            .map(|(i, label)| Choice {
                code: (i + 1).to_string(),
                label: Names {
                    uk: label.clone(),
                    ru: ru.get(i).cloned().unwrap_or_default(),
                    en: en.get(i).cloned().unwrap_or_default(),
                },
            })
            .collect();
    }
    if community && kind != Some(QuestionKind::Single) {
        errors.push(FieldError::new(
            "demographic",
            "survey-error-community-single",
        ));
    }
    let trust = input.trust.trim() == "yes";
    if trust && kind != Some(QuestionKind::Likert) {
        errors.push(FieldError::new("trust", "survey-error-trust-likert"));
    }
    let number = |field: &'static str, value: &str, errors: &mut Vec<FieldError>| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match value.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(FieldError::new(field, "survey-error-number"));
                None
            }
        }
    };
    let (min, max) = if kind == Some(QuestionKind::Number) {
        (
            number("min", &input.min, &mut errors),
            number("max", &input.max, &mut errors),
        )
    } else {
        (None, None)
    };
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(FieldError::new("max", "survey-error-min-max"));
    }
    let show_if = input
        .show_if
        .trim()
        .split_once('=')
        .map(|(question, option)| Condition {
            question: question.to_string(),
            option: option.to_string(),
        });
    match kind {
        Some(kind) if errors.is_empty() => Ok(Question {
            code,
            kind,
            text: Names {
                uk: text(&input.text_uk),
                ru: text(&input.text_ru),
                en: text(&input.text_en),
            },
            required: input.required.trim() == "yes",
            options,
            demographic,
            trust,
            min,
            max,
            show_if,
        }),
        _ => Err(errors),
    }
}

/// How a questionnaire is changed.
pub enum Edit<'a> {
    Add(&'a QuestionInput),
    Change(&'a str, &'a QuestionInput),
    Remove(&'a str),
    MoveUp(&'a str),
    MoveDown(&'a str),
}

/// Changes the questionnaire of `survey` (as the page read it) while no wave has answers; the
/// whole questionnaire is checked, and the store refuses the change if the survey changed since
/// the form was shown (`seen`).
pub async fn edit_questions(
    state: &AppState,
    staff: &Staff,
    survey: &SurveyRow,
    seen: OffsetDateTime,
    edit: Edit<'_>,
) -> AppResult<()> {
    staff.require(MANAGERS)?;
    let id = survey.id;
    let mut questionnaire = survey.questionnaire.clone();
    let (action, code) = match edit {
        Edit::Add(input) => {
            let code = questionnaire.next_code();
            let q = question_of(input, code.clone()).map_err(AppError::Validation)?;
            questionnaire.questions.push(q);
            ("survey.question_added", code)
        }
        Edit::Change(code, input) => {
            let i = questionnaire.position(code).ok_or(AppError::NotFound)?;
            questionnaire.questions[i] =
                question_of(input, code.to_string()).map_err(AppError::Validation)?;
            ("survey.question_changed", code.to_string())
        }
        Edit::Remove(code) => {
            let i = questionnaire.position(code).ok_or(AppError::NotFound)?;
            questionnaire.questions.remove(i);
            ("survey.question_removed", code.to_string())
        }
        Edit::MoveUp(code) | Edit::MoveDown(code) => {
            let i = questionnaire.position(code).ok_or(AppError::NotFound)?;
            let j = if matches!(edit, Edit::MoveUp(_)) {
                i.checked_sub(1)
            } else {
                Some(i + 1).filter(|j| *j < questionnaire.questions.len())
            };
            if let Some(j) = j {
                questionnaire.questions.swap(i, j);
            }
            ("survey.question_moved", code.to_string())
        }
    };
    if let Err(key) = check_questionnaire(&questionnaire) {
        // Shown on the field it concerns when the form has one.
        let field = match key {
            "survey-error-condition" => "show_if",
            _ => "text_uk",
        };
        return Err(match action {
            "survey.question_added" | "survey.question_changed" => AppError::field(field, key),
            _ => AppError::Conflict(key),
        });
    }
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "survey",
        id,
        None,
        Some(serde_json::json!({ "question": code })),
    );
    store::save_questions(&state.db, id, &questionnaire, seen, audited).await
}

/// The waves of a survey with their numbers of answers.
pub async fn waves(state: &AppState, survey_id: Uuid) -> AppResult<Vec<WaveRow>> {
    store::waves_counted(&state.db, survey_id).await
}

/// The wave, checked to belong to the survey.
pub async fn wave(state: &AppState, survey_id: Uuid, wave_id: Uuid) -> AppResult<WaveRow> {
    store::wave(&state.db, wave_id)
        .await?
        .filter(|w| w.survey_id == survey_id)
        .ok_or(AppError::NotFound)
}

pub async fn create_wave(
    state: &AppState,
    staff: &Staff,
    survey_id: Uuid,
    name: &str,
) -> AppResult<Uuid> {
    staff.require(MANAGERS)?;
    survey(state, survey_id).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field("name", "survey-error-wave-name"));
    }
    let id = Uuid::now_v7();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "survey.wave_created",
        "survey",
        survey_id,
        None,
        Some(serde_json::json!({ "wave": id, "name": name })),
    );
    store::create_wave(&state.db, id, survey_id, name.to_string(), audited).await?;
    Ok(id)
}

/// What can be done to a wave from its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveAction {
    Open,
    Close,
    Publish,
    Unpublish,
}

impl WaveAction {
    pub fn from_code(code: &str) -> Option<WaveAction> {
        match code {
            "open" => Some(WaveAction::Open),
            "close" => Some(WaveAction::Close),
            "publish" => Some(WaveAction::Publish),
            "unpublish" => Some(WaveAction::Unpublish),
            _ => None,
        }
    }
}

pub async fn act_on_wave(
    state: &AppState,
    staff: &Staff,
    survey_id: Uuid,
    wave_id: Uuid,
    action: WaveAction,
) -> AppResult<()> {
    staff.require(MANAGERS)?;
    let survey = survey(state, survey_id).await?;
    wave(state, survey_id, wave_id).await?;
    let (name, after) = match action {
        WaveAction::Open => ("survey.wave_opened", "open"),
        WaveAction::Close => ("survey.wave_closed", "closed"),
        WaveAction::Publish => ("survey.results_published", "published"),
        WaveAction::Unpublish => ("survey.results_withdrawn", "withdrawn"),
    };
    if action == WaveAction::Open && survey.questionnaire.questions.is_empty() {
        return Err(AppError::Conflict("survey-no-questions"));
    }
    let audited = Audited::by_staff(
        state,
        &staff.user,
        name,
        "survey",
        survey_id,
        None,
        Some(serde_json::json!({ "wave": wave_id, "state": after })),
    );
    match action {
        WaveAction::Open => {
            store::set_wave_status(
                &state.db,
                wave_id,
                WaveStatus::Planned,
                WaveStatus::Open,
                audited,
            )
            .await
        }
        WaveAction::Close => {
            store::set_wave_status(
                &state.db,
                wave_id,
                WaveStatus::Open,
                WaveStatus::Closed,
                audited,
            )
            .await
        }
        WaveAction::Publish => store::set_wave_published(&state.db, wave_id, true, audited).await,
        WaveAction::Unpublish => {
            store::set_wave_published(&state.db, wave_id, false, audited).await
        }
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn invitation_hash(state: &AppState, token: &str) -> [u8; 32] {
    state.keys.mac(
        MacPurpose::Survey,
        format!("invitation\u{1f}{}", token.trim().to_ascii_lowercase()).as_bytes(),
    )
}

/// Makes `count` one-time invitation tokens for a wave; the tokens are returned once and only
/// their keyed hashes are kept.
pub async fn invite(
    state: &AppState,
    staff: &Staff,
    survey_id: Uuid,
    wave_id: Uuid,
    count: u32,
) -> AppResult<Vec<String>> {
    staff.require(MANAGERS)?;
    wave(state, survey_id, wave_id).await?;
    if count == 0 || count > MAX_INVITATIONS {
        return Err(AppError::field("count", "survey-error-invitations"));
    }
    let tokens: Vec<String> = (0..count).map(|_| random_token()).collect();
    let hashes = tokens.iter().map(|t| invitation_hash(state, t)).collect();
    let audited = Audited::by_staff(
        state,
        &staff.user,
        "survey.invitations_made",
        "survey",
        survey_id,
        None,
        Some(serde_json::json!({ "wave": wave_id, "count": count })),
    );
    store::create_invitations(&state.db, wave_id, hashes, audited).await?;
    Ok(tokens)
}

/// The wave residents answer now: the survey's newest open wave.
pub async fn open_wave(state: &AppState, survey: &SurveyRow) -> AppResult<Option<WaveRow>> {
    store::open_wave(&state.db, survey.id).await
}

/// Whether an invitation token can still be used for the wave.
pub async fn invitation_usable(state: &AppState, wave_id: Uuid, token: &str) -> AppResult<bool> {
    if token.trim().is_empty() {
        return Ok(false);
    }
    store::invitation_usable(&state.db, wave_id, invitation_hash(state, token)).await
}

/// The value of the cookie that marks a wave as answered in this browser (an HMAC of the wave,
/// so that it cannot be made for another wave and says nothing about the answers).
pub fn answered_mark(state: &AppState, wave_id: Uuid) -> String {
    let tag = state.keys.mac(
        MacPurpose::Survey,
        format!("answered\u{1f}{wave_id}").as_bytes(),
    );
    tag[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Communities' codes, the options of a community question.
pub async fn community_codes(state: &AppState) -> AppResult<Vec<String>> {
    let catalog = state.catalog.get(&state.db).await?;
    Ok(catalog.communities.iter().map(|c| c.code.clone()).collect())
}

fn new_response(
    state: &AppState,
    questionnaire: &Questionnaire,
    wave_id: Uuid,
    channel: &'static str,
    answers: &Answers,
    submission: Option<&str>,
    entered_by: Option<Uuid>,
) -> NewResponse {
    let community = questionnaire
        .community_question()
        .and_then(|q| match answers.get(&q.code) {
            Some(Answer::Choice(c)) => Some(c.clone()),
            _ => None,
        });
    let texts = questionnaire
        .questions
        .iter()
        .filter_map(|q| match answers.get(&q.code) {
            Some(Answer::Text(t)) => Some((q.code.clone(), t.clone())),
            _ => None,
        })
        .collect();
    NewResponse {
        id: Uuid::now_v7(),
        wave_id,
        channel,
        answers_json: answers_to_json(answers),
        community,
        trust_score: trust_score(questionnaire, answers),
        submission_key: submission
            .filter(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|s| {
                state.keys.mac(
                    MacPurpose::Survey,
                    format!("submission\u{1f}{wave_id}\u{1f}{}", s.to_ascii_lowercase()).as_bytes(),
                )
            }),
        invitation: None,
        entered_by,
        texts,
        created_at: OffsetDateTime::now_utc(),
    }
}

/// A fresh token for one answer form: a retried submission of it is stored once.
pub fn new_form_token() -> String {
    random_token()
}

/// A resident's answers from the public link. `Err(Validation)`-like problems come back as
/// answer errors to show on the form.
pub enum Submitted {
    Stored(Stored),
    Invalid(Vec<AnswerError>),
}

pub async fn submit_web(
    state: &AppState,
    survey: &SurveyRow,
    wave: &WaveRow,
    raw: &RawAnswers,
    form_token: &str,
    invitation: Option<&str>,
) -> AppResult<Submitted> {
    let communities = community_codes(state).await?;
    let answers = match validate(&survey.questionnaire, raw, &communities) {
        Ok(answers) => answers,
        Err(errors) => return Ok(Submitted::Invalid(errors)),
    };
    let mut response = new_response(
        state,
        &survey.questionnaire,
        wave.id,
        "web",
        &answers,
        Some(form_token),
        None,
    );
    if survey.access == Access::Token {
        let token = invitation.unwrap_or_default();
        if token.trim().is_empty() {
            return Err(AppError::Conflict("survey-invitation-needed"));
        }
        response.invitation = Some(invitation_hash(state, token));
    }
    Ok(Submitted::Stored(
        store::insert_response(&state.db, response, true).await?,
    ))
}

/// A paper questionnaire typed in by staff: choices may be given by their number in the list
/// shown (communities too) or by code.
pub async fn submit_paper(
    state: &AppState,
    staff: &Staff,
    survey: &SurveyRow,
    wave: &WaveRow,
    raw: &RawAnswers,
    form_token: &str,
) -> AppResult<Submitted> {
    staff.require(ENTRY)?;
    let communities = community_codes(state).await?;
    let raw = numbers_to_codes(&survey.questionnaire, raw, &communities);
    let answers = match validate(&survey.questionnaire, &raw, &communities) {
        Ok(answers) => answers,
        Err(errors) => return Ok(Submitted::Invalid(errors)),
    };
    let response = new_response(
        state,
        &survey.questionnaire,
        wave.id,
        "paper",
        &answers,
        Some(form_token),
        Some(staff.user.id),
    );
    Ok(Submitted::Stored(
        store::insert_response(&state.db, response, false).await?,
    ))
}

/// Paper entry and CSV import accept an option's number in the list (1, 2, …) and several
/// numbers separated by spaces, commas or `;` for a multiple choice; a community by its number
/// in the list of communities or by code.
fn numbers_to_codes(
    questionnaire: &Questionnaire,
    raw: &RawAnswers,
    communities: &[String],
) -> RawAnswers {
    let mut out = raw.clone();
    for q in &questionnaire.questions {
        let Some(values) = out.get_mut(&q.code) else {
            continue;
        };
        if q.demographic == Some(Demographic::Community) {
            for v in values.iter_mut() {
                if let Ok(n) = v.trim().parse::<usize>()
                    && let Some(code) = n.checked_sub(1).and_then(|i| communities.get(i))
                {
                    *v = code.clone();
                }
            }
        } else if q.kind == QuestionKind::Multiple {
            let joined: Vec<String> = values
                .iter()
                .flat_map(|v| {
                    v.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            *values = joined;
        }
    }
    out
}

/// A row of a CSV import that was not stored, and why.
#[derive(Debug, Clone)]
pub struct RejectedRow {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// Question code and message key of each problem.
    pub problems: Vec<(String, &'static str)>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub stored: u64,
    pub rejected: Vec<RejectedRow>,
    /// Columns of the file that are not questions (ignored).
    pub unknown_columns: Vec<String>,
    /// Questions with no column in the file.
    pub missing_columns: Vec<String>,
}

/// Most rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// Imports answers from CSV: a header row of question codes, then one row per response. Choices
/// by code, number or label (in any language); several choices separated by `;`. Valid rows are
/// stored together; every other row is reported with its line and problems, never dropped
/// silently.
pub async fn import_csv(
    state: &AppState,
    staff: &Staff,
    survey: &SurveyRow,
    wave: &WaveRow,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    staff.require(ENTRY)?;
    let communities = community_codes(state).await?;
    let questionnaire = &survey.questionnaire;
    let (valid, mut report) = read_import(questionnaire, &communities, bytes)?;
    let responses: Vec<NewResponse> = valid
        .iter()
        .map(|answers| {
            new_response(
                state,
                questionnaire,
                wave.id,
                "import",
                answers,
                None,
                Some(staff.user.id),
            )
        })
        .collect();
    report.stored = responses.len() as u64;
    if !responses.is_empty() {
        let audited = Audited::by_staff(
            state,
            &staff.user,
            "survey.answers_imported",
            "survey",
            survey.id,
            None,
            Some(serde_json::json!({
                "wave": wave.id,
                "stored": report.stored,
                "rejected": report.rejected.len(),
            })),
        );
        store::insert_responses(&state.db, responses, audited).await?;
    }
    Ok(report)
}

/// Reads an import file against a questionnaire: the valid responses, and the report of every
/// row that is not (with its line and problems), the unknown and missing columns. Pure, so that
/// it can be fuzzed: any bytes give an answer, never a panic.
pub fn read_import(
    questionnaire: &Questionnaire,
    communities: &[String],
    bytes: &[u8],
) -> AppResult<(Vec<Answers>, ImportReport)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes));
    let header = reader
        .headers()
        .map_err(|_| AppError::field("file", "survey-error-csv"))?
        .clone();
    let columns: Vec<Option<&Question>> = header
        .iter()
        .map(|h| questionnaire.question(h.trim()))
        .collect();
    if columns.iter().all(Option::is_none) {
        return Err(AppError::field("file", "survey-error-csv-header"));
    }
    let mut report = ImportReport {
        unknown_columns: header
            .iter()
            .zip(&columns)
            .filter(|(_, q)| q.is_none())
            .map(|(h, _)| h.to_string())
            .collect(),
        missing_columns: questionnaire
            .questions
            .iter()
            .filter(|q| !header.iter().any(|h| h.trim() == q.code))
            .map(|q| q.code.clone())
            .collect(),
        ..Default::default()
    };
    let mut responses = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // The line where the row begins in the file, as an editor shows it (a quoted value may
        // span lines, so rows and lines differ).
        let counted = i as u64 + 2;
        let line = match &record {
            Ok(record) => record.position().map(|p| p.line()),
            Err(err) => err.position().map(|p| p.line()),
        }
        .unwrap_or(counted);
        if responses.len() + report.rejected.len() >= MAX_IMPORT_ROWS {
            return Err(AppError::field("file", "survey-error-csv-too-many"));
        }
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                report.rejected.push(RejectedRow {
                    line,
                    problems: vec![(String::new(), "survey-error-csv-row")],
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue; // a blank line is not a response
        }
        if record.len() != header.len() {
            report.rejected.push(RejectedRow {
                line,
                problems: vec![(String::new(), "survey-error-csv-columns")],
            });
            continue;
        }
        let mut raw = RawAnswers::new();
        for (value, question) in record.iter().zip(&columns) {
            if let Some(q) = question
                && !value.is_empty()
            {
                let values = match q.kind {
                    QuestionKind::Multiple => value
                        .split(';')
                        .map(|v| option_code(q, v.trim(), communities))
                        .collect(),
                    _ if q.kind.has_options() => vec![option_code(q, value, communities)],
                    _ => vec![value.to_string()],
                };
                raw.insert(q.code.clone(), values);
            }
        }
        let raw = numbers_to_codes(questionnaire, &raw, communities);
        match validate(questionnaire, &raw, communities) {
            Ok(answers) => responses.push(answers),
            Err(errors) => report.rejected.push(RejectedRow {
                line,
                problems: errors.into_iter().map(|e| (e.question, e.key)).collect(),
            }),
        }
    }
    Ok((responses, report))
}

/// An option given by its label (any language, any case) becomes its code.
fn option_code(q: &Question, value: &str, communities: &[String]) -> String {
    if q.demographic == Some(Demographic::Community) || q.option_codes(communities).contains(&value)
    {
        return value.to_string();
    }
    let lower = value.to_lowercase();
    q.options
        .iter()
        .find(|o| {
            [&o.label.uk, &o.label.ru, &o.label.en]
                .iter()
                .any(|l| !l.is_empty() && l.to_lowercase() == lower)
        })
        .map(|o| o.code.clone())
        .unwrap_or_else(|| value.to_string())
}

/// A wave's answers (loaded or topped up), and the wave before it with its answers, which
/// its figures are compared with; with `published_only`, only an earlier wave whose results were
/// published (what public pages may compare with).
pub async fn wave_data(
    state: &AppState,
    survey: &SurveyRow,
    wave_id: Uuid,
    published_only: bool,
) -> AppResult<(Arc<WaveData>, Option<(WaveRow, Arc<WaveData>)>)> {
    let communities = community_codes(state).await?;
    let questionnaire = Arc::new(survey.questionnaire.clone());
    let mut waves = store::waves(&state.db, survey.id).await?;
    let position = waves
        .iter()
        .position(|w| w.id == wave_id)
        .ok_or(AppError::NotFound)?;
    let current = state
        .surveys
        .get(&state.db, wave_id, &questionnaire, &communities)
        .await?;
    waves.truncate(position);
    let previous = match waves
        .pop()
        .filter(|w| !published_only || w.published_at.is_some())
    {
        Some(wave) => {
            let answers = state
                .surveys
                .get(&state.db, wave.id, &questionnaire, &communities)
                .await?;
            Some((wave, answers))
        }
        None => None,
    };
    Ok((current, previous))
}

/// A wave's results, and the earlier wave they are compared with (on public pages only a wave
/// whose results were published: a change would otherwise tell about unpublished figures).
pub async fn results(
    state: &AppState,
    survey: &SurveyRow,
    wave_id: Uuid,
    query: &ResultsQuery,
) -> AppResult<(WaveResults, Option<WaveRow>)> {
    let (current, previous) = wave_data(state, survey, wave_id, query.public).await?;
    let populations = if query.weighted {
        store::populations(&state.db).await?
    } else {
        Vec::new()
    };
    let results = results::compute(
        &current,
        previous.as_ref().map(|(_, answers)| answers.as_ref()),
        query,
        &populations,
    );
    Ok((results, previous.map(|(wave, _)| wave)))
}

/// A focus group as its form gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FocusGroupInput {
    pub held_on: String,
    pub community: String,
    pub topic: String,
    pub moderator: String,
    pub participants: String,
    pub profile: String,
    pub notes: String,
    /// Themes separated by commas or new lines.
    pub themes: String,
}

impl FocusGroupInput {
    pub fn of(g: &FocusGroupRow) -> FocusGroupInput {
        FocusGroupInput {
            held_on: crate::statistics::model::iso_date(g.held_on),
            community: g.community.clone().unwrap_or_default(),
            topic: g.topic.clone(),
            moderator: g.moderator.clone(),
            participants: g.participants.to_string(),
            profile: g.profile.clone(),
            notes: g.notes.clone(),
            themes: g.themes.join(", "),
        }
    }
}

/// Themes as tags: trimmed, lower-cased, one space inside, each once.
pub fn themes_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for theme in text.split([',', '\n', ';']) {
        let theme = theme
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if !theme.is_empty() && !out.contains(&theme) {
            out.push(theme);
        }
    }
    out
}

/// `YYYY-MM-DD`, years 2000 to 2100.
fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let year: i32 = y.parse().ok().filter(|y| (2000..=2100).contains(y))?;
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(year, month, d.parse().ok()?).ok()
}

async fn validate_focus_group(
    state: &AppState,
    input: &FocusGroupInput,
) -> AppResult<FocusGroupFields> {
    let mut errors = Vec::new();
    let held_on = parse_date(input.held_on.trim());
    if held_on.is_none() {
        errors.push(FieldError::new("held_on", "survey-error-date"));
    }
    let community = match input.community.trim() {
        "" => None,
        code => {
            let catalog = state.catalog.get(&state.db).await?;
            if catalog.community(code).is_none() {
                errors.push(FieldError::new("community", "survey-error-community"));
            }
            Some(code.to_string())
        }
    };
    if input.topic.trim().is_empty() || input.topic.chars().count() > 200 {
        errors.push(FieldError::new("topic", "focus-error-topic"));
    }
    if input.moderator.trim().is_empty() || input.moderator.chars().count() > 200 {
        errors.push(FieldError::new("moderator", "focus-error-moderator"));
    }
    let participants = input
        .participants
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=500).contains(n));
    if participants.is_none() {
        errors.push(FieldError::new("participants", "focus-error-participants"));
    }
    if input.profile.chars().count() > 2_000 {
        errors.push(FieldError::new("profile", "survey-error-too-long"));
    }
    if input.notes.chars().count() > 50_000 {
        errors.push(FieldError::new("notes", "survey-error-too-long"));
    }
    let themes = themes_of(&input.themes);
    if themes.len() > 30 || themes.iter().any(|t| t.chars().count() > 60) {
        errors.push(FieldError::new("themes", "focus-error-themes"));
    }
    match (held_on, participants) {
        (Some(held_on), Some(participants)) if errors.is_empty() => Ok(FocusGroupFields {
            held_on,
            community,
            topic: text(&input.topic),
            moderator: text(&input.moderator),
            participants,
            profile: text(&input.profile),
            notes: input.notes.trim().to_string(),
            themes,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Records a new focus group (`id` None) or changes one.
pub async fn save_focus_group(
    state: &AppState,
    staff: &Staff,
    id: Option<Uuid>,
    input: &FocusGroupInput,
) -> AppResult<Uuid> {
    staff.require(MANAGERS)?;
    let fields = validate_focus_group(state, input).await?;
    let (id, action) = match id {
        Some(id) => {
            focus_group(state, staff, id).await?;
            (id, "focus_group.updated")
        }
        None => (Uuid::now_v7(), "focus_group.created"),
    };
    let audited = Audited::by_staff(
        state,
        &staff.user,
        action,
        "focus_group",
        id,
        None,
        Some(serde_json::json!({ "topic": fields.topic, "themes": fields.themes })),
    );
    store::save_focus_group(&state.db, id, fields, staff.user.id, audited).await?;
    Ok(id)
}

pub async fn focus_group(state: &AppState, staff: &Staff, id: Uuid) -> AppResult<FocusGroupRow> {
    staff.require(READERS)?;
    store::focus_group(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A published wave's trust index, as the public statistics and the digest show it.
pub struct PublishedTrust {
    pub survey: SurveyRow,
    pub wave: WaveRow,
    pub rows: Vec<results::TrustRow>,
}

/// Published waves that measure trust, newest publication first; with `within`, only those
/// published in that period. At most `limit`.
pub async fn published_trust(
    state: &AppState,
    within: Option<(OffsetDateTime, OffsetDateTime)>,
    limit: usize,
) -> AppResult<Vec<PublishedTrust>> {
    let mut out = Vec::new();
    for wave in store::published_waves(&state.db).await? {
        if out.len() >= limit {
            break;
        }
        if let (Some((from, until)), Some(at)) = (within, wave.published_at)
            && (at < from || at >= until)
        {
            continue;
        }
        let Some(survey) = store::survey(&state.db, wave.survey_id).await? else {
            continue;
        };
        if !survey.questionnaire.questions.iter().any(|q| q.trust) {
            continue;
        }
        let (current, previous) = wave_data(state, &survey, wave.id, true).await?;
        let rows = results::public_trust(
            &current,
            previous.as_ref().map(|(_, answers)| answers.as_ref()),
        );
        out.push(PublishedTrust { survey, wave, rows });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names_the_line_where_a_row_begins() {
        let questionnaire = crate::demo::surveys::questionnaire();
        let communities = vec!["kramatorsk".to_string()];
        // The first row's unknown column holds a value over two lines (found by fuzzing: rows
        // were numbered as if every row were one line); a lone \r ends a row, not a line.
        let csv = b"q1,note\n\"kramatorsk\",\"two\nlines\"\nnowhere,x\r7,y\n8,z\n";
        let (valid, report) = read_import(&questionnaire, &communities, csv).expect("read");
        assert!(valid.is_empty());
        let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 4, 5]);
        assert_eq!(report.unknown_columns, ["note"]);
    }
}
