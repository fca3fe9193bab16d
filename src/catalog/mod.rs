//! The platform's places and categories: regions, communities (hromadas), report categories,
//! organizations. Read on every form, so kept in memory and refreshed every few seconds (several
//! app servers may share one database, and `mistok demo` may load data while a server runs).

pub mod store;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::intake::model::{Catalog, ReportKind};

const REFRESH_AFTER: Duration = Duration::from_secs(10);

/// A text in each interface language.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Names {
    pub uk: String,
    pub ru: String,
    pub en: String,
}

impl Names {
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.uk, &self.ru, &self.en)
    }
}

impl From<crate::i18n::Name> for Names {
    fn from(n: crate::i18n::Name) -> Names {
        Names {
            uk: n.uk.into(),
            ru: n.ru.into(),
            en: n.en.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Category {
    pub code: String,
    pub kind: ReportKind,
    pub names: Names,
    pub position: i64,
}

#[derive(Debug, Clone)]
pub struct Community {
    pub code: String,
    pub region_code: String,
    pub names: Names,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// One consistent snapshot of the catalog.
#[derive(Debug, Default)]
pub struct CatalogData {
    pub categories: Vec<Category>,
    pub communities: Vec<Community>,
    /// The platform's stored prefix of human references, if set (the demo sets `DN`).
    pub reference_prefix: Option<String>,
    /// Organizations cases are referred to (all but the platform), for public filters.
    pub agencies: Vec<crate::referrals::store::OrganizationChoice>,
}

impl CatalogData {
    pub fn categories_of(&self, kind: ReportKind) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(move |c| c.kind == kind)
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// A community's name in `lang`; the code itself for one the catalog does not know.
    pub fn community_name(&self, lang: Lang, code: &str) -> String {
        self.community(code)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| code.to_string())
    }

    /// A category's name in `lang`, or its code when the catalog has no such category.
    pub fn category_name(&self, lang: Lang, code: &str) -> String {
        self.category(code)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_else(|| code.to_string())
    }

    pub fn community(&self, code: &str) -> Option<&Community> {
        self.communities.iter().find(|c| c.code == code)
    }

    /// `(code, name)` of every community, sorted by name, for a form's choices.
    pub fn community_choices(&self, lang: Lang) -> Vec<(String, String)> {
        self.communities_sorted(lang)
            .into_iter()
            .map(|c| (c.code.clone(), c.names.get(lang).to_string()))
            .collect()
    }

    /// Each kind's name with its categories' `(code, name)`, for a choice grouped by kind
    /// (kinds without categories left out).
    pub fn categories_by_kind(&self, lang: Lang) -> Vec<(String, Vec<(String, String)>)> {
        ReportKind::ALL
            .iter()
            .map(|k| {
                (
                    lang.t(&k.message_key()),
                    self.categories_of(*k)
                        .map(|c| (c.code.clone(), c.names.get(lang).to_string()))
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }

    /// Communities sorted by their name in `lang`, as shown in pickers.
    pub fn communities_sorted(&self, lang: Lang) -> Vec<&Community> {
        let mut list: Vec<&Community> = self.communities.iter().collect();
        list.sort_by(|a, b| a.names.get(lang).cmp(b.names.get(lang)));
        list
    }
}

impl Catalog for CatalogData {
    fn category_kind(&self, code: &str) -> Option<ReportKind> {
        self.category(code).map(|c| c.kind)
    }

    fn community_exists(&self, code: &str) -> bool {
        self.community(code).is_some()
    }

    fn in_region(&self, lat: f64, lon: f64) -> bool {
        crate::map::grid::in_region(&self.communities, lat, lon)
    }
}

/// The in-memory copy of the catalog, reloaded when stale.
pub struct CatalogCache {
    current: RwLock<(Arc<CatalogData>, Option<Instant>)>,
    reload: tokio::sync::Mutex<()>,
}

impl Default for CatalogCache {
    fn default() -> Self {
        CatalogCache {
            current: RwLock::new((Arc::new(CatalogData::default()), None)),
            reload: tokio::sync::Mutex::new(()),
        }
    }
}

impl CatalogCache {
    pub async fn get(&self, db: &Db) -> AppResult<Arc<CatalogData>> {
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        // One request reloads; the others wait for it and then read the new copy.
        let _guard = self.reload.lock().await;
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        let data = Arc::new(store::load(db).await?);
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = (data.clone(), Some(Instant::now()));
        Ok(data)
    }

    /// Forgets the copy, so the next read loads the database's current state.
    pub fn invalidate(&self) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        current.1 = None;
    }

    fn fresh(&self) -> Option<Arc<CatalogData>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        match current.1 {
            Some(at) if at.elapsed() < REFRESH_AFTER => Some(current.0.clone()),
            _ => None,
        }
    }
}

/// A category as the API lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub kind: ReportKind,
    pub name: String,
}

/// A community as the API lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityView {
    pub code: String,
    pub region: String,
    pub name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}
