//! Several app servers on one PostgreSQL: they start at once without tripping over migrations,
//! serve the same people (a session begun on one works on the other), and run the background
//! jobs side by side with each piece of work done once.

use time::{Duration, OffsetDateTime};

use crate::receptions::{book, booking_form, local, offered, open_slots, reception};
use crate::support::{TestApp, drop_pg_database, fresh_pg_database, pg_url_for, signed_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_starting_at_once_migrate_once() {
    let name = fresh_pg_database().await;
    let dir = tempfile::tempdir().expect("folder");
    let config = mistok::config::Config {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(pg_url_for(&name)),
        // Both must read the same secret: given, not created by whichever starts first.
        secret_key: Some("c2NhbGUtb3V0IHRlc3Qgc2VjcmV0IGtleSAzMiBieXQ=".into()),
        jobs_interval_secs: 0,
        ..Default::default()
    };
    let (first, second) = tokio::join!(
        mistok::build_state(config.clone()),
        mistok::build_state(config.clone())
    );
    let (first, second) = (first.expect("first server"), second.expect("second server"));
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    for state in [&first, &second] {
        let mistok::db::Db::Postgres(pool) = &state.db else {
            panic!("PostgreSQL");
        };
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(applied, migrations);
        let categories: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM categories")
            .fetch_one(pool)
            .await
            .unwrap();
        assert!(
            categories > 0,
            "reference data written once, readable by both"
        );
        pool.close().await;
    }
    drop_pg_database(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_serve_the_same_people_and_share_the_jobs() {
    let a = TestApp::spawn(crate::support::Engine::Postgres).await;
    let b = a.second_server().await;

    // Signed in on A, the coordinator works on B.
    let coordinator = signed_in(&a, "coordinator@example.org", "coordinator", "").await;
    let (reference, _) = crate::cases::report(&b).await;
    let queue = coordinator.get(b.url("/staff/cases")).send().await.unwrap();
    assert_eq!(queue.status(), 200, "the session begun on A is known to B");
    assert!(
        queue.text().await.unwrap().contains(&reference),
        "B's report in the queue"
    );

    // Times opened on A are booked on B.
    let now = OffsetDateTime::now_utc();
    let id = reception(&a, "Прийом сьогодні", now + Duration::hours(6)).await;
    let opened = open_slots(
        &a,
        &coordinator,
        id,
        &local(&a, now + Duration::hours(6)),
        "15",
        "4",
        "Начальник",
    )
    .await;
    assert_eq!(opened.status(), 303);
    for n in 0..4 {
        let resident = b.browser();
        let (html, form) = booking_form(&b, &resident, id).await;
        let slot = offered(&html).remove(0);
        let email = format!("resident{n}@example.org");
        let (status, _) = book(
            &b,
            &resident,
            id,
            &form,
            &[
                ("slot", slot.as_str()),
                ("name", "Мешканка"),
                ("email", email.as_str()),
                ("topic", "Питання"),
            ],
        )
        .await;
        assert_eq!(status, 200);
    }

    // Both servers run the jobs at the same moment: each reminder is queued once and every
    // e-mail (4 confirmations, 4 reminders) is sent once.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let runs: Vec<_> = [a.state.clone(), b.state.clone()]
        .into_iter()
        .map(|state| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                mistok::jobs::run_once(&state).await.expect("jobs")
            })
        })
        .collect();
    let mut reminded = 0;
    let mut sent = 0;
    for run in runs {
        let report = run.await.unwrap();
        reminded += report.reminded;
        sent += report.sent;
    }
    // A second round on each finds the rest (e-mails queued by the other's reminders).
    for state in [&a.state, &b.state] {
        let report = mistok::jobs::run_once(state).await.expect("jobs");
        reminded += report.reminded;
        sent += report.sent;
    }
    assert_eq!(reminded, 4, "each booking reminded once");
    assert_eq!(sent, 8, "each e-mail sent once");
    let mut mails: Vec<_> = crate::support::outbox(&a)
        .into_iter()
        .chain(crate::support::outbox(&b))
        .map(|m| (m.to, m.subject))
        .collect();
    mails.sort();
    mails.dedup();
    assert_eq!(mails.len(), 8);

    // Signing out on B ends the session on A too.
    let page = coordinator
        .get(b.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::support::hidden(&page, "csrf");
    let out = coordinator
        .post(b.url("/staff/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = coordinator.get(a.url("/staff/cases")).send().await.unwrap();
    assert_eq!(after.status(), 303, "back to the sign-in page");
}
