//! The digest's pages: the list of months, a month as a web page and as a PDF.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::service::{self, Digest};
use crate::http::locale::Locale;
use crate::http::page::{Chrome, page_error, render};
use crate::public::model::YearMonth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/digest", get(index))
        .route("/digest/{month}", get(month))
}

#[derive(Template)]
#[template(path = "digest/index.html")]
struct IndexPage {
    c: Chrome,
    months: Vec<(String, String)>,
}

/// The last twelve months, newest first.
async fn index(State(state): State<AppState>, Locale(lang): Locale) -> Response {
    let today = state.today();
    let mut month = YearMonth {
        year: today.year(),
        month: today.month(),
    };
    let mut months = Vec::new();
    for _ in 0..12 {
        months.push((month.code(), service::month_name(lang, month)));
        month = match month.month {
            time::Month::January => YearMonth {
                year: month.year - 1,
                month: time::Month::December,
            },
            m => YearMonth {
                year: month.year,
                month: m.previous(),
            },
        };
    }
    render(
        StatusCode::OK,
        &IndexPage {
            c: Chrome::new(lang, "/digest", "digest-title").nav("statistics"),
            months,
        },
    )
}

#[derive(Template)]
#[template(path = "digest/month.html")]
struct MonthPage {
    c: Chrome,
    d: Digest,
    code: String,
}

/// `/digest/2026-10` is the page, `/digest/2026-10.pdf` the PDF.
async fn month(
    State(state): State<AppState>,
    Locale(lang): Locale,
    Path(month): Path<String>,
) -> Response {
    let (code, as_pdf) = match month.strip_suffix(".pdf") {
        Some(code) => (code.to_string(), true),
        None => (month, false),
    };
    let digest = match service::parse_month(&state, &code) {
        Ok(m) => service::digest(&state, m, lang).await,
        Err(err) => Err(err),
    };
    let digest = match digest {
        Ok(d) => d,
        Err(crate::error::AppError::Validation(_)) => {
            return page_error(lang, crate::error::AppError::NotFound);
        }
        Err(err) => return page_error(lang, err),
    };
    if as_pdf {
        let name = format!("digest-{}-{}.pdf", digest.month.code(), lang.code());
        return match tokio::task::spawn_blocking(move || service::pdf(&digest)).await {
            Ok(Ok(bytes)) => (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("inline; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Ok(Err(err)) => page_error(lang, err),
            Err(err) => page_error(lang, crate::error::AppError::internal(err)),
        };
    }
    let mut c = Chrome::new(
        lang,
        &format!("/digest/{}", digest.month.code()),
        "digest-title",
    )
    .nav("statistics");
    c.title = format!(
        "{} — {}",
        digest.title,
        service::month_name(lang, digest.month)
    );
    let code = digest.month.code();
    render(StatusCode::OK, &MonthPage { c, d: digest, code })
}
