//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under `/open311/v2/`, so that
//! partner systems — a city's 311 app, a hotline system — can send reports and read the public
//! register in the standard's terms.
//!
//! - **Services** are the platform's categories (`service_code` = category code, `group` = the
//!   report kind). A service definition lists what Mistok asks beyond GeoReport's own fields:
//!   `community`, `occurred_at`, `involved`, `consent_publish`, `consent_contact`.
//! - **Creating a request** needs an `api_key`, issued by an administrator
//!   (`/staff/admin/api-keys`, `mistok admin create-api-key`); only a keyed hash of a key is
//!   stored. The request becomes a report through the same intake as every other channel
//!   (channel `api`), so it is validated, sealed and durably stored the same way. The answer
//!   adds one field to GeoReport's: `receipt`, the resident's code to follow the report, which
//!   the partner system hands over (it is shown once and never stored). `Idempotency-Key` is
//!   honoured as in the JSON API. Because the reference is answered at once, services are of
//!   GeoReport's type `realtime`.
//! - **`media_url` is never fetched**: fetching addresses a client names would let anyone make
//!   the server request internal addresses (server-side request forgery), and would bring in
//!   files that never went through the attachment checks (type sniffing, metadata stripping).
//!   Files reach a report through the follow-up API with its receipt instead.
//! - **Reading requests** shows exactly what the public register shows, under its own condition
//!   ([`crate::public::store::PUBLIC`]): the coordinator's summary, never the report's words;
//!   the community and its centre, never the reporter's place or point.

pub mod admin;
pub mod api;
pub mod doc;
pub mod model;
pub mod service;
pub mod store;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    api::routes().merge(admin::routes())
}
