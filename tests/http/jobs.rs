//! Background jobs end to end: e-mails to officers when a case is referred to them, escalation
//! of overdue referrals exactly once even when several servers run the job at once, the sender
//! with its outbox, retries after a failed delivery, the loop of `mistok serve` and
//! `mistok jobs run-once`.

use std::collections::BTreeSet;
use std::time::Duration;

use mistok::error::{AppError, AppResult};
use time::OffsetDateTime;
use time::macros::offset;
use uuid::Uuid;

use crate::cases::{act, report};
use crate::on_both_engines;
use crate::support::{Engine, TestApp, outbox, signed_in};

on_both_engines!(
    referral_emails_the_organizations_officers,
    overdue_referral_is_escalated_once,
    failed_delivery_is_retried_later,
    jobs_run_in_the_server_and_from_the_command_line,
);

/// What the reporter wrote in `report`: none of it may reach an e-mail.
const REPORTER_SECRETS: [&str; 3] = ["+380 67 000 11 22", "Taras", "nine hours"];

/// A case triaged and referred by a coordinator through the pages; returns its reference.
async fn referred_case(app: &TestApp, coordinator: &reqwest::Client, to: &[&str]) -> String {
    let (reference, _) = report(app).await;
    act(
        app,
        coordinator,
        &reference,
        "triage",
        &[
            ("category", "unlawful_detention"),
            ("community", "kramatorsk"),
            ("urgency", "high"),
        ],
    )
    .await;
    let due = crate::support::days_from_today(10);
    let mut form: Vec<(&str, &str)> = to.iter().map(|code| ("organizations", *code)).collect();
    form.extend([
        ("message", "Please check the detention."),
        ("due_date", due.as_str()),
    ]);
    let referred = act(app, coordinator, &reference, "refer", &form).await;
    assert_eq!(referred.status(), 303, "referred");
    reference
}

/// Runs `sql` with `binds` (text, or a moment) through the application's own writer.
async fn execute(app: &TestApp, sql: &'static str, binds: Vec<Bind>) -> u64 {
    let db = &app.state.db;
    let result: AppResult<u64> = async {
        mistok::db_write!(db, |conn| {
            let mut query = sqlx::query(sql);
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text.clone()),
                    Bind::At(at) => query.bind(*at),
                    Bind::Bool(flag) => query.bind(*flag),
                };
            }
            Ok::<_, AppError>(query.execute(&mut *conn).await?.rows_affected())
        })
    }
    .await;
    result.expect("SQL of the test")
}

#[derive(Clone)]
enum Bind {
    Text(String),
    At(OffsetDateTime),
    Bool(bool),
}

/// Moves the due date of the case's referral to `organization` to `due_at`.
async fn set_due(app: &TestApp, reference: &str, organization: &str, due_at: OffsetDateTime) {
    let changed = execute(
        app,
        "UPDATE referrals SET due_at = $1 WHERE report_id = (SELECT id FROM reports WHERE reference = $2) \
         AND organization_id = (SELECT id FROM organizations WHERE code = $3)",
        vec![
            Bind::At(due_at),
            Bind::Text(reference.into()),
            Bind::Text(organization.into()),
        ],
    )
    .await;
    assert_eq!(changed, 1);
}

async fn new_user(app: &TestApp, email: &str, role: &str, organization: &str) {
    mistok::accounts::service::create_user(
        &app.state,
        &mistok::accounts::Actor::Cli,
        mistok::accounts::service::NewUser {
            email: email.into(),
            display_name: format!("Test {role}"),
            role: role.into(),
            organization: organization.into(),
            password: "staff passphrase for tests".into(),
            must_change_password: false,
        },
    )
    .await
    .expect("user created");
}

