//! Local policing priorities: residents propose them for their community, others support them
//! (once per person, confirmed by e-mail), a round table adopts, merges or declines them.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
