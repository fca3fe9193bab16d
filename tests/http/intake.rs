//! Intake end to end: the web form and the JSON API in each language, follow-up by receipt,
//! validation, idempotent retries, attachments, sealing, rate limits.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, receipt_on};

on_both_engines!(
    web_form_in_each_language,
    web_form_errors_keep_values,
    web_form_retry_gives_same_receipt,
    web_form_without_csrf_stores_nothing,
    follow_up_page_add_information,
    api_create_follow_up_and_add,
    api_validation_problems,
    api_idempotent_retry,
    wrong_receipts_are_rate_limited,
    attachments_are_stripped_and_sealed,
    contact_is_sealed_at_rest,
    concurrent_submissions_are_all_kept,
    catalog_in_each_language,
    submissions_per_address_are_limited,
);

/// Past the hourly number of reports from one address, the form comes back with the text kept
/// (429 and `Retry-After`), the API answers a problem; a retry of a stored report still gets its
/// receipt; the hotline is not limited.
async fn submissions_per_address_are_limited(engine: Engine) {
    let app = TestApp::spawn_with(engine, |config| config.intake_per_address_per_hour = 2).await;
    let body = |n: usize| {
        serde_json::json!({
            "kind": "safety", "category": "street_lighting", "community": "lyman",
            "description": format!("The lamp number {n} on the main street has been dark for weeks."),
        })
    };
    for n in 0..2 {
        let created = app
            .api()
            .post(app.url("/api/v1/reports"))
            .header("idempotency-key", format!("limit-test-key-{n}-0123456789"))
            .json(&body(n))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let refused = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&body(3))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );

    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "uk").await;
    let description = "Мене затримали на блокпосту без пояснень і забрали телефон.";
    let response = browser
        .post(app.url("/report/violation?lang=uk"))
        .multipart(report_form(&csrf, &token, description))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let html = response.text().await.unwrap();
    assert!(html.contains("забагато звернень"), "the reason is told");
    assert!(html.contains(description), "the text is kept");
    assert_eq!(
        app.count("reports").await,
        2,
        "nothing stored past the limit"
    );

    // Staff are not limited: the hotline takes calls from the same machine.
    let operator = crate::support::signed_in(&app, "operator@example.org", "operator", "").await;
    let page = operator
        .get(app.url("/staff/hotline"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let done = operator
        .post(app.url("/staff/hotline?lang=en"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("form_token", hidden(&page, "form_token").as_str()),
            ("kind", "safety"),
            ("category", "unexploded_ordnance"),
            ("community", "lyman"),
            (
                "description",
                "Mines found near the playground on Shkilna street.",
            ),
            ("caller_lang", "uk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200, "the operator's report is taken");
    assert_eq!(app.count("reports").await, 3);
}

pub(crate) fn report_form(csrf: &str, token: &str, description: &str) -> Form {
    Form::new()
        .text("csrf", csrf.to_string())
        .text("form_token", token.to_string())
        .text("category", "unlawful_detention")
        .text("community", "kramatorsk")
        .text("place", "блокпост на в'їзді")
        .text("occurred_at", "2026-11-20T18:30")
        .text("description", description.to_string())
        .text("involved_unit", "патрульна поліція")
        .text("involved_badge", "0123456")
        .text("contact", "")
}

/// Opens the violation form and returns (csrf, form token, html).
pub(crate) async fn open_form(
    app: &TestApp,
    browser: &reqwest::Client,
    lang: &str,
) -> (String, String, String) {
    let html = browser
        .get(app.url(&format!("/report/violation?lang={lang}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (hidden(&html, "csrf"), hidden(&html, "form_token"), html)
}

async fn web_form_in_each_language(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    for (lang, title, received) in [
        ("uk", "Звернення прийнято", "Отримано"),
        ("ru", "Обращение принято", "Получено"),
        ("en", "Report received", "Received"),
    ] {
        let browser = app.browser();
        let form_page = browser
            .get(app.url(&format!("/report/violation?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(form_page.status(), 200);
        let html = form_page.text().await.unwrap();
        assert!(html.len() < 30 * 1024, "form page is {} bytes", html.len());
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        let (csrf, token) = (hidden(&html, "csrf"), hidden(&html, "form_token"));
        let response = browser
            .post(app.url(&format!("/report/violation?lang={lang}")))
            .multipart(report_form(
                &csrf,
                &token,
                "Мене затримали без пояснень на блокпосту.",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(page.contains(title), "{lang}: {page}");
        assert!(
            page.contains("DN-2026-") || page.contains("DN-20"),
            "reference shown"
        );
        let receipt = receipt_on(&page);
        assert_eq!(receipt.len(), 24);
        // The receipt opens the follow-up page.
        let opened = browser
            .post(app.url(&format!("/follow?lang={lang}")))
            .form(&[("csrf", csrf.as_str()), ("receipt", receipt.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 303);
        assert_eq!(opened.headers()["location"], "/follow/case");
        let case = browser
            .get(app.url(&format!("/follow/case?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(case.contains(received), "{lang} status shown");
        assert!(!case.contains(&receipt), "the receipt is never shown again");
    }
    assert_eq!(app.count("reports").await, 3);
}

async fn web_form_errors_keep_values(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "en").await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("form_token", token.clone())
        .text("category", "street_lighting")
        .text("community", "atlantis")
        .text("place", "near the market")
        .text("occurred_at", "2999-01-01")
        .text("description", "short")
        .text("lat", "48.7")
        .text("consent_contact", "yes");
    let response = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for message in [
        "This category does not exist for this report type",
        "There is no such community",
        "too short",
        "cannot be in the future",
        "Enter both coordinates",
        "so that we can reach you",
    ] {
        assert!(html.contains(message), "missing error: {message}");
    }
    assert!(html.contains("value=\"near the market\""), "values kept");
    assert!(html.contains(">short</textarea>"));
    assert!(html.contains(&format!("name=\"form_token\" value=\"{token}\"")));
    assert_eq!(app.count("reports").await, 0);

    // The same in Ukrainian, next to each field.
    let (csrf, token, _) = open_form(&app, &browser, "uk").await;
    let html = browser
        .post(app.url("/report/violation?lang=uk"))
        .multipart(Form::new().text("csrf", csrf).text("form_token", token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Оберіть категорію."));
    assert!(html.contains("Оберіть громаду."));
    assert!(html.contains("Опишіть, що сталося."));
    assert!(html.contains("class=\"field-error\""));
}

async fn web_form_retry_gives_same_receipt(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "uk").await;
    let mut receipts = Vec::new();
    for _ in 0..3 {
        let page = browser
            .post(app.url("/report/violation"))
            .multipart(report_form(
                &csrf,
                &token,
                "Повторне надсилання тієї самої форми.",
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        receipts.push(receipt_on(&page));
    }
    assert_eq!(receipts[0], receipts[1]);
    assert_eq!(receipts[1], receipts[2]);
    assert_eq!(app.count("reports").await, 1);
}

async fn web_form_without_csrf_stores_nothing(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (_, token, _) = open_form(&app, &browser, "en").await;
    let response = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(report_form(
            "forged",
            &token,
            "A forged cross-site submission.",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("This page was open for too long"));
    assert!(
        html.contains("A forged cross-site submission."),
        "text kept"
    );
    assert_eq!(app.count("reports").await, 0);
    // A client without the cookie at all (another site's form) fares no better.
    let stranger = app.browser();
    stranger
        .post(app.url("/report/violation"))
        .multipart(report_form(
            &hidden(&html, "csrf"),
            &token,
            "Without the cookie.",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(app.count("reports").await, 0);
}

async fn follow_up_page_add_information(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "en").await;
    let page = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(report_form(
            &csrf,
            &token,
            "Detained at the checkpoint without reason.",
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let receipt = receipt_on(&page);
    browser
        .post(app.url("/follow"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("receipt", receipt.replace('-', " ").as_str()),
        ])
        .send()
        .await
        .unwrap();
    let case = browser
        .get(app.url("/follow/case?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&case, "csrf");
    // Empty addition: a clear error, nothing stored.
    let empty = browser
        .post(app.url("/follow/case?lang=en"))
        .multipart(Form::new().text("csrf", csrf.clone()).text("body", "  "))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("Write a message or attach a file")
    );
    let form_token = hidden(&case, "form_token");
    let mut html = String::new();
    for _ in 0..2 {
        let added = browser
            .post(app.url("/follow/case?lang=en"))
            .multipart(
                Form::new()
                    .text("csrf", csrf.clone())
                    .text("form_token", form_token.clone())
                    .text("body", "The officers' car had plate AA 1234 XX."),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 200);
        html = added.text().await.unwrap();
    }
    assert_eq!(
        html.matches("AA 1234 XX").count(),
        1,
        "a resent form adds once"
    );
    assert!(html.contains("Your message"));
    // Leaving ends access from this browser.
    browser
        .post(app.url("/follow/leave"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let after = browser.get(app.url("/follow/case")).send().await.unwrap();
    assert_eq!(after.status(), 303);
    // Without a receipt, the case page is out of reach.
    let stranger = app
        .browser()
        .get(app.url("/follow/case"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 303);
}

fn valid_report() -> Value {
    json!({
        "kind": "safety",
        "category": "street_lighting",
        "community": "sloviansk",
        "description": "No street lights on the road to school No. 3 for two weeks.",
        "occurred_at": "2026-11-01T19:00:00+02:00",
        "place": "Road to school No. 3",
        "location": {"lat": 48.85, "lon": 37.6},
        "involved": {"unit": null, "badge": null},
        "contact": "telegram @example_reporter",
        "consent_contact": true,
        "consent_publish": true
    })
}

async fn api_create_follow_up_and_add(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    let response = api
        .post(app.url("/api/v1/reports"))
        .json(&valid_report())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let receipt = created["receipt"].as_str().unwrap().to_string();
    assert!(created["reference"].as_str().unwrap().starts_with("DN-"));
    assert_eq!(created["status"], "received");

    // Follow up with the receipt in the body…
    let view = follow_up(&app, json!({"receipt": receipt}), None).await;
    assert_eq!(view["reference"], created["reference"]);
    assert_eq!(view["status"], "received");
    assert_eq!(view["timeline"][0]["kind"], "status", "{view}");
    // …add information with the receipt in a header (twice: a retry with the same key)…
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..2 {
        let added = api
            .post(app.url("/api/v1/reports/follow-up/messages"))
            .header("x-mistok-receipt", &receipt)
            .header("idempotency-key", &key)
            .json(&json!({"body": "The light is still off today."}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 201);
    }
    // …and see it in the timeline.
    let view = follow_up(&app, json!({}), Some(&receipt)).await;
    let timeline = view["timeline"].as_array().unwrap();
    let added: Vec<_> = timeline
        .iter()
        .filter(|e| {
            e["kind"] == "message"
                && e["from_reporter"] == true
                && e["body"] == "The light is still off today."
        })
        .collect();
    assert_eq!(added.len(), 1, "the retry added nothing: {timeline:?}");
    // Files are added through multipart with the receipt as a part.
    let form = Form::new().text("receipt", receipt.clone()).part(
        "attachments",
        Part::bytes(jpeg_with_exif()).file_name("a.jpg"),
    );
    let uploaded = api
        .post(app.url("/api/v1/reports/follow-up/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let view = follow_up(&app, json!({"receipt": receipt}), None).await;
    assert_eq!(view["attachments"][0]["media_type"], "image/jpeg");
}

/// The follow-up view through the API, with the receipt in the body or in the header.
async fn follow_up(app: &TestApp, body: Value, receipt_header: Option<&str>) -> Value {
    let mut request = app
        .api()
        .post(app.url("/api/v1/reports/follow-up"))
        .json(&body);
    if let Some(receipt) = receipt_header {
        request = request.header("x-mistok-receipt", receipt);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    (status, response.json().await.unwrap())
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn api_validation_problems(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    let url = app.url("/api/v1/reports");

    let (status, p) = problem(api.post(&url).json(&json!({})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(p["type"], "/problems/validation");
    assert_eq!(fields(&p), ["kind", "category", "community", "description"]);

    let (_, p) = problem(
        api.post(&url)
            .header("accept-language", "uk")
            .json(&json!({"kind": "violation", "category": "unlawful_detention", "community": "kramatorsk",
                          "description": "Достатньо довгий опис.", "location": {"lat": 120.0, "lon": 37.0}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(fields(&p), ["location"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("координати")
    );

    let (status, p) = problem(
        api.post(&url)
            .json(&json!({"kind": "safety", "location": {"lat": "north", "lon": 1}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p), ["location.lat"]);

    let (status, _) = problem(
        api.post(&url)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);

    let (status, _) = problem(
        api.post(&url)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 415);

    let huge = json!({"kind": "other", "description": "x".repeat(200_000)});
    let (status, _) = problem(api.post(&url).json(&huge).send().await.unwrap()).await;
    assert_eq!(status, 413);

    // A new connection: the server may close the one whose body it refused before reading it.
    let api = app.api();
    let (status, p) = problem(
        api.post(&url)
            .header("idempotency-key", "short")
            .json(&valid_report())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p), ["Idempotency-Key"]);
    assert_eq!(app.count("reports").await, 0);
}

async fn api_idempotent_retry(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    let key = uuid::Uuid::new_v4().to_string();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let response = api
            .post(app.url("/api/v1/reports"))
            .header("idempotency-key", &key)
            .json(&valid_report())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        answers.push((body["reference"].clone(), body["receipt"].clone()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    assert_eq!(app.count("reports").await, 1);
    // The same key with other content is refused, not silently answered.
    let mut other = valid_report();
    other["description"] = json!("Completely different content for the same key.");
    let (status, p) = problem(
        api.post(app.url("/api/v1/reports"))
            .header("idempotency-key", &key)
            .json(&other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(p["type"], "/problems/idempotency-key-reused");
    assert_eq!(app.count("reports").await, 1);
    // Concurrent retries of one new key still make one report. Racing copies collide on the
    // receipt as well as on the key (PostgreSQL once answered one of them with a 500), so the
    // race is run several times.
    const ROUNDS: i64 = 6;
    for _ in 0..ROUNDS {
        let key = uuid::Uuid::new_v4().to_string();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (api, url, key) = (api.clone(), app.url("/api/v1/reports"), key.clone());
                tokio::spawn(async move {
                    let r = api
                        .post(url)
                        .header("idempotency-key", key)
                        .json(&valid_report())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    r.json::<Value>().await.unwrap()["receipt"].clone()
                })
            })
            .collect();
        let mut receipts = Vec::new();
        for t in tasks {
            receipts.push(t.await.unwrap());
        }
        assert!(receipts.windows(2).all(|w| w[0] == w[1]));
    }
    assert_eq!(app.count("reports").await, 1 + ROUNDS);
}

async fn wrong_receipts_are_rate_limited(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    for i in 0..10 {
        let (status, _) = problem(
            api.post(app.url("/api/v1/reports/follow-up"))
                .json(&json!({"receipt": format!("0000-0000-0000-0000-{i:04}")}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 404);
    }
    let response = api
        .post(app.url("/api/v1/reports/follow-up"))
        .json(&json!({"receipt": "0000-0000-0000-0000-9999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    // The web page says so too, in the person's language.
    let browser = app.browser();
    let html = browser
        .get(app.url("/follow?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = browser
        .post(app.url("/follow?lang=en"))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("receipt", "1111-1111-1111-1111-1111"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.text().await.unwrap().contains("Too many attempts"));
}

/// A small JPEG taken in portrait (EXIF orientation 6) whose EXIF block also holds a GPS
/// position and a camera owner's name.
pub(crate) fn jpeg_with_exif() -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x02".to_vec();
    exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    exif.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0x26, 0, 0, 0, 0]);
    exif.extend_from_slice(b"GPS 48.7389N 37.5844E OWNER Ivan Secretenko");
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
    jpeg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&exif);
    jpeg.extend_from_slice(&[0xFF, 0xFE, 0, 14]);
    jpeg.extend_from_slice(b"Ivan's phone");
    // Quantisation table, frame header, Huffman table, scan, data, end.
    jpeg.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
    jpeg.extend_from_slice(&[1u8; 64]);
    jpeg.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    jpeg.extend_from_slice(&[
        0xFF, 0xC4, 0, 20, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    jpeg.extend_from_slice(&[0x00, 0x12, 0x34]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, read whole.
fn all_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

async fn attachments_are_stripped_and_sealed(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "en").await;
    let photo = jpeg_with_exif();
    let form = report_form(&csrf, &token, "Photo of the damaged door after the search.")
        .part(
            "attachments",
            Part::bytes(photo.clone()).file_name("IMG_0001.jpg"),
        )
        .part(
            "attachments",
            Part::bytes(b"MZ\x90\0 this is not a photo".to_vec()).file_name("photo.jpg"),
        );
    let rejected = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 422);
    assert!(
        rejected
            .text()
            .await
            .unwrap()
            .contains("This file type is not accepted")
    );
    assert_eq!(app.count("reports").await, 0);

    let form = report_form(&csrf, &token, "Photo of the damaged door after the search.").part(
        "attachments",
        Part::bytes(photo.clone()).file_name("IMG_0001.jpg"),
    );
    let page = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let receipt = receipt_on(&page);
    assert_eq!(app.count("attachments").await, 1);
    browser
        .post(app.url("/follow"))
        .form(&[("csrf", csrf.as_str()), ("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap();
    let case = browser
        .get(app.url("/follow/case"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = case
        .find("/follow/attachments/")
        .expect("attachment listed");
    let end = case[start..].find('"').unwrap() + start;
    let served = browser
        .get(app.url(&case[start..end]))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let bytes = served.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]));
    // Of the EXIF block only the orientation is left, so the photo stands upright.
    let orientation_only =
        b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    let exif_at = bytes.windows(6).position(|w| w == b"Exif\0\0");
    assert_eq!(
        exif_at.map(|at| &bytes[at..at + orientation_only.len()]),
        Some(&orientation_only[..]),
        "EXIF stripped from the served copy"
    );
    assert_eq!(bytes.windows(4).filter(|w| w == b"Exif").count(), 1);
    assert!(!contains(&bytes, b"Secretenko") && !contains(&bytes, b"48.7389"));
    assert!(!contains(&bytes, b"Ivan's phone"), "comment stripped");
    // At rest, neither the original nor the copy is readable, nor the file name.
    for (path, content) in all_files(&app.data_dir.path().join("blobs")) {
        assert!(
            !contains(&content, b"Secretenko"),
            "{path:?} holds plaintext"
        );
        assert!(!contains(&content, b"JFIF"), "{path:?} holds plaintext");
    }
    // The sealed original is kept whole, as evidence.
    let (report_id, attachment_id) = ids_of_first_attachment(&app).await;
    let original = mistok::attachments::service::original(&app.state, report_id, attachment_id)
        .await
        .unwrap();
    assert_eq!(original, photo);
    // Another browser cannot fetch it.
    let stranger = app
        .browser()
        .get(app.url(&case[start..end]))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
}

async fn ids_of_first_attachment(app: &TestApp) -> (uuid::Uuid, uuid::Uuid) {
    let sql = "SELECT report_id, id FROM attachments";
    match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_as(sql).fetch_one(&db.read).await.unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn contact_is_sealed_at_rest(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let secret_contact = "+380 50 777 12 34 Oksana-Sealed";
    let mut report = valid_report();
    report["contact"] = json!(secret_contact);
    report["witnesses"] = json!("Witness Petro Witnessenko");
    let response = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    match &app.state.db {
        mistok::db::Db::Sqlite(_) => {
            // Every byte the database keeps on disk: the main file and its write-ahead log.
            for (path, bytes) in all_files(app.data_dir.path()) {
                assert!(
                    !contains(&bytes, b"Oksana-Sealed"),
                    "{path:?} holds the contact"
                );
                assert!(
                    !contains(&bytes, b"Witnessenko"),
                    "{path:?} holds a witness"
                );
            }
        }
        mistok::db::Db::Postgres(pool) => {
            let rows: Vec<String> =
                sqlx::query_scalar("SELECT row_to_json(r)::text FROM reports r")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            assert_eq!(rows.len(), 1);
            assert!(!rows[0].contains("Oksana-Sealed") && !rows[0].contains("Witnessenko"));
        }
    }
    // The sealed value opens with the key, so staff who need it can read it.
    let sealed: Vec<u8> = match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_scalar("SELECT contact_sealed FROM reports")
            .fetch_one(&db.read)
            .await
            .unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_scalar("SELECT contact_sealed FROM reports")
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    let opened = app
        .state
        .keys
        .open_string(mistok::intake::service::SEAL_CONTACT, &sealed)
        .unwrap();
    assert_eq!(opened, secret_contact);
}

async fn concurrent_submissions_are_all_kept(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (api, url) = (api.clone(), app.url("/api/v1/reports"));
            tokio::spawn(async move {
                let mut report = valid_report();
                report["description"] =
                    json!(format!("Concurrent report number {i} about lights."));
                let r = api.post(url).json(&report).send().await.unwrap();
                assert_eq!(r.status(), 201);
                r.json::<Value>().await.unwrap()["reference"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    let mut references = std::collections::HashSet::new();
    for t in tasks {
        assert!(references.insert(t.await.unwrap()), "references are unique");
    }
    assert_eq!(app.count("reports").await, 100);
}

async fn catalog_in_each_language(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    for (lang, kramatorsk) in [
        ("uk", "Краматорськ"),
        ("ru", "Краматорск"),
        ("en", "Kramatorsk"),
    ] {
        let communities: Value = api
            .get(app.url(&format!("/api/v1/communities?lang={lang}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let k = communities
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "kramatorsk")
            .unwrap();
        assert!(
            k["name"].as_str().unwrap().contains(kramatorsk),
            "{lang}: {k}"
        );
        let categories: Value = api
            .get(app.url("/api/v1/categories"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(categories.as_array().unwrap().len() > 10);
        assert!(
            categories
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["kind"].is_string())
        );
    }
}
