//! The hotline: an operator enters a phone call as a report (channel "phone") in under a minute
//! and dictates the receipt to the caller.

pub mod web;
