//! Nothing acknowledged is ever lost: the real `mistok` binary is killed with SIGKILL while
//! clients are submitting, restarted, and every acknowledged receipt must still open its report.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, drop_pg_database, fresh_pg_database, pg_url_for};

on_both_engines!(acknowledged_reports_survive_sigkill);

struct Server {
    child: Child,
    base: String,
}

/// A server left running by a failed assertion would outlive the test.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(data_dir: &std::path::Path, database_url: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_mistok"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .env("MISTOK_DATABASE_URL", database_url)
        .env("MISTOK_LOG", "warn")
        // Every submission comes from one address here: no limit per address.
        .env("MISTOK_INTAKE_PER_ADDRESS_PER_HOUR", "1000000")
        .stdout(Stdio::null())
        .spawn()
        .expect("start mistok");
    // Owned by `Server` from here on, so a panic below still kills it.
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.base)).await
            && r.status() == 200
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("mistok did not become healthy");
}

async fn acknowledged_reports_survive_sigkill(engine: Engine) {
    let data_dir = tempfile::tempdir().unwrap();
    let pg_database = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(fresh_pg_database().await),
    };
    let database_url = pg_database.as_deref().map(pg_url_for).unwrap_or_default();
    let status = Command::new(env!("CARGO_BIN_EXE_mistok"))
        .args(["demo", "--reports", "0", "--data-dir"])
        .arg(data_dir.path())
        .env("MISTOK_DATABASE_URL", &database_url)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    let mut acknowledged: Vec<(String, String)> = Vec::new();
    for round in 0..3 {
        let mut server = start(data_dir.path(), &database_url).await;
        let client = reqwest::Client::new();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for c in 0..16 {
            let (client, url, tx) = (
                client.clone(),
                format!("{}/api/v1/reports", server.base),
                tx.clone(),
            );
            tasks.push(tokio::spawn(async move {
                for n in 0.. {
                    let body = json!({
                        "kind": "safety", "category": "road_safety", "community": "lyman",
                        "description": format!("Crash round {round} client {c} report {n}: cars speed near the school."),
                    });
                    match client.post(&url).json(&body).send().await {
                        Ok(r) if r.status() == 201 => {
                            let v: Value = match r.json().await {
                                Ok(v) => v,
                                Err(_) => return,
                            };
                            let ack = (v["reference"].as_str().unwrap().to_string(), v["receipt"].as_str().unwrap().to_string());
                            if tx.send(ack).is_err() {
                                return;
                            }
                        }
                        // The server was killed: stop this client.
                        _ => return,
                    }
                }
            }));
        }
        drop(tx);
        // Kill at a moment that varies between rounds, with submissions in flight.
        tokio::time::sleep(Duration::from_millis(300 + 250 * round)).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().unwrap();
        for t in tasks {
            let _ = t.await;
        }
        while let Some(ack) = rx.recv().await {
            acknowledged.push(ack);
        }
    }
    assert!(
        acknowledged.len() > 30,
        "only {} acknowledged",
        acknowledged.len()
    );

    let server = start(data_dir.path(), &database_url).await;
    let client = reqwest::Client::new();
    for (reference, receipt) in &acknowledged {
        let r = client
            .post(format!("{}/api/v1/reports/follow-up", server.base))
            .json(&json!({ "receipt": receipt }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged {reference} was lost");
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["reference"], reference.as_str());
        assert_eq!(
            view["timeline"][0]["status"], "received",
            "{reference} is whole"
        );
    }
    drop(server);
    if let Some(name) = pg_database {
        drop_pg_database(&name).await;
    }
}
