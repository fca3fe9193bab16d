//! The register's pages as last read from the store, kept for a second.
//!
//! The register is the platform's most read page, and in a crowd (a case in the news) the same
//! few pages are asked for thousands of times a second. Each server answers them from what it
//! read within the last [`FRESH_FOR`] instead of asking the database each time. Publishing or
//! withdrawing on this server forgets everything at once; another server behind the same
//! database shows the change at most [`FRESH_FOR`] later. Only what the register shows is kept:
//! published summaries, never anything of the raw report.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::store::{RegisterRow, RegisterSelection};

/// How long a page read from the store is shown again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Pages kept at most (filters × page numbers); past it, the stale ones go, then all.
const MAX_PAGES: usize = 1_024;

/// One page of the register: its lines, and whether another page follows.
#[derive(Debug)]
pub struct RegisterLines {
    pub rows: Vec<RegisterRow>,
    pub has_next: bool,
}

/// A page's key: the checked filters and the page number.
type PageKey = (RegisterSelection, i64);

#[derive(Default)]
pub struct RegisterCache {
    /// Each page with the moment it was read from the store.
    pages: Mutex<HashMap<PageKey, (Instant, Arc<RegisterLines>)>>,
}

impl RegisterCache {
    /// The page, if it was read from the store less than [`FRESH_FOR`] ago.
    pub fn get(&self, selection: &RegisterSelection, page: i64) -> Option<Arc<RegisterLines>> {
        let key = (selection.clone(), page);
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(&key)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, lines)| lines.clone())
    }

    pub fn keep(&self, selection: RegisterSelection, page: i64, lines: Arc<RegisterLines>) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
        }
        pages.insert((selection, page), (Instant::now(), lines));
    }

    /// Forgets every page: what the public may see has changed.
    pub fn forget(&self) {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Arc<RegisterLines> {
        Arc::new(RegisterLines {
            rows: Vec::new(),
            has_next: true,
        })
    }

    #[test]
    fn a_page_is_kept_by_its_filters_and_number_until_forgotten() {
        let cache = RegisterCache::default();
        let all = RegisterSelection::default();
        let lyman = RegisterSelection {
            community: Some("lyman".into()),
            ..RegisterSelection::default()
        };
        cache.keep(all.clone(), 1, lines());
        assert!(cache.get(&all, 1).is_some());
        assert!(cache.get(&all, 2).is_none(), "another page");
        assert!(cache.get(&lyman, 1).is_none(), "other filters");
        cache.forget();
        assert!(cache.get(&all, 1).is_none());
    }

    #[test]
    fn a_page_older_than_a_second_is_read_again() {
        let cache = RegisterCache::default();
        let all = RegisterSelection::default();
        cache
            .pages
            .lock()
            .unwrap()
            .insert((all.clone(), 1), (Instant::now() - FRESH_FOR, lines()));
        assert!(cache.get(&all, 1).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = RegisterCache::default();
        for page in 0..(MAX_PAGES as i64 + 10) {
            cache.keep(RegisterSelection::default(), page, lines());
        }
        assert!(cache.pages.lock().unwrap().len() <= MAX_PAGES);
    }
}
