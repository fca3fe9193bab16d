//! The audit trail on both engines: appends are serialized (no gaps, even when concurrent), and
//! tampering done directly in the database — past its append-only triggers, as the database's
//! owner could — is named by verification, in the library and by the real `mistok audit verify`.

use std::process::{Command, Output, Stdio};

use mistok::audit::model::{AuditEvent, ChainHead, NewAuditEvent, Problem};
use mistok::audit::service::{record, verify, verify_with_anchors};
use mistok::audit::store::{self, StoredEvent};
use mistok::db::Db;
use mistok::error::AppError;
use mistok::{audit_append, db_write};
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(
    appends_are_serialized_and_tampering_is_named,
    the_command_line_verifies_and_fails_on_tampering,
);

fn event(n: usize) -> NewAuditEvent {
    NewAuditEvent {
        actor_user_id: n.is_multiple_of(2).then(uuid::Uuid::now_v7),
        actor: if n.is_multiple_of(2) {
            format!("staff{}@example.org", n % 3)
        } else {
            "system".into()
        },
        action: "case.triaged",
        subject_type: "case",
        subject_id: format!("case-{}", n % 4),
        before: (!n.is_multiple_of(5)).then(|| json!({ "status": "received", "n": n })),
        after: Some(json!({ "status": "triaged", "category": "road_safety", "n": n })),
    }
}