async fn notifications(app: &TestApp) -> Vec<(String, String, String)> {
    let sql = "SELECT recipient, subject, body FROM notifications ORDER BY recipient";
    match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_as(sql).fetch_all(&db.read).await.unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

fn assert_no_reporter_data(text: &str) {
    for secret in REPORTER_SECRETS {
        assert!(
            !text.contains(secret),
            "{secret:?} leaked into an e-mail: {text}"
        );
    }
}

async fn referral_emails_the_organizations_officers(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    new_user(
        &app,
        "olena@police.example.org",
        "officer",
        "kramatorsk_rup",
    )
    .await;
    new_user(
        &app,
        "petro@police.example.org",
        "officer",
        "kramatorsk_rup",
    )
    .await;
    new_user(&app, "gone@police.example.org", "officer", "kramatorsk_rup").await;
    new_user(
        &app,
        "city@example.org",
        "officer",
        "sloviansk_city_council",
    )
    .await;
    execute(
        &app,
        "UPDATE users SET active = $1 WHERE email = $2",
        vec![
            Bind::Bool(false),
            Bind::Text("gone@police.example.org".into()),
        ],
    )
    .await;

    // The prosecutor's office has no officer on the platform: nobody there to e-mail.
    let reference = referred_case(
        &app,
        &coordinator,
        &["kramatorsk_rup", "prosecutor_donetsk"],
    )
    .await;
    let queued = notifications(&app).await;
    let recipients: Vec<&str> = queued.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(
        recipients,
        ["olena@police.example.org", "petro@police.example.org"]
    );
    let referral_id: Uuid = {
        let sql = "SELECT r.id FROM referrals r JOIN organizations o ON o.id = r.organization_id \
                   WHERE o.code = 'kramatorsk_rup'";
        match &app.state.db {
            mistok::db::Db::Sqlite(db) => sqlx::query_scalar(sql).fetch_one(&db.read).await,
            mistok::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap()
    };
    for (_, subject, body) in &queued {
        // Ukrainian, the platform's default language of e-mails.
        assert_eq!(
            subject,
            &format!("Звернення {reference} передано вашій організації")
        );
        assert!(
            body.contains("Краматорське районне управління поліції"),
            "{body}"
        );
        assert!(
            body.contains(&format!("/staff/referrals/{referral_id}")),
            "{body}"
        );
        assert_no_reporter_data(body);
    }

    let sent = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (2, 0));
    let mails = outbox(&app);
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].to, "olena@police.example.org");
    assert_eq!(mails[1].to, "petro@police.example.org");
    for mail in &mails {
        assert!(mail.subject.contains(&reference), "{mail:?}");
        assert!(mail.body.contains("надайте відповідь до"), "{}", mail.body);
        assert_no_reporter_data(&mail.body);
    }
    assert_eq!(app.count("notifications WHERE sent_at IS NULL").await, 0);
    // Nothing is sent twice.
    let again = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((again.sent, again.failed), (0, 0));
}

