//! Paper questionnaires typed in by staff (one compact form, keyboard only: each answer is a
//! number or text, Tab to the next, Enter to save and start the next form) and CSV import with
//! a report of every row not stored.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::{
    FormQuestion, field_value, form_questions, load_wave, pick_text, raw_answers, survey_error,
};
use crate::accounts::Staff;
use crate::error::AppError;
use crate::http::csrf;
use crate::http::form::read_multipart;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, render};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::surveys::model::{AnswerError, RawAnswers};
use crate::surveys::service::{self, ENTRY, ImportReport, Submitted};
use crate::surveys::store::{Stored, SurveyRow, WaveRow};

#[derive(Template)]
#[template(path = "surveys/paper.html")]
struct PaperPage {
    c: Chrome,
    csrf: String,
    survey_id: String,
    action: String,
    wave: String,
    form_token: String,
    questions: Vec<FormQuestion>,
    errors: Vec<(String, String)>,
    saved: bool,
    responses: i64,
}

#[allow(clippy::too_many_arguments)]
async fn paper_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    survey: &SurveyRow,
    wave: &WaveRow,
    values: &RawAnswers,
    errors: &[AnswerError],
    saved: bool,
    form_token: String,
) -> Response {
    if let Err(err) = staff.require(ENTRY) {
        return survey_error(lang, err);
    }
    let (catalog, responses) = match (
        state.catalog.get(&state.db).await,
        crate::surveys::store::response_count(&state.db, wave.id).await,
    ) {
        (Ok(catalog), Ok(n)) => (catalog, n),
        (Err(err), _) | (_, Err(err)) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let action = format!("/staff/surveys/{}/waves/{}/paper", survey.id, wave.id);
    let mut c = Chrome::new(lang, &action, "survey-paper-title").staff(&staff.user, &csrf);
    c.title = format!(
        "{} — {}",
        lang.t("survey-paper-title"),
        pick_text(lang, &survey.title)
    );
    let questions = form_questions(lang, &catalog, &survey.questionnaire, values, errors);
    let page = PaperPage {
        c,
        csrf,
        survey_id: survey.id.to_string(),
        action,
        wave: wave.name.clone(),
        form_token,
        errors: questions
            .iter()
            .filter_map(|q| {
                q.error
                    .clone()
                    .map(|e| (q.field.clone(), format!("{}. {e}", q.number)))
            })
            .collect(),
        questions,
        saved,
        responses,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn paper(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
) -> Response {
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    paper_page(
        &state,
        lang,
        jar,
        &staff,
        &survey,
        &wave,
        &RawAnswers::new(),
        &[],
        false,
        service::new_form_token(),
    )
    .await
}

pub(super) async fn paper_submit(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let raw = raw_answers(&pairs);
    let form_token = field_value(&pairs, "form_token").to_string();
    if !csrf::verify(&state, &jar, &headers, field_value(&pairs, "csrf")) {
        let errors = [AnswerError {
            question: survey
                .questionnaire
                .questions
                .first()
                .map(|q| q.code.clone())
                .unwrap_or_default(),
            key: "form-expired",
        }];
        return paper_page(
            &state, lang, jar, &staff, &survey, &wave, &raw, &errors, false, form_token,
        )
        .await;
    }
    match service::submit_paper(&state, &staff, &survey, &wave, &raw, &form_token).await {
        // Saved: an empty form for the next questionnaire.
        Ok(Submitted::Stored(Stored::New | Stored::Replayed)) => {
            paper_page(
                &state,
                lang,
                jar,
                &staff,
                &survey,
                &wave,
                &RawAnswers::new(),
                &[],
                true,
                service::new_form_token(),
            )
            .await
        }
        Ok(Submitted::Invalid(errors)) => {
            paper_page(
                &state, lang, jar, &staff, &survey, &wave, &raw, &errors, false, form_token,
            )
            .await
        }
        Err(err) => survey_error(lang, err),
    }
}

struct Rejected {
    line: u64,
    problems: String,
}

#[derive(Template)]
#[template(path = "surveys/import.html")]
struct ImportPage {
    c: Chrome,
    csrf: String,
    survey_id: String,
    action: String,
    wave: String,
    columns: String,
    report: Option<ImportReport>,
    rejected: Vec<Rejected>,
    errors: FieldErrors,
}

async fn import_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    (survey, wave): (&SurveyRow, &WaveRow),
    report: Option<ImportReport>,
    errors: &[crate::error::FieldError],
) -> Response {
    if let Err(err) = staff.require(ENTRY) {
        return survey_error(lang, err);
    }
    let (jar, csrf) = csrf::token(state, jar);
    let action = format!("/staff/surveys/{}/waves/{}/import", survey.id, wave.id);
    let mut c = Chrome::new(lang, &action, "survey-import-title").staff(&staff.user, &csrf);
    c.title = format!(
        "{} — {}",
        lang.t("survey-import-title"),
        pick_text(lang, &survey.title)
    );
    let position = |code: &str| {
        survey
            .questionnaire
            .position(code)
            .map(|p| format!("{} ({code})", p + 1))
            .unwrap_or_else(|| code.to_string())
    };
    let rejected = report
        .as_ref()
        .map(|r| {
            r.rejected
                .iter()
                .map(|row| Rejected {
                    line: row.line,
                    problems: row
                        .problems
                        .iter()
                        .map(|(question, key)| {
                            if question.is_empty() {
                                lang.t(key)
                            } else {
                                format!("{}: {}", position(question), lang.t(key))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ImportPage {
        c,
        csrf,
        survey_id: survey.id.to_string(),
        action,
        wave: wave.name.clone(),
        columns: survey
            .questionnaire
            .questions
            .iter()
            .map(|q| q.code.as_str())
            .collect::<Vec<_>>()
            .join(","),
        report,
        rejected,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn import_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
) -> Response {
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    import_page(&state, lang, jar, &staff, (&survey, &wave), None, &[]).await
}

pub(super) async fn import(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let form = read_multipart(multipart, "file").await;
    let result = if !csrf::verify(&state, &jar, &headers, &form.text("csrf")) {
        Err(AppError::field("file", "form-expired"))
    } else if let Some(problem) = form.problem.clone() {
        Err(AppError::Validation(vec![problem]))
    } else {
        match form.uploads.first() {
            Some(upload) => {
                service::import_csv(&state, &staff, &survey, &wave, &upload.bytes).await
            }
            None => Err(AppError::field("file", "survey-error-csv-missing")),
        }
    };
    match result {
        Ok(report) => {
            import_page(
                &state,
                lang,
                jar,
                &staff,
                (&survey, &wave),
                Some(report),
                &[],
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            import_page(&state, lang, jar, &staff, (&survey, &wave), None, &errors).await
        }
        Err(err) => survey_error(lang, err),
    }
}
