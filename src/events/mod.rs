//! Events where police and residents meet (round tables, trainings, school lectures, "coffee
//! with a police officer", forums, focus groups, joint receptions): the public calendar,
//! registration with a seat limit and a waiting list, iCalendar, and what staff record after.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
