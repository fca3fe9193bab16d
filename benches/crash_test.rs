//! Crash test: starts the server, drives concurrent report submissions, kills the server with
//! SIGKILL at a random moment, restarts it, and checks that every submission it acknowledged is
//! stored intact, none twice and none half-written; repeated `--runs` times. Submissions that
//! got no answer are sent again with the same Idempotency-Key after each restart, as an app
//! would: each ends stored exactly once.
//!
//! Run by `bash benches/crash.sh [sqlite|postgres] [runs]`; options: --bin PATH --data-dir DIR
//! [--database-url URL] --runs N --clients N.

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::arg;
use sqlx::Connection;

/// One submission: its key and the text that identifies it in the store.
#[derive(Clone)]
struct Sent {
    key: String,
    description: String,
}

struct Server {
    child: Child,
    url: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start(bin: &str, data_dir: &str, database_url: &str) -> Server {
    let port = free_port();
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            data_dir,
        ])
        .env("MISTOK_DATABASE_URL", database_url)
        .env("MISTOK_LOG", "error")
        .env("MISTOK_INTAKE_PER_ADDRESS_PER_HOUR", "100000000")
        .env("MISTOK_JOBS_INTERVAL_SECS", "0")
        .stdout(Stdio::null())
        .spawn()
        .expect("start mistok");
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = client.get(format!("{url}/healthz")).send().await
            && r.status().is_success()
        {
            return Server { child, url };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Not left running behind the failed run.
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// Sends `sent` with its key; `Some(reference)` when acknowledged (201).
async fn submit(client: &reqwest::Client, url: &str, sent: &Sent) -> Option<String> {
    let body = serde_json::json!({
        "kind": "safety", "category": "street_lighting", "community": "lyman",
        "description": sent.description,
        "contact": "+380 50 000 00 00", "consent_contact": true,
    });
    let response = client
        .post(format!("{url}/api/v1/reports"))
        .header("idempotency-key", &sent.key)
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    if response.status() != 201 {
        return None;
    }
    let created: serde_json::Value = response.json().await.ok()?;
    created["reference"].as_str().map(str::to_string)
}

/// Every stored report of the crash test: reference → (description, sealed contact present).
async fn stored(database_url: &str, data_dir: &str) -> HashMap<String, Vec<(String, bool)>> {
    let sql = "SELECT reference, description, contact_sealed IS NOT NULL FROM reports \
               WHERE description LIKE 'Crash test %'";
    let rows: Vec<(String, String, bool)> = if database_url.is_empty() {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{data_dir}/mistok.db"))
            .await
            .expect("SQLite");
        sqlx::query_as(sql)
            .fetch_all(&mut conn)
            .await
            .expect("rows")
    } else {
        let mut conn = sqlx::PgConnection::connect(database_url)
            .await
            .expect("PostgreSQL");
        sqlx::query_as(sql)
            .fetch_all(&mut conn)
            .await
            .expect("rows")
    };
    let mut by_description: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    for (reference, description, sealed) in rows {
        by_description
            .entry(description)
            .or_default()
            .push((reference, sealed));
    }
    by_description
}

#[tokio::main]
async fn main() {
    let bin = arg("--bin").unwrap_or_else(|| "target/release/mistok".into());
    let data_dir = arg("--data-dir").expect("--data-dir");
    let database_url = arg("--database-url").unwrap_or_default();
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(20);
    let clients: usize = arg("--clients").and_then(|c| c.parse().ok()).unwrap_or(16);

    let client = reqwest::Client::new();
    let mut acknowledged: HashMap<String, (Sent, String)> = HashMap::new();
    let mut unanswered: Vec<Sent> = Vec::new();
    let mut next = 0usize;
    let (mut kills, mut total_sent, mut cut_off) = (0usize, 0usize, 0usize);
    for run in 0..runs {
        let mut server = start(&bin, &data_dir, &database_url).await;
        // Earlier unanswered submissions first, with their keys: stored once, whatever happened.
        for sent in std::mem::take(&mut unanswered) {
            match submit(&client, &server.url, &sent).await {
                Some(reference) => {
                    acknowledged.insert(sent.description.clone(), (sent, reference));
                }
                None => unanswered.push(sent),
            }
        }
        // A random moment from 0.3 to 2.3 s of load.
        let kill_after = Duration::from_millis(300 + (rand_u64() % 2000));
        let stop = Instant::now() + kill_after;
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (client, url) = (client.clone(), server.url.clone());
            let first = next + c * 100_000;
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                let mut n = first;
                while Instant::now() < stop {
                    let sent = Sent {
                        key: format!("crash-{run}-{n:012}"),
                        description: format!(
                            "Crash test {run} submission {n}: the street light is out."
                        ),
                    };
                    n += 1;
                    let answer = submit(&client, &url, &sent).await;
                    mine.push((sent, answer));
                }
                mine
            }));
        }
        tokio::time::sleep_until(stop.into()).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().ok();
        kills += 1;
        next += clients * 100_000;
        for task in tasks {
            for (sent, answer) in task.await.expect("client") {
                total_sent += 1;
                match answer {
                    Some(reference) => {
                        acknowledged.insert(sent.description.clone(), (sent, reference));
                    }
                    None => {
                        cut_off += 1;
                        unanswered.push(sent);
                    }
                }
            }
        }
    }
    // A last start: the rest of the unanswered submissions go through.
    let mut server = start(&bin, &data_dir, &database_url).await;
    for sent in std::mem::take(&mut unanswered) {
        match submit(&client, &server.url, &sent).await {
            Some(reference) => {
                acknowledged.insert(sent.description.clone(), (sent, reference));
            }
            None => unanswered.push(sent),
        }
    }
    server.child.kill().ok();
    server.child.wait().ok();

    let stored = stored(&database_url, &data_dir).await;
    let mut lost = 0;
    let mut wrong = 0;
    for (description, (_, reference)) in &acknowledged {
        match stored.get(description) {
            Some(rows) if rows.iter().any(|(r, sealed)| r == reference && *sealed) => {}
            Some(_) => wrong += 1,
            None => lost += 1,
        }
    }
    let duplicates = stored.values().filter(|rows| rows.len() > 1).count();
    println!(
        "crash test: {runs} runs, {kills} SIGKILLs, {total_sent} submissions sent ({cut_off} cut off \
         by a kill and sent again after the restart), {} acknowledged, {} still unanswered; \
         lost {lost}, not intact {wrong}, duplicates {duplicates}",
        acknowledged.len(),
        unanswered.len()
    );
    if lost + wrong + duplicates > 0 || !unanswered.is_empty() {
        std::process::exit(1);
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}
