//! Maps end to end: the public map coarsens points to squares and leaves small ones out, its
//! drawing has a text alternative, its GeoJSON reads back; points outside the region are
//! refused; the staff map shows hot spots to analysts and exact points to coordinators, exports
//! what it shows, and follows a case's change of community; the pages in headless Chromium with
//! and without JavaScript.

use std::collections::HashSet;

use mistok::map::grid::{FineCell, PublicGrid, distance_km};
use serde_json::{Value, json};

use crate::cases::act;
use crate::intake::{open_form, report_form};
use crate::on_both_engines;
use crate::support::{Engine, TestApp, signed_in};

on_both_engines!(
    public_map_coarsens_and_hides_small_squares,
    points_outside_the_region_are_refused,
    staff_map_by_role_and_its_exports,
    counts_follow_a_case_and_older_reports,
    pages_in_chromium_with_and_without_javascript,
);

const KRAMATORSK: (f64, f64) = (48.7392, 37.5839);
const SLOVIANSK: (f64, f64) = (48.8533, 37.6250);

async fn submit(app: &TestApp, community: &str, point: Option<(f64, f64)>) -> String {
    let mut body = json!({
        "kind": "safety", "category": "street_lighting", "community": community,
        "description": "The street has been dark for a month near the bus stop.",
    });
    if let Some((lat, lon)) = point {
        body["location"] = json!({"lat": lat, "lon": lon});
    }
    let response = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "report accepted");
    let created: Value = response.json().await.unwrap();
    created["reference"].as_str().unwrap().to_string()
}

/// `n` points spread inside the public square holding `near` (away from its edges).
fn points_in_square(grid: PublicGrid, near: (f64, f64), n: usize) -> Vec<(f64, f64)> {
    let b = grid.cell(FineCell::of(near.0, near.1)).bounds();
    (0..n)
        .map(|i| {
            let f = (i as f64 + 0.5) / n as f64;
            (
                b.south + (b.north - b.south) * (0.1 + 0.8 * f),
                b.west + (b.east - b.west) * (0.9 - 0.8 * f),
            )
        })
        .collect()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn features<'a>(doc: &'a Value, layer: &str) -> Vec<&'a Value> {
    doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == layer)
        .collect()
}

/// Every coordinate pair in a GeoJSON geometry.
fn coordinates(v: &Value, out: &mut Vec<(f64, f64)>) {
    match v.as_array() {
        Some(pair) if pair.len() == 2 && pair.iter().all(Value::is_f64) => {
            out.push((pair[1].as_f64().unwrap(), pair[0].as_f64().unwrap()));
        }
        Some(list) => list.iter().for_each(|v| coordinates(v, out)),
        None => {}
    }
}

fn polygon_contains(feature: &Value, (lat, lon): (f64, f64)) -> bool {
    let mut corners = Vec::new();
    coordinates(&feature["geometry"]["coordinates"], &mut corners);
    let (south, north) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(s, n), c| (s.min(c.0), n.max(c.0)));
    let (west, east) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(w, e), c| (w.min(c.1), e.max(c.1)));
    (south..north).contains(&lat) && (west..east).contains(&lon)
}

