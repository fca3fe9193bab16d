//! Joint receptions end to end: staff open times at a reception, residents book one (sealed,
//! confirmed by e-mail, cancelled by link), no slot is ever booked twice — also when many press
//! "book" at once — and the reminder leaves once, a day before.

use mistok::error::{AppError, AppResult};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, outbox, signed_in};

on_both_engines!(
    residents_book_and_cancel_a_reception_slot,
    a_slot_is_booked_once_when_many_book_at_once,
    reminders_leave_once_a_day_before,
    residents_forms_are_limited_per_address,
);

/// Past the hourly number of dialogue forms from one address, the next gets 429 with
/// `Retry-After` and a page in the person's language; staff and other pages are not affected.
async fn residents_forms_are_limited_per_address(engine: Engine) {
    let app = TestApp::spawn_with(engine, |config| {
        config.dialogue_forms_per_address_per_hour = 3
    })
    .await;
    let day = OffsetDateTime::now_utc() + Duration::days(2);
    let id = reception(&app, "Прийом", day).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let opened = open_slots(
        &app,
        &coordinator,
        id,
        &local(&app, day),
        "20",
        "2",
        "Начальник",
    )
    .await;
    assert_eq!(opened.status(), 303, "staff forms are not counted");
    let browser = app.browser();
    for _ in 0..3 {
        let (_, form) = booking_form(&app, &browser, id).await;
        let (status, _) = book(&app, &browser, id, &form, &[("name", "Оля")]).await;
        assert_eq!(status, 422, "counted, judged as usual");
    }
    let (_, form) = booking_form(&app, &browser, id).await;
    let response = browser
        .post(app.url(&format!("/receptions/{id}")))
        .form(&[("csrf", form.csrf.as_str()), ("name", "Оля")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let html = response.text().await.unwrap();
    assert!(html.contains("lang=\"uk\""));
    // Reading is not limited.
    let page = browser
        .get(app.url(&format!("/receptions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let proposal = browser
        .post(app.url("/priorities"))
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        proposal.status(),
        429,
        "the same allowance for every dialogue form"
    );
}

/// A joint reception held by the Kramatorsk district police, `days` from now, 10:00–14:00
/// local time, made the way the events' pages store it.
pub(crate) async fn reception(app: &TestApp, title: &str, starts_at: OffsetDateTime) -> Uuid {
    let id = Uuid::now_v7();
    let db = &app.state.db;
    let title = title.to_string();
    let done: AppResult<u64> = async {
        mistok::db_write!(db, |conn| {
            let now = OffsetDateTime::now_utc();
            Ok::<_, AppError>(
                sqlx::query(
                    "INSERT INTO events (id, kind, title, description, community_code, place, \
                     starts_at, ends_at, organizers, capacity, languages, status, \
                     organization_id, created_at, updated_at) VALUES ($1, 'joint_reception', $2, \
                     'Особистий прийом громадян', 'kramatorsk', 'вул. Марата, 1, Краматорськ', \
                     $3, $4, 'Краматорський РУП і Правозахисна платформа', NULL, 'uk', \
                     'scheduled', (SELECT id FROM organizations WHERE code = 'kramatorsk_rup'), \
                     $5, $5)",
                )
                .bind(id)
                .bind(&title)
                .bind(starts_at)
                .bind(starts_at + Duration::hours(4))
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
            )
        })
    }
    .await;
    assert_eq!(done.expect("reception stored"), 1);
    id
}

/// `at` as a `datetime-local` value in the platform's time zone.
pub(crate) fn local(app: &TestApp, at: OffsetDateTime) -> String {
    app.state.local_input_value(at)
}

/// Opens `count` slots of `minutes` from `first` as `staff`; returns the response.
pub(crate) async fn open_slots(
    app: &TestApp,
    staff: &reqwest::Client,
    id: Uuid,
    first: &str,
    minutes: &str,
    count: &str,
    official: &str,
) -> reqwest::Response {
    let page = staff
        .get(app.url(&format!("/staff/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    staff
        .post(app.url(&format!("/staff/receptions/{id}/slots")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("starts_at", first),
            ("minutes", minutes),
            ("count", count),
            ("official", official),
        ])
        .send()
        .await
        .unwrap()
}

/// The slots offered on the public page, as radio values in order.
pub(crate) fn offered(html: &str) -> Vec<String> {
    html.split("name=\"slot\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

pub(crate) struct Form {
    csrf: String,
    form_token: String,
}

pub(crate) async fn booking_form(
    app: &TestApp,
    browser: &reqwest::Client,
    id: Uuid,
) -> (String, Form) {
    let html = browser
        .get(app.url(&format!("/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = Form {
        csrf: hidden(&html, "csrf"),
        form_token: hidden(&html, "form_token"),
    };
    (html, form)
}

pub(crate) async fn book(
    app: &TestApp,
    browser: &reqwest::Client,
    id: Uuid,
    form: &Form,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut all = vec![
        ("csrf", form.csrf.as_str()),
        ("form_token", form.form_token.as_str()),
    ];
    all.extend_from_slice(fields);
    let response = browser
        .post(app.url(&format!("/receptions/{id}")))
        .form(&all)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn cancel_link(html: &str) -> String {
    let start = html.find("/bookings/").expect("cancellation link");
    html[start..]
        .split(['"', '<'])
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn booked_count(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM reception_bookings WHERE status = 'booked'";
    match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_scalar(sql).fetch_one(&db.read).await.unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Every stored byte of the bookings and the outbox, to prove no plain address or topic is kept.
async fn stored_text(app: &TestApp) -> String {
    let bookings = "SELECT name_sealed, email_sealed, topic_sealed FROM reception_bookings";
    let mails = "SELECT recipient, body FROM notifications";
    type SealedBooking = (Vec<u8>, Vec<u8>, Vec<u8>);
    let (sealed, queued): (Vec<SealedBooking>, Vec<(String, String)>) = match &app.state.db {
        mistok::db::Db::Sqlite(db) => (
            sqlx::query_as(bookings).fetch_all(&db.read).await.unwrap(),
            sqlx::query_as(mails).fetch_all(&db.read).await.unwrap(),
        ),
        mistok::db::Db::Postgres(pool) => (
            sqlx::query_as(bookings).fetch_all(pool).await.unwrap(),
            sqlx::query_as(mails).fetch_all(pool).await.unwrap(),
        ),
    };
    let mut all = String::new();
    for (a, b, c) in sealed {
        for bytes in [a, b, c] {
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for (recipient, body) in queued {
        all.push_str(&recipient);
        all.push_str(&body);
    }
    all
}

async fn residents_book_and_cancel_a_reception_slot(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let day = OffsetDateTime::now_utc() + Duration::days(3);
    let id = reception(&app, "Прийом керівника Краматорського РУП", day).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;

    // Bad series: every field named, values kept.
    let bad = open_slots(&app, &coordinator, id, "", "x", "0", "").await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    for message in [
        "Вкажіть дату й час початку.",
        "Тривалість — від 5 до 240 хвилин.",
        "Кількість — від 1 до 100.",
        "Вкажіть, хто приймає.",
    ] {
        assert!(html.contains(message), "{message}");
    }
    let past = local(&app, OffsetDateTime::now_utc() - Duration::hours(1));
    let bad = open_slots(&app, &coordinator, id, &past, "20", "3", "Начальник").await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Час має бути в майбутньому.")
    );

    let first = local(&app, day);
    let opened = open_slots(&app, &coordinator, id, &first, "20", "3", "Начальник РУП").await;
    assert_eq!(opened.status(), 303, "back to the reception");
    // The same times again overlap.
    let again = open_slots(&app, &coordinator, id, &first, "20", "1", "Заступник").await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("перетинається"));

    let public = app.browser();
    let list = public
        .get(app.url("/receptions"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Прийом керівника Краматорського РУП"));
    assert!(list.contains("Вільних записів: 3"));

    let (html, form) = booking_form(&app, &public, id).await;
    let slots = offered(&html);
    assert_eq!(slots.len(), 3);

    // Missing fields: each named, what was typed kept.
    let (status, html) = book(&app, &public, id, &form, &[("name", "Олена")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Оберіть час зі списку."));
    assert!(html.contains("Вкажіть адресу електронної пошти"));
    assert!(html.contains("Коротко опишіть питання."));
    assert!(html.contains("value=\"Олена\""));

    let fields = [
        ("slot", slots[0].as_str()),
        ("name", "Олена Коваль"),
        ("email", "olena.koval@example.org"),
        ("topic", "Затримання сина без пояснення причин"),
    ];
    let (status, html) = book(&app, &public, id, &form, &fields).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Вас записано."));
    let link = cancel_link(&html);
    // A retried submission (same form) is the same booking, not a second one.
    let (status, retried) = book(&app, &public, id, &form, &fields).await;
    assert_eq!(status, 200);
    assert!(retried.contains("Вас записано."));
    assert_eq!(booked_count(&app).await, 1);

    // Someone else cannot take the same time.
    let other = app.browser();
    let (_, other_form) = booking_form(&app, &other, id).await;
    let (status, html) = book(
        &app,
        &other,
        id,
        &other_form,
        &[
            ("slot", slots[0].as_str()),
            ("name", "Петро"),
            ("email", "petro@example.org"),
            ("topic", "Шум уночі"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Цей час більше недоступний") || html.contains("щойно зайняв"));
    assert_eq!(
        offered(&html).len(),
        2,
        "the booked time is no longer offered"
    );

    // Nothing identifying is stored in clear: not in the bookings, not in the outbox.
    let stored = stored_text(&app).await;
    for secret in ["olena.koval@example.org", "Олена Коваль", "Затримання сина"]
    {
        assert!(!stored.contains(secret), "{secret} stored in clear");
    }

    // The confirmation leaves by e-mail with the same link.
    let report = mistok::jobs::run_once(&app.state).await.expect("jobs");
    assert_eq!(report.sent, 1);
    let mails = outbox(&app);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "olena.koval@example.org");
    assert!(mails[0].subject.contains("Ви записані на прийом"));
    assert!(mails[0].body.contains(&link), "{}", mails[0].body);
    assert!(mails[0].body.contains("Начальник РУП"));
    // Once sent, the sealed address is erased from the outbox.
    let sealed_left = {
        let sql = "SELECT COUNT(*) FROM notifications WHERE recipient_sealed IS NOT NULL";
        match &app.state.db {
            mistok::db::Db::Sqlite(db) => sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db.read)
                .await
                .unwrap(),
            mistok::db::Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    };
    assert_eq!(sealed_left, 0);

    // The coordinator and the holding organization's officer see who comes and why; another
    // organization's officer does not.
    let staff_page = coordinator
        .get(app.url(&format!("/staff/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("Олена Коваль"));
    assert!(staff_page.contains("olena.koval@example.org"));
    assert!(staff_page.contains("Затримання сина без пояснення причин"));
    let holder = signed_in(&app, "head@example.org", "officer", "kramatorsk_rup").await;
    let page = holder
        .get(app.url(&format!("/staff/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Олена Коваль"));
    let stranger = signed_in(&app, "other@example.org", "officer", "sloviansk_police").await;
    let response = stranger
        .get(app.url(&format!("/staff/receptions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(!page.contains("Олена Коваль"));
    assert!(!page.contains("olena.koval@example.org"));
    let refused = open_slots(&app, &stranger, id, &first, "20", "1", "Хтось").await;
    assert_eq!(refused.status(), 403);

    // The link shows the booking; only a POST cancels it, which frees the time.
    let shown = public.get(app.url(&link)).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    let shown = shown.text().await.unwrap();
    assert!(shown.contains("Скасувати мій запис"));
    assert_eq!(booked_count(&app).await, 1, "looking does not cancel");
    let csrf = hidden(&shown, "csrf");
    let cancelled = public
        .post(app.url(&link))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    assert!(cancelled.text().await.unwrap().contains("Запис скасовано."));
    assert_eq!(booked_count(&app).await, 0);
    let (html, _) = booking_form(&app, &other, id).await;
    assert_eq!(offered(&html).len(), 3);
    // A made-up link leads nowhere.
    let wrong = public
        .get(app.url("/bookings/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);

    // A member of staff cancels a booking: the resident is told by e-mail; audited.
    let (_, form) = booking_form(&app, &other, id).await;
    let (status, _) = book(
        &app,
        &other,
        id,
        &form,
        &[
            ("slot", slots[1].as_str()),
            ("name", "Петро"),
            ("email", "petro@example.org"),
            ("topic", "Шум уночі біля бару"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let staff_page = coordinator
        .get(app.url(&format!("/staff/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&staff_page, "csrf");
    let start = staff_page.find("/bookings/").expect("cancel button");
    let action = staff_page[..start]
        .rsplit("action=\"")
        .next()
        .unwrap()
        .to_string()
        + staff_page[start..].split('"').next().unwrap();
    let done = coordinator
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    mistok::jobs::run_once(&app.state).await.expect("jobs");
    let mails = outbox(&app);
    let to_petro: Vec<_> = mails
        .iter()
        .filter(|m| m.to == "petro@example.org")
        .collect();
    assert_eq!(to_petro.len(), 2, "confirmation and cancellation");
    assert!(to_petro.iter().any(|m| m.subject.contains("скасовано")));
    assert!(app.count("audit_events").await >= 2);

    // The reception itself is cancelled: the bookings still held end, their residents told.
    let (_, form) = booking_form(&app, &other, id).await;
    let (status, _) = book(
        &app,
        &other,
        id,
        &form,
        &[
            ("slot", slots[2].as_str()),
            ("name", "Марія"),
            ("email", "maria@example.org"),
            ("topic", "Патрулі біля школи"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(booked_count(&app).await, 1);
    let event_page = coordinator
        .get(app.url(&format!("/staff/events/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cancelled = coordinator
        .post(app.url(&format!("/staff/events/{id}/cancel")))
        .form(&[("csrf", hidden(&event_page, "csrf").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    assert_eq!(booked_count(&app).await, 0);
    mistok::jobs::run_once(&app.state).await.expect("jobs");
    assert!(
        outbox(&app)
            .iter()
            .any(|m| m.to == "maria@example.org" && m.subject.contains("скасовано"))
    );
    let page = app
        .browser()
        .get(app.url(&format!("/receptions/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Цей прийом скасовано."));
    assert!(
        offered(&page).is_empty(),
        "nothing to book at a cancelled reception"
    );
}

async fn a_slot_is_booked_once_when_many_book_at_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let day = OffsetDateTime::now_utc() + Duration::days(2);
    let id = reception(&app, "Прийом у Слов'янську", day).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let opened = open_slots(
        &app,
        &coordinator,
        id,
        &local(&app, day),
        "15",
        "1",
        "Начальник",
    )
    .await;
    assert_eq!(opened.status(), 303);

    const PEOPLE: usize = 20;
    let mut people = Vec::new();
    for _ in 0..PEOPLE {
        let browser = app.browser();
        let (html, form) = booking_form(&app, &browser, id).await;
        let slot = offered(&html).remove(0);
        people.push((browser, form, slot));
    }
    let attempts = people.iter().enumerate().map(|(i, (browser, form, slot))| {
        let app = &app;
        async move {
            let email = format!("resident{i}@example.org");
            let fields = [
                ("slot", slot.as_str()),
                ("name", "Мешканець"),
                ("email", email.as_str()),
                ("topic", "Питання"),
            ];
            book(app, browser, id, form, &fields).await.0
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), PEOPLE - 1);
    assert_eq!(booked_count(&app).await, 1);
    assert_eq!(app.count("reception_bookings").await, 1);
}

async fn reminders_leave_once_a_day_before(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let now = OffsetDateTime::now_utc();
    // One reception in 5 hours (reminded now), one in 3 days (not yet).
    let soon = reception(&app, "Прийом сьогодні", now + Duration::hours(5)).await;
    let later = reception(&app, "Прийом за три дні", now + Duration::days(3)).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    for (id, at) in [
        (soon, now + Duration::hours(5)),
        (later, now + Duration::days(3)),
    ] {
        let opened = open_slots(
            &app,
            &coordinator,
            id,
            &local(&app, at),
            "30",
            "2",
            "Начальник",
        )
        .await;
        assert_eq!(opened.status(), 303);
        let browser = app.browser();
        let (html, form) = booking_form(&app, &browser, id).await;
        let slot = offered(&html).remove(0);
        let email = format!("{id}@example.org");
        let (status, _) = book(
            &app,
            &browser,
            id,
            &form,
            &[
                ("slot", slot.as_str()),
                ("name", "Ірина"),
                ("email", email.as_str()),
                ("topic", "Безпека на зупинці"),
            ],
        )
        .await;
        assert_eq!(status, 200);
    }
    let first = mistok::jobs::run_once(&app.state).await.expect("jobs");
    assert_eq!(first.reminded, 1);
    let second = mistok::jobs::run_once(&app.state)
        .await
        .expect("jobs again");
    assert_eq!(second.reminded, 0, "a reminder leaves once");
    let reminders: Vec<_> = outbox(&app)
        .into_iter()
        .filter(|m| m.subject.starts_with("Нагадування"))
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].to, format!("{soon}@example.org"));
    assert!(
        reminders[0].body.contains("/bookings/"),
        "the reminder carries the link"
    );
    // Its link still cancels.
    let start = reminders[0].body.find("/bookings/").unwrap();
    let link: String = reminders[0].body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect();
    let page = app.browser().get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
}
