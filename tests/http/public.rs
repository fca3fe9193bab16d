//! The public register: only consented cases, only in the coordinator's redacted words, gone
//! when withdrawn; filters checked field by field.

use serde_json::{Value, json};

use crate::cases::act;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, signed_in};

on_both_engines!(
    register_shows_only_what_was_consented_and_approved,
    open_data_downloads_only_the_register
);

const RAW: &str =
    "Officer Petrenko of the Kramatorsk station hit my son Ivan Koval, phone +380 50 111 22 33.";
const SUMMARY: &str =
    "A young man says a police officer hit him during a document check at a station.";

async fn submit(app: &TestApp, consent_publish: bool, community: &str) -> String {
    let body = json!({
        "kind": "violation", "category": "ill_treatment", "community": community,
        "description": RAW, "consent_publish": consent_publish
    });
    let created: Value = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["reference"].as_str().unwrap().to_string()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn register_shows_only_what_was_consented_and_approved(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let consented = submit(&app, true, "kramatorsk").await;
    let private = submit(&app, false, "kramatorsk").await;
    let elsewhere = submit(&app, true, "lyman").await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let public = app.browser();

    // Consent alone publishes nothing: the register waits for a coordinator's summary.
    let (status, html) = get(&public, app.url("/register?lang=en")).await;
    assert_eq!(status, 200);
    assert!(html.contains("No published cases") && !html.contains(&consented));

    // A summary that is too short comes back with the typed text kept.
    let short = act(
        &app,
        &coordinator,
        &consented,
        "publish",
        &[
            ("title", "Beaten at a station"),
            ("summary", "Too short"),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(short.status(), 422);
    let html = short.text().await.unwrap();
    assert!(html.contains("at least 20 characters") && html.contains(">Too short</textarea>"));

    for reference in [&consented, &elsewhere] {
        let published = act(
            &app,
            &coordinator,
            reference,
            "publish",
            &[
                ("title", "Beaten at a station"),
                ("summary", SUMMARY),
                ("language", "en"),
            ],
        )
        .await;
        assert_eq!(published.status(), 303, "published {reference}");
    }
    // Without consent the coordinator is told why, and nothing is published.
    let refused = act(
        &app,
        &coordinator,
        &private,
        "publish",
        &[
            ("title", "Beaten at a station"),
            ("summary", SUMMARY),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("did not agree to publication")
    );

    let (_, html) = get(&public, app.url("/register?lang=en")).await;
    assert!(html.contains(&consented) && html.contains(&elsewhere));
    assert!(html.contains(SUMMARY));
    assert!(!html.contains(&private));
    assert!(
        !html.contains("Petrenko") && !html.contains("+380"),
        "never the raw report"
    );

    // Public updates reach the feed only for published cases.
    for (reference, text) in [
        (
            &consented,
            "The police station confirmed the check has begun.",
        ),
        (&private, "Update on an unpublished case."),
    ] {
        let r = act(&app, &coordinator, reference, "update", &[("body", text)]).await;
        assert_eq!(r.status(), 303);
    }
    let (_, feed) = get(&public, app.url("/register/updates.atom")).await;
    assert!(feed.contains("The police station confirmed the check has begun."));
    assert!(!feed.contains("Update on an unpublished case.") && !feed.contains(&private));

    // The case's own page: summary, status, history; the raw report and the others nowhere.
    let (status, page) = get(&public, app.url(&format!("/register/{consented}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(page.contains(SUMMARY) && page.contains("Beaten at a station"));
    assert!(!page.contains("Petrenko") && !page.contains("Koval"));
    let (status, _) = get(&public, app.url(&format!("/register/{private}"))).await;
    assert_eq!(status, 404, "a case without consent has no public page");

    // Filters: community, agency (after a referral), month, status.
    let (_, html) = get(&public, app.url("/register?community=lyman&lang=en")).await;
    assert!(html.contains(&elsewhere) && !html.contains(&consented));
    act(
        &app,
        &coordinator,
        &consented,
        "triage",
        &[
            ("category", "ill_treatment"),
            ("community", "kramatorsk"),
            ("urgency", "high"),
        ],
    )
    .await;
    let due = crate::support::days_from_today(10);
    let referred = act(
        &app,
        &coordinator,
        &consented,
        "refer",
        &[
            ("organizations", "prosecutor_donetsk"),
            ("message", "Please check."),
            ("due_date", due.as_str()),
        ],
    )
    .await;
    assert_eq!(referred.status(), 303);
    let (_, html) = get(
        &public,
        app.url("/register?agency=prosecutor_donetsk&lang=en"),
    )
    .await;
    assert!(html.contains(&consented) && !html.contains(&elsewhere));
    let (_, page) = get(&public, app.url(&format!("/register/{consented}?lang=en"))).await;
    assert!(
        page.contains("Donetsk Regional Prosecutor"),
        "the agency is named: {page}"
    );
    let (_, html) = get(&public, app.url("/register?status=referred&lang=en")).await;
    assert!(html.contains(&consented) && !html.contains(&elsewhere));
    let this_month = {
        let today = time::OffsetDateTime::now_utc().date();
        format!("{:04}-{:02}", today.year(), u8::from(today.month()))
    };
    let (_, html) = get(&public, app.url(&format!("/register?month={this_month}"))).await;
    assert!(html.contains(&consented));
    let (_, html) = get(&public, app.url("/register?month=2020-01&lang=en")).await;
    assert!(!html.contains(&consented));
    // Were a publication's report ever without consent (publishing never allows it), the
    // month's page would still leave it out.
    let consent = |value: bool| {
        let reference = consented.clone();
        let (db, state) = (app.state.db.clone(), app.state.clone());
        async move {
            let written: Result<(), mistok::error::AppError> = async {
                mistok::db_write!(&db, |conn| {
                    sqlx::query("UPDATE reports SET consent_publish = $1 WHERE reference = $2")
                        .bind(value)
                        .bind(&reference)
                        .execute(&mut *conn)
                        .await?;
                    Ok::<_, mistok::error::AppError>(())
                })
            }
            .await;
            written.unwrap();
            // Behind the application's back, so its copy of the register's pages too (they
            // are kept for a second, see `public::cache`).
            state.register.forget();
        }
    };
    consent(false).await;
    let (_, html) = get(&public, app.url(&format!("/register?month={this_month}"))).await;
    assert!(!html.contains(&consented), "no consent, not public");
    consent(true).await;

    // Bad filters: each named, in the reader's language; no 500 for anything.
    let (status, html) = get(
        &public,
        app.url("/register?kind=x&month=2026-13&agency=atlantis&page=0&lang=en"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a value from the list") && html.contains("YYYY-MM"));
    assert!(html.contains("There is no such page"));
    let (status, html) = get(&public, app.url("/register?month=травень&lang=uk")).await;
    assert_eq!(status, 422);
    assert!(html.contains("РРРР-ММ"));

    // Withdrawn: gone from the register and its page, and the trail says who did it.
    let withdrawn = act(&app, &coordinator, &consented, "withdraw", &[]).await;
    assert_eq!(withdrawn.status(), 303);
    let (_, html) = get(&public, app.url("/register?lang=en")).await;
    assert!(!html.contains(&consented) && html.contains(&elsewhere));
    let (status, _) = get(&public, app.url(&format!("/register/{consented}"))).await;
    assert_eq!(status, 404);
    let again = act(&app, &coordinator, &consented, "withdraw", &[]).await;
    assert_eq!(again.status(), 422, "withdrawing twice is explained");
    let case = mistok::cases::store::find_by_reference(&app.state.db, &consented)
        .await
        .unwrap()
        .unwrap();
    let trail = mistok::audit::store::history(&app.state.db, "case", &case.id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"case.published"));
    assert!(actions.contains(&"case.publication_withdrawn"));
    assert!(
        trail
            .iter()
            .all(|e| !e.after.clone().unwrap_or_default().contains("young man")),
        "the summary's text stays out of the trail"
    );

    // Operators and officers cannot publish.
    let operator = signed_in(&app, "operator@example.org", "operator", "").await;
    let page = get(&operator, app.url("/staff")).await.1;
    let r = operator
        .post(app.url(&format!("/staff/cases/{elsewhere}/withdraw")))
        .form(&[("csrf", crate::support::hidden(&page, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn open_data_downloads_only_the_register(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let mut published = Vec::new();
    for (i, community) in ["kramatorsk", "lyman", "lyman"].into_iter().enumerate() {
        let reference = submit(&app, true, community).await;
        // A title that a spreadsheet would run as a formula.
        let title = if i == 0 {
            "=HYPERLINK(\"http://evil\")"
        } else {
            "Beaten at a station"
        };
        let r = act(
            &app,
            &coordinator,
            &reference,
            "publish",
            &[("title", title), ("summary", SUMMARY), ("language", "en")],
        )
        .await;
        assert_eq!(r.status(), 303);
        published.push(reference);
    }
    let private = submit(&app, false, "lyman").await;
    // Referred cases: the published one twice (its agencies in referral order, not by code),
    // the private one once (its referral is in the same range of keys and must stay out).
    let due = crate::support::days_from_today(10);
    for (reference, organizations) in [
        (&published[2], &["prosecutor_donetsk", "kramatorsk_rup"][..]),
        (&private, &["ombudsman_donetsk"][..]),
    ] {
        let triage = [
            ("category", "ill_treatment"),
            ("community", "lyman"),
            ("urgency", "high"),
        ];
        act(&app, &coordinator, reference, "triage", &triage).await;
        for organization in organizations {
            let form = [
                ("organizations", *organization),
                ("message", "Please check."),
                ("due_date", due.as_str()),
            ];
            let r = act(&app, &coordinator, reference, "refer", &form).await;
            assert_eq!(r.status(), 303, "{reference} referred to {organization}");
        }
    }
    let public = app.browser();

    let csv_text = get(&public, app.url("/register.csv?lang=en")).await.1;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, mistok::public::export::FIELDS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let references: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        references,
        published.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        &rows[0][1], "'=HYPERLINK(\"http://evil\")",
        "formula defused"
    );
    assert_eq!(&rows[1][8], "Lyman");
    assert_eq!(&rows[1][2], SUMMARY);
    assert!(!csv_text.contains(&private) && !csv_text.contains("Petrenko"));
    let agencies = header.iter().position(|h| h == "agencies").unwrap();
    let referred: Vec<&str> = rows.iter().map(|r| &r[agencies]).collect();
    assert_eq!(referred, ["", "", "prosecutor_donetsk;kramatorsk_rup"]);
    assert!(!csv_text.contains("ombudsman_donetsk"));

    let (status, json_text) = get(&public, app.url("/register.json?community=lyman&lang=uk")).await;
    assert_eq!(status, 200);
    let list: Vec<Value> = serde_json::from_str(&json_text).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["community_name"], "Лиман");
    assert_eq!(list[0]["agencies"], json!([]));
    assert_eq!(
        list[1]["agencies"],
        json!(["prosecutor_donetsk", "kramatorsk_rup"])
    );
    assert_eq!(list[0]["outcome"], Value::Null);
    let (_, empty) = get(&public, app.url("/register.json?month=2020-01")).await;
    assert_eq!(serde_json::from_str::<Vec<Value>>(&empty).unwrap().len(), 0);

    // Bad filters: problem details naming the field.
    let r = public
        .get(app.url("/register.csv?month=May&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "month");

    // The stream walks chunk by chunk: a chunk of one row gives the same document.
    let catalog = app.state.catalog.get(&app.state.db).await.unwrap();
    for format in [
        mistok::public::export::Format::Csv,
        mistok::public::export::Format::Json,
    ] {
        let whole = collect(&app, catalog.clone(), format, 5_000).await;
        let small = collect(&app, catalog.clone(), format, 1).await;
        assert_eq!(whole, small, "{format:?}");
    }
}

async fn collect(
    app: &TestApp,
    catalog: std::sync::Arc<mistok::catalog::CatalogData>,
    format: mistok::public::export::Format,
    chunk: i64,
) -> String {
    use futures_util::StreamExt;
    let stream = mistok::public::export::stream(
        app.state.clone(),
        catalog,
        Default::default(),
        mistok::i18n::Lang::En,
        format,
        chunk,
    );
    let parts: Vec<_> = stream.collect().await;
    let bytes: Vec<u8> = parts
        .into_iter()
        .flat_map(|p| p.unwrap().to_vec())
        .collect();
    String::from_utf8(bytes).unwrap()
}