async fn public_map_coarsens_and_hides_small_squares(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let grid = PublicGrid::new(app.state.config.map_cell_km);
    let busy = points_in_square(grid, KRAMATORSK, 12);
    let sloviansk = points_in_square(grid, SLOVIANSK, 5);
    // Two reports alone in a square of their own, 11 km north of Sloviansk.
    let lonely = points_in_square(grid, (SLOVIANSK.0 + 0.1, SLOVIANSK.1), 2);
    let mut submitted = Vec::new();
    for point in busy.iter().chain(&sloviansk) {
        submitted.push(*point);
    }
    for &p in &busy {
        submit(&app, "kramatorsk", Some(p)).await;
    }
    for &p in sloviansk.iter().chain(&lonely) {
        submit(&app, "sloviansk", Some(p)).await;
    }
    submitted.extend(&lonely);
    for _ in 0..6 {
        submit(&app, "druzhkivka", None).await;
    }

    let browser = app.browser();
    let (status, body) = get(&browser, app.url("/map.geojson?lang=en")).await;
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).expect("GeoJSON parses");
    assert_eq!(doc["type"], "FeatureCollection");
    assert_eq!(doc["total"], 25);

    let communities = features(&doc, "community");
    let count_of = |code: &str| {
        communities
            .iter()
            .find(|f| f["properties"]["community"] == code)
            .map(|f| f["properties"]["count"].clone())
            .unwrap_or_else(|| panic!("{code} on the map"))
    };
    assert_eq!(count_of("kramatorsk"), 12);
    assert_eq!(
        count_of("sloviansk"),
        7,
        "the lonely square's reports count here"
    );
    assert_eq!(
        count_of("druzhkivka"),
        6,
        "reports without a point count too"
    );
    assert!(
        communities[0]["properties"]["url"]
            .as_str()
            .unwrap()
            .starts_with("/register?community=")
    );

    let squares = features(&doc, "cell");
    let mut counts: Vec<u64> = squares
        .iter()
        .map(|f| f["properties"]["count"].as_u64().unwrap())
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, [5, 12], "the square of 2 is left out");
    for point in busy.iter().chain(&sloviansk) {
        assert!(
            squares.iter().any(|s| polygon_contains(s, *point)),
            "{point:?} lies in a published square"
        );
    }
    for point in &lonely {
        assert!(!squares.iter().any(|s| polygon_contains(s, *point)));
    }

    // No coordinate of a report is published: every coordinate is a community's centre or a
    // corner of the public grid, and a square is as large as configured.
    let centres: Vec<(f64, f64)> = mistok::demo::data::COMMUNITIES
        .iter()
        .map(|c| (c.lat, c.lon))
        .collect();
    let mut published = Vec::new();
    for f in doc["features"].as_array().unwrap() {
        coordinates(&f["geometry"]["coordinates"], &mut published);
    }
    let side = grid.cell(FineCell::of(KRAMATORSK.0, KRAMATORSK.1)).bounds();
    let (rows, columns) = (side.north - side.south, side.east - side.west);
    for (lat, lon) in &published {
        let on_grid = ((lat / rows).round() * rows - lat).abs() < 1e-9
            && ((lon / columns).round() * columns - lon).abs() < 1e-9;
        let centre = centres
            .iter()
            .any(|c| (c.0 - lat).abs() < 1e-9 && (c.1 - lon).abs() < 1e-9);
        assert!(
            on_grid || centre,
            "({lat}, {lon}) is neither a grid corner nor a centre"
        );
    }
    assert!(distance_km(side.south, side.west, side.north, side.west) >= 2.0 * 0.99 - 0.3);
    // And none of them is a submitted point.
    for (lat, lon) in &published {
        assert!(
            !submitted
                .iter()
                .any(|p| (p.0 - lat).abs() < 1e-9 && (p.1 - lon).abs() < 1e-9)
        );
    }

    // The page: the drawing with its accessible name and description, the same figures as a
    // table, each community leading to its published cases.
    let (status, html) = get(&browser, app.url("/map?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<svg class=\"map-svg\" role=\"img\" aria-labelledby=\"map-title map-desc\"")
    );
    assert!(html.contains("<title id=\"map-title\">Map of reports — "));
    assert!(html.contains("<desc id=\"map-desc\">Map of the region"));
    assert!(html.contains("<th scope=\"row\">Kramatorsk</th><td class=\"num\">12</td>"));
    assert!(html.contains("<th scope=\"row\">Druzhkivka</th><td class=\"num\">6</td>"));
    assert!(html.contains("href=\"/register?community=kramatorsk\""));
    assert!(html.contains("aria-label=\"Kramatorsk: 12 reports. Published cases\""));
    for (lat, lon) in &submitted {
        // At full precision (the page shows squares' centres to three decimals).
        assert!(!html.contains(&format!("{lat:.6}")) && !html.contains(&format!("{lon:.6}")));
    }
    // Filters: a kind with nothing in it, and a bad one.
    let (_, none) = get(&browser, app.url("/map.geojson?kind=violation")).await;
    let none: Value = serde_json::from_str(&none).unwrap();
    assert_eq!(none["total"], 0);
    assert!(features(&none, "cell").is_empty());
    let (status, html) = get(&browser, app.url("/map?kind=nonsense&from=2026-13&lang=en")).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-kind\""));
    assert!(html.contains("field-error"));
    let bad = browser
        .get(app.url("/map.geojson?from=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}

async fn points_outside_the_region_are_refused(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // Kyiv is not in Donetsk region.
    let refused = app
        .api()
        .post(app.url("/api/v1/reports"))
        .header("accept-language", "en")
        .json(&json!({
            "kind": "safety", "category": "street_lighting", "community": "kramatorsk",
            "description": "The street has been dark for a month near the bus stop.",
            "location": {"lat": 50.4501, "lon": 30.5234},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "location");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("outside the platform's region")
    );
    assert_eq!(app.count("reports").await, 0, "nothing stored");

    // The web form says so by the field, in the person's language, and keeps what was typed.
    let browser = app.browser();
    let (csrf, token, form) = open_form(&app, &browser, "uk").await;
    assert!(
        form.contains("class=\"place-picker\""),
        "the point can be placed on a map"
    );
    assert!(form.contains("data-communities=\"/api/v1/communities\""));
    let description = "Світло на вулиці не горить уже місяць біля зупинки.";
    let response = browser
        .post(app.url("/report/violation?lang=uk"))
        .multipart(
            report_form(&csrf, &token, description)
                .text("lat", "50.4501")
                .text("lon", "30.5234"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("поза регіоном платформи"));
    assert!(html.contains("value=\"50.4501\""));
    assert!(html.contains(description));

    // A point in the region is taken.
    submit(&app, "kramatorsk", Some(KRAMATORSK)).await;
    assert_eq!(app.count("reports").await, 1);
}

async fn staff_map_by_role_and_its_exports(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let points = [
        (48.7401, 37.5801),
        (48.7402, 37.5803),
        (48.7403, 37.5805),
        (48.8533, 37.6250),
    ];
    let mut references = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let community = if i < 3 { "kramatorsk" } else { "sloviansk" };
        references.push(submit(&app, community, Some(*p)).await);
    }
    submit(&app, "kramatorsk", None).await;

    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let (status, doc) = get(&coordinator, app.url("/staff/map.geojson?lang=en")).await;
    assert_eq!(status, 200, "{doc}");
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["total"], 5);
    assert_eq!(doc["previous_total"], 0);
    let hot = features(&doc, "hotspot");
    assert_eq!(hot[0]["properties"]["count"], 3, "the densest cell first");
    assert_eq!(hot[0]["properties"]["community"], "kramatorsk");
    assert_eq!(hot[0]["properties"]["change"], 3);
    assert!(polygon_contains(hot[0], points[0]));
    let exact = features(&doc, "point");
    assert_eq!(exact.len(), 4, "exact points for a coordinator");
    let shown: HashSet<String> = exact
        .iter()
        .map(|f| f["properties"]["reference"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown, references.iter().cloned().collect());
    let first = exact
        .iter()
        .find(|f| f["properties"]["reference"] == references[3].as_str())
        .unwrap();
    assert_eq!(first["geometry"]["coordinates"], json!([37.6250, 48.8533]));

    let (status, csv) = get(&coordinator, app.url("/staff/map.csv")).await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().filter(|r| &r[0] == "hotspot").count(), 2);
    assert_eq!(rows.iter().filter(|r| &r[0] == "point").count(), 4);

    let (status, page) = get(&coordinator, app.url("/staff/map?lang=en")).await;
    assert_eq!(status, 200);
    assert!(page.contains("aria-labelledby=\"map-title map-desc\""));
    assert!(page.contains(&format!("href=\"/staff/cases/{}\"", references[3])));
    assert!(page.contains("<td class=\"num\">1</td><th scope=\"row\">Kramatorsk</th>"));

    // Filters as in the case search: status and organization are read from the reports.
    let (_, triaged) = get(&coordinator, app.url("/staff/map.geojson?status=triaged")).await;
    let triaged: Value = serde_json::from_str(&triaged).unwrap();
    assert_eq!(triaged["total"], 0);
    assert!(features(&triaged, "point").is_empty());
    let (status, _) = get(&coordinator, app.url("/staff/map?status=nope&lang=en")).await;
    assert_eq!(status, 422);
    // Words, as the case search finds them.
    for (q, total) in [("bus+stop", 5), ("STREET", 5), ("zzqqxx", 0)] {
        let (_, doc) = get(&coordinator, app.url(&format!("/staff/map.geojson?q={q}"))).await;
        let doc: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(doc["total"], total, "q={q}");
    }

    // An analyst studies hot spots without exact places.
    let analyst = signed_in(&app, "analyst@example.org", "analyst", "").await;
    let (status, doc) = get(&analyst, app.url("/staff/map.geojson")).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert!(features(&doc, "point").is_empty());
    assert_eq!(features(&doc, "hotspot").len(), 2);
    let (_, page) = get(&analyst, app.url("/staff/map?lang=en")).await;
    assert!(!page.contains("/staff/cases/"));
    assert!(page.contains("without the exact places"));

    // An agency's officer sees only what was referred to their organization, and opens it from
    // their referrals; the public does not see the staff map.
    let due = crate::support::days_from_today(10);
    triage_to_sloviansk(&app, &coordinator, &references[3]).await;
    let referred = act(
        &app,
        &coordinator,
        &references[3],
        "refer",
        &[
            ("organizations", "kramatorsk_rup"),
            ("message", "Please look at the street lighting here."),
            ("due_date", due.as_str()),
        ],
    )
    .await;
    assert_eq!(referred.status(), 303);
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    // Naming another organization changes nothing: an officer's map is their own.
    let (status, doc) = get(
        &officer,
        app.url("/staff/map.geojson?organization=prosecutor_donetsk"),
    )
    .await;
    assert_eq!(status, 200, "{doc}");
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["total"], 1);
    let theirs = features(&doc, "point");
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["properties"]["reference"], references[3].as_str());
    assert_eq!(
        theirs[0]["properties"]["url"],
        format!("/staff/search?reference={}", references[3])
    );
    let (_, page) = get(&officer, app.url("/staff/map?lang=en")).await;
    assert!(!page.contains("/staff/cases/"));
    assert!(!page.contains("id=\"f-organization\""));
    let anonymous = app
        .browser()
        .get(app.url("/staff/map.geojson"))
        .send()
        .await
        .unwrap();
    assert!(anonymous.status() == 401 || anonymous.status() == 303);
}

