//! E-mail to staff: an organization's officers when a case is referred to it, the coordinators
//! and the organization's head when a referral is overdue.
//!
//! A change that causes an e-mail queues it in its own transaction ([`store::MailQueue`]), so an
//! e-mail is never lost nor sent for a change that did not happen; the sender job
//! ([`service::send_due`]) then delivers it through the [`Mailer`] (SMTP, or `.eml` files in the
//! outbox folder when no mail server is configured), with retries and back-off.
//!
//! E-mails leave the platform and stay in mailboxes for years, so they never carry a reporter's
//! contact or the description: only the case's reference, the organization, the due date and a
//! link to the page where a signed-in person sees the rest.

pub mod mailer;
pub mod model;
pub mod service;
pub mod store;

pub use mailer::Mailer;
pub use model::Draft;
pub use store::{MailQueue, Recipients};
