//! The monthly digest: the month's figures (suppressed like the statistics), the cases the
//! register published and nothing unpublished, as a page and as a PDF that reads back.

use serde_json::{Value, json};

use crate::cases::act;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, signed_in};

on_both_engines!(
    digest_of_the_month_as_page_and_pdf,
    the_digest_tells_of_meetings_and_commitments,
);

/// The text of a PDF, as a viewer extracts it (pdftotext from poppler-utils; `.ci/run`
/// installs it).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("digest.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

async fn digest_of_the_month_as_page_and_pdf(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let mut references = Vec::new();
    for i in 0..7 {
        let body = json!({
            "kind": "safety", "category": "street_lighting", "community": "kramatorsk",
            "description": format!("No street lights on our street, report {i}: Secret Surname."),
            "consent_publish": i < 2
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
        references.push(created["reference"].as_str().unwrap().to_string());
    }
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let published = act(
        &app,
        &coordinator,
        &references[0],
        "publish",
        &[
            ("title", "Dark street near the school"),
            (
                "summary",
                "Residents report that street lights have been off for weeks.",
            ),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(published.status(), 303);

    let today = time::OffsetDateTime::now_utc().date();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let public = app.browser();
    let page = public
        .get(app.url(&format!("/digest/{month}?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("received 7 cases"), "{html}");
    assert!(html.contains(&references[0]) && html.contains("Dark street near the school"));
    // Consented but not published, and not consented: not in the digest.
    assert!(!html.contains(&references[1]) && !html.contains(&references[2]));
    assert!(!html.contains("Secret Surname"));
    assert!(html.contains(&format!("/digest/{month}.pdf")));

    let pdf = public
        .get(app.url(&format!("/digest/{month}.pdf?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    assert!(text.contains("My community — my police"), "{text}");
    assert!(text.contains("received 7 cases"), "{text}");
    assert!(text.contains(&references[0]) && !text.contains(&references[1]));
    assert!(!text.contains("Secret Surname"));

    // In Ukrainian, from the command line, the same month.
    let out = app.data_dir.path().join("digest-uk.pdf");
    let output = crate::audit::mistok(
        &app,
        &[
            "digest",
            "--month",
            &month,
            "--lang",
            "uk",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = pdf_text(&std::fs::read(&out).unwrap());
    assert!(
        text.contains("Моя громада — моя поліція") && text.contains("7 звернень"),
        "{text}"
    );

    // A month that has not begun, or is not a month, has no digest.
    for bad in ["2999-01", "October", "2026-13"] {
        let r = public
            .get(app.url(&format!("/digest/{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
    let index = public.get(app.url("/digest?lang=en")).send().await.unwrap();
    assert!(
        index
            .text()
            .await
            .unwrap()
            .contains(&format!("/digest/{month}"))
    );
}

/// A meeting held this month and a commitment updated this month, as the events' and the
/// commitments' pages store them.
async fn dialogue_of_this_month(app: &TestApp) {
    let db = &app.state.db;
    let done: Result<(), mistok::error::AppError> = async {
        mistok::db_write!(db, |conn| {
            let now = time::OffsetDateTime::now_utc();
            sqlx::query(
                "INSERT INTO events (id, kind, title, description, community_code, place, \
                 starts_at, ends_at, organizers, capacity, languages, status, attendance, minutes, \
                 created_at, updated_at) VALUES ($1, 'round_table', 'Round table on school safety', \
                 '', 'sloviansk', 'Library', $2, $3, 'Platform', NULL, 'uk', 'scheduled', 23, \
                 'Lighting near school No. 3 agreed.', $3, $3)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(now - time::Duration::minutes(1))
            .bind(now)
            .execute(&mut *conn)
            .await?;
            let commitment = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO commitments (id, title, description, community_code, \
                 organization_id, due_on, progress, status, last_update_at, created_at, \
                 updated_at) VALUES ($1, 'Street lights near school No. 3', '', 'sloviansk', \
                 (SELECT id FROM organizations WHERE code = 'sloviansk_city_council'), $2, 40, \
                 'in_progress', $3, $3, $3)",
            )
            .bind(commitment)
            .bind(now.date() + time::Duration::days(60))
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO commitment_updates (id, commitment_id, on_date, text, progress, \
                 status, created_at) VALUES ($1, $2, $3, 'Poles ordered.', 40, 'in_progress', $4)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(commitment)
            .bind(now.date())
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok::<_, mistok::error::AppError>(())
        })
    }
    .await;
    done.expect("dialogue stored");
}

async fn the_digest_tells_of_meetings_and_commitments(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    dialogue_of_this_month(&app).await;
    let today = time::OffsetDateTime::now_utc().date();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let html = app
        .browser()
        .get(app.url(&format!("/digest/{month}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Meetings of police and residents"), "{html}");
    assert!(html.contains("Meetings held this month: 1; people who came: 23"));
    assert!(html.contains("Round table on school safety"));
    assert!(html.contains("Commitments and community priorities"));
    assert!(html.contains("commitments: 1; done: 0, in progress: 1"));
    assert!(html.contains("Street lights near school No. 3"));
    assert!(html.contains("40% · In progress"), "{html}");
    let pdf = app
        .browser()
        .get(app.url(&format!("/digest/{month}.pdf?lang=uk")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = pdf_text(&pdf);
    // The statistics page counts them too.
    let stats = app
        .browser()
        .get(app.url("/statistics?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(stats.contains("Dialogue: meetings and commitments"));
    assert!(
        stats.contains("<dt>People at the meetings</dt><dd>23</dd>"),
        "{stats}"
    );
    assert!(stats.contains("<dt>Commitments in all</dt><dd>1</dd>"));
    assert!(text.contains("Зустрічі поліції та мешканців"), "{text}");
    assert!(text.contains("Round table on school safety"), "{text}");
    assert!(text.contains("Street lights near school No. 3"), "{text}");
}
