//! Who may do what: every staff role against every staff page and action, on the server.
//! An officer of another organization gets "not found", never the case.

use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(access_matrix, coordinator_merges_a_duplicate);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Allowed,
    Forbidden,
    Hidden,
}
use Expect::*;

/// One row of the matrix: what, whether it is a POST, the path, the form, and the expectation
/// for each person (administrator, coordinator, operator, officer, other officer, analyst).
type Row<'a> = (&'a str, bool, String, Vec<(&'a str, &'a str)>, [Expect; 6]);

async fn report(app: &TestApp, description: &str) -> String {
    let body = json!({"kind": "violation", "category": "unlawful_detention", "community": "kramatorsk",
                      "description": description, "consent_publish": true});
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

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> u16 {
    let page = browser
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn judge(status: u16) -> Expect {
    match status {
        200 | 303 => Allowed,
        403 => Forbidden,
        404 => Hidden,
        other => panic!("unexpected status {other}"),
    }
}

async fn access_matrix(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let reference = report(&app, "Detained for a night without a record of detention.").await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let due = (time::OffsetDateTime::now_utc() + time::Duration::days(7)).date();
    let due = format!(
        "{:04}-{:02}-{:02}",
        due.year(),
        u8::from(due.month()),
        due.day()
    );
    let case_path = format!("/staff/cases/{reference}");
    assert_eq!(
        judge(
            post(
                &app,
                &coordinator,
                &format!("{case_path}/triage"),
                &[
                    ("category", "unlawful_detention"),
                    ("community", "kramatorsk"),
                    ("urgency", "normal")
                ]
            )
            .await
        ),
        Allowed
    );
    assert_eq!(
        judge(
            post(
                &app,
                &coordinator,
                &format!("{case_path}/refer"),
                &[
                    ("organizations", "kramatorsk_rup"),
                    ("message", "Please check."),
                    ("due_date", due.as_str())
                ]
            )
            .await
        ),
        Allowed
    );
    let case = app.state.db.clone();
    let case_id = mistok::cases::store::find_by_reference(&case, &reference)
        .await
        .unwrap()
        .unwrap()
        .id;
    let referral = mistok::referrals::store::for_report(&case, case_id)
        .await
        .unwrap()[0]
        .id;
    let referral_path = format!("/staff/referrals/{referral}");

    let people = [
        (
            "administrator",
            signed_in(&app, "admin@example.org", "administrator", "").await,
        ),
        ("coordinator", coordinator.clone()),
        (
            "operator",
            signed_in(&app, "operator@example.org", "operator", "").await,
        ),
        (
            "officer",
            signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await,
        ),
        (
            "other officer",
            signed_in(&app, "other@example.org", "officer", "sloviansk_police").await,
        ),
        (
            "analyst",
            signed_in(&app, "analyst@example.org", "analyst", "").await,
        ),
    ];
    //  what, method, path, form, then the expectation for each person above, in order
    let matrix: Vec<Row> = vec![
        (
            "home",
            false,
            "/staff".into(),
            vec![],
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "queue",
            false,
            "/staff/cases".into(),
            vec![],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "case page",
            false,
            case_path.clone(),
            vec![],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "note",
            true,
            format!("{case_path}/note"),
            vec![("body", "A note.")],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "message",
            true,
            format!("{case_path}/message"),
            vec![("body", "A question.")],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "triage",
            true,
            format!("{case_path}/triage"),
            vec![
                ("category", "unlawful_detention"),
                ("community", "kramatorsk"),
                ("urgency", "high"),
            ],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "refer",
            true,
            format!("{case_path}/refer"),
            vec![
                ("organizations", "ombudsman_donetsk"),
                ("message", "For information."),
                ("due_date", due.as_str()),
            ],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "publish",
            true,
            format!("{case_path}/publish"),
            vec![
                ("title", "Detained overnight"),
                ("summary", "A person was held overnight without a record."),
                ("language", "en"),
            ],
            [Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        (
            "search",
            false,
            "/staff/search?q=detained".into(),
            vec![],
            [Allowed, Allowed, Allowed, Allowed, Allowed, Forbidden],
        ),
        (
            "hotline",
            false,
            "/staff/hotline".into(),
            vec![],
            [Allowed, Allowed, Allowed, Forbidden, Forbidden, Forbidden],
        ),
        (
            "referral list",
            false,
            "/staff/referrals".into(),
            vec![],
            [Forbidden, Forbidden, Forbidden, Allowed, Allowed, Forbidden],
        ),
        (
            "referral page",
            false,
            referral_path.clone(),
            vec![],
            [Allowed, Allowed, Forbidden, Allowed, Hidden, Forbidden],
        ),
        (
            "record action",
            true,
            format!("{referral_path}/act"),
            vec![("text", "Checked the records.")],
            [Forbidden, Forbidden, Forbidden, Allowed, Hidden, Forbidden],
        ),
        (
            "users",
            false,
            "/staff/admin/users".into(),
            vec![],
            [
                Allowed, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
            ],
        ),
        (
            "organizations",
            false,
            "/staff/admin/organizations".into(),
            vec![],
            [
                Allowed, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
            ],
        ),
        (
            "organization page",
            false,
            "/staff/admin/organizations/kramatorsk_rup".into(),
            vec![],
            [
                Allowed, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
            ],
        ),
        (
            "edit organization",
            true,
            "/staff/admin/organizations/ombudsman_donetsk".into(),
            vec![
                ("name_uk", "Омбудсман"),
                ("name_ru", "Омбудсмен"),
                ("name_en", "Ombudsman"),
            ],
            [
                Allowed, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (what, is_post, path, fields, expected) in &matrix {
        for ((who, browser), expect) in people.iter().zip(expected) {
            let status = if *is_post {
                post(&app, browser, path, fields).await
            } else {
                browser
                    .get(app.url(path))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            };
            if judge(status) != *expect {
                failures.push(format!("{who} / {what}: got {status}, expected {expect:?}"));
            }
        }
        // Nobody signed out gets anything but the sign-in page.
        let anonymous = app.browser();
        let status = if *is_post {
            anonymous
                .post(app.url(path))
                .form(&fields[..])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        } else {
            anonymous
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        };
        if status != 303 {
            failures.push(format!("anonymous / {what}: got {status}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

async fn coordinator_merges_a_duplicate(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let main = report(&app, "The same detention reported by the mother.").await;
    let duplicate = report(&app, "The same detention reported by the brother.").await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let path = format!("/staff/cases/{duplicate}/merge?lang=en");
    let unknown = coordinator
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&unknown, "csrf");
    let bad = coordinator
        .post(app.url(&path))
        .form(&[("csrf", csrf.as_str()), ("into", "DN-1999-000001")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("no case with this reference")
    );
    let itself = coordinator
        .post(app.url(&path))
        .form(&[("csrf", csrf.as_str()), ("into", duplicate.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(itself.status(), 422);
    let merged = coordinator
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("into", main.to_lowercase().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(merged.status(), 303);
    let page = coordinator
        .get(app.url(&format!("/staff/cases/{duplicate}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Merged") && page.contains(&main),
        "points to the main case"
    );
    let again = coordinator
        .post(app.url(&format!("/staff/cases/{main}/merge")))
        .form(&[("csrf", csrf.as_str()), ("into", duplicate.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422, "nothing merges into a merged case");
}
