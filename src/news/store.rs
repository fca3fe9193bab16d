//! SQL of articles.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{Article, ArticleKind};
use crate::audit::Audited;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub id: Uuid,
    pub kind: ArticleKind,
    pub slug: Option<String>,
    pub titles: [Option<String>; 3],
    pub bodies: [Option<String>; 3],
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT id, kind, slug, title_uk, title_ru, title_en, body_uk, body_ru, \
                       body_en, published_at, updated_at FROM articles";

macro_rules! article_row {
    ($row:expr) => {{
        let row = $row;
        let kind: String = row.try_get("kind")?;
        ArticleRow {
            id: row.try_get("id")?,
            kind: ArticleKind::from_code(&kind).unwrap_or(ArticleKind::News),
            slug: row.try_get("slug")?,
            titles: [
                row.try_get("title_uk")?,
                row.try_get("title_ru")?,
                row.try_get("title_en")?,
            ],
            bodies: [
                row.try_get("body_uk")?,
                row.try_get("body_ru")?,
                row.try_get("body_en")?,
            ],
            published_at: row.try_get("published_at")?,
            updated_at: row.try_get("updated_at")?,
        }
    }};
}

/// Published news and announcements, newest first (`limit + 1` rows, to know of a next page).
pub async fn published_news(db: &Db, limit: i64, offset: i64) -> AppResult<Vec<ArticleRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " WHERE published_at IS NOT NULL AND kind <> 'page' \
             ORDER BY published_at DESC LIMIT $1 OFFSET $2"
        ))
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(article_row!(row));
        }
        Ok(out)
    })
}

/// Published pages, for the footer.
pub async fn published_pages(db: &Db) -> AppResult<Vec<ArticleRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " WHERE published_at IS NOT NULL AND kind = 'page' ORDER BY slug"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(article_row!(row));
        }
        Ok(out)
    })
}

/// Every article, drafts too, for the staff list: newest change first.
pub async fn all(db: &Db) -> AppResult<Vec<ArticleRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " ORDER BY updated_at DESC LIMIT 500"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(article_row!(row));
        }
        Ok(out)
    })
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<Option<ArticleRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(COLUMNS, " WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(article_row!(&row)),
            None => None,
        })
    })
}

pub async fn find_page(db: &Db, slug: &str) -> AppResult<Option<ArticleRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(
            COLUMNS,
            " WHERE slug = $1 AND kind = 'page' AND published_at IS NOT NULL"
        ))
        .bind(slug)
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => Some(article_row!(&row)),
            None => None,
        })
    })
}

/// Creates (`id` new) or replaces an article; publishing keeps the first publication's date.
pub async fn save(
    db: &Db,
    id: Uuid,
    article: Article,
    by: Option<Uuid>,
    audited: Option<Audited>,
) -> AppResult<()> {
    save_at(db, id, article, by, audited, OffsetDateTime::now_utc()).await
}

/// Adds an article as if written at `at` (the demo's past).
pub async fn save_as_of(db: &Db, id: Uuid, article: Article, at: OffsetDateTime) -> AppResult<()> {
    save_at(db, id, article, None, None, at).await
}

async fn save_at(
    db: &Db,
    id: Uuid,
    article: Article,
    by: Option<Uuid>,
    audited: Option<Audited>,
    now: OffsetDateTime,
) -> AppResult<()> {
    db_write!(db, |conn| {
        let existing: Option<Option<OffsetDateTime>> =
            sqlx::query_scalar("SELECT published_at FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        let published_at = match (article.publish, existing) {
            (false, _) => None,
            (true, Some(Some(at))) => Some(at),
            (true, _) => Some(now),
        };
        if let Some(slug) = &article.slug {
            let taken: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1 AND id <> $2")
                    .bind(slug)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if taken.is_some() {
                return Err(AppError::field("slug", "error-article-slug-taken"));
            }
        }
        let sql = if existing.is_some() {
            "UPDATE articles SET kind = $2, slug = $3, title_uk = $4, title_ru = $5, title_en = $6, \
             body_uk = $7, body_ru = $8, body_en = $9, published_at = $10, updated_at = $11 \
             WHERE id = $1"
        } else {
            "INSERT INTO articles (id, kind, slug, title_uk, title_ru, title_en, body_uk, body_ru, \
             body_en, published_at, updated_at, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)"
        };
        let mut q = sqlx::query(sql)
            .bind(id)
            .bind(article.kind.code())
            .bind(&article.slug)
            .bind(&article.titles[0])
            .bind(&article.titles[1])
            .bind(&article.titles[2])
            .bind(&article.bodies[0])
            .bind(&article.bodies[1])
            .bind(&article.bodies[2])
            .bind(published_at)
            .bind(now);
        if existing.is_none() {
            q = q.bind(by);
        }
        q.execute(&mut *conn).await?;
        if let Some(audited) = audited {
            crate::append_audited!(conn, audited);
        }
        Ok(())
    })
}
