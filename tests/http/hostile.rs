//! Hostile input, generated: thousands of requests with random bodies, fields of every type,
//! odd text and odd query strings against the API, the feeds, the register, the statistics and
//! Open311. None may end in a 5xx, none may show a stack trace or an internal message, and the
//! identifying data of a report never comes back from a public endpoint.
//!
//! The cases come from a seeded generator: `MISTOK_HOSTILE_SEED` replays a run, and
//! `MISTOK_HOSTILE_CASES` sets how many (default 2,500 per engine).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(generated_requests_never_fail_nor_leak);

/// The contact of the one real report: it must never be served publicly.
const CONTACT: &str = "+380 50 999 88 77 Secretenko";

const TEXTS: &[&str] = &[
    "",
    " ",
    "x",
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "true",
    "💥🙂",
    "Ґанок і їжак",
    "' OR 1=1 --",
    "\"; DROP TABLE reports; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "\u{0}",
    "\u{202e}abc",
    "2026-13-45T25:61",
    "2026-11-20T18:30",
    "99999999999999999999999999",
    "kramatorsk",
    "violation",
    "safety",
    "street_lighting",
    "unlawful_detention",
    "DN-2026-000001",
    "1234 5678 9012 3456 7890",
];

const FIELDS: &[&str] = &[
    "kind",
    "category",
    "community",
    "place",
    "description",
    "occurred_at",
    "contact",
    "witnesses",
    "consent_contact",
    "consent_publish",
    "location",
    "involved",
    "receipt",
    "body",
    "page",
    "status",
    "month",
    "from",
    "to",
    "agency",
    "organization",
    "q",
    "lang",
    "jurisdiction_id",
    "service_code",
    "start_date",
    "end_date",
    "service_request_id",
    "lat",
    "long",
    "api_key",
];

fn text(rng: &mut StdRng) -> String {
    match rng.random_range(0..6) {
        0 => "Ж".repeat(rng.random_range(0..3000)),
        1 => (0..rng.random_range(0..40))
            .map(|_| char::from_u32(rng.random_range(0..0x2FFFF)).unwrap_or('?'))
            .collect(),
        _ => TEXTS[rng.random_range(0..TEXTS.len())].to_string(),
    }
}

fn value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth > 1 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random_range(-1e12..1e12)),
        3 => json!(rng.random::<i64>()),
        4 => json!(text(rng)),
        5 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| value(rng, depth + 1))
                .collect(),
        ),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut StdRng, depth: u32) -> Value {
    let mut map = serde_json::Map::new();
    for _ in 0..rng.random_range(0..8) {
        let name = FIELDS[rng.random_range(0..FIELDS.len())];
        let v = if name == "location" && rng.random_bool(0.5) {
            json!({ "lat": rng.random_range(-200.0..200.0), "lon": rng.random_range(-400.0..400.0) })
        } else {
            value(rng, depth)
        };
        map.insert(name.to_string(), v);
    }
    Value::Object(map)
}

fn query(rng: &mut StdRng) -> String {
    (0..rng.random_range(0..5))
        .map(|_| {
            let name = FIELDS[rng.random_range(0..FIELDS.len())];
            let v: String = text(rng)
                .bytes()
                .take(200)
                .map(|b| format!("%{b:02X}"))
                .collect();
            format!("{name}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

const GETS: &[&str] = &[
    "/register",
    "/register.json",
    "/register.csv",
    "/statistics",
    "/statistics.json",
    "/map",
    "/map.geojson",
    "/news",
    "/events",
    "/receptions",
    "/surveys",
    "/digest",
    "/open-data",
    "/open311/v2/services.json",
    "/open311/v2/services.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/open311/v2/discovery.json",
    "/api/v1/categories",
    "/register/updates.atom",
    "/news.atom",
];

const POSTS: &[&str] = &[
    "/api/v1/reports",
    "/api/v1/reports/follow-up",
    "/api/v1/reports/follow-up/messages",
    "/open311/v2/requests.json",
];

fn assert_clean(what: &str, status: u16, body: &str) {
    assert!(status < 500, "{what}: {status} {body:.300}");
    for leak in [
        "panicked",
        "stack backtrace",
        "RUST_BACKTRACE",
        "sqlx",
        "SQLSTATE",
        "syntax error",
        "database:",
        "internal error:",
        CONTACT,
    ] {
        assert!(!body.contains(leak), "{what} shows {leak:?}: {body:.300}");
    }
}

async fn generated_requests_never_fail_nor_leak(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let seed: u64 = std::env::var("MISTOK_HOSTILE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let cases: usize = std::env::var("MISTOK_HOSTILE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_500);
    eprintln!("hostile input: seed {seed}, {cases} cases (MISTOK_HOSTILE_SEED={seed} replays)");
    let mut rng = StdRng::seed_from_u64(seed);

    // One real report with a contact, consenting to publication.
    let real = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&json!({
            "kind": "violation", "category": "unlawful_detention", "community": "kramatorsk",
            "description": "Held at the district station for nine hours without a lawyer.",
            "contact": CONTACT, "consent_contact": true, "consent_publish": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 201);

    let client = app.api();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for case in 0..cases {
        let (what, response) = if rng.random_bool(0.4) {
            let path = GETS[rng.random_range(0..GETS.len())];
            let url = format!("{}?{}", app.url(path), query(&mut rng));
            (url.clone(), client.get(url).send().await.unwrap())
        } else {
            let path = POSTS[rng.random_range(0..POSTS.len())];
            let mut request = client.post(app.url(path));
            if rng.random_bool(0.5) {
                request =
                    request.header("idempotency-key", text(&mut rng).replace(['\r', '\n'], ""));
            }
            let request = match rng.random_range(0..4) {
                0 => request
                    .header("content-type", "application/json")
                    .body(text(&mut rng)),
                1 => request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(query(&mut rng)),
                _ => request.json(&object(&mut rng, 0)),
            };
            match request.send().await {
                Ok(response) => (format!("case {case}: POST {path}"), response),
                // A header the client itself refuses to send is not a case.
                Err(err) if err.is_builder() => continue,
                Err(err) => panic!("case {case}: {err}"),
            }
        };
        let status = response.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        let is_api = what.contains("/api/");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = response.text().await.unwrap_or_default();
        assert_clean(&what, status, &body);
        if is_api && status >= 400 {
            assert_eq!(
                content_type, "application/problem+json",
                "{what}: {body:.200}"
            );
        }
    }
    eprintln!("hostile input: statuses {statuses:?}");
    // The real report's public traces hold no contact (checked in every body above), and the
    // server still answers.
    let health = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
