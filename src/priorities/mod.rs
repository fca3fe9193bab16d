//! Local policing priorities: residents propose them for their community, others support them
//! (once per person, confirmed by e-mail), a round table adopts, merges or declines them.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use service::{PriorityCounts, counts_between};
pub use web::routes;
