//! Events where police and residents meet (round tables, trainings, school lectures, "coffee
//! with a police officer", forums, focus groups, joint receptions): the public calendar,
//! registration with a seat limit and a waiting list, iCalendar, and what staff record after.
//!
//! For other capabilities: [`held_between`] (digest, statistics), [`decisions_for_choice`] and
//! [`round_tables_for_choice`] (commitments, priorities).

pub mod ics;
pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use service::{HeldEvent, decisions_for_choice, held_between, round_tables_for_choice};
pub use web::routes;
