//! The monthly digest "My community — my police": the month's cases and outcomes, agencies'
//! response times, the cases published in the register and the news, as a web page and as a
//! PDF ready to print (`mistok digest --month 2026-10`).

pub mod pdf;
pub mod service;
pub mod web;

pub use web::routes;
