//! CSRF protection for forms without accounts: a random cookie and, in each form, its keyed hash
//! (signed double-submit). A cross-site page can neither read the cookie nor forge the hash.

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use crate::crypto::MacPurpose;
use crate::state::AppState;

pub const CSRF_COOKIE: &str = "mistok_csrf";

/// The token to put in a form, and the jar to send back (it may carry a new cookie).
pub fn token(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 43);
    let (jar, secret) = match existing {
        Some(secret) => (jar, secret),
        None => {
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            let secret = B64.encode(bytes);
            let cookie = Cookie::build((CSRF_COOKIE, secret.clone()))
                .path("/")
                .http_only(true)
                .secure(state.config.cookie_secure)
                .same_site(SameSite::Lax)
                .build();
            (jar.add(cookie), secret)
        }
    };
    let tag = state.keys.mac(MacPurpose::Csrf, secret.as_bytes());
    (jar, B64.encode(tag))
}

/// True when the submitted form token matches the cookie, and the browser does not say the
/// request came from another site.
pub fn verify(state: &AppState, jar: &CookieJar, headers: &HeaderMap, submitted: &str) -> bool {
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    if cross_site {
        return false;
    }
    let Some(secret) = jar.get(CSRF_COOKIE) else {
        return false;
    };
    let Ok(tag) = B64.decode(submitted.trim()) else {
        return false;
    };
    state
        .keys
        .verify_mac(MacPurpose::Csrf, secret.value().as_bytes(), &tag)
}
