//! End-to-end tests of events (see src/events): staff announce events (with field errors for bad
//! input), residents read the calendar, register up to capacity and then on the waiting list —
//! also when many register at once — and cancel by their link, which promotes the next person;
//! iCalendar files are parsed back as a calendar program would.

use icalendar::{Calendar, Component, EventLike};
use time::{Duration, OffsetDateTime};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(
    coordinators_announce_events_and_bad_input_is_refused,
    seats_then_waiting_list_and_cancellation_promotes,
    concurrent_registrations_never_exceed_capacity,
    past_and_open_events_take_no_registrations,
    calendar_files_parse_back,
    officers_edit_their_own_and_results_are_public,
    the_demo_has_events_once,
);

async fn the_demo_has_events_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    mistok::demo::load(&app.state, 20).await.expect("demo");
    mistok::demo::load(&app.state, 20)
        .await
        .expect("demo again");
    assert_eq!(app.count("events").await, 10);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM events WHERE kind = 'joint_reception'"
        )
        .await,
        1
    );
    assert_eq!(app.count("event_decisions").await, 5);
    assert_eq!(app.count("event_registrations").await, 8 + 14 + 5);
    let (_, list) = get(
        &app.browser(),
        app.url("/events?lang=en&community=kramatorsk"),
    )
    .await;
    assert!(list.contains("Спільний прийом громадян у Краматорську"));
    let (_, past) = get(&app.browser(), app.url("/events?lang=en&past=1")).await;
    assert!(past.contains("Круглий стіл «Безпека в громаді"));
    assert!(
        !mistok::events::decisions_for_choice(&app.state.db)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(
    client: &reqwest::Client,
    url: String,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let r = client.post(url).form(fields).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// A `datetime-local` value `days` from now (local time of the platform; whole hours).
fn local(days: i64, hour: u8) -> String {
    let at = OffsetDateTime::now_utc() + Duration::days(days);
    format!(
        "{}-{:02}-{:02}T{:02}:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        hour
    )
}

fn event_fields<'a>(
    title: &'a str,
    starts: &'a str,
    ends: &'a str,
    capacity: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "round_table"),
        ("title", title),
        (
            "description",
            "Обговорення безпеки у громаді.\n\nЗапрошуємо мешканців.",
        ),
        ("community", "kramatorsk"),
        ("place", "Краматорськ, Палац культури"),
        ("starts_at", starts),
        ("ends_at", ends),
        ("organizers", "Платформа; ГУНП в Донецькій області"),
        ("capacity", capacity),
        ("lang_uk", "yes"),
        ("lang_sign", "yes"),
    ]
}

