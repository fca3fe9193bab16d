//! Joint receptions with police leadership: time slots offered at a reception (an event of kind
//! `joint_reception`), booked by residents, confirmed and reminded by e-mail, cancelled by link.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
