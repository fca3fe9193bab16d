//! Pages of news and static pages, the coordinators' editor, and the Atom feeds (news, and
//! public updates of the cases in the public register).

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;

use super::model::{ArticleInput, ArticleKind, paragraphs, pick, translated};
use super::service;
use super::store::ArticleRow;
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, render};
use crate::http::{base_url, csrf};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/news", get(news))
        .route("/news.atom", get(news_feed))
        .route("/news/{id}", get(article))
        .route("/pages", get(pages))
        .route("/pages/{slug}", get(page))
        .route("/register/updates.atom", get(updates_feed))
        .route("/staff/articles", get(staff_list).post(create))
        .route("/staff/articles/new", get(new_form))
        .route("/staff/articles/{id}", get(edit_form).post(update))
}

/// An article as a reader sees it in their language (or in Ukrainian, marked as such).
struct Shown {
    id: String,
    kind: String,
    kind_code: &'static str,
    slug: String,
    title: String,
    paragraphs: Vec<String>,
    lang: &'static str,
    untranslated: bool,
    date: String,
}

fn shown(state: &AppState, lang: Lang, a: &ArticleRow) -> Shown {
    let own = translated(&a.bodies, lang);
    Shown {
        id: a.id.to_string(),
        kind: lang.t(&format!("article-kind-{}", a.kind.code())),
        kind_code: a.kind.code(),
        slug: a.slug.clone().unwrap_or_default(),
        title: pick(&a.titles, lang).to_string(),
        paragraphs: paragraphs(pick(&a.bodies, lang)),
        lang: if own { lang.code() } else { Lang::Uk.code() },
        untranslated: !own,
        date: a
            .published_at
            .map(|at| state.format_local_date(at))
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "news/list.html")]
struct NewsPage {
    c: Chrome,
    items: Vec<Shown>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    page: Option<i64>,
}

async fn news(
    State(state): State<AppState>,
    Locale(lang): Locale,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<PageQuery>,
) -> Response {
    let found = match service::news(&state, q.page.unwrap_or(1)).await {
        Ok(found) => found,
        Err(err) => return page_error(lang, err),
    };
    let view = NewsPage {
        c: Chrome::new(lang, &here(&uri), "news-title").nav("news"),
        items: found.rows.iter().map(|a| shown(&state, lang, a)).collect(),
        page: found.page,
        previous: (found.page > 1).then(|| format!("/news?page={}", found.page - 1)),
        next: found
            .has_next
            .then(|| format!("/news?page={}", found.page + 1)),
    };
    render(StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "news/article.html")]
struct ArticlePage {
    c: Chrome,
    a: Shown,
    back: &'static str,
}

async fn article(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(id): Path<String>,
) -> Response {
    match service::published_article(&state, &id).await {
        Ok(a) => {
            let a = shown(&state, lang, &a);
            let mut c = Chrome::new(lang, &format!("/news/{}", a.id), "news-title").nav("news");
            c.title = a.title.clone();
            render(
                StatusCode::OK,
                &ArticlePage {
                    c,
                    a,
                    back: "/news",
                },
            )
        }
        Err(err) => page_error(lang, err),
    }
}