async fn overdue_referral_is_escalated_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    new_user(&app, "second.coordinator@example.org", "coordinator", "").await;
    new_user(&app, "retired.coordinator@example.org", "coordinator", "").await;
    new_user(&app, "admin@example.org", "administrator", "").await;
    let police = signed_in(&app, "police@example.org", "officer", "kramatorsk_rup").await;
    execute(
        &app,
        "UPDATE users SET active = $1 WHERE email = $2",
        vec![
            Bind::Bool(false),
            Bind::Text("retired.coordinator@example.org".into()),
        ],
    )
    .await;
    let reference = referred_case(
        &app,
        &coordinator,
        &["kramatorsk_rup", "prosecutor_donetsk"],
    )
    .await;
    let officer_mails = app.count("notifications").await;
    assert_eq!(officer_mails, 1);

    // Past due an hour ago, written in Kyiv's summer offset; the other one is due in two hours,
    // written at -12:00. As text, each compares the wrong way round with the current UTC time.
    let now = OffsetDateTime::now_utc();
    set_due(
        &app,
        &reference,
        "kramatorsk_rup",
        (now - time::Duration::hours(1)).to_offset(offset!(+3)),
    )
    .await;
    set_due(
        &app,
        &reference,
        "prosecutor_donetsk",
        (now + time::Duration::hours(2)).to_offset(offset!(-12)),
    )
    .await;

    // Two servers found the same overdue referral and escalate it at the same moment.
    let found = mistok::referrals::store::overdue(&app.state.db, now, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "only the referral past its due date");
    let row = found.into_iter().next().unwrap();
    assert_eq!(row.organization_code, "kramatorsk_rup");
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let races: Vec<_> = (0..2)
        .map(|_| {
            let (state, row, barrier) = (app.state.clone(), row.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                mistok::referrals::service::escalate(&state, &row, now).await
            })
        })
        .collect();
    let mut won = 0;
    for race in races {
        won += usize::from(race.await.unwrap().unwrap());
    }
    assert_eq!(won, 1, "one of them escalates it");

    // Whole runs of two servers' jobs at the same moment find nothing left to do.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let state = app.state.clone();
            tokio::spawn(async move { mistok::referrals::service::escalate_overdue(&state).await })
        })
        .collect();
    let mut escalated = 0;
    for run in runs {
        escalated += run.await.unwrap().unwrap();
    }
    assert_eq!(escalated, 0, "escalated once only");
    assert_eq!(
        app.count("audit_events WHERE action = 'referral.escalated'")
            .await,
        1
    );
    assert_eq!(
        app.count("referrals WHERE escalated_at IS NOT NULL").await,
        1
    );
    let case_id = mistok::cases::store::find_by_reference(&app.state.db, &reference)
        .await
        .unwrap()
        .unwrap()
        .id;
    let history = mistok::audit::store::history(&app.state.db, "case", &case_id.to_string())
        .await
        .unwrap();
    let event = history
        .iter()
        .find(|e| e.action == "referral.escalated")
        .expect("escalation recorded on the case");
    assert_eq!(event.actor, "system");
    assert_eq!(event.actor_user_id, None);
    let after = event.after_value().unwrap();
    assert_eq!(after["organization"], "kramatorsk_rup");
    assert_eq!(after["escalated"], true);
    let verified = mistok::audit::service::verify(&app.state.db, &app.state.keys)
        .await
        .unwrap();
    assert_eq!(verified.problem, None, "the trail stays intact");

    // Two senders at once deliver each e-mail once.
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let state = app.state.clone();
            tokio::spawn(async move { mistok::notify::service::send_due(&state, 100).await })
        })
        .collect();
    let mut sent = 0;
    for sender in senders {
        let report = sender.await.unwrap().unwrap();
        assert_eq!(report.failed, 0);
        sent += report.sent;
    }
    assert_eq!(
        sent, 4,
        "the officer's e-mail, two coordinators and the head"
    );
    let mails = outbox(&app);
    let to: BTreeSet<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(
        to,
        BTreeSet::from([
            "coordinator@example.org",
            "head@kramatorsk-rup.example.org",
            "police@example.org",
            "second.coordinator@example.org",
        ])
    );
    let files: BTreeSet<&str> = mails.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(files.len(), 4);
    for mail in &mails {
        assert!(mail.subject.contains(&reference), "{mail:?}");
        assert_no_reporter_data(&mail.subject);
        assert_no_reporter_data(&mail.body);
        match mail.to.as_str() {
            "police@example.org" => {
                assert!(mail.subject.contains("передано вашій організації"));
            }
            "head@kramatorsk-rup.example.org" => {
                assert_eq!(
                    mail.subject,
                    format!("Прострочено відповідь на звернення {reference}")
                );
                assert!(mail.body.contains("/staff/referrals/"), "{}", mail.body);
            }
            _ => {
                assert_eq!(
                    mail.subject,
                    format!("Передачу звернення {reference} прострочено")
                );
                assert!(
                    mail.body
                        .contains("Краматорське районне управління поліції")
                );
                assert!(
                    mail.body.contains(&format!("/staff/cases/{reference}")),
                    "{}",
                    mail.body
                );
            }
        }
    }

    // The coordinator's case page and the officer's list show it.
    let case_page = coordinator
        .get(app.url(&format!("/staff/cases/{reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(case_page.matches("badge escalated").count(), 1);
    assert!(case_page.contains("Overdue referral escalated to coordinators · system"));
    let list = police
        .get(app.url("/staff/referrals?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("<span class=\"badge escalated\">escalated</span>"),
        "{list}"
    );
}

async fn failed_delivery_is_retried_later(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    new_user(&app, "police@example.org", "officer", "kramatorsk_rup").await;
    referred_case(&app, &coordinator, &["kramatorsk_rup"]).await;

    // The outbox cannot be written: a file stands where its folder should be.
    let blocker = app.data_dir.path().join("outbox");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let before = OffsetDateTime::now_utc();
    let report = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    let (attempts, error, next): (i64, Option<String>, OffsetDateTime) = {
        let sql = "SELECT attempts, last_error, next_attempt_at FROM notifications";
        match &app.state.db {
            mistok::db::Db::Sqlite(db) => sqlx::query_as(sql).fetch_one(&db.read).await,
            mistok::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await,
        }
        .unwrap()
    };
    assert_eq!(attempts, 1);
    assert!(error.unwrap().starts_with("outbox:"));
    let wait = next - before;
    assert!(
        wait >= time::Duration::seconds(59) && wait < time::Duration::minutes(2),
        "first retry after a minute, not {wait}"
    );
    // Not due yet: a run now leaves it alone.
    let report = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (0, 0));

    // The folder is fixed and the minute has passed.
    std::fs::remove_file(&blocker).unwrap();
    execute(
        &app,
        "UPDATE notifications SET next_attempt_at = $1",
        vec![Bind::At(
            OffsetDateTime::now_utc() - time::Duration::seconds(1),
        )],
    )
    .await;
    let report = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (1, 0));
    assert_eq!(outbox(&app).len(), 1);
    assert_eq!(
        app.count(
            "notifications WHERE sent_at IS NOT NULL AND attempts = 2 AND last_error IS NULL"
        )
        .await,
        1
    );

    // An address that cannot be one is not tried again.
    execute(
        &app,
        "UPDATE organizations SET head_email = $1 WHERE code = $2",
        vec![
            Bind::Text("not an address".into()),
            Bind::Text("kramatorsk_rup".into()),
        ],
    )
    .await;
    let reference = referred_case(&app, &coordinator, &["kramatorsk_rup"]).await;
    set_due(
        &app,
        &reference,
        "kramatorsk_rup",
        OffsetDateTime::now_utc() - time::Duration::minutes(1),
    )
    .await;
    let report = mistok::jobs::run_once(&app.state).await.unwrap();
    assert_eq!(
        (report.escalated, report.sent, report.failed),
        (1, 2, 1),
        "the officer and the coordinator get theirs"
    );
    assert_eq!(
        app.count("notifications WHERE sent_at IS NULL AND attempts = 12")
            .await,
        1
    );
    execute(
        &app,
        "UPDATE notifications SET next_attempt_at = $1",
        vec![Bind::At(
            OffsetDateTime::now_utc() - time::Duration::seconds(1),
        )],
    )
    .await;
    let report = mistok::notify::service::send_due(&app.state, 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (0, 0));
}

async fn jobs_run_in_the_server_and_from_the_command_line(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let first = referred_case(&app, &coordinator, &["kramatorsk_rup"]).await;
    let second = referred_case(&app, &coordinator, &["kramatorsk_rup"]).await;
    let past = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    set_due(&app, &first, "kramatorsk_rup", past).await;

    // `mistok jobs run-once`, as cron runs it, beside the running server.
    let output = crate::audit::mistok(&app, &["jobs", "run-once"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 referrals escalated, 2 e-mails sent, 0 not delivered"),
        "{stdout}"
    );
    assert_eq!(outbox(&app).len(), 2);

    // The loop every server runs.
    set_due(&app, &second, "kramatorsk_rup", past).await;
    let jobs = mistok::jobs::spawn_every(app.state.clone(), Duration::from_millis(20));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while outbox(&app).len() < 4 {
        assert!(std::time::Instant::now() < deadline, "the loop did not run");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    jobs.stop(Duration::from_secs(5)).await;
    let mails = outbox(&app);
    assert_eq!(mails.len(), 4);
    assert!(mails.iter().any(|m| m.subject.contains(&second)));
    assert_eq!(
        app.count("audit_events WHERE action = 'referral.escalated'")
            .await,
        2
    );
}