/// Runs `sql` directly on the store, past the application's code.
async fn exec(app: &TestApp, sql: &'static str) -> Result<(), String> {
    match &app.state.db {
        Db::Sqlite(db) => db
            .writer
            .write(true, move |conn| {
                Box::pin(async move {
                    sqlx::raw_sql(sql).execute(&mut *conn).await?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| e.to_string()),
        Db::Postgres(pool) => sqlx::raw_sql(sql)
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// What the owner of the database can do: take away the append-only triggers.
async fn drop_append_only_triggers(app: &TestApp) {
    let sql = match app.state.db {
        Db::Sqlite(_) => "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete",
        Db::Postgres(_) => "ALTER TABLE audit_events DISABLE TRIGGER USER",
    };
    exec(app, sql).await.unwrap();
}

async fn all_events(app: &TestApp) -> Vec<AuditEvent> {
    store::page(&app.state.db, 0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|stored| match stored {
            StoredEvent::Event(e) => *e,
            StoredEvent::Unreadable { seq } => panic!("event {seq} unreadable"),
        })
        .collect()
}

async fn problem(app: &TestApp) -> (u64, Option<Problem>) {
    let report = verify(&app.state.db, &app.state.keys).await.unwrap();
    (report.checked, report.problem)
}

async fn appends_are_serialized_and_tampering_is_named(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (db, keys) = (&app.state.db, &app.state.keys);
    assert_eq!(problem(&app).await, (0, None), "the empty trail is intact");

    for n in 0..10 {
        record(db, keys, event(n)).await.unwrap();
    }
    // Inside a caller's own transaction, together with the change it records.
    for n in 10..15 {
        let (keys, ev) = (keys.clone(), event(n));
        // `db_write!` returns early with `?`, as from a service function.
        let stored: Result<AuditEvent, AppError> = async {
            db_write!(db, |conn| {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                    .bind(format!("audit-test-{n}"))
                    .bind("on")
                    .execute(&mut *conn)
                    .await?;
                audit_append!(conn, keys, &ev)
            })
        }
        .await;
        let stored = stored.unwrap();
        assert_eq!(stored.seq, n as i64 + 1);
    }
    // A change that fails after its append takes the append with it: no number is used up.
    let (keys_moved, ev) = (keys.clone(), event(99));
    let failed: Result<(), AppError> = async {
        db_write!(db, |conn| {
            audit_append!(conn, keys_moved, &ev)?;
            Err(AppError::Conflict("the change failed"))
        })
    }
    .await;
    assert!(failed.is_err());
    // Concurrent appends from several tasks (on PostgreSQL from several connections).
    let tasks: Vec<_> = (0..7)
        .map(|t| {
            let (db, keys) = (db.clone(), keys.clone());
            tokio::spawn(async move {
                for i in 0..5 {
                    record(&db, &keys, event(15 + t * 5 + i)).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let events = all_events(&app).await;
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>(),
        "numbered without gaps"
    );
    assert!(events.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
    let report = verify(db, keys).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problem);
    assert_eq!(report.checked, 50);
    let head = report.head.unwrap();
    assert_eq!(
        head,
        ChainHead {
            seq: 50,
            hash: events[49].hash.clone()
        }
    );
    assert_eq!(store::head(db).await.unwrap(), Some(head.clone()));

    // A case page's history: its own events, oldest first, exactly as recorded.
    let history = store::history(db, "case", "case-1").await.unwrap();
    assert!(!history.is_empty());
    assert!(history.iter().all(|e| e.subject_id == "case-1"));
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(
        history.len(),
        events.iter().filter(|e| e.subject_id == "case-1").count()
    );
    let first = &events[0];
    assert_eq!(
        (
            first.actor.as_str(),
            first.action.as_str(),
            first.before.as_deref()
        ),
        ("staff0@example.org", "case.triaged", None)
    );
    assert_eq!(first.after_value().unwrap()["status"], "triaged");

    // The database itself refuses to change or remove events.
    assert!(
        exec(&app, "UPDATE audit_events SET actor = 'x' WHERE seq = 3")
            .await
            .is_err()
    );
    assert!(
        exec(&app, "DELETE FROM audit_events WHERE seq = 50")
            .await
            .is_err()
    );
    assert!(exec(&app, "DELETE FROM audit_head").await.is_err());

    // Someone who takes that away is still caught.
    drop_append_only_triggers(&app).await;
    exec(
        &app,
        "CREATE TABLE audit_backup AS SELECT * FROM audit_events",
    )
    .await
    .unwrap();

    exec(
        &app,
        r#"UPDATE audit_events SET after = '{"status":"closed"}' WHERE seq = 17"#,
    )
    .await
    .unwrap();
    assert_eq!(problem(&app).await, (16, Some(Problem::Edited { seq: 17 })));
    exec(
        &app,
        "UPDATE audit_events SET after = (SELECT after FROM audit_backup WHERE seq = 17) \
         WHERE seq = 17",
    )
    .await
    .unwrap();
    assert_eq!(problem(&app).await, (50, None), "restored");

    exec(&app, "DELETE FROM audit_events WHERE seq = 30")
        .await
        .unwrap();
    assert_eq!(
        problem(&app).await,
        (29, Some(Problem::Missing { seq: 30, next: 31 }))
    );
    exec(
        &app,
        "INSERT INTO audit_events SELECT * FROM audit_backup WHERE seq = 30",
    )
    .await
    .unwrap();
    assert_eq!(problem(&app).await, (50, None), "restored");

    // Two events swapped, each renumbered to the other's place.
    exec(
        &app,
        "UPDATE audit_events SET seq = 1000 WHERE seq = 20; \
         UPDATE audit_events SET seq = 20 WHERE seq = 21; \
         UPDATE audit_events SET seq = 21 WHERE seq = 1000",
    )
    .await
    .unwrap();
    assert_eq!(
        problem(&app).await,
        (
            19,
            Some(Problem::Moved {
                seq: 20,
                written_as: 21
            })
        )
    );
    exec(
        &app,
        "DELETE FROM audit_events WHERE seq IN (20, 21); \
         INSERT INTO audit_events SELECT * FROM audit_backup WHERE seq IN (20, 21)",
    )
    .await
    .unwrap();
    assert_eq!(problem(&app).await, (50, None), "restored");

    // The newest event deleted: the chain is consistent, the head is not.
    exec(&app, "DELETE FROM audit_events WHERE seq = 50")
        .await
        .unwrap();
    let report = verify(db, keys).await.unwrap();
    assert_eq!(report.checked, 49);
    let problem_found = report.problem.unwrap();
    assert_eq!(
        problem_found,
        Problem::HeadMismatch {
            head: head.clone(),
            last: ChainHead {
                seq: 49,
                hash: events[48].hash.clone()
            }
        }
    );
    assert_eq!(problem_found.seq(), Some(50));

    // Appending afterwards continues from the head, so the deletion stays visible as a gap.
    record(db, keys, event(50)).await.unwrap();
    assert_eq!(
        problem(&app).await,
        (49, Some(Problem::Missing { seq: 50, next: 51 }))
    );
    // An anchor taken before names the same place.
    let report = verify_with_anchors(db, keys, std::slice::from_ref(&head))
        .await
        .unwrap();
    assert_eq!(report.problem.unwrap().seq(), Some(50));
}

/// Runs the real binary on the test's store.
pub(crate) async fn mistok(app: &TestApp, args: &[&str]) -> Output {
    let database_url = app.state.config.database_url.clone().unwrap_or_default();
    let data_dir = app.data_dir.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mistok"))
            .args(&args)
            .arg("--data-dir")
            .arg(&data_dir)
            // No stray mistok.toml or secret from the environment.
            .current_dir(&data_dir)
            .env("MISTOK_DATABASE_URL", database_url)
            .env("MISTOK_LOG", "warn")
            .env_remove("MISTOK_SECRET_KEY")
            .env_remove("MISTOK_SECRET_KEY_FILE")
            .env_remove("MISTOK_CONFIG")
            .env_remove("MISTOK_SMTP_URL")
            .stdin(Stdio::null())
            .output()
            .expect("run mistok")
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn the_command_line_verifies_and_fails_on_tampering(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    for n in 0..20 {
        record(&app.state.db, &app.state.keys, event(n))
            .await
            .unwrap();
    }

    let out = mistok(&app, &["audit", "verify"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("audit trail intact: 20 events"),
        "{}",
        text(&out.stdout)
    );

    let out = mistok(&app, &["audit", "head"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let head: ChainHead = printed.trim().parse().unwrap();
    assert_eq!(Some(head), store::head(&app.state.db).await.unwrap());
    let out = mistok(&app, &["audit", "verify", "--anchor", printed.trim()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    drop_append_only_triggers(&app).await;
    exec(
        &app,
        "UPDATE audit_events SET actor = 'someone else' WHERE seq = 7",
    )
    .await
    .unwrap();
    let out = mistok(&app, &["audit", "verify"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("audit trail broken at seq 7: event 7 does not match its hash"),
        "{stderr}"
    );

    // A folder without the platform's secret is refused, not given a new one.
    if engine == Engine::Sqlite {
        let empty = tempfile::tempdir().unwrap();
        let out = tokio::task::spawn_blocking({
            let dir = empty.path().to_path_buf();
            move || {
                Command::new(env!("CARGO_BIN_EXE_mistok"))
                    .args(["audit", "verify", "--data-dir"])
                    .arg(&dir)
                    .current_dir(&dir)
                    .env("MISTOK_DATABASE_URL", "")
                    .env_remove("MISTOK_SECRET_KEY")
                    .env_remove("MISTOK_SECRET_KEY_FILE")
                    .env_remove("MISTOK_CONFIG")
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("no master secret"));
        assert!(!empty.path().join("secret.key").exists());
    }
}
