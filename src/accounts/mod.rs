//! Staff accounts: organizations' and the platform's people, their roles, sign-in with a
//! password and a second factor, and sessions kept in the database.

pub mod admin;
pub mod model;
pub mod service;
pub mod store;
pub mod web;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

pub use model::Role;
use store::SessionRow;
pub use store::UserRow;

use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "mistok_session";

/// A signed-in member of staff (password and second factor done). Handlers that take it are
/// out of reach for everyone else: the extractor sends them to the sign-in page.
pub struct Staff {
    pub user: UserRow,
    pub token: String,
}

impl Staff {
    /// Refuses the request unless the person has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Who makes a change to accounts, as the audit trail names them.
pub enum Actor<'a> {
    Staff(&'a UserRow),
    /// `mistok admin` on the server.
    Cli,
}

impl Actor<'_> {
    pub fn audited(
        &self,
        state: &AppState,
        action: &'static str,
        subject_type: &'static str,
        subject_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> crate::audit::Audited {
        let (id, label) = match self {
            Actor::Staff(user) => (Some(user.id), user.email.clone()),
            Actor::Cli => (None, "cli".to_string()),
        };
        crate::audit::Audited::new(
            state,
            id,
            label,
            action,
            subject_type,
            subject_id,
            before,
            after,
        )
    }
}

/// Someone between the password and the second factor.
pub struct PendingStaff {
    pub session: SessionRow,
    pub token: String,
}

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<(SessionRow, String), Response> {
    let jar = CookieJar::from_headers(&parts.headers);
    let to_login = || Redirect::to("/staff/login").into_response();
    let token = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .ok_or_else(to_login)?;
    match service::session(state, &token).await {
        Ok(Some(session)) => Ok((session, token)),
        Ok(None) => Err(to_login()),
        Err(err) => {
            tracing::error!(error = %err, "session lookup failed");
            Err(axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (session, token) = session_of(parts, state).await?;
        if !session.second_factor_done {
            return Err(Redirect::to("/staff/login/code").into_response());
        }
        if session.user.must_change_password && parts.uri.path() != "/staff/password" {
            return Err(Redirect::to("/staff/password").into_response());
        }
        Ok(Staff {
            user: session.user,
            token,
        })
    }
}

impl FromRequestParts<AppState> for PendingStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (session, token) = session_of(parts, state).await?;
        if session.second_factor_done {
            return Err(Redirect::to("/staff").into_response());
        }
        Ok(PendingStaff { session, token })
    }
}
