//! End-to-end tests of priorities (see src/priorities): a resident's proposal waits for a
//! coordinator, who publishes or rejects it; residents support it once each through a link sent
//! by e-mail; a round table adopts, merges or declines it with a public reason.

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(
    proposals_are_moderated_before_they_are_public,
    supports_are_confirmed_once_per_address,
    round_table_decisions_are_public_with_their_reason,
);

pub async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub async fn post(
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

/// A resident proposes through the form; returns the form's fields as sent.
async fn propose(app: &TestApp, resident: &reqwest::Client, community: &str, title: &str) {
    let (status, form) = get(resident, app.url("/priorities/new?lang=en")).await;
    assert_eq!(status, 200);
    let (csrf, token) = (hidden(&form, "csrf"), hidden(&form, "form_token"));
    let fields = [
        ("csrf", csrf.as_str()),
        ("form_token", token.as_str()),
        ("community", community),
        ("title", title),
        ("description", "Ввечері темно, діти йдуть з гуртків."),
    ];
    let (status, location, _) = post(resident, app.url("/priorities?lang=en"), &fields).await;
    assert_eq!((status, location.as_str()), (303, "/priorities/thanks"));
    // A retried submission (the same form) is stored once.
    let (status, _, _) = post(resident, app.url("/priorities?lang=en"), &fields).await;
    assert_eq!(status, 303);
}

/// The id of the priority titled `title` on a staff page.
fn id_of(html: &str, title: &str) -> String {
    let end = html.find(&format!("\">{title}<")).expect("priority listed");
    let start = html[..end].rfind("/staff/priorities/").unwrap() + "/staff/priorities/".len();
    html[start..end].to_string()
}

async fn coordinator(app: &TestApp) -> reqwest::Client {
    signed_in(app, "coordinator@example.org", "coordinator", "").await
}

/// Proposes and publishes a priority; returns its id.
pub async fn published(
    app: &TestApp,
    staff: &reqwest::Client,
    community: &str,
    title: &str,
) -> String {
    propose(app, &app.browser(), community, title).await;
    let (_, list) = get(staff, app.url("/staff/priorities?lang=en")).await;
    let id = id_of(&list, title);
    let (status, _, _) = post(
        staff,
        app.url(&format!("/staff/priorities/{id}/moderate")),
        &[("csrf", &hidden(&list, "csrf")), ("action", "publish")],
    )
    .await;
    assert_eq!(status, 303);
    id
}

async fn proposals_are_moderated_before_they_are_public(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let resident = app.browser();
    // Bad input: field errors, values kept.
    let (_, form) = get(&resident, app.url("/priorities/new?lang=en")).await;
    let (status, _, page) = post(
        &resident,
        app.url("/priorities?lang=en"),
        &[
            ("csrf", &hidden(&form, "csrf")),
            ("form_token", &hidden(&form, "form_token")),
            ("community", "atlantis"),
            ("title", "x"),
            ("description", "kept text"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose your community."));
    assert!(page.contains("Write the priority in at least a few words."));
    assert!(page.contains("kept text"));

    propose(&app, &resident, "lyman", "Освітлення біля школи №3").await;
    propose(&app, &resident, "lyman", "Прізвище сусіда та його телефон").await;
    assert_eq!(app.count("priorities").await, 2, "each form stored once");
    let (_, thanks) = get(&resident, app.url("/priorities/thanks?lang=en")).await;
    assert!(thanks.contains("is not published"));
    // Pending: not public.
    let (_, list) = get(&resident, app.url("/priorities?lang=en")).await;
    assert!(!list.contains("Освітлення біля школи №3"));

    let staff = coordinator(&app).await;
    let (status, queue) = get(&staff, app.url("/staff/priorities?lang=en")).await;
    assert_eq!(status, 200);
    let good = id_of(&queue, "Освітлення біля школи №3");
    let bad = id_of(&queue, "Прізвище сусіда та його телефон");
    let (status, _) = get(&resident, app.url(&format!("/priorities/{good}"))).await;
    assert_eq!(status, 404, "pending is not public");
    let csrf = hidden(&queue, "csrf");
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{good}/moderate")),
        &[("csrf", &csrf), ("action", "publish")],
    )
    .await;
    assert_eq!(status, 303);
    // A rejection needs a reason.
    let (status, _, page) = post(
        &staff,
        app.url(&format!("/staff/priorities/{bad}/moderate?lang=en")),
        &[("csrf", &csrf), ("action", "reject"), ("reason", " ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Give a reason."));
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{bad}/moderate")),
        &[
            ("csrf", &csrf),
            ("action", "reject"),
            ("reason", "Персональні дані"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // Published once only.
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{good}/moderate")),
        &[("csrf", &csrf), ("action", "publish")],
    )
    .await;
    assert_eq!(status, 409);

    let (_, list) = get(&resident, app.url("/priorities?lang=en")).await;
    assert!(list.contains("Освітлення біля школи №3"));
    assert!(!list.contains("сусіда"));
    for filter in ["?status=rejected", "?status=pending", "?community=lyman"] {
        let (_, list) = get(&resident, app.url(&format!("/priorities{filter}"))).await;
        assert!(!list.contains("сусіда"), "{filter}");
    }
    let (_, other) = get(
        &resident,
        app.url("/priorities?community=kramatorsk&lang=en"),
    )
    .await;
    assert!(!other.contains("Освітлення біля школи №3"));
    let (status, _) = get(&resident, app.url(&format!("/priorities/{bad}"))).await;
    assert_eq!(status, 404, "rejected is never public");
    let (status, page) = get(&resident, app.url(&format!("/priorities/{good}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(page.contains("Support this priority"));
    // Officers do not moderate.
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    let (status, _) = get(&officer, app.url("/staff/priorities")).await;
    assert_eq!(status, 403);
    assert!(app.count("audit_events").await >= 2);
}

/// The confirmation links in the outbox's e-mails.
fn links_in_outbox(app: &TestApp) -> Vec<String> {
    let marker = "/priorities/confirm/";
    crate::support::outbox(app)
        .iter()
        .map(|mail| {
            let start = mail.body.find(marker).expect("link in the mail") + marker.len();
            format!("{marker}{}", &mail.body[start..start + 32])
        })
        .collect()
}

async fn supports_are_confirmed_once_per_address(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let staff = coordinator(&app).await;
    let id = published(
        &app,
        &staff,
        "kramatorsk",
        "Перевищення швидкості на вулиці Центральній",
    )
    .await;
    let resident = app.browser();
    let (_, page) = get(&resident, app.url(&format!("/priorities/{id}?lang=en"))).await;
    let csrf = hidden(&page, "csrf");
    // A bad address: a field error.
    let (status, _, page) = post(
        &resident,
        app.url(&format!("/priorities/{id}/support?lang=en")),
        &[("csrf", &csrf), ("email", "not an address")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter a valid e-mail address."));
    let (status, location, _) = post(
        &resident,
        app.url(&format!("/priorities/{id}/support")),
        &[("csrf", &csrf), ("email", "Resident@Example.org ")],
    )
    .await;
    assert_eq!(
        (status, location),
        (303, format!("/priorities/{id}?asked=1"))
    );
    // The same person again: the same answer, no second mail.
    let (status, location2, _) = post(
        &resident,
        app.url(&format!("/priorities/{id}/support")),
        &[("csrf", &csrf), ("email", "resident@example.org")],
    )
    .await;
    assert_eq!(
        (status, location2),
        (303, format!("/priorities/{id}?asked=1"))
    );
    assert_eq!(app.count("priority_supports").await, 1);
    mistok::jobs::run_once(&app.state).await.unwrap();
    let links = links_in_outbox(&app);
    assert_eq!(links.len(), 1, "one mail");
    // The address is not kept once the mail is sent.
    let (_, asked) = get(
        &resident,
        app.url(&format!("/priorities/{id}?asked=1&lang=en")),
    )
    .await;
    assert!(asked.contains("a confirmation link is on its way"));
    assert!(
        asked.contains("<dd>0</dd>"),
        "not counted before confirmation"
    );

    let (status, confirm) = get(&resident, app.url(&format!("{}?lang=en", links[0]))).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Confirm my support"));
    // GET alone counts nothing.
    let (_, page) = get(&resident, app.url(&format!("/priorities/{id}?lang=en"))).await;
    assert!(page.contains("<dd>0</dd>"));
    let (status, _, done) = post(
        &resident,
        app.url(&format!("{}?lang=en", links[0])),
        &[("csrf", &hidden(&confirm, "csrf"))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(done.contains("your support is counted"));
    let (_, page) = get(&resident, app.url(&format!("/priorities/{id}?lang=en"))).await;
    assert!(page.contains("<dd>1</dd>"), "counted once");
    // The link works once.
    let (status, _, again) = post(
        &resident,
        app.url(&format!("{}?lang=en", links[0])),
        &[("csrf", &hidden(&confirm, "csrf"))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(again.contains("already been used"));
    let (_, page) = get(&resident, app.url(&format!("/priorities/{id}?lang=en"))).await;
    assert!(page.contains("<dd>1</dd>"));
    // Supporting again after confirmation: still once, no mail.
    post(
        &resident,
        app.url(&format!("/priorities/{id}/support")),
        &[("csrf", &csrf), ("email", "RESIDENT@example.org")],
    )
    .await;
    mistok::jobs::run_once(&app.state).await.unwrap();
    assert_eq!(links_in_outbox(&app).len(), 1);
    // Another person counts.
    post(
        &resident,
        app.url(&format!("/priorities/{id}/support")),
        &[("csrf", &csrf), ("email", "neighbour@example.org")],
    )
    .await;
    mistok::jobs::run_once(&app.state).await.unwrap();
    let links = links_in_outbox(&app);
    assert_eq!(links.len(), 2);
    for link in &links {
        post(
            &resident,
            app.url(link),
            &[("csrf", &hidden(&confirm, "csrf"))],
        )
        .await;
    }
    let (_, page) = get(&resident, app.url(&format!("/priorities/{id}?lang=en"))).await;
    assert!(page.contains("<dd>2</dd>"));
    // Unknown links say so.
    let (status, _) = get(
        &resident,
        app.url("/priorities/confirm/00000000000000000000000000000000"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get(&resident, app.url("/priorities/confirm/short")).await;
    assert_eq!(status, 404);
    // No address in the store: only hashes; the outbox forgot the sealed one once sent.
    assert_eq!(
        app.count("notifications WHERE recipient_sealed IS NOT NULL")
            .await,
        0
    );
}

async fn round_table_decisions_are_public_with_their_reason(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let staff = coordinator(&app).await;
    let main = published(&app, &staff, "sloviansk", "Освітлення парку Шовковичного").await;
    let twin = published(&app, &staff, "sloviansk", "Ліхтарі в парку").await;
    let other = published(&app, &staff, "druzhkivka", "Патрулі біля вокзалу").await;
    let declined = published(&app, &staff, "sloviansk", "Камери в кожному дворі").await;
    let (_, page) = get(
        &staff,
        app.url(&format!("/staff/priorities/{main}?lang=en")),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    // Without a reason: refused, values kept.
    let (status, _, page) = post(
        &staff,
        app.url(&format!("/staff/priorities/{main}/decide?lang=en")),
        &[("csrf", &csrf), ("decision", "adopt"), ("reason", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Give a reason."));
    let (status, location, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{main}/decide")),
        &[
            ("csrf", &csrf),
            ("decision", "adopt"),
            ("reason", "Міська рада виділила кошти на 20 ліхтарів."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, adopted) = get(&staff, app.url(&format!("{location}&lang=en"))).await;
    assert!(adopted.contains(&format!("/staff/commitments/new?priority={main}")));
    // The commitment form comes prefilled.
    let (status, form) = get(
        &staff,
        app.url(&format!("/staff/commitments/new?priority={main}&lang=en")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"Освітлення парку Шовковичного\""));
    // Merge only into a priority of the same community.
    let (status, _, page) = post(
        &staff,
        app.url(&format!("/staff/priorities/{twin}/decide?lang=en")),
        &[
            ("csrf", &csrf),
            ("decision", "merge"),
            ("merge_into", &other),
            ("reason", "Те саме"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose a priority of the same community"));
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{twin}/decide")),
        &[
            ("csrf", &csrf),
            ("decision", "merge"),
            ("merge_into", &main),
            ("reason", "Те саме, що й освітлення парку."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{declined}/decide")),
        &[
            ("csrf", &csrf),
            ("decision", "decline"),
            ("reason", "Камери у дворах порушують приватність мешканців."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // A decided priority is decided once.
    let (status, _, _) = post(
        &staff,
        app.url(&format!("/staff/priorities/{declined}/decide")),
        &[("csrf", &csrf), ("decision", "adopt"), ("reason", "x")],
    )
    .await;
    assert_eq!(status, 422);

    let public = app.browser();
    let (_, page) = get(&public, app.url(&format!("/priorities/{main}?lang=en"))).await;
    assert!(
        page.contains("Adopted") && page.contains("Міська рада виділила кошти на 20 ліхтарів.")
    );
    assert!(
        !page.contains("Support this priority"),
        "decided ones take no support"
    );
    let (_, form) = get(&public, app.url("/priorities/new")).await;
    let (status, _, refused) = post(
        &public,
        app.url(&format!("/priorities/{main}/support?lang=en")),
        &[
            ("csrf", &hidden(&form, "csrf")),
            ("email", "late@example.org"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused.contains("This priority no longer takes this action."));
    assert_eq!(app.count("priority_supports").await, 0);
    let (_, page) = get(&public, app.url(&format!("/priorities/{twin}?lang=en"))).await;
    assert!(page.contains("Merged into"));
    assert!(page.contains(&format!("href=\"/priorities/{main}\"")));
    let (_, list) = get(&public, app.url("/priorities?status=declined&lang=en")).await;
    assert!(list.contains("Камери в кожному дворі"));
    assert!(list.contains("порушують приватність"));
    assert!(!list.contains("Освітлення парку Шовковичного"));
    let (_, list) = get(&public, app.url("/priorities?lang=en")).await;
    let open = list.find("Патрулі біля вокзалу").unwrap();
    let decided = list.find("Камери в кожному дворі").unwrap();
    assert!(open < decided, "open ones first");
    // For the digest: four proposals, one adopted.
    let now = time::OffsetDateTime::now_utc();
    let counts = mistok::priorities::counts_between(
        &app.state,
        now - time::Duration::days(1),
        now + time::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!((counts.proposed, counts.adopted), (4, 1));
}
