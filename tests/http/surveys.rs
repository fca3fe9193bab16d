//! Trust surveys end to end: a coordinator builds a questionnaire and runs waves; residents answer
//! anonymously by link (once each); staff enter paper forms and import CSV; results are checked
//! against values computed independently (SciPy / statsmodels, the calls named at each value).

use reqwest::multipart::{Form, Part};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(
    residents_answer_a_survey_once_by_link,
    results_match_independently_computed_statistics,
    invitations_allow_one_answer_each,
    paper_forms_and_focus_groups,
    the_demo_has_a_survey_with_published_results,
);

async fn the_demo_has_a_survey_with_published_results(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    mistok::demo::load(&app.state, 20)
        .await
        .expect("demo cases");
    // Loading again leaves the survey as it is.
    mistok::demo::load(&app.state, 20)
        .await
        .expect("demo again");
    assert_eq!(app.count("surveys").await, 1);
    assert_eq!(app.count("survey_responses").await, 800);
    assert_eq!(app.count("focus_groups").await, 2);
    let public = app.browser();
    let (_, list) = get(&public, app.url("/surveys?lang=en")).await;
    let start = list
        .find("/surveys/trust-2026/")
        .expect("published wave listed");
    let link = &list[start..start + list[start..].find('"').unwrap()];
    let (status, html) = get(&public, app.url(&format!("{link}?lang=en&by=q2"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Trust in the police in our communities, 2026"));
    assert!(html.contains("Respondents: <strong>420</strong>"));
    assert!(html.contains("Test of independence"));
    // The open wave takes answers by the link.
    let (status, form) = get(&public, app.url("/s/trust-2026?lang=en")).await;
    assert_eq!(status, 200);
    assert!(form.contains("How much do you trust the police of your community?"));
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(
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

/// A survey made through the pages, with its questions; returns its id.
async fn build_survey(
    app: &TestApp,
    coordinator: &reqwest::Client,
    code: &str,
    access: &str,
    questions: &[&[(&str, &str)]],
) -> String {
    let (_, list) = get(coordinator, app.url("/staff/surveys?lang=en")).await;
    let csrf = hidden(&list, "csrf");
    let (status, location, _) = post(
        coordinator,
        app.url("/staff/surveys?lang=en"),
        &[
            ("csrf", &csrf),
            ("code", code),
            ("title_uk", "Довіра до поліції"),
            ("title_en", "Trust in the police"),
            ("intro_uk", "Анонімне опитування."),
            ("access", access),
        ],
    )
    .await;
    assert_eq!(status, 303, "survey created");
    let id = location.trim_start_matches("/staff/surveys/").to_string();
    for fields in questions {
        let (_, page) = get(
            coordinator,
            app.url(&format!("/staff/surveys/{id}?lang=en")),
        )
        .await;
        let mut all = vec![("csrf", csrf.as_str()), ("seen", "")];
        let seen = hidden(&page, "seen");
        all[1].1 = &seen;
        all.extend_from_slice(fields);
        let (status, _, body) = post(
            coordinator,
            app.url(&format!("/staff/surveys/{id}/questions?lang=en")),
            &all,
        )
        .await;
        assert_eq!(status, 303, "question added: {body}");
    }
    id
}

async fn new_wave(app: &TestApp, coordinator: &reqwest::Client, id: &str, name: &str) -> String {
    let (_, page) = get(
        coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    let (status, _, _) = post(
        coordinator,
        app.url(&format!("/staff/surveys/{id}/waves")),
        &[("csrf", &csrf), ("name", name)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(
        coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    // The newest wave's results link is the last one on the page.
    let marker = format!("/staff/surveys/{id}/waves/");
    let start = page.rfind(&marker).expect("wave listed") + marker.len();
    let wave = page[start..start + 36].to_string();
    let (status, _, _) = post(
        coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{wave}")),
        &[("csrf", &csrf), ("action", "open")],
    )
    .await;
    assert_eq!(status, 303);
    wave
}

const COMMUNITY: &[(&str, &str)] = &[
    ("kind", "single"),
    ("demographic", "community"),
    ("text_uk", "Ваша громада"),
    ("text_en", "Your community"),
    ("required", "yes"),
];
const TRUST: &[(&str, &str)] = &[
    ("kind", "likert"),
    ("text_uk", "Чи довіряєте ви поліції?"),
    ("text_en", "Do you trust the police?"),
    ("trust", "yes"),
    ("required", "yes"),
];
const VICTIM: &[(&str, &str)] = &[
    ("kind", "single"),
    ("text_uk", "Чи були ви потерпілим від злочину цього року?"),
    ("text_en", "Were you a victim of a crime this year?"),
    ("options_uk", "Так\nНі"),
    ("options_en", "Yes\nNo"),
    ("required", "yes"),
];
const REPORTED: &[(&str, &str)] = &[
    ("kind", "single"),
    ("text_uk", "Чи повідомили ви поліцію?"),
    ("text_en", "Did you report it to the police?"),
    ("options_uk", "Так\nНі"),
    ("options_en", "Yes\nNo"),
    ("required", "yes"),
    ("show_if", "q3=1"),
];
const AGE: &[(&str, &str)] = &[
    ("kind", "number"),
    ("text_uk", "Ваш вік"),
    ("text_en", "Your age"),
    ("min", "14"),
    ("max", "100"),
];
const COMMENT: &[(&str, &str)] = &[
    ("kind", "long_text"),
    ("text_uk", "Що поліція має змінити?"),
    ("text_en", "What should the police change?"),
];

async fn residents_answer_a_survey_once_by_link(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;

    // The builder checks the survey and each question field by field.
    let (_, list) = get(&coordinator, app.url("/staff/surveys?lang=en")).await;
    let csrf = hidden(&list, "csrf");
    let (status, _, html) = post(
        &coordinator,
        app.url("/staff/surveys?lang=en"),
        &[
            ("csrf", &csrf),
            ("code", "Bad code!"),
            ("title_en", "Only English"),
            ("access", "cookie"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Use 2 to 40 Latin letters") && html.contains("Enter a title in Ukrainian")
    );
    assert!(html.contains("value=\"Only English\""), "values kept");

    let id = build_survey(
        &app,
        &coordinator,
        "trust-2026",
        "cookie",
        &[COMMUNITY, TRUST, VICTIM, REPORTED, AGE, COMMENT],
    )
    .await;
    let (_, page) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    let seen = hidden(&page, "seen");
    let (status, _, html) = post(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/questions?lang=en")),
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("kind", "multiple"),
            ("text_uk", "Проблеми"),
            ("options_uk", "Одна"),
            ("trust", "yes"),
            ("show_if", "q5=1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Give at least two options") && html.contains("Only a 1–5 scale"));

    // Not open yet: residents are told so.
    let resident = app.browser();
    let (status, html) = get(&resident, app.url("/s/trust-2026?lang=en")).await;
    assert_eq!(status, 200);
    assert!(html.contains("not taking answers now"));
    let wave = new_wave(&app, &coordinator, &id, "Spring 2026").await;

    // The form works without scripts; a conditional question says when to answer it.
    let (status, form) = get(&resident, app.url("/s/trust-2026?lang=en")).await;
    assert_eq!(status, 200);
    assert!(form.contains("Do you trust the police?") && form.contains("1 — not at all"));
    assert!(form.contains("Answer only if you chose"));
    assert!(!form.contains("<script"));
    let csrf = hidden(&form, "csrf");
    let token = hidden(&form, "form_token");

    // Invalid answers come back field by field with the values kept.
    let (status, _, html) = post(
        &resident,
        app.url("/s/trust-2026?lang=en"),
        &[
            ("csrf", &csrf),
            ("form_token", &token),
            ("q-q1", "kramatorsk"),
            ("q-q3", "1"),
            ("q-q5", "7"),
            ("q-q6", "Більше патрулів"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Please answer this question"),
        "trust and 'reported' required"
    );
    assert!(html.contains("The number is outside the range allowed"));
    assert!(html.contains("Більше патрулів"), "text kept");
    assert_eq!(app.count("survey_responses").await, 0);

    let answer = [
        ("csrf", csrf.as_str()),
        ("form_token", token.as_str()),
        ("q-q1", "kramatorsk"),
        ("q-q2", "4"),
        ("q-q3", "2"),
        // Answered although not asked (q3 is "No"): dropped, not an error.
        ("q-q4", "1"),
        ("q-q5", "37"),
        ("q-q6", "Більше патрулів увечері"),
    ];
    let (status, _, html) = post(&resident, app.url("/s/trust-2026?lang=en"), &answer).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your answers are saved"));
    // A retried submission (another browser, same form) is stored once.
    let retry = app.browser();
    let (_, form2) = get(&retry, app.url("/s/trust-2026?lang=en")).await;
    let mut again = answer;
    let csrf2 = hidden(&form2, "csrf");
    again[0].1 = &csrf2;
    let (status, _, _) = post(&retry, app.url("/s/trust-2026?lang=en"), &again).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("survey_responses").await, 1);
    // The browser that answered is told it already has.
    let (_, html) = get(&resident, app.url("/s/trust-2026?lang=en")).await;
    assert!(html.contains("already sent answers"));

    // Once answered, the questions are locked.
    let (_, page) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    assert!(page.contains("can no longer change"));
    let coordinator_csrf = hidden(&page, "csrf");
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/questions/q6?lang=en")),
        &[("csrf", &coordinator_csrf), ("seen", "0"), ("op", "remove")],
    )
    .await;
    assert_eq!(status, 409);

    // Results: the answer counted, the dropped conditional answer not; texts listed for staff.
    let results = format!("/staff/surveys/{id}/waves/{wave}/results?lang=en");
    let (status, html) = get(&coordinator, app.url(&results)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Respondents: <strong>1</strong>"));
    assert!(html.contains("<svg role=\"img\""));
    let (_, texts) = get(
        &coordinator,
        app.url(&format!(
            "/staff/surveys/{id}/waves/{wave}/texts/q6?lang=en"
        )),
    )
    .await;
    assert!(texts.contains("Більше патрулів увечері"));
    let (_, csv) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{wave}/responses.csv")),
    )
    .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "response,channel,received_at,q1,q2,q3,q4,q5,q6");
    assert!(
        lines[1].contains(",web,")
            && lines[1].ends_with(",kramatorsk,4,2,,37,Більше патрулів увечері")
    );

    // Published results hide groups under 5 answers, and never list texts.
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{wave}")),
        &[("csrf", &coordinator_csrf), ("action", "publish")],
    )
    .await;
    assert_eq!(status, 303);
    let public = app.browser();
    let (_, list) = get(&public, app.url("/surveys?lang=en")).await;
    let link = format!("/surveys/trust-2026/{wave}");
    assert!(list.contains(&link));
    let (status, html) = get(&public, app.url(&format!("{link}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("fewer than 5"));
    assert!(!html.contains("Більше патрулів"));
    assert!(!html.contains("<svg"), "no chart of a suppressed question");
    // Staff pages are not for the public, nor for officers.
    assert_ne!(get(&public, app.url(&results)).await.0, 200);
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    assert_eq!(get(&officer, app.url(&results)).await.0, 403);
    let analyst = signed_in(&app, "analyst@example.org", "analyst", "").await;
    assert_eq!(get(&analyst, app.url(&results)).await.0, 200);
    assert_eq!(
        post(
            &analyst,
            app.url("/staff/surveys"),
            &[("csrf", "x"), ("code", "x2")]
        )
        .await
        .0,
        403
    );
}

/// Rows of the import: community, trust (1–5), victim (1 yes / 2 no), reported, comment.
fn wave_rows(trust: &[(&str, u8, usize)], victims: &[(&str, usize)]) -> String {
    let mut csv = String::from("q1,q2,q3,q4,q5\n");
    for (community, value, count) in trust {
        let victims_here = victims
            .iter()
            .find(|(c, _)| c == community)
            .map(|(_, n)| *n)
            .unwrap_or(0);
        let already = csv
            .lines()
            .filter(|l| l.starts_with(&format!("{community},")))
            .count();
        for i in 0..*count {
            let victim = if already + i < victims_here {
                "так"
            } else {
                "2"
            };
            let reported = if victim == "так" { "1" } else { "" };
            csv.push_str(&format!("{community},{value},{victim},{reported},\n"));
        }
    }
    csv
}

async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    wave: &str,
    csv: String,
) -> (u16, String) {
    let path = format!("/staff/surveys/{id}/waves/{wave}/import?lang=en");
    let (_, page) = get(client, app.url(&path)).await;
    let form = Form::new().text("csrf", hidden(&page, "csrf")).part(
        "file",
        Part::bytes(csv.into_bytes())
            .file_name("answers.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let r = client
        .post(app.url(&path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn summary_row<'a>(csv: &'a str, question: &str, option: &str) -> Vec<&'a str> {
    csv.lines()
        .find(|l| l.starts_with(&format!("{question},")) && l.split(',').nth(3) == Some(option))
        .unwrap_or_else(|| panic!("no row {question}/{option} in {csv}"))
        .split(',')
        .collect()
}

async fn results_match_independently_computed_statistics(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let comment = &[("kind", "short_text"), ("text_uk", "Коментар")][..];
    let id = build_survey(
        &app,
        &coordinator,
        "trust-waves",
        "cookie",
        &[COMMUNITY, TRUST, VICTIM, REPORTED, comment],
    )
    .await;

    // Wave 1: Kramatorsk 60 (trust 1–5, 12 each; 24 victims), Sloviansk 40 (2×10, 3×10, 4×20;
    // 6 victims); plus three broken rows that must be reported, not dropped.
    let spring = new_wave(&app, &coordinator, &id, "Spring").await;
    let mut csv = wave_rows(
        &[
            ("kramatorsk", 1, 12),
            ("kramatorsk", 2, 12),
            ("kramatorsk", 3, 12),
            ("kramatorsk", 4, 12),
            ("kramatorsk", 5, 12),
            ("sloviansk", 2, 10),
            ("sloviansk", 3, 10),
            ("sloviansk", 4, 20),
        ],
        &[("kramatorsk", 24), ("sloviansk", 6)],
    );
    csv.push_str("kramatorsk,7,2,,\natlantis,3,2,,\nkramatorsk,3\n\n");
    let (status, html) = import(&app, &coordinator, &id, &spring, csv).await;
    assert_eq!(status, 200);
    assert!(html.contains("Stored: <strong>100</strong>"), "{html}");
    assert!(html.contains("Not stored: <strong>3</strong>"));
    assert!(html.contains("<td>102</td><td>2 (q2): Choose a value from 1 to 5.</td>"));
    assert!(html.contains("<td>103</td><td>1 (q1): Choose one of the options given.</td>"));
    assert!(html.contains("<td>104</td><td>This row has a different number of columns"));
    assert_eq!(app.count("survey_responses").await, 100);

    let base = format!("/staff/surveys/{id}/waves/{spring}");
    let (_, summary) = get(&coordinator, app.url(&format!("{base}/summary.csv"))).await;
    // statsmodels proportion_confint(30, 100, method='wilson') = (0.218949, 0.395849)
    let yes = summary_row(&summary, "q3", "1");
    assert_eq!(&yes[5..10], ["100", "30", "30.00", "21.89", "39.58"]);
    // The trust item as a 1–5 scale: mean 3.1, t interval (scipy.stats.t.ppf(0.975, 99)):
    // (2.856575, 3.343425)
    let likert = summary_row(&summary, "q2", "1");
    assert_eq!(&likert[10..13], ["3.100", "2.857", "3.343"]);
    // Weighted by population (Kramatorsk 147,000, Sloviansk 105,000): p = 0.295833, Kish
    // n_eff = 99.884393; Wilson on (p·n_eff, n_eff) = (0.215235, 0.391554).
    let (_, weighted) = get(
        &coordinator,
        app.url(&format!("{base}/summary.csv?weighted=yes")),
    )
    .await;
    let yes = summary_row(&weighted, "q3", "1");
    assert_eq!(&yes[7..10], ["29.58", "21.52", "39.16"]);
    // Cross-tabulation by community: scipy.stats.chi2_contingency([[24, 36], [6, 34]],
    // correction=False) = 7.142857, p = 0.0075263, df 1; Cramér's V = 0.267261.
    let (_, page) = get(
        &coordinator,
        app.url(&format!("{base}/results?by=q1&lang=en")),
    )
    .await;
    assert!(
        page.contains("χ² = 7.1, df = 1, p = 0.008, V = 0.27"),
        "{page}"
    );
    assert!(page.contains("40.0% (24)") && page.contains("15.0% (6)"));
    // The trust index of the wave: mean 52.5, t interval (46.414382, 58.585618).
    assert!(page.contains("<td>52.5</td><td>46.4–58.6</td>"));

    // Wave 2: Kramatorsk 60 (4×30, 5×30), Sloviansk 40 (2×20, 3×20).
    let autumn = new_wave(&app, &coordinator, &id, "Autumn").await;
    let csv = wave_rows(
        &[
            ("kramatorsk", 4, 30),
            ("kramatorsk", 5, 30),
            ("sloviansk", 2, 20),
            ("sloviansk", 3, 20),
        ],
        &[],
    );
    let (status, html) = import(&app, &coordinator, &id, &autumn, csv).await;
    assert_eq!(status, 200);
    assert!(html.contains("Stored: <strong>100</strong>"));
    let (_, page) = get(
        &coordinator,
        app.url(&format!(
            "/staff/surveys/{id}/waves/{autumn}/results?lang=en"
        )),
    )
    .await;
    // Overall 67.5 (62.015914, 72.984086); change +15.0 against spring, Welch
    // (scipy.stats.ttest_ind(equal_var=False)): CI (6.857762, 23.142238), p = 0.000358.
    assert!(page.contains("<td>67.5</td><td>62.0–73.0</td><td><strong>+15.0 (6.9–23.1; p &#60; 0.001) statistically significant</strong>"), "{page}");
    // Kramatorsk 87.5 (84.243657, 90.756343), +37.5 (27.771186, 47.228814).
    assert!(
        page.contains(
            "<td>87.5</td><td>84.2–90.8</td><td><strong>+37.5 (27.8–47.2; p &#60; 0.001)"
        )
    );
    // Sloviansk 37.5 (33.451378, 41.548622), −18.75 (−26.493252, −11.006748), p = 8.6e-6.
    assert!(
        page.contains("<td>37.5</td><td>33.5–41.5</td><td><strong>-18.")
            && page.contains("(-26.5–-11.0; p &#60; 0.001)")
    );

    // Published, both waves show on the public statistics and in the month's digest.
    let csrf = hidden(&page, "csrf");
    for wave in [&spring, &autumn] {
        let (status, _, _) = post(
            &coordinator,
            app.url(&format!("/staff/surveys/{id}/waves/{wave}")),
            &[("csrf", &csrf), ("action", "publish")],
        )
        .await;
        assert_eq!(status, 303);
    }
    let public = app.browser();
    let (_, stats) = get(&public, app.url("/statistics?lang=en")).await;
    assert!(stats.contains("Trust in the police — Autumn"), "{stats}");
    assert!(
        stats.contains(
            "<td class=\"num\">67.5</td><td>62.0–73.0</td><td>+15.0 (6.9–23.1; p &#60; 0.001) \
             statistically significant</td>"
        ),
        "{stats}"
    );
    let now = time::OffsetDateTime::now_utc();
    let month = format!("{:04}-{:02}", now.year(), u8::from(now.month()));
    let (_, digest) = get(&public, app.url(&format!("/digest/{month}?lang=en"))).await;
    assert!(
        digest.contains("Survey: Trust in the police — Autumn"),
        "{digest}"
    );
    assert!(digest.contains(&format!("/surveys/trust-waves/{autumn}")));

    // Public results never show a count from 1 to 4, not even of one option.
    let winter = new_wave(&app, &coordinator, &id, "Winter").await;
    let csv = wave_rows(&[("kramatorsk", 4, 7), ("druzhkivka", 2, 2)], &[]);
    let (status, _) = import(&app, &coordinator, &id, &winter, csv).await;
    assert_eq!(status, 200);
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{winter}")),
        &[("csrf", &csrf), ("action", "publish")],
    )
    .await;
    assert_eq!(status, 303);
    let public_winter = format!("/surveys/trust-waves/{winter}?by=q1&lang=en");
    let (_, html) = get(&public, app.url(&public_winter)).await;
    assert!(
        html.contains("<th scope=\"row\">Druzhkivka</th><td>fewer than 5</td><td>—</td>"),
        "{html}"
    );
    assert!(html.contains("<th scope=\"row\">Kramatorsk</th><td>7</td><td>77.8</td>"));
    assert!(!html.contains("(2)") && !html.contains(">2<"));
    let staff_winter = format!("/staff/surveys/{id}/waves/{winter}/results?lang=en");
    let (_, staff_view) = get(&coordinator, app.url(&staff_winter)).await;
    assert!(staff_view.contains("<th scope=\"row\">Druzhkivka</th><td>2</td><td>22.2</td>"));

    // Public pages compare only with a published wave: autumn withdrawn, winter shows no change.
    let (status, _, _) = post(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{autumn}")),
        &[("csrf", &csrf), ("action", "unpublish")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get(&public, app.url(&public_winter)).await;
    assert!(
        !html.contains("significant") && !html.contains("Autumn"),
        "{html}"
    );
    let (_, staff_view) = get(&coordinator, app.url(&staff_winter)).await;
    assert!(staff_view.contains("significant") && staff_view.contains("«Autumn»"));
}

async fn invitations_allow_one_answer_each(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let id = build_survey(&app, &coordinator, "invited", "token", &[TRUST]).await;
    let wave = new_wave(&app, &coordinator, &id, "Invited residents").await;
    let (_, page) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    let (status, _, html) = post(
        &coordinator,
        app.url(&format!(
            "/staff/surveys/{id}/waves/{wave}/invitations?lang=en"
        )),
        &[("csrf", &csrf), ("count", "0")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("from 1 to 5,000"));
    let r = coordinator
        .post(app.url(&format!("/staff/surveys/{id}/waves/{wave}/invitations")))
        .form(&[("csrf", csrf.as_str()), ("count", "3")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let links: Vec<String> = r
        .text()
        .await
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    assert_eq!(links.len(), 3);
    let path = &links[0][links[0].find("/s/").unwrap()..];

    let resident = app.browser();
    let (status, html) = get(&resident, app.url("/s/invited?lang=en")).await;
    assert_eq!(status, 403);
    assert!(html.contains("open the link from your invitation"));
    let (status, form) = get(&resident, app.url(&format!("{path}&lang=en"))).await;
    assert_eq!(status, 200);
    let fields = [
        ("csrf", hidden(&form, "csrf")),
        ("form_token", hidden(&form, "form_token")),
        ("invitation", hidden(&form, "invitation")),
        ("q-q1", "5".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post(&resident, app.url("/s/invited?lang=en"), &fields).await;
    assert_eq!(status, 200, "{html}");
    // The same submission again is the same answer; a new form with the used invitation is not.
    let (status, _, _) = post(&resident, app.url("/s/invited?lang=en"), &fields).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("survey_responses").await, 1);
    let (status, html) = get(&resident, app.url(&format!("{path}&lang=en"))).await;
    assert_eq!(status, 403);
    assert!(html.contains("already sent with this invitation"));
    let mut other = fields.clone();
    other[1].1 = "0123456789abcdef0123456789abcdef";
    let (status, _, _) = post(&resident, app.url("/s/invited?lang=en"), &other).await;
    assert_eq!(status, 403);
    assert_eq!(app.count("survey_responses").await, 1);
    let (_, page) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}?lang=en")),
    )
    .await;
    assert!(page.contains("Invitations: 3 made, 1 used"), "{page}");
}

async fn paper_forms_and_focus_groups(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let problems = &[
        ("kind", "multiple"),
        ("text_uk", "Що турбує?"),
        ("text_en", "What worries you?"),
        ("options_uk", "Освітлення\nДороги\nНаркотики"),
        ("options_en", "Lighting\nRoads\nDrugs"),
    ][..];
    let id = build_survey(
        &app,
        &coordinator,
        "paper",
        "cookie",
        &[COMMUNITY, TRUST, problems],
    )
    .await;
    let wave = new_wave(&app, &coordinator, &id, "Paper round").await;
    let operator = signed_in(&app, "operator@example.org", "operator", "").await;
    // Operators find the surveys and enter answers; results are for readers.
    let (status, page) = get(&operator, app.url(&format!("/staff/surveys/{id}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(page.contains("Enter paper forms") && !page.contains("/results\""));
    let results = format!("/staff/surveys/{id}/waves/{wave}/results");
    assert_eq!(get(&operator, app.url(&results)).await.0, 403);
    let analyst = signed_in(&app, "analyst@example.org", "analyst", "").await;
    let (_, page) = get(&analyst, app.url(&format!("/staff/surveys/{id}?lang=en"))).await;
    assert!(page.contains("/results\"") && !page.contains("Enter paper forms"));
    let path = format!("/staff/surveys/{id}/waves/{wave}/paper?lang=en");
    let (status, form) = get(&operator, app.url(&path)).await;
    assert_eq!(status, 200);
    assert!(form.contains("<kbd>1</kbd> Lighting") && form.contains("autofocus"));
    assert!(
        form.contains("<kbd>1</kbd> not at all"),
        "a scale's words, its number once"
    );
    // Numbers typed from the paper: community number 2 in the list, options "1 3".
    let (status, _, html) = post(
        &operator,
        app.url(&path),
        &[
            ("csrf", &hidden(&form, "csrf")),
            ("form_token", &hidden(&form, "form_token")),
            ("q-q1", "2"),
            ("q-q2", "9"),
            ("q-q3", "1 3"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a value from 1 to 5") && html.contains("value=\"1 3\""));
    let (status, _, html) = post(
        &operator,
        app.url(&path),
        &[
            ("csrf", &hidden(&form, "csrf")),
            ("form_token", &hidden(&form, "form_token")),
            ("q-q1", "2"),
            ("q-q2", "3"),
            ("q-q3", "1 3"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Saved. Enter the next form.") && html.contains("Answers: 1"));
    let (_, csv) = get(
        &coordinator,
        app.url(&format!("/staff/surveys/{id}/waves/{wave}/responses.csv")),
    )
    .await;
    assert!(csv.lines().nth(1).unwrap().contains(",paper,"));
    assert!(csv.lines().nth(1).unwrap().ends_with(",3,1;3"), "{csv}");

    // Focus groups: checked, saved with themes, themes counted across groups.
    let (_, form) = get(&coordinator, app.url("/staff/focus-groups/new?lang=en")).await;
    let csrf = hidden(&form, "csrf");
    let (status, _, html) = post(
        &coordinator,
        app.url("/staff/focus-groups?lang=en"),
        &[
            ("csrf", &csrf),
            ("held_on", "2026-13-01"),
            ("participants", "0"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a date") && html.contains("number of participants"));
    for (date, topic, themes) in [
        (
            "2026-10-02",
            "Безпека у дворах",
            "Вуличне освітлення, час реагування",
        ),
        ("2026-10-16", "Школа і поліція", "час  реагування, булінг"),
    ] {
        let (status, location, _) = post(
            &coordinator,
            app.url("/staff/focus-groups"),
            &[
                ("csrf", &csrf),
                ("held_on", date),
                ("community", "kramatorsk"),
                ("topic", topic),
                ("moderator", "ГО «Місток»"),
                ("participants", "9"),
                ("profile", "9 мешканців, 5 жінок, 20–65 років"),
                ("notes", "Нотатки"),
                ("themes", themes),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.ends_with("?saved=1"));
    }
    let (_, list) = get(&coordinator, app.url("/staff/focus-groups?lang=en")).await;
    assert!(
        list.contains("час реагування</a> <span class=\"badge\">2</span>"),
        "{list}"
    );
    assert!(list.contains("булінг</a> <span class=\"badge\">1</span>"));
    let (_, filtered) = get(
        &coordinator,
        app.url("/staff/focus-groups?lang=en&theme=%D0%B1%D1%83%D0%BB%D1%96%D0%BD%D0%B3"),
    )
    .await;
    assert!(filtered.contains("Школа і поліція") && !filtered.contains("Безпека у дворах"));
}