/// Creates an event through the staff form; returns its id.
async fn create_event(app: &TestApp, staff: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let (status, form) = get(staff, app.url("/staff/events/new?lang=en")).await;
    assert_eq!(status, 200, "{form}");
    let csrf = hidden(&form, "csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (status, location, body) = post(staff, app.url("/staff/events?lang=en"), &all).await;
    assert_eq!(status, 303, "event created: {body}");
    location
        .trim_start_matches("/staff/events/")
        .trim_end_matches("?saved=1")
        .to_string()
}

/// Registers through the event's page with a fresh browser; returns (status, answer page, client).
async fn register(
    app: &TestApp,
    id: &str,
    name: &str,
    email: &str,
) -> (u16, String, reqwest::Client) {
    let browser = app.browser();
    let (_, page) = get(&browser, app.url(&format!("/events/{id}?lang=en"))).await;
    let fields = [
        ("csrf", hidden(&page, "csrf")),
        ("form_token", hidden(&page, "form_token")),
        ("name", name.to_string()),
        ("email", email.to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = post(
        &browser,
        app.url(&format!("/events/{id}/register?lang=en")),
        &fields,
    )
    .await;
    (status, body, browser)
}

fn cancel_path(answer: &str) -> String {
    let start = answer
        .find("/events/registrations/")
        .expect("cancellation link shown");
    let end = answer[start..].find('<').unwrap() + start;
    answer[start..end].to_string()
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_scalar(sql).fetch_one(&db.read).await.unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn coordinators_announce_events_and_bad_input_is_refused(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let starts = local(10, 15);
    let ends = local(10, 17);
    let before = local(10, 14);
    // Bad input: each case names its field, keeps the values and stores nothing.
    let (_, form) = get(&coordinator, app.url("/staff/events/new?lang=en")).await;
    let csrf = hidden(&form, "csrf");
    let cases: [(&str, &str, &str); 6] = [
        ("title", "   ", "Give the event a title."),
        (
            "ends_at",
            before.as_str(),
            "The end must come after the start.",
        ),
        ("capacity", "0", "Seats must be from 1 to 100000"),
        ("capacity", "-4", "Seats must be from 1 to 100000"),
        ("capacity", "many", "Enter the seats as a whole number"),
        ("kind", "picnic", "Choose a kind of event from the list."),
    ];
    for (field, value, message) in cases {
        let mut fields = event_fields("Круглий стіл у Краматорську", &starts, &ends, "30");
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        fields.insert(0, ("csrf", csrf.as_str()));
        let (status, _, body) = post(&coordinator, app.url("/staff/events?lang=en"), &fields).await;
        assert_eq!(status, 422, "{field}={value}");
        assert!(body.contains(message), "{field}={value}: {body}");
        assert!(body.contains("Краматорськ, Палац культури"), "values kept");
    }
    assert_eq!(app.count("events").await, 0);
    // A good event, in the public list and month, with the filters.
    let id = create_event(
        &app,
        &coordinator,
        &event_fields("Круглий стіл у Краматорську", &starts, &ends, "30"),
    )
    .await;
    let other = create_event(
        &app,
        &coordinator,
        &[
            ("kind", "coffee_with_police"),
            ("title", "Кава з поліцейським у Словʼянську"),
            ("community", "sloviansk"),
            ("place", "Словʼянськ, кавʼярня «Ранок»"),
            ("starts_at", &local(12, 10)),
            ("ends_at", &local(12, 12)),
            ("organizers", "Поліція Словʼянська"),
            ("capacity", ""),
            ("lang_uk", "yes"),
        ],
    )
    .await;
    assert_eq!(app.count("events").await, 2);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'event.created'"
        )
        .await,
        2
    );
    let public = app.browser();
    let (status, list) = get(&public, app.url("/events?lang=en")).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/events/{id}")) && list.contains(&format!("/events/{other}")));
    assert!(list.contains("Seats left: 30 of 30"));
    let (_, filtered) = get(&public, app.url("/events?lang=en&community=sloviansk")).await;
    assert!(
        filtered.contains(&format!("/events/{other}"))
            && !filtered.contains(&format!("/events/{id}"))
    );
    let (_, filtered) = get(&public, app.url("/events?lang=en&kind=round_table")).await;
    assert!(
        !filtered.contains(&format!("/events/{other}"))
            && filtered.contains(&format!("/events/{id}"))
    );
    let month = &starts[..7];
    let (status, grid) = get(
        &public,
        app.url(&format!("/events?lang=en&view=month&month={month}")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(grid.contains("Круглий стіл у Краматорську"), "{grid}");
    assert!(grid.contains("<table class=\"data events-month\">"));
    let (_, bad_month) = get(&public, app.url("/events?view=month&month=nonsense")).await;
    assert!(
        bad_month.contains("events-month"),
        "a bad month shows the current one"
    );
    let (_, past) = get(&public, app.url("/events?lang=en&past=1")).await;
    assert!(past.contains("No past events."));
    // The event's page: all the fields, seats, the form, the calendar link.
    let (status, page) = get(&public, app.url(&format!("/events/{id}?lang=en"))).await;
    assert_eq!(status, 200);
    for text in [
        "Round table",
        "Краматорськ, Палац культури",
        "Платформа; ГУНП в Донецькій області",
        "sign-language interpretation",
        "Seats left: 30 of 30",
        &format!("/events/{id}/calendar.ics"),
        "name=\"form_token\"",
    ] {
        assert!(page.contains(text), "{text}");
    }
    let (_, open) = get(&public, app.url(&format!("/events/{other}?lang=en"))).await;
    assert!(
        open.contains("This event needs no registration") && !open.contains("name=\"form_token\"")
    );
    let (status, _) = get(&public, app.url("/events/not-an-id")).await;
    assert_eq!(status, 404);
}

async fn seats_then_waiting_list_and_cancellation_promotes(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let id = create_event(
        &app,
        &coordinator,
        &event_fields("Тренінг з безпеки", &local(5, 10), &local(5, 12), "2"),
    )
    .await;
    let (status, first, anna) = register(&app, &id, "Анна", "anna@example.org").await;
    assert_eq!(status, 200, "{first}");
    assert!(first.contains("Your seat is confirmed."));
    let anna_link = cancel_path(&first);
    let (_, second, _) = register(&app, &id, "Богдан", "").await;
    assert!(second.contains("Your seat is confirmed."));
    let (_, third, _) = register(&app, &id, "Віра", "vira@example.org").await;
    assert!(third.contains("you are on the waiting list"), "{third}");
    assert!(third.contains("Your place in the queue: 1"));
    let (_, fourth, _) = register(&app, &id, "Галина", "").await;
    assert!(fourth.contains("Your place in the queue: 2"));
    // The same address twice is refused, with the field named.
    let (status, again, _) = register(&app, &id, "Анна ще раз", "ANNA@example.org").await;
    assert_eq!(status, 422);
    assert!(again.contains("This address is already registered for this event."));
    // A retried submission (the same form token) is stored once.
    let browser = app.browser();
    let (_, page) = get(&browser, app.url(&format!("/events/{id}?lang=en"))).await;
    let (csrf, token) = (hidden(&page, "csrf"), hidden(&page, "form_token"));
    let form = [
        ("csrf", csrf.as_str()),
        ("form_token", token.as_str()),
        ("name", "Дмитро"),
        ("email", ""),
    ];
    let (status, _, once) = post(
        &browser,
        app.url(&format!("/events/{id}/register?lang=en")),
        &form,
    )
    .await;
    assert_eq!(status, 200);
    assert!(once.contains("Your place in the queue: 3"));
    let (status, _, twice) = post(
        &browser,
        app.url(&format!("/events/{id}/register?lang=en")),
        &form,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        twice.contains("This form was sent before") && twice.contains("Your place in the queue: 3")
    );
    assert!(
        !twice.contains("/events/registrations/"),
        "the link is shown once"
    );
    assert_eq!(app.count("event_registrations").await, 5);
    // Names are sealed, never stored in the clear.
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM event_registrations WHERE name_sealed IS NULL OR email_hash IS NULL AND email_sealed IS NOT NULL").await,
        0
    );
    // The link's page changes nothing on GET; the button cancels and promotes Віра.
    let (status, link_page) = get(&anna, app.url(&format!("{anna_link}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(link_page.contains("Cancel my registration") && link_page.contains("Confirmed"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'cancelled'"
        )
        .await,
        0
    );
    let csrf = hidden(&link_page, "csrf");
    let (status, _, done) = post(
        &anna,
        app.url(&format!("{anna_link}?lang=en")),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(done.contains("Your registration is cancelled."), "{done}");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'confirmed'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'waiting'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM event_registrations WHERE status = 'confirmed' AND promoted_at IS NOT NULL").await,
        1
    );
    // Cancelling again changes nothing.
    let (_, _, again) = post(
        &anna,
        app.url(&format!("{anna_link}?lang=en")),
        &[("csrf", &csrf)],
    )
    .await;
    assert!(!again.contains("Cancel my registration"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'confirmed'"
        )
        .await,
        2
    );
    // The mails: Анна's and Віра's confirmations (waiting list), then Віра's promotion.
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM notifications WHERE subject LIKE 'A seat is yours%' OR subject LIKE 'Для вас звільнилося місце%'").await,
        1
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE recipient_sealed IS NOT NULL"
        )
        .await,
        3
    );
    mistok::jobs::run_once(&app.state).await.expect("jobs");
    let mails = crate::support::outbox(&app);
    assert_eq!(mails.len(), 3);
    assert_eq!(
        mails.iter().filter(|m| m.to == "vira@example.org").count(),
        2
    );
    assert!(
        mails
            .iter()
            .any(|m| m.to == "anna@example.org" && m.body.contains("/events/registrations/"))
    );
    // Once sent, residents' addresses are erased from the outbox.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE recipient_sealed IS NOT NULL"
        )
        .await,
        0
    );
    // Staff see who registered.
    let (_, list) = get(
        &coordinator,
        app.url(&format!("/staff/events/{id}/registrations?lang=en")),
    )
    .await;
    assert!(list.contains("Віра") && list.contains("vira@example.org") && list.contains("Waiting"));
    // Two people hold seats: the event cannot shrink to one, and nothing changes.
    let (_, edit) = get(
        &coordinator,
        app.url(&format!("/staff/events/{id}?lang=en")),
    )
    .await;
    let csrf = hidden(&edit, "csrf");
    let mut fields = vec![("csrf", csrf.as_str())];
    let (starts, ends) = (local(5, 10), local(5, 12));
    fields.extend(event_fields("Тренінг з безпеки", &starts, &ends, "1"));
    let (status, _, page) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}?lang=en")),
        &fields,
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Fewer seats than people already confirmed"));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM events WHERE capacity = 2").await,
        1
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'confirmed'"
        )
        .await,
        2
    );
}

