//! Staff search of cases by text (parts of words, any language), reference, status, category,
//! community, organization and date, on the engine's own full-text index.

pub mod index;
pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use model::{normalize, search_text};
