//! Public control: the public register of cases whose reporters consented to publication, with
//! a summary a coordinator redacted and approved (never the raw report).

pub mod cache;
pub mod export;
pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use web::routes;