async fn concurrent_registrations_never_exceed_capacity(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let id = create_event(
        &app,
        &coordinator,
        &event_fields("Лекція в школі №3", &local(3, 9), &local(3, 10), "5"),
    )
    .await;
    // Thirty people open the page, then all press "Register" at once.
    let mut ready = Vec::new();
    for n in 0..30 {
        let browser = app.browser();
        let (_, page) = get(&browser, app.url(&format!("/events/{id}?lang=en"))).await;
        ready.push((
            browser,
            hidden(&page, "csrf"),
            hidden(&page, "form_token"),
            format!("person{n}@example.org"),
        ));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (browser, csrf, token, email) in ready {
        let url = app.url(&format!("/events/{id}/register?lang=en"));
        tasks.spawn(async move {
            let r = browser
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("form_token", token.as_str()),
                    ("name", "Мешканець"),
                    ("email", email.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        });
    }
    let mut confirmed_pages = 0;
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, 200, "{body}");
        if body.contains("Your seat is confirmed.") {
            confirmed_pages += 1;
        }
    }
    assert_eq!(confirmed_pages, 5);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'confirmed'"
        )
        .await,
        5
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM event_registrations WHERE status = 'waiting'"
        )
        .await,
        25
    );
    let (_, page) = get(&app.browser(), app.url(&format!("/events/{id}?lang=en"))).await;
    assert!(page.contains("All 5 seats taken; on the waiting list: 25"));
}

