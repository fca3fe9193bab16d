//! Staff-side timings on a large store: a coordinator signs in (password and TOTP, as a person
//! would) and opens queue pages and searches one after another; prints the median and 90th
//! percentile of each, with how many cases the page listed.
//!
//! Run through `benches/cases.sh`, which loads a million demo cases into a fresh store first:
//!     bash benches/cases.sh              # SQLite, 1,000,000 cases
//!     bash benches/cases.sh postgres     # PostgreSQL
//! or against a running server with an existing coordinator account:
//!     cargo bench --bench cases_load -- --url URL --email E --password P

mod common;

use common::{arg, percentile, sign_in, time_page};

struct Options {
    url: String,
    email: String,
    password: String,
    rounds: usize,
}

fn options() -> Options {
    Options {
        url: arg("--url").unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        email: arg("--email").unwrap_or_else(|| "bench.coordinator@example.org".into()),
        password: arg("--password").unwrap_or_else(|| "bench passphrase 2026".into()),
        rounds: arg("--rounds").and_then(|r| r.parse().ok()).unwrap_or(40),
    }
}

#[tokio::main]
async fn main() {
    let o = options();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    sign_in(&client, &o.url, &o.email, &o.password).await;
    // A real reference to look up: the newest case in the queue.
    let queue = client
        .get(format!("{}/staff/cases?status=received", o.url))
        .send()
        .await
        .expect("queue")
        .text()
        .await
        .expect("queue text");
    let marker = "<a href=\"/staff/cases/";
    let start = queue.find(marker).expect("a case in the queue") + marker.len();
    let reference = &queue[start..start + queue[start..].find('"').expect("href end")];
    let month = time::OffsetDateTime::now_utc().date() - time::Duration::days(60);
    let month_from = format!("{}-{:02}-01", month.year(), u8::from(month.month()));
    let month_to = format!(
        "{}-{:02}-{:02}",
        month.year(),
        u8::from(month.month()),
        month.month().length(month.year())
    );
    let scenarios: Vec<(&str, String)> = vec![
        ("queue: new reports", "/staff/cases?status=received".into()),
        ("queue: triaged", "/staff/cases?status=triaged".into()),
        ("queue: in progress", "/staff/cases?status=in_progress".into()),
        ("queue: closed", "/staff/cases?status=closed".into()),
        ("queue: new, page 50", "/staff/cases?status=received&page=50".into()),
        ("search: reference", format!("/staff/search?reference={reference}")),
        // "ліхтар" (street light) is in a few stories; "поліці" (police) in many.
        ("search: text, one story's word", "/staff/search?q=%D0%BB%D1%96%D1%85%D1%82%D0%B0%D1%80".into()),
        ("search: text, common word", "/staff/search?q=%D0%BF%D0%BE%D0%BB%D1%96%D1%86%D1%96".into()),
        ("search: text, no match", "/staff/search?q=zzqqxx".into()),
        // "телефон забрали" (took the phone): two words, both must match.
        (
            "search: text, two words",
            "/staff/search?q=%D1%82%D0%B5%D0%BB%D0%B5%D1%84%D0%BE%D0%BD+%D0%B7%D0%B0%D0%B1%D1%80%D0%B0%D0%BB%D0%B8".into(),
        ),
        (
            "search: text + community",
            "/staff/search?q=%D0%BF%D0%BE%D0%BB%D1%96%D1%86%D1%96&community=kramatorsk".into(),
        ),
        (
            "search: category + community + month",
            format!("/staff/search?category=street_lighting&community=sloviansk&from={month_from}&to={month_to}"),
        ),
        ("search: status + month", format!("/staff/search?status=responded&from={month_from}&to={month_to}")),
        ("search: text, page 20", "/staff/search?q=%D0%BF%D0%BE%D0%BB%D1%96%D1%86%D1%96&page=20".into()),
    ];
    println!(
        "{:<40} {:>9} {:>9} {:>6}",
        "page", "median ms", "p90 ms", "rows"
    );
    let mut medians = Vec::new();
    for (name, path) in &scenarios {
        let (latencies, body) = time_page(&client, &format!("{}{path}", o.url), o.rounds).await;
        let rows = body.matches("<tr><td><a href=").count();
        let median = percentile(&latencies, 0.5);
        medians.push(median);
        println!(
            "{name:<40} {median:>9.1} {:>9.1} {rows:>6}",
            percentile(&latencies, 0.9)
        );
    }
    medians.sort_by(f64::total_cmp);
    println!(
        "slowest median: {:.1} ms ({} rounds per page after 3 warm-up requests)",
        medians.last().copied().unwrap_or_default(),
        o.rounds
    );
}
