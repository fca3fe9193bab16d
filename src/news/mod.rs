//! News, announcements and static pages (about the platform, contacts, how to report), in
//! three languages, with an Atom feed.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use web::routes;
