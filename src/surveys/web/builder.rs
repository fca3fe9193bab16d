//! The coordinators' side: surveys, their questionnaire, waves and invitations.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use fluent_templates::fluent_bundle::FluentValue;
use time::OffsetDateTime;

use super::{pick_text, survey_error};
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, render};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::surveys::model::{Demographic, QuestionKind, Questionnaire};
use crate::surveys::service::{
    self, Edit, MANAGERS, QuestionInput, READERS, SurveyInput, VIEWERS, WaveAction,
};
use crate::surveys::store::{Access, SurveyRow, WaveRow, WaveStatus};

struct SurveyLine {
    id: String,
    code: String,
    title: String,
    questions: usize,
    access: String,
}

#[derive(Template)]
#[template(path = "surveys/staff_list.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    lines: Vec<SurveyLine>,
    can_manage: bool,
    v: SurveyInput,
    accesses: Vec<(&'static str, String)>,
    errors: FieldErrors,
}

fn accesses(lang: Lang) -> Vec<(&'static str, String)> {
    [Access::Cookie, Access::Token]
        .into_iter()
        .map(|a| (a.code(), lang.t(&format!("survey-access-{}", a.code()))))
        .collect()
}

async fn list_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    input: SurveyInput,
    errors: &[FieldError],
) -> Response {
    let rows = match service::surveys(state, staff).await {
        Ok(rows) => rows,
        Err(err) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let page = ListPage {
        c: Chrome::new(lang, "/staff/surveys", "surveys-title").staff(&staff.user, &csrf),
        csrf,
        lines: rows
            .iter()
            .map(|s| SurveyLine {
                id: s.id.to_string(),
                code: s.code.clone(),
                title: pick_text(lang, &s.title),
                questions: s.questionnaire.questions.len(),
                access: lang.t(&format!("survey-access-{}", s.access.code())),
            })
            .collect(),
        can_manage: staff.require(MANAGERS).is_ok(),
        v: input,
        accesses: accesses(lang),
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let input = SurveyInput {
        access: Access::Cookie.code().into(),
        ..Default::default()
    };
    list_page(&state, lang, jar, &staff, input, &[]).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct SurveyForm {
    csrf: String,
    #[serde(flatten)]
    input: SurveyInput,
}

pub(super) async fn create(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<SurveyForm>,
) -> Response {
    if let Err(err) = staff.require(MANAGERS) {
        return survey_error(lang, err);
    }
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::create_survey(&state, &staff, &form.input).await
    } else {
        Err(AppError::field("code", "form-expired"))
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/surveys/{id}")).into_response(),
        Err(AppError::Validation(errors)) => {
            list_page(&state, lang, jar, &staff, form.input, &errors).await
        }
        Err(err) => survey_error(lang, err),
    }
}

struct QuestionLine {
    code: String,
    text: String,
    kind: String,
    notes: Vec<String>,
    first: bool,
    last: bool,
}

struct WaveLine {
    id: String,
    name: String,
    status: String,
    responses: i64,
    published: bool,
    can_open: bool,
    can_close: bool,
    invitations: String,
}

#[derive(Template)]
#[template(path = "surveys/staff_survey.html")]
struct SurveyPage {
    c: Chrome,
    csrf: String,
    id: String,
    public_link: String,
    can_manage: bool,
    /// Analysts read results but do not enter answers; operators the other way round.
    can_read: bool,
    can_enter: bool,
    locked: bool,
    seen: String,
    questions: Vec<QuestionLine>,
    waves: Vec<WaveLine>,
    v: SurveyInput,
    accesses: Vec<(&'static str, String)>,
    errors: FieldErrors,
    q: QuestionForm,
    wave_name: String,
    notice: String,
}

/// The question form's context (used to add a question and to change one).
pub(super) struct QuestionForm {
    pub v: QuestionInput,
    pub kinds: Vec<(&'static str, String)>,
    pub demographics: Vec<(&'static str, String)>,
    /// Earlier choice questions' options a question can depend on: (value, label).
    pub conditions: Vec<(String, String)>,
    pub errors: FieldErrors,
}

fn question_form(
    lang: Lang,
    questionnaire: &Questionnaire,
    before: Option<&str>,
    v: QuestionInput,
    errors: &[FieldError],
) -> QuestionForm {
    let end = before
        .and_then(|code| questionnaire.position(code))
        .unwrap_or(questionnaire.questions.len());
    QuestionForm {
        v,
        kinds: QuestionKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k.code(),
                    lang.t(&format!("survey-kind-{}", k.code().replace('_', "-"))),
                )
            })
            .collect(),
        demographics: Demographic::ALL
            .into_iter()
            .map(|d| {
                (
                    d.code(),
                    lang.t(&format!(
                        "survey-demographic-{}",
                        d.code().replace('_', "-")
                    )),
                )
            })
            .collect(),
        conditions: questionnaire.questions[..end]
            .iter()
            .enumerate()
            .filter(|(_, q)| q.kind.has_options())
            .flat_map(|(i, q)| {
                q.options.iter().map(move |o| {
                    (
                        format!("{}={}", q.code, o.code),
                        format!(
                            "{}. {} = {}",
                            i + 1,
                            pick_text(lang, &q.text),
                            pick_text(lang, &o.label)
                        ),
                    )
                })
            })
            .collect(),
        errors: FieldErrors::new(lang, errors),
    }
}

fn stamp(at: OffsetDateTime) -> String {
    at.unix_timestamp_nanos().to_string()
}

fn parse_stamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(text.trim().parse().ok()?).ok()
}

fn question_notes(
    lang: Lang,
    q: &crate::surveys::model::Question,
    questionnaire: &Questionnaire,
) -> Vec<String> {
    let mut notes = Vec::new();
    if q.required {
        notes.push(lang.t("survey-note-required"));
    }
    if let Some(d) = q.demographic {
        notes.push(lang.t(&format!(
            "survey-demographic-{}",
            d.code().replace('_', "-")
        )));
    }
    if q.trust {
        notes.push(lang.t("survey-note-trust"));
    }
    if let Some(c) = &q.show_if {
        let on = questionnaire
            .position(&c.question)
            .map(|p| p + 1)
            .unwrap_or_default();
        let option = questionnaire
            .question(&c.question)
            .and_then(|p| p.options.iter().find(|o| o.code == c.option))
            .map(|o| pick_text(lang, &o.label))
            .unwrap_or_else(|| c.option.clone());
        notes.push(format!("{} {on} = «{option}»", lang.t("survey-note-if")));
    }
    if q.kind.has_options() && q.demographic != Some(Demographic::Community) {
        notes.push(
            q.options
                .iter()
                .map(|o| format!("{}: {}", o.code, pick_text(lang, &o.label)))
                .collect::<Vec<_>>()
                .join(" · "),
        );
    }
    notes
}

struct SurveyView<'a> {
    pub survey: &'a SurveyRow,
    pub input: Option<SurveyInput>,
    pub errors: &'a [FieldError],
    pub question: Option<QuestionInput>,
    pub question_errors: &'a [FieldError],
    pub wave_name: String,
    pub notice: String,
}

