//! The public answer form: a resident answers anonymously by the survey's link, on a phone,
//! without JavaScript. One answer per person: a one-time invitation token, or a signed cookie on
//! an open link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::{FormQuestion, condition_css, field_value, form_questions, raw_answers, survey_error};
use crate::error::AppError;
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, render};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::surveys::model::{AnswerError, RawAnswers};
use crate::surveys::service::{self, Submitted};
use crate::surveys::store::{Access, Stored, SurveyRow, WaveRow};

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerPage {
    c: Chrome,
    csrf: String,
    action: String,
    intro: Vec<String>,
    wave: String,
    form_token: String,
    invitation: String,
    questions: Vec<FormQuestion>,
    css: String,
    errors: Vec<(String, String)>,
}

/// Why a person cannot answer, or that they have.
#[derive(Template)]
#[template(path = "surveys/answered.html")]
struct MessagePage {
    c: Chrome,
    heading: String,
    message: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct AnswerQuery {
    /// An invitation token.
    t: String,
}

fn cookie_name(wave: &WaveRow) -> String {
    format!("mistok-survey-{}", wave.id.simple())
}

fn message(lang: Lang, path: &str, status: StatusCode, key: &str) -> Response {
    let mut c = Chrome::new(lang, path, &format!("{key}-title"));
    c.title = lang.t(&format!("{key}-title"));
    render(
        status,
        &MessagePage {
            heading: c.title.clone(),
            message: lang.t(key),
            c,
        },
    )
}

struct Target {
    survey: SurveyRow,
    wave: WaveRow,
}

/// The survey and its open wave, or the page that says why one cannot answer.
async fn target(state: &AppState, lang: Lang, code: &str) -> Result<Target, Response> {
    let survey = match crate::surveys::store::survey_by_code(&state.db, code.trim()).await {
        Ok(Some(survey)) => survey,
        Ok(None) => return Err(survey_error(lang, AppError::NotFound)),
        Err(err) => return Err(survey_error(lang, err)),
    };
    match service::open_wave(state, &survey).await {
        Ok(Some(wave)) => Ok(Target { survey, wave }),
        Ok(None) => Err(message(
            lang,
            &format!("/s/{code}"),
            StatusCode::OK,
            "survey-not-open",
        )),
        Err(err) => Err(survey_error(lang, err)),
    }
}

/// Whether this person may answer: an unused invitation, or no mark of an earlier answer.
async fn may_answer(
    state: &AppState,
    lang: Lang,
    jar: &CookieJar,
    t: &Target,
    invitation: &str,
) -> Result<(), Response> {
    let path = format!("/s/{}", t.survey.code);
    match t.survey.access {
        Access::Token => match service::invitation_usable(state, t.wave.id, invitation).await {
            Ok(true) => Ok(()),
            Ok(false) if invitation.trim().is_empty() => Err(message(
                lang,
                &path,
                StatusCode::FORBIDDEN,
                "survey-invitation-needed",
            )),
            Ok(false) => Err(message(
                lang,
                &path,
                StatusCode::FORBIDDEN,
                "survey-invitation-used",
            )),
            Err(err) => Err(survey_error(lang, err)),
        },
        Access::Cookie => {
            let answered = jar
                .get(&cookie_name(&t.wave))
                .is_some_and(|c| c.value() == service::answered_mark(state, t.wave.id));
            if answered {
                Err(message(
                    lang,
                    &path,
                    StatusCode::OK,
                    "survey-already-answered",
                ))
            } else {
                Ok(())
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    t: &Target,
    values: &RawAnswers,
    errors: &[AnswerError],
    form_token: String,
    invitation: &str,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let path = format!("/s/{}", t.survey.code);
    let mut c = Chrome::new(lang, &path, "survey-answer-title");
    c.title = super::pick_text(lang, &t.survey.title);
    let questions = form_questions(lang, &catalog, &t.survey.questionnaire, values, errors);
    let page = AnswerPage {
        c,
        csrf,
        action: path,
        intro: crate::news::model::paragraphs(&super::pick_text(lang, &t.survey.intro)),
        wave: t.wave.name.clone(),
        form_token,
        invitation: invitation.trim().to_string(),
        errors: questions
            .iter()
            .filter_map(|q| {
                q.error
                    .clone()
                    .map(|e| (q.field.clone(), format!("{}. {e}", q.number)))
            })
            .collect(),
        questions,
        css: condition_css(&t.survey.questionnaire),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<AnswerQuery>,
) -> Response {
    let t = match target(&state, lang, &code).await {
        Ok(t) => t,
        Err(page) => return page,
    };
    if let Err(page) = may_answer(&state, lang, &jar, &t, &q.t).await {
        return page;
    }
    form_page(
        &state,
        lang,
        jar,
        &t,
        &RawAnswers::new(),
        &[],
        service::new_form_token(),
        &q.t,
    )
    .await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Response {
    let t = match target(&state, lang, &code).await {
        Ok(t) => t,
        Err(page) => return page,
    };
    let raw = raw_answers(&pairs);
    let form_token = field_value(&pairs, "form_token").to_string();
    let invitation = field_value(&pairs, "invitation").to_string();
    if !csrf::verify(&state, &jar, &headers, field_value(&pairs, "csrf")) {
        let errors = [AnswerError {
            question: t
                .survey
                .questionnaire
                .questions
                .first()
                .map(|q| q.code.clone())
                .unwrap_or_default(),
            key: "form-expired",
        }];
        return form_page(
            &state,
            lang,
            jar,
            &t,
            &raw,
            &errors,
            form_token,
            &invitation,
        )
        .await;
    }
    // An invitation is used up inside the transaction that stores the answer (so that a retry
    // of a stored answer is recognised as such); the cookie of an open link is checked here.
    if t.survey.access == Access::Cookie
        && let Err(page) = may_answer(&state, lang, &jar, &t, &invitation).await
    {
        return page;
    }
    let path = format!("/s/{}", t.survey.code);
    match service::submit_web(
        &state,
        &t.survey,
        &t.wave,
        &raw,
        &form_token,
        Some(&invitation),
    )
    .await
    {
        Ok(Submitted::Stored(Stored::New | Stored::Replayed)) => {
            let jar = match t.survey.access {
                Access::Cookie => jar.add(
                    Cookie::build((
                        cookie_name(&t.wave),
                        service::answered_mark(&state, t.wave.id),
                    ))
                    .path("/s")
                    .http_only(true)
                    .secure(state.config.cookie_secure)
                    .same_site(SameSite::Lax)
                    .max_age(time::Duration::days(400))
                    .build(),
                ),
                Access::Token => jar,
            };
            (jar, message(lang, &path, StatusCode::OK, "survey-thanks")).into_response()
        }
        Ok(Submitted::Invalid(errors)) => {
            form_page(
                &state,
                lang,
                jar,
                &t,
                &raw,
                &errors,
                form_token,
                &invitation,
            )
            .await
        }
        Err(AppError::Conflict("survey-invitation-used")) => {
            message(lang, &path, StatusCode::FORBIDDEN, "survey-invitation-used")
        }
        Err(AppError::Conflict("survey-invitation-needed")) => message(
            lang,
            &path,
            StatusCode::FORBIDDEN,
            "survey-invitation-needed",
        ),
        Err(AppError::Conflict("survey-wave-closed")) => {
            message(lang, &path, StatusCode::OK, "survey-not-open")
        }
        Err(err) => survey_error(lang, err),
    }
}
