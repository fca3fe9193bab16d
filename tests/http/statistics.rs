//! Public statistics end to end: counts by category and month, small counts suppressed in the
//! page, the CSV and the JSON alike, agencies' response times on a known set of referrals,
//! bad filters answered with field errors, and the referral flow recording its moments.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::cases::{act, report};
use crate::on_both_engines;
use crate::support::{Engine, TestApp, signed_in};

on_both_engines!(
    counts_and_small_counts,
    agencies_on_a_known_set,
    bad_filters_get_field_errors,
    referral_flow_records_its_moments,
);

async fn submit(app: &TestApp, kind: &str, category: &str, community: &str) -> String {
    let created: Value = app
        .api()
        .post(app.url("/api/v1/reports"))
        .json(&json!({
            "kind": kind, "category": category, "community": community,
            "description": "Something happened here that should be counted.",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["reference"]
        .as_str()
        .expect("report created")
        .to_string()
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.browser().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn json(app: &TestApp, path: &str) -> Value {
    let (status, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The entry of a JSON list with `code`.
fn entry<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {list}"))
}

/// Every `value` of a count anywhere in the document.
fn count_values(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Object(map) => {
            if let (Some(value), Some(_)) = (map.get("value"), map.get("shown"))
                && let Some(n) = value.as_u64()
            {
                out.push(n);
            }
            map.values().for_each(|v| count_values(v, out));
        }
        Value::Array(list) => list.iter().for_each(|v| count_values(v, out)),
        _ => {}
    }
}

/// The cell next to a row header in an HTML table.
fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("<th scope=\"row\">{name}</th><td class=\"num\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("row {name}")) + marker.len();
    &html[start..start + html[start..].find('<').unwrap()]
}

async fn counts_and_small_counts(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    for (n, kind, category, community) in [
        (6, "violation", "unlawful_detention", "kramatorsk"),
        (3, "violation", "ill_treatment", "kramatorsk"),
        (7, "safety", "street_lighting", "sloviansk"),
        (5, "safety", "road_safety", "sloviansk"),
    ] {
        for _ in 0..n {
            submit(&app, kind, category, community).await;
        }
    }

    let (status, html) = get(&app, "/statistics?lang=en").await;
    assert_eq!(status, 200);
    assert_eq!(row(&html, "Street lighting"), "7");
    assert_eq!(row(&html, "Road safety"), "5");
    assert_eq!(row(&html, "Safety problem in your community"), "12");
    assert_eq!(row(&html, "Human rights violation by security forces"), "9");
    assert_eq!(row(&html, "Kramatorsk"), "9");
    assert_eq!(row(&html, "Sloviansk"), "12");
    // 3 is shown as "<5", and the 6 beside it is hidden too, or 9 − 6 would give the 3 away.
    assert_eq!(row(&html, "Torture or ill-treatment"), "&#60;5");
    assert_eq!(row(&html, "Unlawful detention"), "≥5");
    assert!(html.contains("<dt>Cases</dt><dd>21</dd>"));
    // The charts: accessible name and description, the numbers also as a table.
    for id in ["chart-months", "chart-categories"] {
        assert!(html.contains(&format!(
            "<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\""
        )));
        assert!(html.contains(&format!("<title id=\"{id}-title\">")));
        assert!(html.contains(&format!("<desc id=\"{id}-desc\">")));
    }
    let desc_start = html.find("<desc id=\"chart-categories-desc\">").unwrap();
    let desc = &html[desc_start..desc_start + html[desc_start..].find("</desc>").unwrap()];
    assert!(desc.contains("Torture or ill-treatment: &#60;5"), "{desc}");
    assert!(desc.contains("Street lighting: 7"));
    let month_desc = html.find("chart-months-desc\">").unwrap();
    assert!(
        html[month_desc..].find("<table").unwrap() < html[month_desc..].find("<h2").unwrap(),
        "the month chart has its table beside it"
    );
    assert!(html.contains("href=\"/statistics\" aria-current=\"page\""));

    let doc = json(&app, "/statistics.json?lang=en").await;
    assert_eq!(doc["totals"]["cases"]["value"], 21);
    let categories = &doc["by_category"];
    assert_eq!(entry(categories, "street_lighting")["count"]["value"], 7);
    assert_eq!(entry(categories, "road_safety")["kind"], "safety");
    let small = &entry(categories, "ill_treatment")["count"];
    assert_eq!(
        (small["value"].clone(), small["shown"].clone()),
        (Value::Null, json!("<5"))
    );
    assert_eq!(
        entry(categories, "unlawful_detention")["count"]["shown"],
        ">=5"
    );
    let months = doc["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months.last().unwrap()["count"]["value"], 21, "this month");
    assert_eq!(months[0]["count"]["value"], 0);
    let mut values = Vec::new();
    count_values(&doc, &mut values);
    assert!(!values.contains(&3) && !values.contains(&6), "{values:?}");

    let (status, body) = get(&app, "/statistics.csv?lang=en").await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["section", "group", "code", "name", "measure", "value"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let value = |section: &str, code: &str| {
        rows.iter()
            .find(|r| &r[0] == section && &r[2] == code)
            .map(|r| r[5].to_string())
            .unwrap_or_else(|| panic!("{section} {code}"))
    };
    assert_eq!(value("category", "street_lighting"), "7");
    assert_eq!(value("category", "ill_treatment"), "<5");
    assert_eq!(value("category", "unlawful_detention"), ">=5");
    assert_eq!(value("kind", "safety"), "12");
    assert_eq!(value("totals", "cases"), "21");
    assert!(
        rows.iter()
            .filter(|r| &r[4] == "count")
            .all(|r| &r[5] != "3" && &r[5] != "6")
    );

    // Filters narrow every figure.
    let doc = json(&app, "/statistics.json?category=street_lighting").await;
    assert_eq!(doc["totals"]["cases"]["value"], 7);
    assert_eq!(doc["filters"]["category"], "street_lighting");
    let doc = json(&app, "/statistics.json?kind=violation&community=kramatorsk").await;
    assert_eq!(doc["totals"]["cases"]["value"], 9);
    // A period with nothing in it.
    let doc = json(&app, "/statistics.json?from=2020-01&to=2020-03").await;
    assert_eq!(doc["totals"]["cases"]["value"], 0);
    assert_eq!(doc["by_month"].as_array().unwrap().len(), 3);

    // Rejected reports are a figure of their own, outside the cases.
    let rejected = submit(&app, "safety", "street_lighting", "sloviansk").await;
    set_status(&app, &rejected, "rejected").await;
    app.state.statistics.clear();
    let doc = json(&app, "/statistics.json").await;
    assert_eq!(doc["totals"]["cases"]["value"], 21);
    assert_eq!(doc["totals"]["rejected"]["shown"], "<5");

    let (status, fields) = get(&app, "/statistics/fields?lang=uk").await;
    assert_eq!(status, 200);
    for name in [
        "on_time_share",
        "first_response_median_hours",
        "by_category",
        "measure",
    ] {
        assert!(fields.contains(name), "{name} documented");
    }
    let (_, home) = get(&app, "/?lang=en").await;
    assert!(
        home.contains("href=\"/statistics\""),
        "in the public navigation"
    );
}

async fn set_status(app: &TestApp, reference: &str, status: &str) {
    let (reference, status) = (reference.to_string(), status.to_string());
    let done: mistok::error::AppResult<()> = async {
        mistok::db_write!(&app.state.db, |conn| {
            sqlx::query("UPDATE reports SET status = $1 WHERE reference = $2")
                .bind(&status)
                .bind(&reference)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
    .await;
    done.unwrap();
}

async fn id_of(app: &TestApp, sql: &'static str, key: &str) -> Uuid {
    let key = key.to_string();
    mistok::db_read!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, Uuid>(sql)
            .bind(&key)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

/// A referral with chosen moments, straight into the store.
struct Known {
    organization: Uuid,
    status: &'static str,
    first_hours: Option<i64>,
    answer_hours: Option<i64>,
}

async fn agencies_on_a_known_set(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let author = id_of(
        &app,
        "SELECT id FROM users WHERE email = $1",
        "coordinator@example.org",
    )
    .await;
    let police = id_of(
        &app,
        "SELECT id FROM organizations WHERE code = $1",
        "kramatorsk_rup",
    )
    .await;
    let prosecutor = id_of(
        &app,
        "SELECT id FROM organizations WHERE code = $1",
        "prosecutor_donetsk",
    )
    .await;
    let known = |organization, status, first_hours, answer_hours| Known {
        organization,
        status,
        first_hours,
        answer_hours,
    };
    let set = vec![
        known(police, "responded", Some(1), Some(24)),
        known(police, "responded", Some(2), Some(48)),
        known(police, "responded", Some(3), Some(72)),
        known(police, "responded", Some(10), Some(239)),
        known(police, "refused", Some(20), Some(300)),
        known(police, "responded", Some(50), Some(400)),
        // Open and past its due date: counts as late, has no times.
        known(police, "sent", None, None),
        known(prosecutor, "responded", Some(5), Some(30)),
        known(prosecutor, "accepted", Some(7), None),
    ];
    // Sent 20 days ago, due 10 days later (240 hours).
    let sent = (OffsetDateTime::now_utc() - Duration::days(20))
        .replace_nanosecond(0)
        .unwrap();
    let due = sent + Duration::hours(240);
    for k in set {
        let reference = submit(&app, "violation", "unlawful_detention", "kramatorsk").await;
        let report = id_of(
            &app,
            "SELECT id FROM reports WHERE reference = $1",
            &reference,
        )
        .await;
        let first = k.first_hours.map(|h| sent + Duration::hours(h));
        let answered = k.answer_hours.map(|h| sent + Duration::hours(h));
        let done: mistok::error::AppResult<()> = async {
            mistok::db_write!(&app.state.db, |conn| {
                sqlx::query(
                "INSERT INTO referrals (id, report_id, organization_id, status, message, due_at, \
                 created_by, created_at, updated_at, first_response_at, answered_at) \
                 VALUES ($1, $2, $3, $4, 'Please check.', $5, $6, $7, $7, $8, $9)",
            )
            .bind(Uuid::now_v7())
            .bind(report)
            .bind(k.organization)
            .bind(k.status)
            .bind(due)
            .bind(author)
            .bind(sent)
            .bind(first)
            .bind(answered)
            .execute(&mut *conn)
            .await?;
                Ok(())
            })
        }
        .await;
        done.unwrap();
    }

    let doc = json(&app, "/statistics.json?lang=en").await;
    let agencies = &doc["agencies"];
    let p = entry(agencies, "kramatorsk_rup");
    assert_eq!(p["referrals"]["value"], 7);
    assert_eq!(p["refused"]["shown"], "<5");
    assert_eq!(p["overdue_open"]["shown"], "<5");
    // Nearest rank over 1, 2, 3, 10, 20, 50 hours: median the 3rd, 90% the 6th.
    assert_eq!(
        p["first_response_hours"],
        json!({"median": 3, "p90": 50, "n": 6})
    );
    assert_eq!(p["answer_hours"], json!({"median": 72, "p90": 400, "n": 6}));
    // On time: 24, 48, 72 and 239 hours of 240; late: 300, 400 and the open one.
    let share = p["on_time_share"].as_f64().unwrap();
    assert!((share - 4.0 / 7.0).abs() < 1e-9, "{share}");
    let q = entry(agencies, "prosecutor_donetsk");
    assert_eq!(q["referrals"]["shown"], "<5");
    assert_eq!(q["on_time_share"], Value::Null, "fewer than 5 behind it");
    assert_eq!(q["first_response_hours"], Value::Null);
    assert!(
        agencies.as_array().unwrap().len() == 2,
        "only organizations with referrals"
    );

    let (_, html) = get(&app, "/statistics?lang=en").await;
    for shown in ["3 h", "2.1 d", "3.0 d", "16.7 d", "57%"] {
        assert!(html.contains(&format!(">{shown}<")), "{shown} on the page");
    }
    let (_, html) = get(&app, "/statistics?lang=uk").await;
    assert!(html.contains(">2,1 дн.<"));

    let (_, body) = get(&app, "/statistics.csv").await;
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let measure = |code: &str, measure: &str| {
        rows.iter()
            .find(|r| &r[0] == "agency" && &r[2] == code && &r[4] == measure)
            .map(|r| r[5].to_string())
            .unwrap()
    };
    assert_eq!(
        measure("kramatorsk_rup", "first_response_median_hours"),
        "3"
    );
    assert_eq!(measure("kramatorsk_rup", "answer_p90_hours"), "400");
    assert_eq!(measure("kramatorsk_rup", "on_time_share"), "0.571");
    assert_eq!(measure("prosecutor_donetsk", "on_time_share"), "");
    assert_eq!(measure("prosecutor_donetsk", "referrals"), "<5");
}

async fn bad_filters_get_field_errors(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (status, html) = get(&app, "/statistics?from=2026-13&to=soon&kind=x&lang=en").await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a month as YYYY-MM or a day as YYYY-MM-DD"));
    assert!(html.contains("Choose a report type from the list."));
    assert!(html.contains("href=\"#f-from\"") && html.contains("href=\"#f-kind\""));
    assert!(
        html.contains("value=\"2026-13\"") && html.contains("value=\"soon\""),
        "values kept"
    );

    let (status, html) = get(&app, "/statistics?from=2026-05&to=2026-04&lang=uk").await;
    assert_eq!(status, 422);
    assert!(html.contains("Кінець періоду не може бути раніше за його початок."));
    let (status, html) = get(&app, "/statistics?kind=safety&category=unlawful_detention").await;
    assert_eq!(status, 422);
    assert!(html.contains("Ця категорія не належить до обраного типу."));

    let r = app
        .api()
        .get(app.url("/statistics.json?community=atlantis&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "community");
    assert_eq!(
        problem["errors"][0]["message"],
        "Choose a community from the list."
    );
    let (status, _) = get(&app, "/statistics.csv?from=1999-01").await;
    assert_eq!(status, 422);

    // No input makes it fail.
    for query in [
        "from=%ff%fe&to=%00",
        "from=2026-02-30",
        "from=2000-01&to=2100-12",
        "kind=violation&kind=safety&kind=",
        "category=%27%3B--&community=%3Cscript%3E",
        "from=99999999999-01",
        "to=-1&from=+1",
        "&&&=&from",
        "from=2026-01-01&to=2026-01-01",
    ] {
        for path in ["/statistics", "/statistics.json", "/statistics.csv"] {
            let (status, body) = get(&app, &format!("{path}?{query}")).await;
            assert!(status == 200 || status == 422, "{path}?{query}: {status}");
            assert!(!body.contains("<script>"), "escaped");
        }
    }
}

async fn referral_flow_records_its_moments(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (reference, _) = report(&app).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    act(
        &app,
        &coordinator,
        &reference,
        "triage",
        &[
            ("category", "unlawful_detention"),
            ("community", "kramatorsk"),
            ("urgency", "high"),
        ],
    )
    .await;
    let due = crate::support::days_from_today(10);
    let referred = act(
        &app,
        &coordinator,
        &reference,
        "refer",
        &[
            ("organizations", "kramatorsk_rup"),
            ("message", "Please check."),
            ("due_date", due.as_str()),
        ],
    )
    .await;
    assert_eq!(referred.status(), 303);
    let moments = || {
        let (reference, db) = (reference.clone(), app.state.db.clone());
        async move {
            mistok::db_read!(&db, |pool| {
                let row: (Option<OffsetDateTime>, Option<OffsetDateTime>) = sqlx::query_as(
                    "SELECT f.first_response_at, f.answered_at FROM referrals f \
                 JOIN reports r ON r.id = f.report_id WHERE r.reference = $1",
                )
                .bind(&reference)
                .fetch_one(pool)
                .await
                .unwrap();
                row
            })
        }
    };
    assert_eq!(moments().await, (None, None));

    let police = signed_in(&app, "police@example.org", "officer", "kramatorsk_rup").await;
    let list = police
        .get(app.url("/staff/referrals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = list.find("/staff/referrals/").unwrap();
    let path = list[start..start + list[start..].find('"').unwrap()].to_string();
    let page = police
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::support::hidden(&page, "csrf");
    let post = |action: &str, text: &str| {
        police
            .post(app.url(&format!("{path}/{action}")))
            .form(&[("csrf", csrf.clone()), ("text", text.to_string())])
            .send()
    };
    assert_eq!(
        post("act", "Officers questioned.").await.unwrap().status(),
        303
    );
    let (first, answered) = moments().await;
    assert!(
        first.is_some() && answered.is_none(),
        "an action is a first reaction"
    );
    assert_eq!(post("accept", "").await.unwrap().status(), 303);
    assert_eq!(
        moments().await.0,
        first,
        "the first reaction stays the first"
    );
    assert_eq!(
        post("respond", "Checked; detention was lawful.")
            .await
            .unwrap()
            .status(),
        303
    );
    let (_, answered) = moments().await;
    assert!(answered.unwrap() >= first.unwrap());

    let doc = json(&app, "/statistics.json").await;
    let p = entry(&doc["agencies"], "kramatorsk_rup");
    assert_eq!(p["referrals"]["shown"], "<5");
    assert_eq!(
        p["first_response_hours"],
        Value::Null,
        "one referral tells nothing"
    );
}