impl<'a> SurveyView<'a> {
    /// The survey as stored, nothing typed, no message.
    fn of(survey: &'a SurveyRow) -> SurveyView<'a> {
        SurveyView {
            survey,
            input: None,
            errors: &[],
            question: None,
            question_errors: &[],
            wave_name: String::new(),
            notice: String::new(),
        }
    }
}

async fn survey_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    view: SurveyView<'_>,
) -> Response {
    if let Err(err) = staff.require(VIEWERS) {
        return survey_error(lang, err);
    }
    let s = view.survey;
    let (waves, locked) = match (
        service::waves(state, s.id).await,
        crate::surveys::store::is_answered(&state.db, s.id).await,
    ) {
        (Ok(waves), Ok(locked)) => (waves, locked),
        (Err(err), _) | (_, Err(err)) => return survey_error(lang, err),
    };
    let mut wave_lines = Vec::with_capacity(waves.len());
    for w in &waves {
        let invitations = if s.access == Access::Token {
            match crate::surveys::store::invitation_counts(&state.db, w.id).await {
                Ok((made, used)) => lang.t_args(
                    "survey-invitations-counts",
                    &[
                        ("made", FluentValue::from(made)),
                        ("used", FluentValue::from(used)),
                    ],
                ),
                Err(err) => return survey_error(lang, err),
            }
        } else {
            String::new()
        };
        wave_lines.push(wave_line(lang, w, invitations));
    }
    let (jar, csrf) = csrf::token(state, jar);
    let path = format!("/staff/surveys/{}", s.id);
    let mut c = Chrome::new(lang, &path, "surveys-title").staff(&staff.user, &csrf);
    c.title = pick_text(lang, &s.title);
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let has_errors = !view.errors.is_empty() || !view.question_errors.is_empty();
    let page = SurveyPage {
        c,
        csrf,
        id: s.id.to_string(),
        public_link: format!("{base}/s/{}", s.code),
        can_manage: staff.require(MANAGERS).is_ok(),
        can_read: staff.require(READERS).is_ok(),
        can_enter: staff.require(service::ENTRY).is_ok(),
        locked,
        seen: stamp(s.updated_at),
        questions: s
            .questionnaire
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionLine {
                code: q.code.clone(),
                text: pick_text(lang, &q.text),
                kind: lang.t(&format!("survey-kind-{}", q.kind.code().replace('_', "-"))),
                notes: question_notes(lang, q, &s.questionnaire),
                first: i == 0,
                last: i + 1 == s.questionnaire.questions.len(),
            })
            .collect(),
        waves: wave_lines,
        v: view.input.unwrap_or_else(|| SurveyInput::of(s)),
        accesses: accesses(lang),
        errors: FieldErrors::new(lang, view.errors),
        q: question_form(
            lang,
            &s.questionnaire,
            None,
            view.question.unwrap_or_else(|| QuestionInput {
                kind: QuestionKind::Single.code().into(),
                ..Default::default()
            }),
            view.question_errors,
        ),
        wave_name: view.wave_name,
        notice: view.notice,
    };
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (jar, render(status, &page)).into_response()
}

