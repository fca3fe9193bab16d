//! Mistok ("little bridge"): the software of a regional human-rights platform — intake of
//! reports, case handling across agencies, public control, trust and dialogue.

pub mod accountability;
pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod cases;
pub mod catalog;
pub mod cli;
pub mod commitments;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod dialogue;
pub mod digest;
pub mod error;
pub mod events;
pub mod hotline;
pub mod http;
pub mod i18n;
pub mod intake;
pub mod jobs;
pub mod limits;
pub mod map;
pub mod news;
pub mod notify;
pub mod open311;
pub mod priorities;
pub mod public;
pub mod receptions;
pub mod reference_data;
pub mod referrals;
pub mod retention;
pub mod search;
pub mod settings;
pub mod state;
pub mod statistics;
pub mod surveys;

use anyhow::Context;
use axum::Router;

use crate::catalog::store::{NewCategory, ensure_categories};
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::state::AppState;

/// The whole web application over `state`; used by `mistok serve` and by the tests.
pub fn app(state: AppState) -> Router {
    http::router(state)
}

/// Opens the store (applying migrations), the keys and the reference data.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let keys = Keys::load_or_create(config.secret_key.as_deref(), &config.secret_key_path())
        .context("loading the master secret")?;
    let db = Db::connect(&config.effective_database_url())
        .await
        .context("opening the database")?;
    let defaults = reference_data::DEFAULT_CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| NewCategory {
            code: c.code,
            kind: c.kind,
            name: c.name,
            position: i as i64,
        })
        .collect();
    ensure_categories(&db, defaults).await?;
    let state = AppState::new(config, db, keys)?;
    let dated = map::service::fill_received_months(&state)
        .await
        .context("counting earlier reports for the maps")?;
    if dated > 0 {
        tracing::info!(reports = dated, "earlier reports counted for the maps");
    }
    Ok(state)
}

/// Serves `state` on `listener` until `shutdown` completes, running the background jobs
/// meanwhile (see [`jobs`]).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    search::index::spawn(state.db.clone());
    // A background job like the others: off where jobs are off (tests, cron set-ups).
    if state.config.jobs_interval_secs > 0 {
        statistics::service::spawn_warmer(state.clone());
    }
    let jobs = jobs::spawn(state.clone());
    let listener =
        http::connections::LimitedListener::new(listener, state.config.max_connections_per_address);
    let app = app(state).into_make_service_with_connect_info::<http::PeerAddress>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(jobs) = jobs {
        jobs.stop(std::time::Duration::from_secs(10)).await;
    }
    served
}
