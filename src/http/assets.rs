//! The site's stylesheet, and the scripts and styles of the interactive maps, built into the
//! binary.
//!
//! Every page works without JavaScript (a server-rendered SVG map); the scripts only enhance it.
//! They are served from the binary itself, never from a CDN, so the platform also works on an
//! isolated network. Leaflet 1.9.4 is vendored unchanged from the npm package (see
//! `assets/leaflet/LICENSE`); its marker images are deliberately not: the scripts only draw
//! circle markers and paths.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static STYLESHEET: &str = include_str!("../../static/mistok.css");
static LEAFLET_JS: &str = include_str!("../../assets/leaflet/leaflet.js");
static LEAFLET_CSS: &str = include_str!("../../assets/leaflet/leaflet.css");
static MAP_JS: &str = include_str!("../../static/map.js");
static MAP_CSS: &str = include_str!("../../static/map.css");

/// The asset routes. Generic over the state so that they can be merged into the application's
/// router and tested on their own, without a database.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/mistok.css", get(stylesheet))
        .route("/assets/leaflet.js", get(leaflet_js))
        .route("/assets/leaflet.css", get(leaflet_css))
        .route("/assets/map.js", get(map_js))
        .route("/assets/map.css", get(map_css))
        // Only these static files are compressed: pages mix secrets (CSRF tokens, receipts)
        // with reflected input, which compression would expose to BREACH-style guessing.
        // leaflet.js shrinks from 144 KiB to 42 KiB.
        .layer(CompressionLayer::new())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset(CSS, STYLESHEET)
}

async fn leaflet_js() -> Response {
    asset(JAVASCRIPT, LEAFLET_JS)
}

async fn leaflet_css() -> Response {
    asset(CSS, LEAFLET_CSS)
}

async fn map_js() -> Response {
    asset(JAVASCRIPT, MAP_JS)
}

async fn map_css() -> Response {
    asset(CSS, MAP_CSS)
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use super::*;

    async fn get(path: &str, gzip: bool) -> Response {
        let mut request = Request::get(path);
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "gzip");
        }
        routes::<()>()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn assets_are_served_with_their_types_and_caching() {
        let cases = [
            ("/static/mistok.css", CSS, STYLESHEET),
            ("/assets/leaflet.js", JAVASCRIPT, LEAFLET_JS),
            ("/assets/leaflet.css", CSS, LEAFLET_CSS),
            ("/assets/map.js", JAVASCRIPT, MAP_JS),
            ("/assets/map.css", CSS, MAP_CSS),
        ];
        for (path, content_type, content) in cases {
            let response = get(path, false).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_TYPE], content_type, "{path}");
            assert_eq!(
                headers[header::CACHE_CONTROL],
                "public, max-age=3600",
                "{path}"
            );
            let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
            assert!(!body.is_empty(), "{path}");
            assert_eq!(body, content.as_bytes(), "{path}");
        }
    }

    #[tokio::test]
    async fn leaflet_is_the_vendored_release_and_compressed_on_request() {
        assert!(LEAFLET_JS.contains("Leaflet 1.9.4"));
        let response = get("/assets/leaflet.js", true).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[header::CONTENT_TYPE], JAVASCRIPT);
    }

    #[test]
    fn one_script_enhances_the_maps_and_the_place_picker() {
        assert!(MAP_JS.contains("querySelectorAll('.map-live')"));
        assert!(MAP_JS.contains("querySelectorAll('fieldset.place-picker')"));
    }

    #[tokio::test]
    async fn other_paths_are_not_served_here() {
        // place-picker.js was merged into map.js.
        for path in ["/assets/leaflet.js.map", "/assets/place-picker.js"] {
            let response = get(path, false).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}
