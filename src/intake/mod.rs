//! Intake of reports, 24/7: the web form, the JSON API, follow-up by receipt.

pub mod api;
pub mod model;
pub mod receipt;
pub mod service;
pub mod store;
pub mod web;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    web::routes().merge(api::routes())
}
