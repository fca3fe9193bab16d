//! Attachments: photos, video and documents sent with a report. The original is kept sealed as
//! evidence; what is shown or served is a copy with identifying metadata stripped.

pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use model::AttachmentKind;
