//! The public side on a large store: the register and statistics pages one after another
//! (median and 90th percentile), the register page under concurrent keep-alive clients
//! (requests per second), and a full CSV export of the register (rows per second).
//!
//! Run through `benches/public.sh`, which loads a million demo cases into a fresh store first:
//!     bash benches/public.sh              # SQLite
//!     bash benches/public.sh postgres     # PostgreSQL
//! or against a running server: cargo bench --bench public_load -- --url URL

mod common;

use std::time::{Duration, Instant};

use common::{arg, percentile, time_page, time_page_every};

#[tokio::main]
async fn main() {
    let url = arg("--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let rounds: usize = arg("--rounds").and_then(|r| r.parse().ok()).unwrap_or(40);
    let clients: usize = arg("--clients").and_then(|r| r.parse().ok()).unwrap_or(64);
    let seconds: u64 = arg("--seconds").and_then(|r| r.parse().ok()).unwrap_or(10);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");
    let month = time::OffsetDateTime::now_utc().date() - time::Duration::days(60);
    let month = format!("{:04}-{:02}", month.year(), u8::from(month.month()));

    // The statistics of a year computed once from the store (what the first visitor waits for).
    let cold = Instant::now();
    let r = client
        .get(format!("{url}/statistics?kind=violation"))
        .send()
        .await
        .expect("statistics");
    assert_eq!(r.status(), 200);
    let _ = r.text().await;
    println!(
        "statistics for a year, first computation: {:.0} ms",
        cold.elapsed().as_secs_f64() * 1000.0
    );

    let pages: Vec<(&str, String)> = vec![
        ("register, first page", "/register".into()),
        (
            "register, one community",
            "/register?community=kramatorsk".into(),
        ),
        (
            "register, kind + status",
            "/register?kind=violation&status=closed".into(),
        ),
        ("register, one month", format!("/register?month={month}")),
        (
            "register, agency",
            "/register?agency=prosecutor_donetsk".into(),
        ),
        ("register, page 100", "/register?page=100".into()),
        ("statistics, last 12 months", "/statistics".into()),
        (
            "statistics, a year of one kind",
            "/statistics?kind=violation".into(),
        ),
        ("public case page", String::new()),
    ];
    // The register's pages are kept by the server for a second (`public::cache`): timed once
    // from the store (each request after the kept copy expired) and once as a crowd sees them.
    let fresh_rounds: usize = arg("--fresh-rounds")
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    println!(
        "{:<34} {:>9} {:>9}",
        "register from the store", "median ms", "p90 ms"
    );
    for (name, path) in pages.iter().filter(|(_, p)| p.starts_with("/register")) {
        let (latencies, _) = time_page_every(
            &client,
            &format!("{url}{path}"),
            fresh_rounds,
            Duration::from_millis(1_100),
        )
        .await;
        println!(
            "{name:<34} {:>9.1} {:>9.1}",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.9)
        );
    }
    println!("{:<34} {:>9} {:>9}", "page", "median ms", "p90 ms");
    let mut case_path = String::new();
    for (name, path) in &pages {
        let path = if path.is_empty() { &case_path } else { path };
        let (latencies, body) = time_page(&client, &format!("{url}{path}"), rounds).await;
        if case_path.is_empty()
            && let Some(start) = body.find("href=\"/register/")
        {
            let start = start + 6;
            case_path = body[start..start + body[start..].find('"').unwrap_or(0)].to_string();
        }
        println!(
            "{name:<34} {:>9.1} {:>9.1}",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.9)
        );
    }

    // Throughput of the register page.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, page) = (client.clone(), format!("{url}/register"));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                if let Ok(r) = client.get(&page).send().await
                    && r.status() == 200
                    && r.bytes().await.is_ok()
                {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    latencies.sort();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "register page, {clients} keep-alive clients: {:.0} requests/s; p50 {:.1} ms, p99 {:.1} ms",
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );

    // The whole register as CSV.
    let started = Instant::now();
    let mut r = client
        .get(format!("{url}/register.csv"))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let (mut bytes, mut newlines) = (0usize, 0usize);
    while let Some(chunk) = r.chunk().await.expect("export chunk") {
        bytes += chunk.len();
        newlines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Lines, not rows: a summary may hold line breaks; the reader below counts real rows.
    println!(
        "register.csv: {} MB, {newlines} lines in {elapsed:.2} s = {:.0} lines/s",
        bytes / 1_000_000,
        newlines as f64 / elapsed
    );
}
