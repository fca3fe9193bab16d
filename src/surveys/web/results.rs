//! Results pages (staff and public), text answers, and the CSV exports.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::{load_wave, pick_text, survey_error};
use crate::accounts::Staff;
use crate::error::AppError;
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, query_string, render};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::surveys::model::{Demographic, QuestionKind, answers_from_json};
use crate::surveys::report::{
    QuestionView, TrustLine, channels, question_text, question_views, responses_header,
    summary_csv as summary_bytes, trust_lines,
};
use crate::surveys::results::ResultsQuery;
use crate::surveys::service::{self, READERS};
use crate::surveys::store::{self, SurveyRow, WaveRow};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct ResultsParams {
    by: String,
    weighted: String,
    community: String,
}

struct Choice {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "surveys/results.html")]
struct ResultsPage {
    c: Chrome,
    public: bool,
    survey_title: String,
    wave: String,
    base: String,
    respondents: u64,
    channels: String,
    by: String,
    by_choices: Vec<Choice>,
    community: String,
    communities: Vec<Choice>,
    weighted: bool,
    can_weight: bool,
    unweighted: String,
    trust: Vec<TrustLine>,
    questions: Vec<QuestionView>,
    links: Vec<(String, String)>,
    texts_base: String,
    previous_wave: String,
}

