//! Surveys at scale: a coordinator builds a 30-question survey through the pages, imports
//! 100,000 responses as CSV, then the full results page (every question, cross-tabulated by a
//! demographic question) is timed one request after another; finally concurrent residents
//! submit answers by the public link (answers per second, latencies) and the stored count is
//! checked against the acknowledged ones.
//!
//! Run through `benches/surveys.sh` (a release server on a fresh store):
//!     bash benches/surveys.sh              # SQLite
//!     bash benches/surveys.sh postgres     # PostgreSQL

mod common;

use std::time::{Duration, Instant};

use common::{arg, hidden, percentile, sign_in, time_page};

/// A small deterministic generator, so every run imports the same answers.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The questionnaire: (form fields of the question, how to make a random answer).
fn questions() -> Vec<(Vec<(&'static str, String)>, &'static str)> {
    let mut out = Vec::new();
    let q = |kind: &str, text: String| vec![("kind", kind.to_string()), ("text_uk", text)];
    let mut community = q("single", "Громада".into());
    community.push(("demographic", "community".into()));
    out.push((community, "community"));
    let mut age = q("single", "Вік".into());
    age.push(("demographic", "age_group".into()));
    age.push(("options_uk", "14–17\n18–29\n30–44\n45–59\n60+".into()));
    out.push((age, "5"));
    let mut gender = q("single", "Стать".into());
    gender.push(("demographic", "gender".into()));
    gender.push(("options_uk", "Жінка\nЧоловік\nІнше".into()));
    out.push((gender, "3"));
    for i in 0..8 {
        let mut trust = q("likert", format!("Довіра {i}"));
        trust.push(("trust", "yes".into()));
        out.push((trust, "likert"));
    }
    for i in 0..6 {
        let mut single = q("single", format!("Питання {i}"));
        single.push(("options_uk", "А\nБ\nВ\nГ".into()));
        out.push((single, "4"));
    }
    for i in 0..4 {
        let mut multiple = q("multiple", format!("Проблеми {i}"));
        multiple.push(("options_uk", "1\n2\n3\n4\n5\n6".into()));
        out.push((multiple, "multiple"));
    }
    for i in 0..5 {
        out.push((q("likert", format!("Оцінка {i}")), "likert"));
    }
    for i in 0..3 {
        let mut number = q("number", format!("Число {i}"));
        number.push(("min", "0".into()));
        number.push(("max", "100".into()));
        out.push((number, "number"));
    }
    out.push((q("short_text", "Коментар".into()), "text"));
    out
}

const COMMUNITIES: [&str; 4] = ["kramatorsk", "sloviansk", "druzhkivka", "kostiantynivka"];

fn answer(kind: &str, rng: &mut Lcg) -> String {
    match kind {
        "community" => COMMUNITIES[rng.next(4) as usize].to_string(),
        "likert" => (1 + rng.next(5)).to_string(),
        "multiple" => {
            let a = 1 + rng.next(6);
            let b = 1 + rng.next(6);
            if a == b {
                a.to_string()
            } else {
                format!("{a};{b}")
            }
        }
        "number" => rng.next(101).to_string(),
        "text" => {
            if rng.next(10) == 0 {
                "Більше освітлення".into()
            } else {
                String::new()
            }
        }
        n => (1 + rng.next(n.parse().unwrap_or(2))).to_string(),
    }
}

#[tokio::main]
async fn main() {
    let url = arg("--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let responses: usize = arg("--responses")
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let rounds: usize = arg("--rounds").and_then(|r| r.parse().ok()).unwrap_or(30);
    let clients: usize = arg("--clients").and_then(|r| r.parse().ok()).unwrap_or(64);
    let seconds: u64 = arg("--seconds").and_then(|r| r.parse().ok()).unwrap_or(10);
    let staff = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    sign_in(
        &staff,
        &url,
        "bench.coordinator@example.org",
        "bench passphrase 2026",
    )
    .await;
    let text = |r: reqwest::Response| async move { r.text().await.expect("text") };

    // The survey, its 30 questions and an open wave, through the coordinator's pages.
    let list = text(
        staff
            .get(format!("{url}/staff/surveys"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let csrf = hidden(&list, "csrf");
    let r = staff
        .post(format!("{url}/staff/surveys"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "bench-trust"),
            ("title_uk", "Довіра до поліції"),
            ("access", "cookie"),
        ])
        .send()
        .await
        .expect("survey");
    let survey = r.headers()["location"]
        .to_str()
        .expect("location")
        .trim_start_matches("/staff/surveys/")
        .to_string();
    let questions = questions();
    for (fields, _) in &questions {
        let page = text(
            staff
                .get(format!("{url}/staff/surveys/{survey}"))
                .send()
                .await
                .expect("survey page"),
        )
        .await;
        let mut form = vec![("csrf", csrf.clone()), ("seen", hidden(&page, "seen"))];
        form.extend(fields.iter().cloned());
        let r = staff
            .post(format!("{url}/staff/surveys/{survey}/questions"))
            .form(&form)
            .send()
            .await
            .expect("question");
        assert_eq!(r.status(), 303, "question added");
    }
    staff
        .post(format!("{url}/staff/surveys/{survey}/waves"))
        .form(&[("csrf", csrf.as_str()), ("name", "Bench wave")])
        .send()
        .await
        .expect("wave");
    let page = text(
        staff
            .get(format!("{url}/staff/surveys/{survey}"))
            .send()
            .await
            .expect("survey page"),
    )
    .await;
    let marker = format!("/staff/surveys/{survey}/waves/");
    let start = page.find(&marker).expect("wave") + marker.len();
    let wave = page[start..start + 36].to_string();
    staff
        .post(format!("{url}/staff/surveys/{survey}/waves/{wave}"))
        .form(&[("csrf", csrf.as_str()), ("action", "open")])
        .send()
        .await
        .expect("open");

    // 100,000 responses as one CSV import.
    let mut rng = Lcg(2026);
    let mut csv = (1..=questions.len())
        .map(|i| format!("q{i}"))
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for _ in 0..responses {
        let row: Vec<String> = questions.iter().map(|(_, k)| answer(k, &mut rng)).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    let megabytes = csv.len() as f64 / 1e6;
    let import_page = text(
        staff
            .get(format!("{url}/staff/surveys/{survey}/waves/{wave}/import"))
            .send()
            .await
            .expect("import page"),
    )
    .await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&import_page, "csrf"))
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("answers.csv")
                .mime_str("text/csv")
                .expect("mime"),
        );
    let started = Instant::now();
    let r = staff
        .post(format!("{url}/staff/surveys/{survey}/waves/{wave}/import"))
        .multipart(form)
        .send()
        .await
        .expect("import");
    let report = text(r).await;
    let took = started.elapsed().as_secs_f64();
    assert!(
        report.contains(&format!("<strong>{responses}</strong>")),
        "all rows stored"
    );
    println!(
        "CSV import: {responses} responses × {} questions ({megabytes:.1} MB) in {took:.1} s = {:.0} rows/s",
        questions.len(),
        responses as f64 / took
    );

    // The full results page: every question with its chart, cross-tabulated.
    let results = format!("{url}/staff/surveys/{survey}/waves/{wave}/results");
    let cold = Instant::now();
    let first = text(
        staff
            .get(format!("{results}?by=q1"))
            .send()
            .await
            .expect("results"),
    )
    .await;
    println!(
        "results page, first (loads the wave into memory): {:.0} ms, {} KB",
        cold.elapsed().as_secs_f64() * 1000.0,
        first.len() / 1024
    );
    println!("{:<44} {:>9} {:>9}", "page", "median ms", "p90 ms");
    for (name, query) in [
        ("results, all questions", ""),
        ("results × community (cross-tabs)", "?by=q1"),
        ("results × age group, weighted", "?by=q2&weighted=yes"),
        (
            "results of one community × gender",
            "?by=q3&community=kramatorsk",
        ),
    ] {
        let (latencies, body) = time_page(&staff, &format!("{results}{query}"), rounds).await;
        assert!(
            body.contains(&format!("<strong>{responses}</strong>")) || query.contains("community=")
        );
        println!(
            "{name:<44} {:>9.1} {:>9.1}",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.9)
        );
    }

    // Residents answering by the public link, concurrently (each answer a new form token; no
    // cookie jar, so that the "already answered" cookie does not stop the next one).
    let public = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client_no in 0..clients {
        let (public, form_url, questions) = (
            public.clone(),
            format!("{url}/s/bench-trust"),
            questions.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = public.get(&form_url).send().await.expect("form");
            let cookie = r
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|v| v.split(';').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            let form = r.text().await.expect("form text");
            let csrf = hidden(&form, "csrf");
            let mut rng = Lcg(client_no as u64 + 1);
            let mut latencies = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let mut fields = vec![
                    ("csrf".to_string(), csrf.clone()),
                    (
                        "form_token".to_string(),
                        format!("{:016x}{:016x}", client_no, n),
                    ),
                ];
                for (i, (_, kind)) in questions.iter().enumerate() {
                    let value = answer(kind, &mut rng);
                    for v in value.split(';').filter(|v| !v.is_empty()) {
                        fields.push((format!("q-q{}", i + 1), v.to_string()));
                    }
                }
                let sent = Instant::now();
                let r = public
                    .post(&form_url)
                    .header("cookie", &cookie)
                    .form(&fields)
                    .send()
                    .await;
                if let Ok(r) = r
                    && r.status() == 200
                    && r.text().await.is_ok_and(|t| !t.contains("field-error"))
                {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    latencies.sort();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "answers by link, {clients} clients: {:.0} stored answers/s; p50 {:.1} ms, p99 {:.1} ms ({} acknowledged)",
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len()
    );
    let after = text(staff.get(results.as_str()).send().await.expect("results")).await;
    let expected = responses + latencies.len();
    assert!(
        after.contains(&format!("<strong>{expected}</strong>")),
        "stored = imported + acknowledged ({expected})"
    );
    println!("responses stored: {expected} (imported + acknowledged)");
}
