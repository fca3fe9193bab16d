//! The staff search page: a filter form (GET, so a search can be bookmarked) and the results.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use super::service::{self, SearchInput};
use crate::accounts::Staff;
use crate::error::{AppError, FieldError};
use crate::http::csrf;
use crate::http::locale::Locale;
use crate::http::page::{Chrome, FieldErrors, here, page_error, query_string, render};
use crate::intake::model::Status;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/search", get(search))
}

struct Line {
    reference: String,
    /// The case page, or for an officer their referral's page.
    link: String,
    received: String,
    status_code: &'static str,
    status: String,
    category: String,
    community: String,
    channel: String,
}

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    c: Chrome,
    v: SearchInput,
    statuses: Vec<(&'static str, String)>,
    categories: Vec<(String, String)>,
    communities: Vec<(String, String)>,
    organizations: Vec<(String, String)>,
    /// Officers' searches are already limited to their organization.
    by_organization: bool,
    searched: bool,
    lines: Vec<Line>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
    errors: FieldErrors,
}

fn page_link(v: &SearchInput, page: i64) -> String {
    let page = page.to_string();
    let pairs = [
        ("q", v.q.as_str()),
        ("reference", v.reference.as_str()),
        ("status", v.status.as_str()),
        ("category", v.category.as_str()),
        ("community", v.community.as_str()),
        ("organization", v.organization.as_str()),
        ("from", v.from.as_str()),
        ("to", v.to.as_str()),
        ("page", page.as_str()),
    ];
    format!("/staff/search?{}", query_string(&pairs))
}

async fn search(
    State(state): State<AppState>,
    Locale(lang): Locale,
    jar: CookieJar,
    staff: Staff,
    OriginalUri(uri): OriginalUri,
    Query(input): Query<SearchInput>,
) -> Response {
    let catalog = match state.catalog.get(&state.db).await {
        Ok(catalog) => catalog,
        Err(err) => return page_error(lang, err),
    };
    let searched = !input.is_empty();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut lines = Vec::new();
    let (mut page, mut has_next) = (1, false);
    let result = if searched {
        service::search(&state, &staff, &input).await.map(Some)
    } else {
        staff.require(service::SEARCHERS).map(|_| None)
    };
    match result {
        Ok(Some(results)) => {
            page = results.page;
            has_next = results.has_next;
            lines = results
                .rows
                .iter()
                .map(|found| (&found.case, found.referral))
                .map(|(r, referral)| Line {
                    link: match referral {
                        Some(id) => format!("/staff/referrals/{id}"),
                        None => format!("/staff/cases/{}", r.reference),
                    },
                    reference: r.reference.clone(),
                    received: state.format_local(r.created_at),
                    status_code: r.status.code(),
                    status: lang.t(&r.status.message_key()),
                    category: catalog
                        .category(&r.category)
                        .map(|c| c.names.get(lang).to_string())
                        .unwrap_or_else(|| r.category.clone()),
                    community: catalog
                        .community(&r.community)
                        .map(|c| c.names.get(lang).to_string())
                        .unwrap_or_else(|| r.community.clone()),
                    channel: lang.t(&format!("channel-{}", r.channel)),
                })
                .collect();
        }
        Ok(None) => {}
        Err(AppError::Validation(e)) => errors = e,
        Err(err) => return page_error(lang, err),
    }
    let (jar, csrf) = csrf::token(&state, jar);
    let view = SearchPage {
        c: Chrome::new(lang, &here(&uri), "search-title").staff(&staff.user, &csrf),
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.code(), lang.t(&s.message_key())))
            .collect(),
        categories: catalog
            .categories
            .iter()
            .map(|c| (c.code.clone(), c.names.get(lang).to_string()))
            .collect(),
        communities: catalog.community_choices(lang),
        organizations: catalog
            .agencies
            .iter()
            .map(|o| {
                let name = lang.pick(&o.names[0], &o.names[1], &o.names[2]);
                (o.code.clone(), name.to_string())
            })
            .collect(),
        by_organization: staff.user.role != crate::accounts::Role::Officer,
        searched,
        lines,
        page,
        previous: (page > 1).then(|| page_link(&input, page - 1)),
        next: has_next.then(|| page_link(&input, page + 1)),
        errors: FieldErrors::new(lang, &errors),
        v: input,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (jar, render(status, &view)).into_response()
}
