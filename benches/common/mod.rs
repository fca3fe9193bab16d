//! What the load benchmarks share: command-line options, timing of sequential requests and
//! percentiles.

use std::time::{Duration, Instant};

/// `--name value` pairs from the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The value at percentile `p` (0..1) of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Times `rounds` sequential GETs of `url` after three warm-up requests; returns the sorted
/// latencies and the last body.
pub async fn time_page(
    client: &reqwest::Client,
    url: &str,
    rounds: usize,
) -> (Vec<Duration>, String) {
    let mut body = String::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds + 3 {
        let sent = Instant::now();
        let r = client.get(url).send().await.expect("request");
        let status = r.status();
        body = r.text().await.expect("body");
        let took = sent.elapsed();
        assert_eq!(status, 200, "{url} answered {status}");
        if round >= 3 {
            latencies.push(took);
        }
    }
    latencies.sort();
    (latencies, body)
}