/// A coordinator's triage that puts the case in Sloviansk's street lighting.
async fn triage_to_sloviansk(app: &TestApp, coordinator: &reqwest::Client, reference: &str) {
    let triaged = act(
        app,
        coordinator,
        reference,
        "triage",
        &[
            ("category", "street_lighting"),
            ("community", "sloviansk"),
            ("urgency", "normal"),
        ],
    )
    .await;
    assert_eq!(triaged.status(), 303);
}

async fn counts_follow_a_case_and_older_reports(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let reference = submit(&app, "kramatorsk", Some((48.7401, 37.5801))).await;
    for _ in 0..4 {
        submit(&app, "sloviansk", Some((48.8533, 37.6250))).await;
    }
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    triage_to_sloviansk(&app, &coordinator, &reference).await;
    let (_, doc) = get(&app.browser(), app.url("/map.geojson")).await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let count_of = |code: &str| {
        features(&doc, "community")
            .iter()
            .find(|f| f["properties"]["community"] == code)
            .map(|f| f["properties"]["count"].clone())
            .unwrap()
    };
    assert_eq!(count_of("sloviansk"), 5, "the case moved to Sloviansk");
    assert_eq!(count_of("kramatorsk"), 0);

    // Reports stored before the maps counted them are counted when the platform starts.
    sqlx_reset_months(&app).await;
    let (_, doc) = get(&app.browser(), app.url("/map.geojson")).await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        doc["total"], 0,
        "nothing counted until the months are filled"
    );
    let dated = mistok::map::service::fill_received_months(&app.state)
        .await
        .unwrap();
    assert_eq!(dated, 5);
    let (_, doc) = get(&app.browser(), app.url("/map.geojson")).await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["total"], 5);
    assert_eq!(
        mistok::map::service::fill_received_months(&app.state)
            .await
            .unwrap(),
        0,
        "once"
    );
}

