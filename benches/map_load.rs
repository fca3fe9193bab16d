//! The maps on a large store: the public map and its GeoJSON for a year (the default), for one
//! kind, one category and month, and two years; the staff hot-spot map (with the previous
//! period and the newest exact points) as a coordinator, and with filters the counts do not
//! carry (status, words: read from the reports). Prints the first request's time, then the median and
//! 90th percentile of the following ones, and the size of the answer.
//!
//! Run through `benches/map.sh`, which loads a million demo cases into a fresh store first:
//!     bash benches/map.sh              # SQLite, 1,000,000 cases
//!     bash benches/map.sh postgres     # PostgreSQL
//! or against a running server with an existing coordinator account:
//!     cargo bench --bench map_load -- --url URL --email E --password P

mod common;

use std::time::Instant;

use common::{arg, percentile, sign_in, time_page};

#[tokio::main]
async fn main() {
    let url = arg("--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let email = arg("--email").unwrap_or_else(|| "bench.coordinator@example.org".into());
    let password = arg("--password").unwrap_or_else(|| "bench passphrase 2026".into());
    let rounds: usize = arg("--rounds").and_then(|r| r.parse().ok()).unwrap_or(40);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    sign_in(&client, &url, &email, &password).await;
    let today = time::OffsetDateTime::now_utc().date();
    let month = today - time::Duration::days(60);
    let month = format!("{}-{:02}", month.year(), u8::from(month.month()));
    let two_years = format!("{}-{:02}", today.year() - 2, u8::from(today.month()));
    let scenarios: Vec<(&str, String)> = vec![
        ("public map page, 12 months", "/map".into()),
        ("public GeoJSON, 12 months", "/map.geojson".into()),
        ("public map page, one kind", "/map?kind=safety".into()),
        (
            "public map page, category + month",
            format!("/map?category=street_lighting&from={month}&to={month}"),
        ),
        (
            "public map page, 24 months",
            format!("/map?from={two_years}"),
        ),
        ("staff hot-spot map, 12 months", "/staff/map".into()),
        ("staff GeoJSON, 12 months", "/staff/map.geojson".into()),
        (
            "staff hot-spot map, one kind",
            "/staff/map?kind=violation".into(),
        ),
        (
            "staff hot-spot map, community + month",
            format!("/staff/map?community=kramatorsk&from={month}&to={month}"),
        ),
        (
            "staff hot-spot map, status (reports)",
            "/staff/map?status=closed".into(),
        ),
        // "ліхтар" (street light) is in a few stories, as in benches/cases_load.rs.
        (
            "staff hot-spot map, words (reports)",
            "/staff/map?q=%D0%BB%D1%96%D1%85%D1%82%D0%B0%D1%80".into(),
        ),
    ];
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9}",
        "page", "first ms", "median ms", "p90 ms", "KiB"
    );
    for (name, path) in &scenarios {
        let full = format!("{url}{path}");
        let started = Instant::now();
        let first = client.get(&full).send().await.expect("request");
        assert_eq!(first.status(), 200, "{path}");
        first.bytes().await.expect("body");
        let first = started.elapsed().as_secs_f64() * 1000.0;
        let (latencies, body) = time_page(&client, &full, rounds).await;
        println!(
            "{name:<40} {first:>9.1} {:>9.1} {:>9.1} {:>9}",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.9),
            body.len() / 1024
        );
    }
    println!("({rounds} rounds per page after the first request and 3 warm-up requests)");
}