async fn past_and_open_events_take_no_registrations(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let future = create_event(
        &app,
        &coordinator,
        &event_fields("Форум громад", &local(7, 10), &local(7, 16), "50"),
    )
    .await;
    let past = create_event(
        &app,
        &coordinator,
        &event_fields("Минулий круглий стіл", &local(-7, 10), &local(-7, 12), "50"),
    )
    .await;
    // The open form of a future event, sent after the event has begun, is refused.
    let browser = app.browser();
    let (_, page) = get(&browser, app.url(&format!("/events/{future}?lang=en"))).await;
    let (csrf, token) = (hidden(&page, "csrf"), hidden(&page, "form_token"));
    let (status, _, body) = post(
        &browser,
        app.url(&format!("/events/{past}/register?lang=en")),
        &[
            ("csrf", &csrf),
            ("form_token", &token),
            ("name", "Олег"),
            ("email", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("The event has begun or is over: registration is closed."));
    let (_, page) = get(&browser, app.url(&format!("/events/{past}?lang=en"))).await;
    assert!(!page.contains("name=\"form_token\""));
    assert_eq!(app.count("event_registrations").await, 0);
    // A cancelled event: shown as such, no form, people told by e-mail.
    let (_, _, _) = register(&app, &future, "Олена", "olena@example.org").await;
    let (_, edit) = get(
        &coordinator,
        app.url(&format!("/staff/events/{future}?lang=en")),
    )
    .await;
    let csrf = hidden(&edit, "csrf");
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/events/{future}/cancel")),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(&browser, app.url(&format!("/events/{future}?lang=en"))).await;
    assert!(
        page.contains("This event has been cancelled.") && !page.contains("name=\"form_token\"")
    );
    let (_, list) = get(&browser, app.url("/events?lang=en")).await;
    assert!(list.contains("Cancelled"));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM notifications WHERE subject LIKE '%Форум громад' AND recipient_sealed IS NOT NULL").await,
        2,
        "confirmation and cancellation"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'event.cancelled'"
        )
        .await,
        1
    );
    // The past event is listed among past events.
    let (_, list) = get(&browser, app.url("/events?lang=en&past=1")).await;
    assert!(
        list.contains(&format!("/events/{past}")) && !list.contains(&format!("/events/{future}"))
    );
}

