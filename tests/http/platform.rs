//! What every page and endpoint shares: health, security headers, the OpenAPI document, languages.

use crate::on_both_engines;
use crate::support::{Engine, TestApp, signed_in};

on_both_engines!(
    every_page_carries_the_security_headers,
    session_cookies_are_http_only_same_site_and_secure_over_tls,
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
    // A filtered list keeps its filters across the switch (the `lang` choice in the address
    // gives way to the cookie).
    let html = browser
        .get(app.url("/register?kind=violation&lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let switch = "/lang/ru?next=/register%3Fkind%3Dviolation";
    assert!(html.contains(&format!("href=\"{switch}\"")), "{html}");
    let switched = browser.get(app.url(switch)).send().await.unwrap();
    assert_eq!(switched.headers()["location"], "/register?kind=violation");
    // An outside address in `next` is not followed.
    let evil = browser
        .get(app.url("/lang/uk?next=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(evil.headers()["location"], "/");
}

/// The headers every page must carry: no framing (clickjacking of staff pages), no inline script,
/// no caching of pages that may hold a receipt or a reporter's words, no referrer leaking a path.
fn assert_protected(path: &str, response: &reqwest::Response) {
    let h = response.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{path}"
    );
    assert_eq!(h["x-frame-options"], "DENY", "{path}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    assert!(h.contains_key("x-request-id"), "{path}");
    if !path.starts_with("/static/") {
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
}

async fn every_page_carries_the_security_headers(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let public = [
        "/",
        "/report/violation",
        "/report/safety",
        "/report/police_feedback",
        "/report/other",
        "/follow",
        "/register",
        "/register.csv",
        "/register.json",
        "/register/updates.atom",
        "/statistics",
        "/statistics.csv",
        "/statistics.json",
        "/statistics/fields",
        "/open-data",
        "/news",
        "/news.atom",
        "/pages",
        "/digest",
        "/agency-reports",
        "/surveys",
        "/receptions",
        "/staff/login",
        "/api/v1/categories",
        "/api/v1/communities",
        "/api/v1/openapi.json",
        "/open311/v2/discovery.json",
        "/open311/v2/services.json",
    ];
    let browser = app.browser();
    for path in public {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_protected(path, &response);
    }
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let staff = [
        "/staff",
        "/staff/cases",
        "/staff/search",
        "/staff/hotline",
        "/staff/surveys",
        "/staff/focus-groups",
        "/staff/focus-groups/new",
        "/staff/articles",
        "/staff/articles/new",
        "/staff/receptions",
        "/staff/password",
    ];
    for path in staff {
        let response = coordinator.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_protected(path, &response);
    }
    let admin = signed_in(&app, "admin@example.org", "administrator", "").await;
    for path in [
        "/staff/admin/users",
        "/staff/admin/organizations",
        "/staff/admin/api-keys",
    ] {
        let response = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_protected(path, &response);
    }
    // Errors too.
    for path in [
        "/no-such-page",
        "/api/v1/nothing",
        "/staff/cases/XX-0000-000000",
    ] {
        let response = coordinator.get(app.url(path)).send().await.unwrap();
        assert!(response.status().is_client_error(), "{path}");
        assert_protected(path, &response);
    }
}

/// The session and CSRF cookies: never readable by scripts, not sent along from other sites,
/// and only over TLS when the platform is served over HTTPS.
async fn session_cookies_are_http_only_same_site_and_secure_over_tls(engine: Engine) {
    for secure in [false, true] {
        let app = TestApp::spawn_with(engine, |config| config.cookie_secure = secure).await;
        crate::support::create_staff(&app, "coordinator@example.org", "coordinator", "").await;
        let browser = app.browser();
        let login = browser.get(app.url("/staff/login")).send().await.unwrap();
        let mut cookies: Vec<String> = login
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let html = login.text().await.unwrap();
        let step = browser
            .post(app.url("/staff/login"))
            .form(&[
                ("csrf", crate::support::hidden(&html, "csrf").as_str()),
                ("email", "coordinator@example.org"),
                ("password", crate::support::STAFF_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        cookies.extend(
            step.headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string()),
        );
        assert!(
            cookies.iter().any(|c| c.starts_with("mistok_csrf=")),
            "{cookies:?}"
        );
        assert!(
            cookies.iter().any(|c| c.starts_with("mistok_session=")),
            "{cookies:?}"
        );
        for cookie in cookies.iter().filter(|c| c.starts_with("mistok_")) {
            let attributes = cookie.to_ascii_lowercase();
            assert!(attributes.contains("; httponly"), "{cookie}");
            assert!(
                attributes.contains("samesite=lax") || attributes.contains("samesite=strict"),
                "{cookie}"
            );
            assert_eq!(attributes.contains("; secure"), secure, "{cookie}");
        }
    }
}
