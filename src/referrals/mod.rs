//! Referrals of cases to organizations (police units, prosecutors, ombudsman, local government,
//! NGO lawyers), each with a due date, accepted or refused, acted on and answered.

pub mod model;
pub mod service;
pub mod store;
pub mod web;
