//! Commitments (joint measures): what, who, by when, progress and dated updates with evidence;
//! a public tracker that shows what is done, late or stalled.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
