//! Joint receptions with police leadership: time slots offered at a reception (an event of kind
//! `joint_reception`), booked by residents, confirmed and reminded by e-mail, cancelled by link.
//!
//! A resident's name, address and topic are sealed like a reporter's contact and opened only for
//! the staff who hold the reception. No double booking: one booked row per slot is enforced by a
//! unique index, so of two people pressing "book" at the same moment one gets the slot and the
//! other the form again with the slots as they are.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use web::routes;
