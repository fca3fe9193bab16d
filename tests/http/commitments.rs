//! End-to-end tests of commitments (see src/commitments): coordinators create them (field by
//! field errors), officers of the responsible organization add dated updates, the public tracker
//! counts them and shows which are late or stalled at a given date.

use time::macros::{date, datetime};

use crate::on_both_engines;
use crate::priorities::{get, post, published};
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(
    commitments_are_checked_and_updated_by_their_organization,
    late_and_stalled_at_given_dates,
    the_demo_has_priorities_and_commitments,
    round_tables_and_their_decisions_are_sources,
);

/// A round table with one decision, as the events module records them; returns their ids.
async fn round_table(app: &TestApp, title: &str, decision: &str) -> (uuid::Uuid, uuid::Uuid) {
    let (event, decided) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let (title, decision) = (title.to_string(), decision.to_string());
    let at = time::OffsetDateTime::now_utc() - time::Duration::days(3);
    let db = &app.state.db;
    let done: Result<(), mistok::error::AppError> = async {
        mistok::db_write!(db, |conn| {
            sqlx::query(
                "INSERT INTO events (id, kind, title, description, community_code, place, \
                 starts_at, ends_at, organizers, languages, status, created_at, updated_at) \
                 VALUES ($1, 'round_table', $2, '', 'sloviansk', 'Міська рада', $3, $3, \
                 'Поліція, міська рада', 'uk', 'scheduled', $3, $3)",
            )
            .bind(event)
            .bind(&title)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO event_decisions (id, event_id, position, text, created_at) \
                 VALUES ($1, $2, 1, $3, $4)",
            )
            .bind(decided)
            .bind(event)
            .bind(&decision)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }
    .await;
    done.unwrap();
    (event, decided)
}

async fn round_tables_and_their_decisions_are_sources(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let staff = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let (event, decision) = round_table(
        &app,
        "Круглий стіл у Слов’янську",
        "Міська рада облаштує острівці безпеки на вулиці Центральній",
    )
    .await;
    // The decision of a priority names its round table.
    let priority = published(&app, &staff, "sloviansk", "Острівці безпеки").await;
    let (_, page) = get(
        &staff,
        app.url(&format!("/staff/priorities/{priority}?lang=en")),
    )
    .await;
    assert!(
        page.contains("Круглий стіл у Слов’янську"),
        "offered as a choice"
    );
    let csrf = hidden(&page, "csrf");
    let (status, _, page) = post(
        &staff,
        app.url(&format!("/staff/priorities/{priority}/decide?lang=en")),
        &[
            ("csrf", &csrf),
            ("decision", "adopt"),
            ("reason", "Так."),
            ("event", &uuid::Uuid::now_v7().to_string()),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose a round table from the list."));
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{priority}/decide")),
        &[
            ("csrf", &csrf),
            ("decision", "adopt"),
            ("reason", "Так."),
            ("event", &event.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let public = app.browser();
    let (_, page) = get(&public, app.url(&format!("/priorities/{priority}?lang=en"))).await;
    assert!(page.contains(&format!("href=\"/events/{event}\"")));
    // A commitment from the decision, prefilled; not from a priority and a decision at once.
    let (status, form) = get(
        &staff,
        app.url(&format!("/staff/commitments/new?decision={decision}")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"Міська рада облаштує острівці безпеки на вулиці Центральній\""));
    let council = org_id(&app, "sloviansk_city_council").await;
    let (status, _, page) = post(
        &staff,
        app.url("/staff/commitments?lang=en"),
        &[
            ("csrf", &hidden(&form, "csrf")),
            ("title", "Острівці безпеки"),
            ("organization", &council),
            ("due_on", "2027-05-01"),
            ("priority", &priority),
            ("decision", &decision.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose a priority or a decision, not both."));
    let id = create(
        &app,
        &staff,
        &[
            ("title", "Острівці безпеки"),
            ("community", "sloviansk"),
            ("organization", &council),
            ("due_on", "2027-05-01"),
            ("decision", &decision.to_string()),
        ],
    )
    .await;
    let (_, page) = get(&public, app.url(&format!("/commitments/{id}?lang=en"))).await;
    assert!(page.contains("Decision of an event"));
    assert!(page.contains(&format!("href=\"/events/{event}\"")));
    assert!(page.contains("Круглий стіл у Слов’янську"));
}

async fn the_demo_has_priorities_and_commitments(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    mistok::demo::load(&app.state, 1).await.expect("demo");
    // Loading again adds nothing.
    mistok::demo::load(&app.state, 1).await.expect("demo again");
    assert_eq!(app.count("priorities").await, 10);
    assert_eq!(app.count("commitments").await, 7);
    let today = time::OffsetDateTime::now_utc().date();
    let c = mistok::commitments::tracker_counts(&app.state, today)
        .await
        .unwrap();
    assert_eq!((c.total, c.in_progress, c.done, c.dropped), (7, 5, 1, 1));
    assert_eq!((c.late, c.stalled), (2, 2));
    let public = app.browser();
    let (_, page) = get(&public, app.url("/priorities?lang=en")).await;
    assert!(page.contains("Освітлення біля школи № 3 на вулиці Шкільній"));
    assert!(
        !page.contains("Патрулювання біля пункту незламності"),
        "pending"
    );
    assert!(!page.contains("п’ятого поверху"), "rejected");
    let (status, page) = get(&public, app.url("/commitments?status=stalled&lang=en")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Кнопки тривожного виклику в сільських старостатах"));
}

async fn org_id(app: &TestApp, code: &str) -> String {
    let sql = "SELECT id FROM organizations WHERE code = $1";
    let id: uuid::Uuid = match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_scalar(sql).bind(code).fetch_one(&db.read).await,
        mistok::db::Db::Postgres(pool) => sqlx::query_scalar(sql).bind(code).fetch_one(pool).await,
    }
    .unwrap();
    id.to_string()
}

/// Creates a commitment through the form; returns its id.
async fn create(app: &TestApp, staff: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let (_, form) = get(staff, app.url("/staff/commitments/new")).await;
    let csrf = hidden(&form, "csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (status, location, body) = post(staff, app.url("/staff/commitments"), &all).await;
    assert_eq!(status, 303, "{body}");
    location
        .trim_start_matches("/staff/commitments/")
        .trim_end_matches("?saved=1")
        .to_string()
}

async fn add_update(
    app: &TestApp,
    staff: &reqwest::Client,
    id: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, page) = get(staff, app.url(&format!("/staff/commitments/{id}"))).await;
    let csrf = if page.contains("name=\"csrf\"") {
        hidden(&page, "csrf")
    } else {
        String::new()
    };
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (status, _, body) = post(
        staff,
        app.url(&format!("/staff/commitments/{id}/updates?lang=en")),
        &all,
    )
    .await;
    (status, body)
}

async fn commitments_are_checked_and_updated_by_their_organization(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let staff = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let (status, form) = get(&staff, app.url("/staff/commitments/new?lang=en")).await;
    assert_eq!(status, 200);
    let csrf = hidden(&form, "csrf");
    // Empty title, an impossible date, an organization that is not one.
    let (status, _, page) = post(
        &staff,
        app.url("/staff/commitments?lang=en"),
        &[
            ("csrf", &csrf),
            ("title", " "),
            ("description", "kept description"),
            ("organization", "nonsense"),
            ("due_on", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for message in [
        "Say what is promised.",
        "Enter a date as day, month and year.",
        "Choose the responsible organization from the list.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("kept description"));
    let unknown = uuid::Uuid::now_v7().to_string();
    let (status, _, page) = post(
        &staff,
        app.url("/staff/commitments?lang=en"),
        &[
            ("csrf", &csrf),
            ("title", "Ліхтарі"),
            ("organization", &unknown),
            ("due_on", "2026-12-31"),
            ("community", "atlantis"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose the responsible organization from the list."));
    assert!(page.contains("Choose a community from the list."));
    assert_eq!(app.count("commitments").await, 0);

    // From an adopted priority.
    let priority = published(&app, &staff, "kramatorsk", "Освітлення біля школи №3").await;
    let (_, page) = get(&staff, app.url(&format!("/staff/priorities/{priority}"))).await;
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{priority}/decide")),
        &[
            ("csrf", &hidden(&page, "csrf")),
            ("decision", "adopt"),
            ("reason", "Ухвалено круглим столом."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let rup = org_id(&app, "kramatorsk_rup").await;
    let id = create(
        &app,
        &staff,
        &[
            ("title", "Освітлення біля школи №3"),
            ("description", "20 ліхтарів на вулиці Шкільній."),
            ("community", "kramatorsk"),
            ("organization", &rup),
            ("due_on", "2026-12-31"),
            ("priority", &priority),
        ],
    )
    .await;

    // Updates: bad input named field by field.
    let tomorrow = time::OffsetDateTime::now_utc().date() + time::Duration::days(2);
    let tomorrow = format!(
        "{:04}-{:02}-{:02}",
        tomorrow.year(),
        u8::from(tomorrow.month()),
        tomorrow.day()
    );
    let (status, page) = add_update(
        &app,
        &staff,
        &id,
        &[
            ("on_date", &tomorrow),
            ("text", ""),
            ("progress", "150"),
            ("status", "in_progress"),
            ("evidence_url", "ftp://example.org/x"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for message in [
        "The date cannot be in the future.",
        "Describe what was done.",
        "Enter a whole number from 0 to 100.",
        "Enter a full address starting with https:// or http://.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    let (status, page) = add_update(
        &app,
        &staff,
        &id,
        &[
            ("on_date", "2026-10-01"),
            ("text", "Готово"),
            ("progress", "50"),
            ("status", "done"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("A done commitment is at 100 %."));

    // Officers: their organization's commitments only; they do not create.
    let other = signed_in(&app, "other@example.org", "officer", "sloviansk_police").await;
    let (status, _) = add_update(
        &app,
        &other,
        &id,
        &[
            ("on_date", "2026-10-01"),
            ("text", "x"),
            ("progress", "10"),
            ("status", "in_progress"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = get(&other, app.url(&format!("/staff/commitments/{id}"))).await;
    assert_eq!(status, 403);
    let (_, list) = get(&other, app.url("/staff/commitments")).await;
    assert!(!list.contains("Освітлення біля школи №3"));
    let (status, _, _) = post(
        &other,
        app.url("/staff/commitments"),
        &[("csrf", &hidden(&list, "csrf")), ("title", "x")],
    )
    .await;
    assert_eq!(status, 403);
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    let (status, _) = add_update(
        &app,
        &officer,
        &id,
        &[
            ("on_date", "2026-10-01"),
            ("text", "Встановлено 12 ліхтарів з 20."),
            ("progress", "60"),
            ("status", "in_progress"),
            (
                "evidence_url",
                "https://kramatorsk.example.org/photo/12.jpg",
            ),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(app.count("commitment_updates").await, 1);

    // The public page: the source, the update with its evidence, the progress as text.
    let public = app.browser();
    let (status, page) = get(&public, app.url(&format!("/commitments/{id}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/priorities/{priority}\"")));
    assert!(page.contains("01.10.2026"));
    assert!(page.contains("Встановлено 12 ліхтарів з 20."));
    assert!(page.contains("href=\"https://kramatorsk.example.org/photo/12.jpg\""));
    assert!(page.contains("Progress: 60 %"));
    assert!(page.contains("In progress"));
    let (status, _) = get(&public, app.url("/commitments/not-an-id")).await;
    assert_eq!(status, 404);
    // For the digest: updated now, with the organization's name in each language.
    let now = time::OffsetDateTime::now_utc();
    let updated = mistok::commitments::updated_between(
        &app.state,
        now - time::Duration::hours(1),
        now + time::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].progress, 60);
    assert!(!updated[0].organization.en.is_empty());
    assert!(app.count("audit_events").await >= 3);
}

/// Moves a commitment's due date and last update (as if created and updated in the past).
async fn set_dates(app: &TestApp, id: &str, due: time::Date, last: time::OffsetDateTime) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let db = &app.state.db;
    let done: Result<(), mistok::error::AppError> = async {
        mistok::db_write!(db, |conn| {
            sqlx::query("UPDATE commitments SET due_on = $2, last_update_at = $3 WHERE id = $1")
                .bind(id)
                .bind(due)
                .bind(last)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
    .await;
    done.unwrap();
}

async fn late_and_stalled_at_given_dates(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let staff = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let rup = org_id(&app, "kramatorsk_rup").await;
    let council = org_id(&app, "sloviansk_city_council").await;
    let lights = create(
        &app,
        &staff,
        &[
            ("title", "Ліхтарі на вулиці Шкільній"),
            ("community", "kramatorsk"),
            ("organization", &rup),
            ("due_on", "2026-03-31"),
        ],
    )
    .await;
    let patrols = create(
        &app,
        &staff,
        &[
            ("title", "Патрулі біля вокзалу"),
            ("community", "sloviansk"),
            ("organization", &council),
            ("due_on", "2026-12-31"),
        ],
    )
    .await;
    let crossing = create(
        &app,
        &staff,
        &[
            ("title", "Пішохідний перехід"),
            ("organization", &council),
            ("due_on", "2027-06-30"),
        ],
    )
    .await;
    // Lights: last heard of on 1 March 2026, due 31 March.
    set_dates(
        &app,
        &lights,
        date!(2026 - 03 - 31),
        datetime!(2026-03-01 10:00 UTC),
    )
    .await;
    // Patrols: done (so never late), although its due date moves into the past.
    let (status, _) = add_update(
        &app,
        &staff,
        &patrols,
        &[
            ("on_date", "2026-02-01"),
            ("text", "Патрулі щоночі."),
            ("progress", "100"),
            ("status", "done"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    set_dates(
        &app,
        &patrols,
        date!(2026 - 01 - 31),
        datetime!(2026-02-01 00:00 UTC),
    )
    .await;
    // Crossing: in progress, updated today.
    let (status, _) = add_update(
        &app,
        &staff,
        &crossing,
        &[
            ("on_date", "2026-11-01"),
            ("text", "Проєкт погоджено."),
            ("progress", "20"),
            ("status", "in_progress"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    let counts = |on| mistok::commitments::tracker_counts(&app.state, on);
    let c = counts(date!(2026 - 03 - 31)).await.unwrap();
    assert_eq!(
        (c.total, c.planned, c.in_progress, c.done, c.dropped),
        (3, 1, 1, 1, 0)
    );
    assert_eq!((c.late, c.stalled), (0, 0), "the due day is still in time");
    let c = counts(date!(2026 - 04 - 01)).await.unwrap();
    assert_eq!((c.late, c.stalled), (1, 0), "late the day after");
    let c = counts(date!(2026 - 04 - 30)).await.unwrap();
    assert_eq!(
        (c.late, c.stalled),
        (1, 0),
        "60 days without an update: not stalled yet"
    );
    let c = counts(date!(2026 - 05 - 01)).await.unwrap();
    assert_eq!((c.late, c.stalled), (1, 1), "61 days: stalled");

    // The tracker at those dates, with its filters.
    let public = app.browser();
    let (_, page) = get(
        &public,
        app.url("/commitments?on=2026-03-31&status=late&lang=en"),
    )
    .await;
    assert!(page.contains("No commitments here."));
    let (_, page) = get(
        &public,
        app.url("/commitments?on=2026-04-01&status=late&lang=en"),
    )
    .await;
    assert!(page.contains("Ліхтарі на вулиці Шкільній"));
    assert!(!page.contains("Патрулі біля вокзалу") && !page.contains("Пішохідний перехід"));
    assert!(
        page.contains("<span class=\"badge overdue\">Late</span>"),
        "labelled, not only coloured"
    );
    let (_, page) = get(
        &public,
        app.url("/commitments?on=2026-05-01&status=stalled&lang=en"),
    )
    .await;
    assert!(page.contains("Ліхтарі на вулиці Шкільній") && page.contains(">Stalled</span>"));
    let (_, page) = get(&public, app.url("/commitments?status=done&lang=en")).await;
    assert!(page.contains("Патрулі біля вокзалу") && !page.contains("Ліхтарі на вулиці Шкільній"));
    let (_, page) = get(
        &public,
        app.url("/commitments?organization=sloviansk_city_council&lang=en"),
    )
    .await;
    assert!(page.contains("Патрулі біля вокзалу") && page.contains("Пішохідний перехід"));
    assert!(!page.contains("Ліхтарі на вулиці Шкільній"));
    let (_, page) = get(
        &public,
        app.url("/commitments?community=kramatorsk&lang=en"),
    )
    .await;
    assert!(page.contains("Ліхтарі на вулиці Шкільній") && !page.contains("Пішохідний перехід"));
    let (status, page) = get(&public, app.url("/commitments?lang=en")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<dt><a href=\"/commitments\">All commitments</a></dt><dd>3</dd>"));
    assert!(page.contains("<dt><a href=\"/commitments?status=late\">Late</a></dt><dd>1</dd>"));
    assert!(page.contains("Whole region"));
    // Late at the period's end in the digest's list.
    let now = time::OffsetDateTime::now_utc();
    let updated = mistok::commitments::updated_between(
        &app.state,
        now - time::Duration::hours(1),
        now + time::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(updated.len(), 2);
    assert!(updated.iter().any(|u| u.done && !u.late));
}
