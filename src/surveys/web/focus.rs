//! Focus groups: date, community, participants' profile without names, moderator, notes and
//! themes; themes counted across groups.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use super::survey_error;
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, query_string, render};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::surveys::service::{self, FocusGroupInput, MANAGERS, READERS};
use crate::surveys::store;

struct GroupLine {
    id: String,
    held_on: String,
    community: String,
    topic: String,
    participants: i64,
    themes: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "surveys/focus_list.html")]
struct ListPage {
    c: Chrome,
    can_manage: bool,
    theme: String,
    themes: Vec<(String, String, i64)>,
    lines: Vec<GroupLine>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct ListParams {
    theme: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct SavedParams {
    saved: String,
}

fn theme_link(theme: &str) -> String {
    format!("/staff/focus-groups?{}", query_string(&[("theme", theme)]))
}

pub(super) async fn list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> Response {
    if let Err(err) = staff.require(READERS) {
        return survey_error(lang, err);
    }
    let theme = service::themes_of(&params.theme).into_iter().next();
    let (groups, counts, catalog) = match (
        store::focus_groups(&state.db, theme.as_deref()).await,
        store::theme_counts(&state.db).await,
        state.catalog.get(&state.db).await,
    ) {
        (Ok(g), Ok(t), Ok(c)) => (g, t, c),
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let page = ListPage {
        c: Chrome::new(lang, "/staff/focus-groups", "focus-title").staff(&staff.user, &csrf),
        can_manage: staff.require(MANAGERS).is_ok(),
        theme: theme.clone().unwrap_or_default(),
        themes: counts
            .into_iter()
            .map(|(t, n)| (theme_link(&t), t, n))
            .collect(),
        lines: groups
            .iter()
            .map(|g| GroupLine {
                id: g.id.to_string(),
                held_on: crate::statistics::model::iso_date(g.held_on),
                community: g
                    .community
                    .as_deref()
                    .and_then(|code| catalog.community(code))
                    .map(|c| c.names.get(lang).to_string())
                    .unwrap_or_default(),
                topic: g.topic.clone(),
                participants: g.participants,
                themes: g
                    .themes
                    .iter()
                    .map(|t| (theme_link(t), t.clone()))
                    .collect(),
            })
            .collect(),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[derive(Template)]
#[template(path = "surveys/focus_edit.html")]
struct EditPage {
    c: Chrome,
    csrf: String,
    action: String,
    communities: Vec<(String, String)>,
    v: FocusGroupInput,
    saved: bool,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    id: Option<&str>,
    input: FocusGroupInput,
    saved: bool,
    errors: &[FieldError],
) -> Response {
    if let Err(err) = staff.require(MANAGERS) {
        return survey_error(lang, err);
    }
    let catalog = match state.catalog.get(&state.db).await {
        Ok(c) => c,
        Err(err) => return survey_error(lang, err),
    };
    let (jar, csrf) = csrf::token(state, jar);
    let action = match id {
        Some(id) => format!("/staff/focus-groups/{id}"),
        None => "/staff/focus-groups".to_string(),
    };
    let path = id
        .map(|_| action.clone())
        .unwrap_or_else(|| "/staff/focus-groups/new".into());
    let page = EditPage {
        c: Chrome::new(lang, &path, "focus-edit-title").staff(&staff.user, &csrf),
        csrf,
        action,
        communities: catalog.community_choices(lang),
        v: input,
        saved,
        errors: FieldErrors::new(lang, errors),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    edit_page(
        &state,
        lang,
        jar,
        &staff,
        None,
        FocusGroupInput::default(),
        false,
        &[],
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct FocusForm {
    csrf: String,
    #[serde(flatten)]
    input: FocusGroupInput,
}

async fn save(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    staff: &Staff,
    id: Option<&str>,
    form: FocusForm,
) -> Response {
    let parsed = match id.map(crate::error::parse_id) {
        Some(Ok(id)) => Some(id),
        Some(Err(err)) => return survey_error(lang, err),
        None => None,
    };
    let result = if csrf::verify(state, &jar, headers, &form.csrf) {
        service::save_focus_group(state, staff, parsed, &form.input).await
    } else {
        Err(AppError::field("held_on", "form-expired"))
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/focus-groups/{id}?saved=1")).into_response(),
        Err(AppError::Validation(errors)) => {
            edit_page(state, lang, jar, staff, id, form.input, false, &errors).await
        }
        Err(err) => survey_error(lang, err),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<FocusForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, None, form).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<FocusForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, Some(&id), form).await
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(params): Query<SavedParams>,
) -> Response {
    let group = match crate::error::parse_id(&id) {
        Ok(uuid) => service::focus_group(&state, &staff, uuid).await,
        Err(err) => Err(err),
    };
    match group {
        Ok(g) => {
            edit_page(
                &state,
                lang,
                jar,
                &staff,
                Some(&id),
                FocusGroupInput::of(&g),
                !params.saved.is_empty(),
                &[],
            )
            .await
        }
        Err(err) => survey_error(lang, err),
    }
}
