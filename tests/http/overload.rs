//! Past its capacity the server turns requests away at once with 503 and `Retry-After`, and a
//! crowd of other requests never takes the intake's own allowance: reports are still accepted.

use std::time::Duration;

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(over_capacity_requests_get_503_and_reports_still_go_through);

/// A request whose body is still arriving (its headers promise more than is sent): it stays in
/// flight until the connection is dropped.
async fn held_request(app: &TestApp, path: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let address = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail="
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

async fn over_capacity_requests_get_503_and_reports_still_go_through(engine: Engine) {
    let app = TestApp::spawn_with(engine, |config| {
        config.max_requests_in_flight = 2;
        config.max_intake_in_flight = 4;
    })
    .await;
    // Two sign-in forms whose bodies are still arriving fill the general allowance.
    let first = held_request(&app, "/staff/login").await;
    let second = held_request(&app, "/staff/login").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let turned_away = app
        .browser()
        .get(app.url("/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(turned_away.status(), 503);
    assert_eq!(
        turned_away
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    // Health checks still answer.
    let health = app.browser().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // Reports have their own allowance.
    let report = serde_json::json!({
        "kind": "safety", "category": "street_lighting", "community": "lyman",
        "description": "The street by the school has had no light for a week.",
    });
    let created = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // Once the held requests end, pages are served again.
    drop(first);
    drop(second);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let served = app
        .browser()
        .get(app.url("/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
}
