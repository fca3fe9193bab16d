//! Public statistics: how reports are handled and how each agency answers referrals, as
//! tables, server-drawn SVG charts and CSV/JSON downloads, with small counts suppressed.
//! No sign-in: everything here is published.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use service::{Figures, StatsCache, figures};
pub use web::routes;
