//! What every page and endpoint shares: health, security headers, the OpenAPI document, languages.

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(
    health_and_security_headers,
    openapi_document,
    language_choice_is_remembered
);

async fn health_and_security_headers(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let health = app.api().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    for path in ["/", "/report/violation", "/follow", "/no-such-page"] {
        let response = app.browser().get(app.url(path)).send().await.unwrap();
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        assert!(h.contains_key("x-request-id"));
    }
    let missing = app
        .browser()
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let api_missing = app
        .api()
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(api_missing.status(), 404);
    assert_eq!(
        api_missing.headers()["content-type"],
        "application/problem+json"
    );
    let css = app
        .browser()
        .get(app.url("/static/mistok.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

async fn openapi_document(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let doc: serde_json::Value = app
        .api()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/reports",
        "/api/v1/reports/follow-up",
        "/api/v1/reports/follow-up/messages",
        "/api/v1/reports/follow-up/attachments",
        "/api/v1/categories",
        "/api/v1/communities",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn language_choice_is_remembered(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    // Default from Accept-Language, Ukrainian when nothing matches.
    for (accept, expected) in [
        ("ru-RU,ru;q=0.9", "lang=\"ru\""),
        ("en-GB,en;q=0.9", "lang=\"en\""),
        ("de-DE", "lang=\"uk\""),
    ] {
        let html = browser
            .get(app.url("/"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(&format!("<html {expected}>")), "{accept}");
    }
    // The visible switch sets a cookie that wins over Accept-Language.
    let switched = browser
        .get(app.url("/lang/en?next=/follow"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), 303);
    assert_eq!(switched.headers()["location"], "/follow");
    let html = browser
        .get(app.url("/follow"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Report code"), "English page");
    // An outside address in `next` is not followed.
    let evil = browser
        .get(app.url("/lang/uk?next=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(evil.headers()["location"], "/");
}
