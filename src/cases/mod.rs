//! Case handling across agencies: the coordinator's queue, triage, rejection, closing and
//! reopening, notes, public updates and messages with the reporter.

pub mod model;
pub mod service;
pub mod store;
pub mod web;
