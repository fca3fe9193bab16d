//! What the load benchmarks share: command-line options, timing of sequential requests and
//! percentiles.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

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
    time_page_every(client, url, rounds, Duration::ZERO).await
}

/// [`time_page`] with a pause before each request (e.g. to let a server's kept copy expire).
pub async fn time_page_every(
    client: &reqwest::Client,
    url: &str,
    rounds: usize,
    pause: Duration,
) -> (Vec<Duration>, String) {
    let mut body = String::new();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds + 3 {
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
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

/// The value of a hidden form field in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    html[start..start + html[start..].find('"').expect("closing quote")].to_string()
}

/// Signs a member of staff in as a person would: password, then the second factor (the account
/// is fresh or its second factor reset, so the page shows the secret to enrol).
pub async fn sign_in(client: &reqwest::Client, url: &str, email: &str, password: &str) {
    let page = |path: &str| {
        let url = format!("{url}{path}");
        async move {
            let r = client.get(url).send().await.expect("page");
            r.text().await.expect("page text")
        }
    };
    let login = page("/staff/login").await;
    let r = client
        .post(format!("{url}/staff/login"))
        .form(&[
            ("csrf", hidden(&login, "csrf").as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        r.headers()["location"],
        "/staff/two-factor",
        "password accepted"
    );
    let enroll = page("/staff/two-factor").await;
    let start = enroll.find("class=\"secret\">").expect("TOTP secret shown") + 15;
    let secret = &enroll[start..start + enroll[start..].find('<').expect("secret end")];
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("base32 secret");
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "b".into())
        .expect("totp");
    let r = client
        .post(format!("{url}/staff/two-factor"))
        .form(&[
            ("csrf", hidden(&enroll, "csrf").as_str()),
            ("code", totp.generate_current().expect("clock").as_str()),
        ])
        .send()
        .await
        .expect("second factor");
    assert_eq!(r.headers()["location"], "/staff", "signed in");
}