fn wave_line(lang: Lang, w: &WaveRow, invitations: String) -> WaveLine {
    WaveLine {
        id: w.id.to_string(),
        name: w.name.clone(),
        status: lang.t(&format!("survey-wave-{}", w.status.code())),
        responses: w.responses.unwrap_or_default(),
        published: w.published_at.is_some(),
        can_open: w.status == WaveStatus::Planned,
        can_close: w.status == WaveStatus::Open,
        invitations,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct NoticeQuery {
    done: String,
}

async fn load(state: &AppState, lang: Lang, id: &str) -> Result<SurveyRow, Response> {
    let id = crate::error::parse_id(id).map_err(|e| survey_error(lang, e))?;
    service::survey(state, id)
        .await
        .map_err(|e| survey_error(lang, e))
}

pub(super) async fn survey(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let done = [
        "saved",
        "question",
        "wave",
        "open",
        "close",
        "publish",
        "unpublish",
    ]
    .into_iter()
    .find(|d| *d == q.done);
    let view = SurveyView {
        notice: done
            .map(|d| lang.t(&format!("survey-done-{d}")))
            .unwrap_or_default(),
        ..SurveyView::of(&survey)
    };
    survey_page(&state, lang, jar, &staff, view).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<SurveyForm>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::update_survey(&state, &staff, &survey, &form.input).await
    } else {
        Err(AppError::field("code", "form-expired"))
    };
    match result {
        Ok(()) => Redirect::to(&format!("/staff/surveys/{}?done=saved", survey.id)).into_response(),
        Err(AppError::Validation(errors)) => {
            let view = SurveyView {
                input: Some(form.input),
                errors: &errors,
                ..SurveyView::of(&survey)
            };
            survey_page(&state, lang, jar, &staff, view).await
        }
        Err(err) => survey_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct QuestionPost {
    csrf: String,
    seen: String,
    /// save (default), remove, up, down
    op: String,
    #[serde(flatten)]
    input: QuestionInput,
}

pub(super) async fn add_question(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<QuestionPost>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let result = match (
        csrf::verify(&state, &jar, &headers, &form.csrf),
        parse_stamp(&form.seen),
    ) {
        (true, Some(seen)) => {
            service::edit_questions(&state, &staff, &survey, seen, Edit::Add(&form.input)).await
        }
        _ => Err(AppError::field("text_uk", "form-expired")),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/staff/surveys/{}?done=question#questions",
            survey.id
        ))
        .into_response(),
        Err(AppError::Validation(errors)) => {
            let view = SurveyView {
                question: Some(form.input),
                question_errors: &errors,
                ..SurveyView::of(&survey)
            };
            survey_page(&state, lang, jar, &staff, view).await
        }
        Err(err) => survey_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "surveys/staff_question.html")]
struct QuestionPage {
    c: Chrome,
    csrf: String,
    survey_id: String,
    code: String,
    seen: String,
    locked: bool,
    q: QuestionForm,
}

#[allow(clippy::too_many_arguments)]
async fn question_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    survey: &SurveyRow,
    code: &str,
    input: Option<QuestionInput>,
    errors: &[FieldError],
) -> Response {
    if let Err(err) = staff.require(MANAGERS) {
        return survey_error(lang, err);
    }
    let Some(question) = survey.questionnaire.question(code) else {
        return survey_error(lang, AppError::NotFound);
    };
    let locked = match crate::surveys::store::is_answered(&state.db, survey.id).await {
        Ok(locked) => locked,
        Err(err) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let path = format!("/staff/surveys/{}/questions/{code}", survey.id);
    let mut c = Chrome::new(lang, &path, "survey-question-title").staff(&staff.user, &csrf);
    let number = survey
        .questionnaire
        .position(code)
        .map(|p| p + 1)
        .unwrap_or_default();
    c.title = format!("{} {number}", lang.t("survey-question-title"));
    let page = QuestionPage {
        c,
        csrf,
        survey_id: survey.id.to_string(),
        code: code.to_string(),
        seen: stamp(survey.updated_at),
        locked,
        q: question_form(
            lang,
            &survey.questionnaire,
            Some(code),
            input.unwrap_or_else(|| QuestionInput::of(question)),
            errors,
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn question(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path((id, code)): Path<(String, String)>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    question_page(&state, lang, jar, &staff, &survey, &code, None, &[]).await
}

pub(super) async fn change_question(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, code)): Path<(String, String)>,
    Form(form): Form<QuestionPost>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let edit = match form.op.as_str() {
        "remove" => Edit::Remove(&code),
        "up" => Edit::MoveUp(&code),
        "down" => Edit::MoveDown(&code),
        _ => Edit::Change(&code, &form.input),
    };
    let result = match (
        csrf::verify(&state, &jar, &headers, &form.csrf),
        parse_stamp(&form.seen),
    ) {
        (true, Some(seen)) => service::edit_questions(&state, &staff, &survey, seen, edit).await,
        _ => Err(AppError::field("text_uk", "form-expired")),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/staff/surveys/{}?done=question#questions",
            survey.id
        ))
        .into_response(),
        Err(AppError::Validation(errors)) => {
            question_page(
                &state,
                lang,
                jar,
                &staff,
                &survey,
                &code,
                Some(form.input),
                &errors,
            )
            .await
        }
        Err(err) => survey_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct WavePost {
    csrf: String,
    name: String,
    action: String,
    count: String,
}

pub(super) async fn create_wave(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<WavePost>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let result = if csrf::verify(&state, &jar, &headers, &form.csrf) {
        service::create_wave(&state, &staff, survey.id, &form.name).await
    } else {
        Err(AppError::field("name", "form-expired"))
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/staff/surveys/{}?done=wave#waves", survey.id)).into_response()
        }
        Err(AppError::Validation(errors)) => {
            let view = SurveyView {
                errors: &errors,
                wave_name: form.name,
                ..SurveyView::of(&survey)
            };
            survey_page(&state, lang, jar, &staff, view).await
        }
        Err(err) => survey_error(lang, err),
    }
}

pub(super) async fn wave_action(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    Form(form): Form<WavePost>,
) -> Response {
    let (survey_id, wave_id) = match (crate::error::parse_id(&id), crate::error::parse_id(&wave)) {
        (Ok(s), Ok(w)) => (s, w),
        _ => return survey_error(lang, AppError::NotFound),
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return survey_error(lang, AppError::Conflict("form-expired"));
    }
    let Some(action) = WaveAction::from_code(form.action.trim()) else {
        return survey_error(lang, AppError::NotFound);
    };
    match service::act_on_wave(&state, &staff, survey_id, wave_id, action).await {
        Ok(()) => Redirect::to(&format!(
            "/staff/surveys/{survey_id}?done={}#waves",
            form.action.trim()
        ))
        .into_response(),
        Err(err) => survey_error(lang, err),
    }
}

/// Makes invitations and gives them as a CSV of links (the only time the tokens are seen).
pub(super) async fn invitations(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    Form(form): Form<WavePost>,
) -> Response {
    let survey = match load(&state, lang, &id).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let Ok(wave_id) = crate::error::parse_id(&wave) else {
        return survey_error(lang, AppError::NotFound);
    };
    if !csrf::verify(&state, &jar, &headers, &form.csrf) {
        return survey_error(lang, AppError::Conflict("form-expired"));
    }
    let count = form.count.trim().parse::<u32>().unwrap_or(0);
    let tokens = match service::invite(&state, &staff, survey.id, wave_id, count).await {
        Ok(tokens) => tokens,
        Err(AppError::Validation(errors)) => {
            let view = SurveyView {
                errors: &errors,
                ..SurveyView::of(&survey)
            };
            return survey_page(&state, lang, jar, &staff, view).await;
        }
        Err(err) => return survey_error(lang, err),
    };
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let mut csv = String::from("link\n");
    for token in &tokens {
        csv.push_str(&format!("{base}/s/{}?t={token}\n", survey.code));
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-invitations.csv\"", survey.code),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response()
}