async fn calendar_files_parse_back(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let id = create_event(
        &app,
        &coordinator,
        &event_fields(
            "Круглий стіл; безпека, громада",
            &local(20, 15),
            &local(20, 17),
            "",
        ),
    )
    .await;
    let other = create_event(
        &app,
        &coordinator,
        &[
            ("kind", "forum"),
            ("title", "Форум у Словʼянську"),
            ("community", "sloviansk"),
            ("place", "Словʼянськ"),
            ("starts_at", &local(25, 10)),
            ("ends_at", &local(25, 13)),
            ("organizers", "Платформа"),
            ("lang_uk", "yes"),
        ],
    )
    .await;
    let client = app.browser();
    for path in [
        format!("/events/{id}/calendar.ics"),
        format!("/events/{id}.ics"),
    ] {
        let r = client
            .get(app.url(&format!("{path}?lang=en")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        let text = r.text().await.unwrap();
        let calendar: Calendar = text.parse().expect("iCalendar parses");
        let events: Vec<_> = calendar.events().collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(e.get_uid(), Some(format!("{id}@127.0.0.1").as_str()));
        assert_eq!(e.get_summary(), Some("Круглий стіл; безпека, громада"));
        assert_eq!(
            e.get_location(),
            Some("Краматорськ, Палац культури, Kramatorsk")
        );
        assert!(e.get_url().unwrap().ends_with(&format!("/events/{id}")));
        assert!(e.get_description().unwrap().contains("Round table"));
        let row = mistok::events::store::find(&app.state.db, id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            e.property_value("DTSTART"),
            Some(mistok::events::ics::utc_stamp(row.starts_at).as_str())
        );
        assert_eq!(
            e.property_value("DTEND"),
            Some(mistok::events::ics::utc_stamp(row.ends_at).as_str())
        );
        assert!(e.property_value("DTSTART").unwrap().ends_with('Z'));
        assert_eq!(e.property_value("STATUS"), Some("CONFIRMED"));
    }
    // Cancelled: the feed says so; the feed takes the list's filters.
    let (_, edit) = get(&coordinator, app.url(&format!("/staff/events/{id}"))).await;
    let csrf = hidden(&edit, "csrf");
    post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/cancel")),
        &[("csrf", &csrf)],
    )
    .await;
    let text = client
        .get(app.url("/events.ics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let calendar: Calendar = text.parse().expect("feed parses");
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 2);
    let cancelled = events
        .iter()
        .find(|e| e.get_uid().unwrap().starts_with(&id))
        .unwrap();
    assert_eq!(cancelled.property_value("STATUS"), Some("CANCELLED"));
    let text = client
        .get(app.url("/events.ics?community=sloviansk&kind=forum"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let calendar: Calendar = text.parse().expect("filtered feed parses");
    let uids: Vec<_> = calendar
        .events()
        .map(|e| e.get_uid().unwrap().to_string())
        .collect();
    assert_eq!(uids, [format!("{other}@127.0.0.1")]);
}

async fn officers_edit_their_own_and_results_are_public(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coord@example.org", "coordinator", "").await;
    let kramatorsk = signed_in(
        &app,
        "officer@kramatorsk.example.org",
        "officer",
        "kramatorsk_rup",
    )
    .await;
    let sloviansk = signed_in(
        &app,
        "officer@sloviansk.example.org",
        "officer",
        "sloviansk_police",
    )
    .await;
    let (starts, ends) = (local(-2, 10), local(-2, 12));
    let id = create_event(
        &app,
        &kramatorsk,
        &event_fields("Кава з поліцейським", &starts, &ends, "10"),
    )
    .await;
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM events e JOIN organizations o ON o.id = e.organization_id WHERE o.code = 'kramatorsk_rup'").await,
        1
    );
    // Another organization's officer may read, not change.
    let (status, _) = get(&sloviansk, app.url(&format!("/staff/events/{id}"))).await;
    assert_eq!(status, 403);
    let (_, list) = get(&sloviansk, app.url("/staff/events")).await;
    let csrf = hidden(&list, "csrf");
    let mut fields = event_fields("Захоплено", &starts, &ends, "10");
    fields.insert(0, ("csrf", csrf.as_str()));
    let (status, _, _) = post(&sloviansk, app.url(&format!("/staff/events/{id}")), &fields).await;
    assert_eq!(status, 403);
    let (status, _, _) = post(
        &sloviansk,
        app.url(&format!("/staff/events/{id}/after")),
        &[("csrf", &csrf), ("attendance", "1")],
    )
    .await;
    assert_eq!(status, 403);
    let (_, regs) = get(
        &sloviansk,
        app.url(&format!("/staff/events/{id}/registrations?lang=en")),
    )
    .await;
    assert!(regs.contains("Only coordinators and the organizing organization see names"));
    // An analyst reads the staff list, without announcing or changing anything.
    let analyst = signed_in(&app, "analyst@example.org", "analyst", "").await;
    let (status, list) = get(&analyst, app.url("/staff/events?lang=en")).await;
    assert_eq!(status, 200);
    assert!(list.contains("Кава з поліцейським") && !list.contains("/staff/events/new"));
    let (status, _) = get(&analyst, app.url("/staff/events/new")).await;
    assert_eq!(status, 403);
    // The organizing officer edits it.
    let (status, edit) = get(&kramatorsk, app.url(&format!("/staff/events/{id}?lang=en"))).await;
    assert_eq!(status, 200);
    let csrf = hidden(&edit, "csrf");
    let mut fields = event_fields("Кава з поліцейським у Краматорську", &starts, &ends, "10");
    fields.insert(0, ("csrf", csrf.as_str()));
    let (status, _, _) = post(
        &kramatorsk,
        app.url(&format!("/staff/events/{id}")),
        &fields,
    )
    .await;
    assert_eq!(status, 303);
    // After the event: attendance, minutes and decisions (add, edit, remove), shown publicly.
    let (_, edit) = get(
        &coordinator,
        app.url(&format!("/staff/events/{id}?lang=en")),
    )
    .await;
    let csrf = hidden(&edit, "csrf");
    let (status, _, body) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/after?lang=en")),
        &[("csrf", &csrf), ("attendance", "много"), ("minutes", "x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Enter the attendance as a whole number."));
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/after")),
        &[
            ("csrf", &csrf),
            ("attendance", "23"),
            (
                "minutes",
                "Обговорили освітлення вулиць.\n\nДомовилися про патрулі.",
            ),
        ],
    )
    .await;
    assert_eq!(status, 303);
    for text in [
        "Встановити ліхтарі біля школи №5",
        "Патрулі щоп'ятниці ввечері",
        "Зайве рішення",
    ] {
        let (status, _, _) = post(
            &coordinator,
            app.url(&format!("/staff/events/{id}/decisions")),
            &[("csrf", &csrf), ("text", text)],
        )
        .await;
        assert_eq!(status, 303);
    }
    let (status, _, body) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/decisions?lang=en")),
        &[("csrf", &csrf), ("text", " ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Write the decision’s text."));
    let decisions = mistok::events::store::decisions(&app.state.db, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(decisions.len(), 3);
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/decisions/{}", decisions[1].id)),
        &[
            ("csrf", &csrf),
            ("text", "Патрулі щоп'ятниці та щосуботи ввечері"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/events/{id}/decisions/{}", decisions[2].id)),
        &[("csrf", &csrf), ("text", ""), ("action", "remove")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(&app.browser(), app.url(&format!("/events/{id}?lang=en"))).await;
    assert!(page.contains("Attendance: <strong>23</strong>"), "{page}");
    assert!(page.contains("Домовилися про патрулі."));
    assert!(page.contains("Встановити ліхтарі біля школи №5"));
    assert!(
        page.contains("Патрулі щоп&#39;ятниці та щосуботи ввечері")
            || page.contains("Патрулі щоп'ятниці та щосуботи ввечері")
    );
    assert!(!page.contains("Зайве рішення"));
    assert!(page.contains("Кава з поліцейським у Краматорську"));
    // Every change is audited.
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM audit_events WHERE action IN ('event.created', 'event.updated', 'event.after_recorded', 'event.decision_added', 'event.decision_updated', 'event.decision_removed')").await,
        1 + 1 + 1 + 3 + 1 + 1
    );
    // For the other parts: the held event, its decisions and the round tables to choose from.
    let held = mistok::events::held_between(
        &app.state,
        OffsetDateTime::now_utc() - Duration::days(30),
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].kind, held[0].attendance),
        ("round_table", Some(23))
    );
    let choices = mistok::events::decisions_for_choice(&app.state.db)
        .await
        .unwrap();
    assert_eq!(choices.len(), 2);
    assert!(
        choices[0]
            .1
            .starts_with("Кава з поліцейським у Краматорську — ")
    );
    let tables = mistok::events::round_tables_for_choice(&app.state.db)
        .await
        .unwrap();
    assert_eq!(tables.len(), 1);
}
