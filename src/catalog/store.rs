//! SQL of the catalog.

use sqlx::Row;
use uuid::Uuid;

use super::{CatalogData, Category, Community, Names};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Name;
use crate::intake::model::ReportKind;
use crate::{db_read, db_write};

/// The three language columns of a row, on either engine.
macro_rules! names {
    ($row:expr) => {
        Names {
            uk: $row.try_get("name_uk")?,
            ru: $row.try_get("name_ru")?,
            en: $row.try_get("name_en")?,
        }
    };
}

pub async fn load(db: &Db) -> AppResult<CatalogData> {
    let mut data = load_reference(db).await?;
    data.agencies = crate::referrals::store::organizations(db).await?;
    Ok(data)
}

async fn load_reference(db: &Db) -> AppResult<CatalogData> {
    db_read!(db, |pool| {
        let categories = sqlx::query(
            "SELECT code, kind, name_uk, name_ru, name_en, position FROM categories \
             WHERE active ORDER BY position, code",
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(Category {
                code: row.try_get("code")?,
                kind: ReportKind::from_code(&kind).unwrap_or(ReportKind::Other),
                names: names!(row),
                position: row.try_get("position")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let communities = sqlx::query(
            "SELECT code, region_code, name_uk, name_ru, name_en, lat, lon FROM communities \
             WHERE active ORDER BY code",
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Community {
                code: row.try_get("code")?,
                region_code: row.try_get("region_code")?,
                names: names!(row),
                lat: row.try_get("lat")?,
                lon: row.try_get("lon")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let reference_prefix = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(crate::settings::REFERENCE_PREFIX)
            .fetch_optional(pool)
            .await?
            .map(|row| row.try_get::<String, _>("value"))
            .transpose()?;
        Ok(CatalogData {
            categories,
            communities,
            reference_prefix,
            agencies: Vec::new(),
        })
    })
}

/// A category to add when missing (existing codes are left as they are).
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub code: &'static str,
    pub kind: &'static str,
    pub name: Name,
    pub position: i64,
}

pub async fn ensure_categories(db: &Db, categories: Vec<NewCategory>) -> AppResult<()> {
    db_write!(db, |conn| {
        for c in &categories {
            sqlx::query(
                "INSERT INTO categories (code, kind, name_uk, name_ru, name_en, position) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(c.code)
            .bind(c.kind)
            .bind(c.name.uk)
            .bind(c.name.ru)
            .bind(c.name.en)
            .bind(c.position)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, AppError>(())
    })
}

#[derive(Debug, Clone)]
pub struct NewCommunity {
    pub code: &'static str,
    pub name: Name,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub code: &'static str,
    pub kind: &'static str,
    pub name: Name,
    pub community: Option<&'static str>,
}

/// Adds a region with its communities and organizations; what exists already is kept.
pub async fn ensure_region(
    db: &Db,
    code: &'static str,
    name: Name,
    communities: Vec<NewCommunity>,
    organizations: Vec<NewOrganization>,
) -> AppResult<()> {
    let now = time::OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO regions (code, name_uk, name_ru, name_en) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(code)
        .bind(name.uk)
        .bind(name.ru)
        .bind(name.en)
        .execute(&mut *conn)
        .await?;
        for c in &communities {
            sqlx::query(
                "INSERT INTO communities (code, region_code, name_uk, name_ru, name_en, lat, lon, population) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING",
            )
            .bind(c.code)
            .bind(code)
            .bind(c.name.uk)
            .bind(c.name.ru)
            .bind(c.name.en)
            .bind(c.lat)
            .bind(c.lon)
            .bind(c.population)
            .execute(&mut *conn)
            .await?;
        }
        for o in &organizations {
            sqlx::query(
                "INSERT INTO organizations (id, code, kind, name_uk, name_ru, name_en, community_code, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(o.code)
            .bind(o.kind)
            .bind(o.name.uk)
            .bind(o.name.ru)
            .bind(o.name.en)
            .bind(o.community)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, AppError>(())
    })
}
