//! Use cases of news and pages: coordinators write and publish them; everyone reads what is
//! published.

use uuid::Uuid;

use super::model::{ArticleInput, ArticleKind, validate_article};
use super::store::{self, ArticleRow};
use crate::accounts::{Role, Staff};
use crate::audit::Audited;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Who writes for the public.
pub const EDITORS: &[Role] = &[Role::Coordinator, Role::Administrator];
pub const NEWS_PAGE_SIZE: i64 = 10;

pub struct NewsPage {
    pub rows: Vec<ArticleRow>,
    pub page: i64,
    pub has_next: bool,
}

pub async fn news(state: &AppState, page: i64) -> AppResult<NewsPage> {
    let page = page.clamp(1, 1_000);
    let mut rows =
        store::published_news(&state.db, NEWS_PAGE_SIZE, (page - 1) * NEWS_PAGE_SIZE).await?;
    let has_next = rows.len() as i64 > NEWS_PAGE_SIZE;
    rows.truncate(NEWS_PAGE_SIZE as usize);
    Ok(NewsPage {
        rows,
        page,
        has_next,
    })
}

/// A published news item or announcement; drafts and pages are not found here.
pub async fn published_article(state: &AppState, id: &str) -> AppResult<ArticleRow> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::find(&state.db, id)
        .await?
        .filter(|a| a.published_at.is_some() && a.kind != ArticleKind::Page)
        .ok_or(AppError::NotFound)
}

pub async fn page(state: &AppState, slug: &str) -> AppResult<ArticleRow> {
    store::find_page(&state.db, slug.trim())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn pages(state: &AppState) -> AppResult<Vec<ArticleRow>> {
    store::published_pages(&state.db).await
}

pub async fn all(state: &AppState, staff: &Staff) -> AppResult<Vec<ArticleRow>> {
    staff.require(EDITORS)?;
    store::all(&state.db).await
}

pub async fn draft(state: &AppState, staff: &Staff, id: &str) -> AppResult<ArticleRow> {
    staff.require(EDITORS)?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::find(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// Creates an article (`id` None) or changes one; returns its id.
pub async fn save(
    state: &AppState,
    staff: &Staff,
    id: Option<&str>,
    input: &ArticleInput,
) -> AppResult<Uuid> {
    staff.require(EDITORS)?;
    let article = validate_article(input).map_err(AppError::Validation)?;
    let (id, action) = match id {
        Some(id) => {
            let existing = draft(state, staff, id).await?;
            (existing.id, "article.updated")
        }
        None => (Uuid::now_v7(), "article.created"),
    };
    let after = serde_json::json!({
        "kind": article.kind.code(), "slug": article.slug, "title_uk": article.titles[0],
        "published": article.publish,
    });
    let audited = Audited::by_staff(state, &staff.user, action, "article", id, None, Some(after));
    store::save(&state.db, id, article, Some(staff.user.id), Some(audited)).await?;
    Ok(id)
}