#[allow(clippy::too_many_arguments)]
async fn results_page(
    state: &AppState,
    lang: Lang,
    mut c: Chrome,
    survey: &SurveyRow,
    wave: &WaveRow,
    params: &ResultsParams,
    public: bool,
    base: String,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return survey_error(lang, err),
    };
    let questionnaire = &survey.questionnaire;
    let by = Some(params.by.trim())
        .filter(|b| !b.is_empty())
        .filter(|b| {
            questionnaire
                .question(b)
                .is_some_and(|q| q.demographic.is_some() && q.kind == QuestionKind::Single)
        })
        .map(str::to_string);
    let query = ResultsQuery {
        by: by.clone(),
        weighted: params.weighted == "yes",
        community: Some(params.community.trim().to_string()).filter(|c| !c.is_empty()),
        public,
    };
    let (results, previous) = match service::results(state, survey, wave.id, &query).await {
        Ok(found) => found,
        Err(err) => return survey_error(lang, err),
    };
    let previous_wave = previous.map(|w| w.name).unwrap_or_default();
    c.title = format!("{} — {}", pick_text(lang, &survey.title), wave.name);
    let selection = query_string(&[
        ("by", by.as_deref().unwrap_or_default()),
        ("weighted", if query.weighted { "yes" } else { "" }),
        ("community", query.community.as_deref().unwrap_or_default()),
    ]);
    let wave_base = base.trim_end_matches("/results");
    let links = if public {
        Vec::new()
    } else {
        vec![
            (
                format!("{wave_base}/summary.csv?{selection}"),
                lang.t("survey-export-summary"),
            ),
            (
                format!("{wave_base}/responses.csv"),
                lang.t("survey-export-responses"),
            ),
        ]
    };
    let texts_base = format!("{wave_base}/texts");
    let page = ResultsPage {
        public,
        survey_title: pick_text(lang, &survey.title),
        wave: wave.name.clone(),
        respondents: results.respondents,
        channels: channels(lang, &results),
        by_choices: questionnaire
            .questions
            .iter()
            .filter(|q| q.demographic.is_some() && q.kind == QuestionKind::Single)
            .map(|q| Choice {
                code: q.code.clone(),
                name: question_text(lang, questionnaire, &q.code),
            })
            .collect(),
        by: by.clone().unwrap_or_default(),
        community: query.community.clone().unwrap_or_default(),
        communities: if questionnaire.community_question().is_some() {
            catalog
                .communities_sorted(lang)
                .into_iter()
                .map(|c| Choice {
                    code: c.code.clone(),
                    name: c.names.get(lang).to_string(),
                })
                .collect()
        } else {
            Vec::new()
        },
        weighted: results.weighted,
        can_weight: questionnaire.community_question().is_some(),
        unweighted: results
            .unweighted_communities
            .iter()
            .map(|code| {
                catalog
                    .community(code)
                    .map(|c| c.names.get(lang).to_string())
                    .unwrap_or_else(|| code.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        trust: trust_lines(lang, &catalog, &results.trust),
        questions: question_views(lang, &catalog, questionnaire, &results, by.as_deref()),
        links,
        texts_base,
        base,
        previous_wave,
        c,
    };
    render(StatusCode::OK, &page)
}

pub(super) async fn staff_results(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    Query(params): Query<ResultsParams>,
) -> Response {
    if let Err(err) = staff.require(READERS) {
        return survey_error(lang, err);
    }
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let base = format!("/staff/surveys/{}/waves/{}/results", survey.id, wave.id);
    let c = Chrome::new(lang, &base, "survey-results-title").staff(&staff.user, &csrf);
    let page = results_page(&state, lang, c, &survey, &wave, &params, false, base).await;
    (jar, page).into_response()
}

struct PublishedLine {
    href: String,
    title: String,
    wave: String,
    published: String,
}

#[derive(Template)]
#[template(path = "surveys/public_list.html")]
struct PublicListPage {
    c: Chrome,
    lines: Vec<PublishedLine>,
}

pub(super) async fn public_list(State(state): State<AppState>, Locale(lang): Locale) -> Response {
    let waves = match store::published_waves(&state.db).await {
        Ok(waves) => waves,
        Err(err) => return survey_error(lang, err),
    };
    let mut lines = Vec::with_capacity(waves.len());
    for w in &waves {
        match store::survey(&state.db, w.survey_id).await {
            Ok(Some(s)) => lines.push(PublishedLine {
                href: format!("/surveys/{}/{}", s.code, w.id),
                title: pick_text(lang, &s.title),
                wave: w.name.clone(),
                published: w
                    .published_at
                    .map(|at| state.format_local_date(at))
                    .unwrap_or_default(),
            }),
            Ok(None) => {}
            Err(err) => return survey_error(lang, err),
        }
    }
    render(
        StatusCode::OK,
        &PublicListPage {
            c: Chrome::new(lang, "/surveys", "surveys-public-title").nav("surveys"),
            lines,
        },
    )
}

/// Published results: small groups suppressed, no text answers, no exports of responses.
pub(super) async fn public_results(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path((code, wave)): Path<(String, String)>,
    Query(params): Query<ResultsParams>,
) -> Response {
    let survey = match store::survey_by_code(&state.db, code.trim()).await {
        Ok(Some(s)) => s,
        Ok(None) => return survey_error(lang, AppError::NotFound),
        Err(err) => return survey_error(lang, err),
    };
    let Ok(wave_id) = crate::error::parse_id(&wave) else {
        return survey_error(lang, AppError::NotFound);
    };
    let wave = match service::wave(&state, survey.id, wave_id).await {
        Ok(w) if w.published_at.is_some() => w,
        Ok(_) => return survey_error(lang, AppError::NotFound),
        Err(err) => return survey_error(lang, err),
    };
    let base = format!("/surveys/{}/{}", survey.code, wave.id);
    let c = Chrome::new(lang, &base, "survey-results-title").nav("surveys");
    results_page(&state, lang, c, &survey, &wave, &params, true, base).await
}

pub(super) async fn summary_csv(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
    Query(params): Query<ResultsParams>,
) -> Response {
    if let Err(err) = staff.require(READERS) {
        return survey_error(lang, err);
    }
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let query = ResultsQuery {
        by: None,
        weighted: params.weighted == "yes",
        community: Some(params.community.trim().to_string()).filter(|c| !c.is_empty()),
        public: false,
    };
    let (results, catalog) = match (
        service::results(&state, &survey, wave.id, &query).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok((r, _)), Ok(c)) => (r, c),
        (Err(err), _) | (_, Err(err)) => return survey_error(lang, err),
    };
    match summary_bytes(lang, &catalog, &survey.questionnaire, &results) {
        Ok(bytes) => csv_response(&format!("{}-summary.csv", survey.code), bytes),
        Err(err) => survey_error(lang, AppError::internal(err)),
    }
}

fn csv_response(name: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// Rows read per query while streaming the responses.
const EXPORT_CHUNK: i64 = 5_000;

/// Every response of the wave, one row each (multiple choices joined by `;`), streamed.
pub(super) async fn responses_csv(
    State(state): State<AppState>,
    Locale(lang): Locale,
    staff: Staff,
    Path((id, wave)): Path<(String, String)>,
) -> Response {
    if let Err(err) = staff.require(READERS) {
        return survey_error(lang, err);
    }
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let name = format!("{}-{}.csv", survey.code, wave.id);
    let questionnaire = std::sync::Arc::new(survey.questionnaire.clone());
    struct Walk {
        state: AppState,
        wave: uuid::Uuid,
        after: uuid::Uuid,
        header: bool,
        done: bool,
        questionnaire: std::sync::Arc<crate::surveys::model::Questionnaire>,
    }
    let walk = Walk {
        state: state.clone(),
        wave: wave.id,
        after: uuid::Uuid::nil(),
        header: true,
        done: false,
        questionnaire,
    };
    let stream = futures_util::stream::unfold(walk, |mut walk| async move {
        if walk.done {
            return None;
        }
        let rows = match store::responses_after(&walk.state.db, walk.wave, walk.after, EXPORT_CHUNK)
            .await
        {
            Ok(rows) => rows,
            Err(err) => {
                tracing::error!(error = %err, "survey export stopped");
                walk.done = true;
                return Some((Err(std::io::Error::other("export failed")), walk));
            }
        };
        walk.done = (rows.len() as i64) < EXPORT_CHUNK;
        let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200));
        let mut write = || -> Result<(), csv::Error> {
            if walk.header {
                out.write_record(responses_header(&walk.questionnaire))?;
            }
            for r in &rows {
                let answers = answers_from_json(&walk.questionnaire, &r.answers_json);
                out.write_field(r.id.to_string())?;
                out.write_field(&r.channel)?;
                out.write_field(
                    r.created_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                )?;
                for q in &walk.questionnaire.questions {
                    let value = answers
                        .get(&q.code)
                        .map(|a| a.to_text())
                        .unwrap_or_default();
                    out.write_field(crate::public::export::csv_cell(&value).as_bytes())?;
                }
                out.write_record(None::<&[u8]>)?;
            }
            Ok(())
        };
        let written = write();
        walk.header = false;
        if let Some(last) = rows.last() {
            walk.after = last.id;
        }
        let bytes = written
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|()| {
                out.into_inner()
                    .map_err(|e| std::io::Error::other(e.to_string()))
            })
            .map(bytes::Bytes::from);
        Some((bytes, walk))
    });
    csv_response(&name, axum::body::Body::from_stream(stream))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct PageParams {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "surveys/texts.html")]
