//! Agencies' accountability reports: an officer publishes text and CSV tables for their own
//! organization; the public reads them; nobody else can publish or withdraw them.

use reqwest::multipart::{Form, Part};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(officers_publish_accountability_reports);

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn form(csrf: &str, title: &str, files: Vec<(&str, Vec<u8>)>) -> Form {
    let mut form = Form::new()
        .text("csrf", csrf.to_string())
        .text("title", title.to_string())
        .text("period", "2026-q3")
        .text("language", "uk")
        .text(
            "body",
            "Звіт про роботу за третій квартал.\n\nПідсумки нижче.",
        );
    for (name, bytes) in files {
        form = form.part(
            "tables",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("text/csv")
                .unwrap(),
        );
    }
    form
}

async fn officers_publish_accountability_reports(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    let (status, page) = get(&officer, app.url("/staff/agency-reports?lang=en")).await;
    assert_eq!(status, 200);
    let csrf = hidden(&page, "csrf");

    // A table saved in the old Windows encoding is explained; the typed text stays.
    let cp1251 = vec![0xcc, 0xb3, 0xf1, 0xff, 0xf6, 0xfc, 0x3b, 0x31, 0x0a];
    let bad = officer
        .post(app.url("/staff/agency-reports?lang=en"))
        .multipart(form(&csrf, "Q3 report", vec![("q3.csv", cp1251)]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("CSV UTF-8") && html.contains("value=\"Q3 report\""));

    let reports = "\u{feff}Місяць;Звернень;Відповіли вчасно\nЛипень;41;38\nСерпень;35;35\n";
    let patrols = "District,Patrols\nCentre,120\n\"Old town, east\",64\n";
    let published = officer
        .post(app.url("/staff/agency-reports?lang=en"))
        .multipart(form(
            &csrf,
            "Звіт Краматорського РУП за III квартал",
            vec![
                ("Звернення_громадян.csv", reports.as_bytes().to_vec()),
                ("patrols.csv", patrols.as_bytes().to_vec()),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 303);
    let path = published.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(path.starts_with("/agency-reports/"));

    let public = app.browser();
    let (status, html) = get(&public, app.url(&format!("{path}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Звіт Краматорського РУП за III квартал"));
    assert!(html.contains("<caption>Звернення громадян</caption>"));
    assert!(html.contains("<th scope=\"col\">Відповіли вчасно</th>"));
    assert!(html.contains("<td>Old town, east</td>"));
    assert!(html.contains("2026-Q3"));
    let (_, list) = get(
        &public,
        app.url("/agency-reports?agency=kramatorsk_rup&lang=en"),
    )
    .await;
    assert!(list.contains(&path));
    let (_, other) = get(&public, app.url("/agency-reports?agency=sloviansk_police")).await;
    assert!(!other.contains(&path));
    let (status, _) = get(&public, app.url("/agency-reports?agency=atlantis")).await;
    assert_eq!(status, 422);

    // Another agency's officer cannot withdraw it; coordinators do not publish for agencies.
    let city = signed_in(
        &app,
        "city@example.org",
        "officer",
        "sloviansk_city_council",
    )
    .await;
    let city_page = get(&city, app.url("/staff/agency-reports")).await.1;
    let r = city
        .post(app.url(&format!("/staff{path}/withdraw")))
        .form(&[("csrf", hidden(&city_page, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    assert_eq!(
        get(&coordinator, app.url("/staff/agency-reports")).await.0,
        403
    );

    // Its own officer withdraws it: gone from the site, and in the audit trail.
    let r = officer
        .post(app.url(&format!("/staff{path}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(get(&public, app.url(&path)).await.0, 404);
    let id = path.trim_start_matches("/agency-reports/");
    let trail = mistok::audit::store::history(&app.state.db, "agency_report", id)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["agency_report.published", "agency_report.withdrawn"]
    );
}
