//! Trust surveys and focus groups: questionnaires in three languages asked in waves, answered
//! anonymously by link, on paper (entered by staff) or imported from CSV; results with
//! confidence intervals, a trust index per community and wave, cross-tabulations and charts.

pub mod model;
pub mod report;
pub mod results;
pub mod service;
pub mod stats;
pub mod store;
pub mod web;
