//! What every HTML page shares: the layout's context and rendering.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::FieldError;
use crate::i18n::Lang;

/// The layout's context: language, current path (for the language switch) and title.
pub struct Chrome {
    pub lang: Lang,
    pub path: String,
    pub title: String,
    /// Off on pages that must not be left by accident (the receipt shown once).
    pub show_lang_switch: bool,
    pub nav: &'static str,
    /// The signed-in member of staff, on staff pages.
    pub staff_name: Option<String>,
    /// The CSRF token of the sign-out button on staff pages.
    pub csrf: String,
    /// Agency officers work from their referrals, the platform's staff from the case queue.
    pub staff_is_officer: bool,
    pub staff_is_admin: bool,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    pub fn new(lang: Lang, path: &str, title_key: &str) -> Chrome {
        Chrome {
            lang,
            path: path.to_string(),
            title: lang.t(title_key),
            show_lang_switch: true,
            nav: "",
            staff_name: None,
            csrf: String::new(),
            staff_is_officer: false,
            staff_is_admin: false,
        }
    }

    /// A staff page: the staff navigation and the sign-out button.
    pub fn staff(mut self, user: &crate::accounts::UserRow, csrf: &str) -> Chrome {
        self.staff_name = Some(user.display_name.clone());
        self.nav = "staff";
        self.csrf = csrf.to_string();
        self.staff_is_officer = user.role == crate::accounts::Role::Officer;
        self.staff_is_admin = user.role == crate::accounts::Role::Administrator;
        self
    }

    pub fn nav(mut self, nav: &'static str) -> Chrome {
        self.nav = nav;
        self
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with one number in it (`{$name}`), plural forms chosen by the language.
    pub fn t_n(&self, key: &str, name: &'static str, n: &i64) -> String {
        self.lang.t_args(
            key,
            &[(name, fluent_templates::fluent_bundle::FluentValue::from(*n))],
        )
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn langs(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|lang| LangLink {
                code: lang.code(),
                name: lang.native_name(),
                href: format!("/lang/{}?next={}", lang.code(), encode_path(&self.path)),
                current: lang == self.lang,
            })
            .collect()
    }
}

/// A tab of a section's navigation.
pub struct Tab {
    pub href: String,
    pub name: String,
    pub current: bool,
}

impl Chrome {
    /// The parts of the dialogue (events, receptions, priorities, commitments), public or staff
    /// as the page is, the one the page belongs to marked current.
    pub fn dialogue_tabs(&self) -> Vec<Tab> {
        let base = if self.staff_name.is_some() {
            "/staff"
        } else {
            ""
        };
        ["events", "receptions", "priorities", "commitments"]
            .into_iter()
            .map(|part| {
                let href = format!("{base}/{part}");
                let current = self.path == href
                    || self.path.starts_with(&format!("{href}/"))
                    || self.path.starts_with(&format!("{href}?"));
                Tab {
                    href,
                    name: self.lang.t(&format!("dialogue-tab-{part}")),
                    current,
                }
            })
            .collect()
    }
}

/// The page's own address for the language switch: its path with the query that chose what it
/// shows (filters, page), less any `lang` choice, which the switch replaces.
pub fn here(uri: &axum::http::Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("lang"))
        .collect();
    if kept.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    }
}

/// Percent-encodes a local path for use as a query value.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encodes a query string from pairs (everything but unreserved characters).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Field errors of a form, as messages in the page's language.
#[derive(Default)]
pub struct FieldErrors {
    pub list: Vec<(String, String)>,
    by_field: HashMap<String, String>,
}

impl FieldErrors {
    pub fn new(lang: Lang, errors: &[FieldError]) -> FieldErrors {
        let mut out = FieldErrors::default();
        for e in errors {
            let message = lang.t(e.key);
            out.by_field
                .entry(e.field.to_string())
                .or_insert_with(|| message.clone());
            out.list.push((e.field.to_string(), message));
        }
        out
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.by_field.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "layout/error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub message: String,
}

pub fn error_page(lang: Lang, status: StatusCode, message_key: &str) -> Response {
    let page = ErrorPage {
        c: Chrome::new(lang, "/", "error-page-title"),
        message: lang.t(message_key),
    };
    render(status, &page)
}

/// A service error on a page that has no form to show it in.
pub fn page_error(lang: Lang, err: crate::error::AppError) -> Response {
    use crate::error::AppError;
    match err {
        AppError::Forbidden => error_page(lang, StatusCode::FORBIDDEN, "error-page-forbidden"),
        AppError::NotFound => error_page(lang, StatusCode::NOT_FOUND, "error-page-not-found"),
        AppError::RateLimited { retry_after_secs } => {
            let mut response =
                error_page(lang, StatusCode::TOO_MANY_REQUESTS, "problem-rate-limited");
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        AppError::Internal(detail) => {
            tracing::error!(error = %detail, "internal error");
            error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, "problem-internal")
        }
        AppError::Unavailable => {
            error_page(lang, StatusCode::SERVICE_UNAVAILABLE, "problem-unavailable")
        }
        other => {
            tracing::warn!(error = %other, "unexpected error on a page");
            error_page(lang, StatusCode::BAD_REQUEST, "problem-internal")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_keeps_the_selection_and_drops_the_language() {
        let here = |s: &str| here(&s.parse().unwrap());
        assert_eq!(here("/register"), "/register");
        assert_eq!(here("/register?"), "/register");
        assert_eq!(here("/register?lang=en"), "/register");
        assert_eq!(
            here("/register?kind=violation&lang=en&page=2"),
            "/register?kind=violation&page=2"
        );
        assert_eq!(here("/register?language=x"), "/register?language=x");
    }

    #[test]
    fn the_switch_carries_the_whole_address() {
        let c = Chrome::new(
            Lang::Uk,
            "/register?kind=violation&page=2",
            "register-title",
        );
        let en = c.langs().into_iter().find(|l| l.code == "en").unwrap();
        assert_eq!(
            en.href,
            "/lang/en?next=/register%3Fkind%3Dviolation%26page%3D2"
        );
    }
}
