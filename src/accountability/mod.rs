//! Agencies' accountability reports: a periodic report of an agency (its text and statistics
//! tables uploaded as CSV), published by its officers on the public site.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use web::routes;
