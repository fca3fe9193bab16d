//! Commitments (joint measures): what, who, by when, progress and dated updates with evidence;
//! a public tracker that shows what is done, late or stalled.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use model::TrackerCounts;
pub use service::{UpdatedCommitment, tracker_counts, updated_between};
pub use web::routes;
