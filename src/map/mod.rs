//! Maps of reports and hot spots, safe for reporters.
//!
//! - [`grid`]: distances, the platform's region, and the grid every map counts in.
//! - [`store`]: counts per month and fine cell (kept by triggers), exact points for staff.
//! - [`service`]: the public map (coarsened to squares, small squares left out) and the staff
//!   map (hot spots against the previous period, exact points for those who may see cases).
//! - [`svg`]: the maps drawn on the server, so that they work without JavaScript or tiles.
//! - [`web`]: the pages, their GeoJSON and the staff's CSV.

pub mod grid;
pub mod service;
pub mod store;
pub mod svg;
pub mod web;

pub use web::routes;