struct TextsPage {
    c: Chrome,
    back: String,
    question: String,
    texts: Vec<String>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

const TEXTS_PER_PAGE: i64 = 50;

pub(super) async fn texts(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path((id, wave, question)): Path<(String, String, String)>,
    Query(params): Query<PageParams>,
) -> Response {
    if let Err(err) = staff.require(READERS) {
        return survey_error(lang, err);
    }
    let (survey, wave) = match load_wave(&state, lang, &id, &wave).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !survey
        .questionnaire
        .question(&question)
        .is_some_and(|q| q.kind.is_text() || q.demographic == Some(Demographic::Other))
    {
        return survey_error(lang, AppError::NotFound);
    }
    let page = params.page.unwrap_or(1).clamp(1, 10_000);
    let mut texts = match store::text_answers(
        &state.db,
        wave.id,
        &question,
        TEXTS_PER_PAGE,
        (page - 1) * TEXTS_PER_PAGE,
    )
    .await
    {
        Ok(texts) => texts,
        Err(err) => return survey_error(lang, err),
    };
    let has_next = texts.len() as i64 > TEXTS_PER_PAGE;
    texts.truncate(TEXTS_PER_PAGE as usize);
    let (jar, csrf) = csrf::token(&state, jar);
    let path = format!(
        "/staff/surveys/{}/waves/{}/texts/{question}",
        survey.id, wave.id
    );
    let mut c = Chrome::new(lang, &path, "survey-texts-title").staff(&staff.user, &csrf);
    c.title = lang.t("survey-texts-title");
    let view = TextsPage {
        c,
        back: format!("/staff/surveys/{}/waves/{}/results", survey.id, wave.id),
        question: question_text(lang, &survey.questionnaire, &question),
        texts,
        page,
        previous: (page > 1).then(|| format!("{path}?page={}", page - 1)),
        next: has_next.then(|| format!("{path}?page={}", page + 1)),
    };
    (jar, render(StatusCode::OK, &view)).into_response()
}