/// Takes every report back to before migration 0021: no received month (the triggers uncount it).
async fn sqlx_reset_months(app: &TestApp) {
    let statement = "UPDATE reports SET received_month = NULL";
    match &app.state.db {
        mistok::db::Db::Sqlite(_) => {
            let file = app.state.config.embedded_database_file().unwrap();
            let url = format!("sqlite://{}", file.display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(statement).execute(&pool).await.unwrap();
            pool.close().await;
        }
        mistok::db::Db::Postgres(pool) => {
            sqlx::query(statement).execute(pool).await.unwrap();
        }
    }
}

/// Headless Chromium as a person's browser: with JavaScript the interactive map draws the data
/// (Leaflet from the binary itself, no tiles configured); without it the drawing and the table
/// are there and the interactive map stays hidden.
async fn pages_in_chromium_with_and_without_javascript(engine: Engine) {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs Chromium (.ci/run): the map pages must be tried in a browser"
        );
        eprintln!("skipped: no Chromium on this machine (apt-get install chromium)");
        return;
    };
    let app = TestApp::spawn(engine).await;
    let grid = PublicGrid::new(app.state.config.map_cell_km);
    for p in points_in_square(grid, KRAMATORSK, 6) {
        submit(&app, "kramatorsk", Some(p)).await;
    }
    let url = app.url("/map?lang=en");
    let with_script = dump_dom(&chromium, &url, true).await;
    assert!(with_script.contains("leaflet-container"), "Leaflet ran");
    assert!(
        with_script.contains("data-state=\"ready\""),
        "its data loaded"
    );
    assert!(
        with_script.matches("leaflet-interactive").count() >= 2,
        "the community and the square are drawn"
    );
    let without = dump_dom(&chromium, &url, false).await;
    assert!(!without.contains("leaflet-container"));
    assert!(without.contains("<svg class=\"map-svg\""));
    assert!(without.contains("<th scope=\"row\">Kramatorsk</th><td class=\"num\">6</td>"));

    // The report form: the place picker adds its map with JavaScript only.
    let form = app.url("/report/safety?lang=en");
    assert!(
        dump_dom(&chromium, &form, true)
            .await
            .contains("place-picker-map")
    );
    assert!(
        !dump_dom(&chromium, &form, false)
            .await
            .contains("place-picker-map")
    );
}

fn chromium() -> Option<std::path::PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

/// The page's DOM after its scripts ran (or with scripts blocked, as a browser set to block
/// them does: by its content settings).
async fn dump_dom(chromium: &std::path::Path, url: &str, script: bool) -> String {
    let profile = tempfile::tempdir().unwrap();
    if !script {
        let default = profile.path().join("Default");
        std::fs::create_dir_all(&default).unwrap();
        std::fs::write(
            default.join("Preferences"),
            r#"{"profile":{"default_content_setting_values":{"javascript":2}}}"#,
        )
        .unwrap();
    }
    let mut command = std::process::Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=8000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("Chromium runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
