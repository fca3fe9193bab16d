//! Past its capacity the server turns requests away at once with 503 and `Retry-After`, and a
//! crowd of other requests never takes the intake's own allowance: reports are still accepted.

use std::time::Duration;

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(
    over_capacity_requests_get_503_and_reports_still_go_through,
    one_address_holding_too_many_connections_gets_503_and_others_are_served
);

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

/// A raw request on a fresh connection, and what came back before the server closed it.
async fn raw_get(address: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer, then the connection closed")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn one_address_holding_too_many_connections_gets_503_and_others_are_served(engine: Engine) {
    let app = TestApp::spawn_with(engine, |config| {
        config.max_connections_per_address = 3;
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_string();
    // Three idle connections from 127.0.0.1 take that address's allowance.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = raw_get(&address, "/register").await;
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused}");
    assert!(refused.contains("Retry-After: 2\r\n"), "{refused}");
    assert!(refused.contains("X-Content-Type-Options: nosniff\r\n"));

    // Another address is served meanwhile (another machine; here 127.0.0.2 on loopback).
    let elsewhere = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let served = elsewhere.get(app.url("/register")).send().await.unwrap();
    assert_eq!(served.status(), 200);

    // A connection closed gives its place back.
    held.pop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = raw_get(&address, "/register").await;
    assert!(
        answer.starts_with("HTTP/1.1 200 "),
        "{}",
        &answer[..answer.len().min(200)]
    );
}
