//! Overload: a crowd of readers far past the server's allowance (`max_requests_in_flight`) while
//! residents submit reports. Prints what the readers got (served, turned away with 503 and
//! Retry-After, anything else) and the intake's acknowledged reports per second and latency
//! meanwhile, which `benches/overload.sh` compares with the intake alone.
//!
//! Options: --url URL --readers N --writers N --seconds N --from ADDRESS (the clients' own
//! address, e.g. 127.0.0.2, so that the readers and the writers can come from different
//! addresses, as they would from different machines).

mod common;

use std::time::{Duration, Instant};

use common::{arg, percentile};

#[tokio::main]
async fn main() {
    let url = arg("--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let readers: usize = arg("--readers").and_then(|v| v.parse().ok()).unwrap_or(512);
    let writers: usize = arg("--writers").and_then(|v| v.parse().ok()).unwrap_or(32);
    let seconds: u64 = arg("--seconds").and_then(|v| v.parse().ok()).unwrap_or(10);
    let from: Option<std::net::IpAddr> = arg("--from").and_then(|v| v.parse().ok());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(readers + writers)
        .local_address(from)
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut reading = Vec::new();
    for r in 0..readers {
        let (client, url) = (client.clone(), url.clone());
        reading.push(tokio::spawn(async move {
            // Pages that cost the server something: statistics for a year, the register.
            let pages = ["/statistics", "/register", "/register.json", "/events"];
            let (mut served, mut shed, mut other) = (0u64, 0u64, 0u64);
            let mut n = r;
            while Instant::now() < deadline {
                match client
                    .get(format!("{url}{}", pages[n % pages.len()]))
                    .send()
                    .await
                {
                    Ok(response) if response.status() == 200 => {
                        let _ = response.bytes().await;
                        served += 1;
                    }
                    Ok(response)
                        if response.status() == 503
                            && response.headers().contains_key("retry-after") =>
                    {
                        shed += 1
                    }
                    _ => other += 1,
                }
                n += 1;
            }
            (served, shed, other)
        }));
    }
    let started = Instant::now();
    let mut writing = Vec::new();
    for w in 0..writers {
        let (client, url) = (client.clone(), format!("{url}/api/v1/reports"));
        writing.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            let mut n = w as u64;
            while Instant::now() < deadline {
                let body = serde_json::json!({
                    "kind": "safety", "category": "street_lighting", "community": "lyman",
                    "description": format!("Overload test report {n}: the street light is out."),
                });
                let sent = Instant::now();
                match client
                    .post(&url)
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => latencies.push(sent.elapsed()),
                    _ => failures += 1,
                }
                n += 1_000;
            }
            (latencies, failures)
        }));
    }
    let (mut served, mut shed, mut other) = (0, 0, 0);
    for task in reading {
        let (a, b, c) = task.await.expect("reader");
        served += a;
        shed += b;
        other += c;
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in writing {
        let (l, f) = task.await.expect("writer");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    if readers > 0 {
        println!(
            "readers ({readers}): {served} served, {shed} turned away with 503 + Retry-After, \
             {other} other, in {elapsed:.1} s"
        );
    }
    if writers == 0 {
        return;
    }
    println!(
        "intake meanwhile ({writers} clients): {} acknowledged = {:.0} reports/s, {failures} failed; \
         p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
}
