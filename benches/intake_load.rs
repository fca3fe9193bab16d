//! Load generator for the intake API: concurrent clients POST reports to `/api/v1/reports` over
//! loopback with keep-alive for a fixed time, then prints acknowledged reports per second and
//! latency percentiles, and checks that a sample of acknowledged receipts opens its report.
//!
//! Run through `benches/intake.sh`, which starts a release server on a fresh store:
//!     bash benches/intake.sh            # SQLite
//!     bash benches/intake.sh postgres   # PostgreSQL
//! or against a running server:
//!     cargo bench --bench intake_load -- --url http://127.0.0.1:8080 --clients 64 --seconds 10
//! `--url` takes several addresses separated by commas (app servers sharing one PostgreSQL): the
//! clients are spread over them in turn.

use std::time::{Duration, Instant};

use serde_json::json;

struct Options {
    url: String,
    clients: usize,
    seconds: u64,
}

fn options() -> Options {
    let mut o = Options {
        url: "http://127.0.0.1:8080".into(),
        clients: 64,
        seconds: 10,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--url" => o.url = value,
            "--clients" => o.clients = value.parse().expect("--clients N"),
            "--seconds" => o.seconds = value.parse().expect("--seconds N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

fn report(n: u64) -> serde_json::Value {
    let categories = [
        ("violation", "unlawful_detention"),
        ("safety", "street_lighting"),
        ("police_feedback", "thanks"),
        ("safety", "road_safety"),
    ];
    let (kind, category) = categories[(n % 4) as usize];
    let communities = [
        "kramatorsk",
        "sloviansk",
        "druzhkivka",
        "kostiantynivka",
        "lyman",
    ];
    json!({
        "kind": kind,
        "category": category,
        "community": communities[(n % 5) as usize],
        "description": format!("Load test report number {n}: no street lights near the school, cars drive fast."),
        "occurred_at": "2026-11-01T19:00:00+02:00",
        "place": "near school No. 3",
        "contact": if n.is_multiple_of(3) { Some(format!("+380 50 {n:07}")) } else { None },
        "consent_contact": n.is_multiple_of(3),
        "consent_publish": n.is_multiple_of(2)
    })
}

#[tokio::main]
async fn main() {
    let o = options();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.clients)
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..o.clients {
        let servers: Vec<&str> = o.url.split(',').collect();
        let server = servers[c % servers.len()];
        let (client, url) = (client.clone(), format!("{server}/api/v1/reports"));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut receipts = Vec::new();
            let mut failures = 0u64;
            let mut n = c as u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let key = uuid::Uuid::new_v4().to_string();
                match client
                    .post(&url)
                    .header("idempotency-key", key)
                    .json(&report(n))
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        latencies.push(sent.elapsed());
                        if receipts.len() < 4 {
                            receipts.push(body["receipt"].as_str().unwrap_or("").to_string());
                        }
                    }
                    _ => failures += 1,
                }
                n += 1_000;
            }
            (latencies, receipts, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut receipts = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, r, f) = t.await.expect("client task");
        latencies.extend(l);
        receipts.extend(r);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!(
        "acknowledged: {} in {:.1} s = {:.0} reports/s; failures: {}; clients: {}",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed,
        failures,
        o.clients
    );
    println!(
        "latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    let mut found = 0;
    for receipt in &receipts {
        let r = client
            .post(format!(
                "{}/api/v1/reports/follow-up",
                o.url.split(',').next().unwrap_or_default()
            ))
            .json(&json!({ "receipt": receipt }))
            .send()
            .await;
        if matches!(r, Ok(ref r) if r.status() == 200) {
            found += 1;
        }
    }
    println!(
        "receipts checked: {found} of {} open their report",
        receipts.len()
    );
    if found != receipts.len() {
        std::process::exit(1);
    }
}