async fn page(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(slug): Path<String>,
) -> Response {
    match service::page(&state, &slug).await {
        Ok(a) => {
            let a = shown(&state, lang, &a);
            let mut c = Chrome::new(lang, &format!("/pages/{}", a.slug), "pages-title");
            c.title = a.title.clone();
            render(
                StatusCode::OK,
                &ArticlePage {
                    c,
                    a,
                    back: "/pages",
                },
            )
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(Template)]
#[template(path = "news/pages.html")]
struct PagesPage {
    c: Chrome,
    items: Vec<Shown>,
}

async fn pages(State(state): State<AppState>, Locale(lang): Locale) -> Response {
    match service::pages(&state).await {
        Ok(rows) => render(
            StatusCode::OK,
            &PagesPage {
                c: Chrome::new(lang, "/pages", "pages-title"),
                items: rows.iter().map(|a| shown(&state, lang, a)).collect(),
            },
        ),
        Err(err) => page_error(lang, err),
    }
}

// ---- Atom feeds ----

struct FeedEntry {
    id: String,
    title: String,
    link: String,
    updated: String,
    summary: String,
    lang: &'static str,
}

#[derive(Template)]
#[template(path = "news/feed.xml")]
struct Feed {
    lang: &'static str,
    id: String,
    title: String,
    self_link: String,
    alternate: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn feed_response(feed: Feed) -> Response {
    match feed.render() {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "feed rendering failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn news_feed(
    State(state): State<AppState>,
    Locale(lang): Locale,
    headers: HeaderMap,
) -> Response {
    let base = base_url(&state, &headers);
    let rows = match service::news(&state, 1).await {
        Ok(found) => found.rows,
        Err(err) => return page_error(lang, err),
    };
    let updated = rows
        .iter()
        .filter_map(|a| a.published_at.map(|p| p.max(a.updated_at)))
        .max()
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let entries = rows
        .iter()
        .map(|a| {
            let s = shown(&state, lang, a);
            let first = s.paragraphs.first().cloned().unwrap_or_default();
            FeedEntry {
                id: format!("{base}/news/{}", a.id),
                link: format!("{base}/news/{}", a.id),
                title: s.title,
                updated: rfc3339(a.published_at.unwrap_or(a.updated_at).max(a.updated_at)),
                summary: first,
                lang: s.lang,
            }
        })
        .collect();
    feed_response(Feed {
        lang: lang.code(),
        id: format!("{base}/news.atom"),
        title: format!("{} — {}", lang.t("site-name"), lang.t("news-title")),
        self_link: format!("{base}/news.atom"),
        alternate: format!("{base}/news"),
        updated: rfc3339(updated),
        entries,
    })
}

async fn updates_feed(
    State(state): State<AppState>,
    Locale(lang): Locale,
    headers: HeaderMap,
) -> Response {
    let base = base_url(&state, &headers);
    let updates = match crate::public::store::recent_updates(&state.db, 50).await {
        Ok(updates) => updates,
        Err(err) => return page_error(lang, err),
    };
    let updated = updates
        .first()
        .map(|u| u.at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let entries = updates
        .iter()
        .map(|u| FeedEntry {
            id: format!("{base}/register/{}#update-{}", u.reference, u.id),
            link: format!("{base}/register/{}", u.reference),
            title: format!("{} — {}", u.reference, u.title),
            updated: rfc3339(u.at),
            summary: u.body.clone(),
            lang: Lang::from_code(&u.language).unwrap_or_default().code(),
        })
        .collect();
    feed_response(Feed {
        lang: lang.code(),
        id: format!("{base}/register/updates.atom"),
        title: format!("{} — {}", lang.t("site-name"), lang.t("feed-updates-title")),
        self_link: format!("{base}/register/updates.atom"),
        alternate: format!("{base}/register"),
        updated: rfc3339(updated),
        entries,
    })
}

// ---- The coordinators' editor ----

struct StaffLine {
    id: String,
    kind: String,
    title: String,
    published: String,
}

#[derive(Template)]
#[template(path = "news/staff_list.html")]
struct StaffListPage {
    c: Chrome,
    lines: Vec<StaffLine>,
}

async fn staff_list(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let rows = match service::all(&state, &staff).await {
        Ok(rows) => rows,
        Err(err) => return page_error(lang, err),
    };
    let (jar, csrf) = csrf::token(&state, jar);
    let view = StaffListPage {
        c: Chrome::new(lang, "/staff/articles", "articles-title").staff(&staff.user, &csrf),
        lines: rows
            .iter()
            .map(|a| StaffLine {
                id: a.id.to_string(),
                kind: lang.t(&format!("article-kind-{}", a.kind.code())),
                title: pick(&a.titles, lang).to_string(),
                published: a
                    .published_at
                    .map(|at| state.format_local_date(at))
                    .unwrap_or_else(|| lang.t("article-draft")),
            })
            .collect(),
    };
    (jar, render(StatusCode::OK, &view)).into_response()
}

#[derive(Template)]
#[template(path = "news/edit.html")]
struct EditPage {
    c: Chrome,
    csrf: String,
    /// Where the form is sent: the list (new) or the article (change).
    action: String,
    kinds: Vec<(&'static str, String)>,
    v: ArticleInput,
    public_link: Option<String>,
    saved: bool,
    errors: FieldErrors,
}

fn input_of(a: &ArticleRow) -> ArticleInput {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    ArticleInput {
        kind: a.kind.code().to_string(),
        slug: a.slug.clone().unwrap_or_default(),
        title_uk: text(&a.titles[0]),
        title_ru: text(&a.titles[1]),
        title_en: text(&a.titles[2]),
        body_uk: text(&a.bodies[0]),
        body_ru: text(&a.bodies[1]),
        body_en: text(&a.bodies[2]),
        publish: if a.published_at.is_some() { "yes" } else { "" }.to_string(),
    }
}

struct EditView<'a> {
    id: Option<&'a str>,
    input: ArticleInput,
    public_link: Option<String>,
    saved: bool,
    errors: &'a [FieldError],
}

fn edit_page(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    staff: &Staff,
    view: EditView,
) -> Response {
    if let Err(err) = staff.require(service::EDITORS) {
        return page_error(lang, err);
    }
    let (jar, csrf) = csrf::token(state, jar);
    let (path, action) = match view.id {
        Some(id) => (
            format!("/staff/articles/{id}"),
            format!("/staff/articles/{id}"),
        ),
        None => (
            "/staff/articles/new".to_string(),
            "/staff/articles".to_string(),
        ),
    };
    let page = EditPage {
        c: Chrome::new(lang, &path, "article-edit-title").staff(&staff.user, &csrf),
        csrf,
        action,
        kinds: ArticleKind::ALL
            .into_iter()
            .map(|k| (k.code(), lang.t(&format!("article-kind-{}", k.code()))))
            .collect(),
        v: view.input,
        public_link: view.public_link,
        saved: view.saved,
        errors: FieldErrors::new(lang, view.errors),
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &page)).into_response()
}

fn public_link(a: &ArticleRow) -> Option<String> {
    a.published_at?;
    Some(match (&a.kind, &a.slug) {
        (ArticleKind::Page, Some(slug)) => format!("/pages/{slug}"),
        _ => format!("/news/{}", a.id),
    })
}

async fn new_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
) -> Response {
    let input = ArticleInput {
        kind: ArticleKind::News.code().to_string(),
        ..Default::default()
    };
    let view = EditView {
        id: None,
        input,
        public_link: None,
        saved: false,
        errors: &[],
    };
    edit_page(&state, lang, jar, &staff, view)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ArticleForm {
    csrf: String,
    #[serde(flatten)]
    input: ArticleInput,
}

async fn create(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Form(form): Form<ArticleForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, None, form).await
}

/// Saves a new article (`id` None) or a change; shows the form again with its errors.
async fn save(
    state: &AppState,
    lang: Lang,
    jar: CookieJar,
    headers: &HeaderMap,
    staff: &Staff,
    id: Option<&str>,
    form: ArticleForm,
) -> Response {
    let result = if csrf::verify(state, &jar, headers, &form.csrf) {
        service::save(state, staff, id, &form.input).await
    } else {
        Err(AppError::field("title_uk", "form-expired"))
    };
    match result {
        Ok(id) => Redirect::to(&format!("/staff/articles/{id}?saved=1")).into_response(),
        Err(AppError::Validation(errors)) => {
            let view = EditView {
                id,
                input: form.input,
                public_link: None,
                saved: false,
                errors: &errors,
            };
            edit_page(state, lang, jar, staff, view)
        }
        Err(err) => page_error(lang, err),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn edit_form(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    match service::draft(&state, &staff, &id).await {
        Ok(a) => {
            let view = EditView {
                id: Some(&id),
                input: input_of(&a),
                public_link: public_link(&a),
                saved: q.saved.is_some(),
                errors: &[],
            };
            edit_page(&state, lang, jar, &staff, view)
        }
        Err(err) => page_error(lang, err),
    }
}

async fn update(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    headers: HeaderMap,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ArticleForm>,
) -> Response {
    save(&state, lang, jar, &headers, &staff, Some(&id), form).await
}
