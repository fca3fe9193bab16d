//! Case handling end to end: the coordinator's queue and case page, triage, messages with the
//! reporter through the receipt, notes, public updates, closing and reopening; who may do it.

use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(coordinator_handles_a_case, only_case_handlers_reach_cases);

pub(crate) async fn report(app: &TestApp) -> (String, String) {
    let body = json!({
        "kind": "violation", "category": "unlawful_detention", "community": "kramatorsk",
        "description": "I was held at the district police station for nine hours without a lawyer.",
        "contact": "+380 67 000 11 22 Taras", "consent_contact": true, "consent_publish": true
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
    (
        created["reference"].as_str().unwrap().to_string(),
        created["receipt"].as_str().unwrap().to_string(),
    )
}

async fn follow_up(app: &TestApp, receipt: &str) -> Value {
    app.api()
        .post(app.url("/api/v1/reports/follow-up"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(crate) async fn act(
    app: &TestApp,
    browser: &reqwest::Client,
    reference: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = browser
        .get(app.url(&format!("/staff/cases/{reference}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(app.url(&format!("/staff/cases/{reference}/{action}?lang=en")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn coordinator_handles_a_case(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (reference, receipt) = report(&app).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;

    let queue = coordinator
        .get(app.url("/staff/cases?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&reference), "new report in the queue");
    let case = coordinator
        .get(app.url(&format!("/staff/cases/{reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        case.contains("+380 67 000 11 22 Taras"),
        "the coordinator sees the sealed contact"
    );
    assert!(case.contains("nine hours without a lawyer"));

    let bad = act(
        &app,
        &coordinator,
        &reference,
        "triage",
        &[
            ("category", "unlawful_detention"),
            ("community", "kramatorsk"),
            ("urgency", "whenever"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Choose an urgency"));
    let triaged = act(
        &app,
        &coordinator,
        &reference,
        "triage",
        &[
            ("category", "ill_treatment"),
            ("community", "sloviansk"),
            ("urgency", "urgent"),
        ],
    )
    .await;
    assert_eq!(triaged.status(), 303);
    let view = follow_up(&app, &receipt).await;
    assert_eq!(view["status"], "triaged");
    assert_eq!(view["category"], "ill_treatment");

    // A message reaches the reporter; a note does not; a public update does.
    act(
        &app,
        &coordinator,
        &reference,
        "message",
        &[("body", "Which station was it, please?")],
    )
    .await;
    act(
        &app,
        &coordinator,
        &reference,
        "note",
        &[("body", "Internal: check with the ombudsman office.")],
    )
    .await;
    act(
        &app,
        &coordinator,
        &reference,
        "update",
        &[("body", "The platform is checking the facts.")],
    )
    .await;
    let view = follow_up(&app, &receipt).await;
    let text = view["timeline"].to_string();
    assert!(text.contains("Which station was it, please?"));
    assert!(text.contains("The platform is checking the facts."));
    assert!(!text.contains("Internal: check"), "notes stay internal");
    // The reporter answers through the receipt; the coordinator reads it on the case page.
    app.api()
        .post(app.url("/api/v1/reports/follow-up/messages"))
        .json(&json!({ "receipt": receipt, "body": "The station on Pushkina street." }))
        .send()
        .await
        .unwrap();
    let case = coordinator
        .get(app.url(&format!("/staff/cases/{reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case.contains("The station on Pushkina street."));
    assert!(case.contains("Internal: check with the ombudsman office."));

    let no_outcome = act(&app, &coordinator, &reference, "close", &[("outcome", "")]).await;
    assert_eq!(no_outcome.status(), 422);
    let closed = act(
        &app,
        &coordinator,
        &reference,
        "close",
        &[("outcome", "confirmed")],
    )
    .await;
    assert_eq!(closed.status(), 303);
    assert_eq!(follow_up(&app, &receipt).await["status"], "closed");
    let twice = act(
        &app,
        &coordinator,
        &reference,
        "close",
        &[("outcome", "confirmed")],
    )
    .await;
    assert_eq!(twice.status(), 422);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("not possible in the case’s current status")
    );
    let reopened = act(&app, &coordinator, &reference, "reopen", &[]).await;
    assert_eq!(reopened.status(), 303);
    let view = follow_up(&app, &receipt).await;
    assert_eq!(view["status"], "triaged");
    let statuses: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(statuses, ["received", "triaged", "closed", "triaged"]);
}

async fn only_case_handlers_reach_cases(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (reference, _) = report(&app).await;
    for (email, role, org) in [
        ("operator@example.org", "operator", ""),
        ("officer@example.org", "officer", "kramatorsk_rup"),
        ("analyst@example.org", "analyst", ""),
    ] {
        let browser = signed_in(&app, email, role, org).await;
        for path in [
            "/staff/cases".to_string(),
            format!("/staff/cases/{reference}"),
        ] {
            let r = browser.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{role} on {path}");
        }
        let page = browser
            .get(app.url("/staff"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url(&format!("/staff/cases/{reference}/close")))
            .form(&[
                ("csrf", hidden(&page, "csrf").as_str()),
                ("outcome", "confirmed"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role} cannot close");
    }
    let anonymous = app
        .browser()
        .get(app.url(&format!("/staff/cases/{reference}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    let view: Value = app
        .api()
        .post(app.url("/api/v1/reports/follow-up"))
        .json(&json!({"receipt": "0000-0000-0000-0000-0000"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], 404);
}

on_both_engines!(referral_across_agencies);

async fn referral_across_agencies(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (reference, receipt) = report(&app).await;
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

    // Bad referral: no organization, a date in the past.
    let bad = act(
        &app,
        &coordinator,
        &reference,
        "refer",
        &[("message", "Please check."), ("due_date", "2020-01-01")],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Choose at least one organization"));
    assert!(html.contains("cannot be in the past"));

    let due = crate::support::days_from_today(10);
    let referred = act(
        &app,
        &coordinator,
        &reference,
        "refer",
        &[
            ("organizations", "kramatorsk_rup"),
            ("organizations", "prosecutor_donetsk"),
            (
                "message",
                "Please check the detention and answer the reporter.",
            ),
            ("due_date", due.as_str()),
            ("share_contact", "yes"),
        ],
    )
    .await;
    assert_eq!(referred.status(), 303);
    assert_eq!(follow_up(&app, &receipt).await["status"], "referred");

    // The police officer sees the referral, with the contact the coordinator shared.
    let police = signed_in(&app, "police@example.org", "officer", "kramatorsk_rup").await;
    let list = police
        .get(app.url("/staff/referrals?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&reference));
    let start = list.find("/staff/referrals/").unwrap();
    let end = list[start..].find('"').unwrap() + start;
    let referral_path = list[start..end].to_string();
    let page = police
        .get(app.url(&format!("{referral_path}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("+380 67 000 11 22 Taras"),
        "shared contact visible"
    );
    assert!(page.contains("Please check the detention"));
    // Their search finds it by its words and leads to their referral, not the coordinator's page.
    let search = police
        .get(app.url("/staff/search?q=lawyer&lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(search.contains(&format!("href=\"{referral_path}\"")));
    assert!(!search.contains(&format!("/staff/cases/{reference}")));
    assert!(
        !search.contains("f-organization"),
        "no filter by another agency"
    );

    // Another agency's officer neither lists it nor opens it by its address.
    let city = signed_in(
        &app,
        "city@example.org",
        "officer",
        "sloviansk_city_council",
    )
    .await;
    let other_list = city
        .get(app.url("/staff/referrals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other_list.contains(&reference));
    assert_eq!(
        city.get(app.url(&referral_path))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let csrf = hidden(&page, "csrf");
    let post = |action: &str, text: &str| {
        police
            .post(app.url(&format!("{referral_path}/{action}?lang=en")))
            .form(&[("csrf", csrf.clone()), ("text", text.to_string())])
            .send()
    };
    assert_eq!(post("accept", "").await.unwrap().status(), 303);
    assert_eq!(follow_up(&app, &receipt).await["status"], "in_progress");
    assert_eq!(
        post("accept", "").await.unwrap().status(),
        422,
        "accepting twice"
    );
    assert_eq!(
        post("act", "Internal inspection opened, officers questioned.")
            .await
            .unwrap()
            .status(),
        303
    );
    let empty = post("respond", " ").await.unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Write the answer"));
    assert_eq!(
        post(
            "respond",
            "The detention was found unlawful; disciplinary proceedings started."
        )
        .await
        .unwrap()
        .status(),
        303
    );
    assert_eq!(follow_up(&app, &receipt).await["status"], "responded");
    // The other officer cannot act on it either.
    let city_page = city
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = city
        .post(app.url(&format!("{referral_path}/respond")))
        .form(&[
            ("csrf", hidden(&city_page, "csrf").as_str()),
            ("text", "Not ours"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The coordinator sees both referrals and the answer on the case page.
    let case = coordinator
        .get(app.url(&format!("/staff/cases/{reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case.contains("disciplinary proceedings started"));
    assert!(case.contains("Answered") && case.contains("Sent"));
    let closed = act(
        &app,
        &coordinator,
        &reference,
        "close",
        &[("outcome", "confirmed")],
    )
    .await;
    assert_eq!(closed.status(), 303);

    // Every change is in the case's change log and the audit chain is intact.
    let case = coordinator
        .get(app.url(&format!("/staff/cases/{reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for entry in [
        "Triaged",
        "Referred to agencies",
        "Agency accepted",
        "Agency recorded an action",
        "Agency answered",
        "Closed",
    ] {
        assert!(case.contains(entry), "change log shows {entry}");
    }
    assert!(case.contains("police@example.org"), "who acted");
    let report = mistok::audit::service::verify(&app.state.db, &app.state.keys)
        .await
        .unwrap();
    assert!(report.is_intact(), "{report:?}");
    let case_id = mistok::cases::store::find_by_reference(&app.state.db, &reference)
        .await
        .unwrap()
        .unwrap()
        .id;
    let history = mistok::audit::store::history(&app.state.db, "case", &case_id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 6, "{history:?}");
}

on_both_engines!(hotline_operator_enters_a_call);

async fn hotline_operator_enters_a_call(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let operator = signed_in(&app, "operator@example.org", "operator", "").await;
    let page = operator
        .get(app.url("/staff/hotline?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (csrf, token) = (hidden(&page, "csrf"), hidden(&page, "form_token"));
    let call = |category: &'static str, description: &'static str| {
        operator
            .post(app.url("/staff/hotline?lang=en"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("form_token", token.as_str()),
                ("kind", "safety"),
                ("category", category),
                ("community", "lyman"),
                ("description", description),
                ("contact", "+380 99 123 45 67"),
                ("consent_contact", "yes"),
                ("caller_lang", "ru"),
            ])
            .send()
    };
    let wrong = call(
        "unlawful_detention",
        "Mines found near the playground on Shkilna street.",
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), 422, "a category of another kind");
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Mines found near the playground"),
        "values kept"
    );
    let done = call(
        "unexploded_ordnance",
        "Mines found near the playground on Shkilna street.",
    )
    .await
    .unwrap();
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    let receipt = crate::support::receipt_on(&html);
    // Pressing the button twice registers one call.
    let again = call(
        "unexploded_ordnance",
        "Mines found near the playground on Shkilna street.",
    )
    .await
    .unwrap();
    assert_eq!(
        crate::support::receipt_on(&again.text().await.unwrap()),
        receipt
    );
    assert_eq!(app.count("reports").await, 1);
    let view = follow_up(&app, &receipt).await;
    assert_eq!(view["kind"], "safety");
    assert_eq!(view["status"], "received");
    // Public visitors and officers cannot take calls.
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    assert_eq!(
        officer
            .get(app.url("/staff/hotline"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        app.browser()
            .get(app.url("/staff/hotline"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
}

on_both_engines!(search_finds_parts_of_words);

async fn search_finds_parts_of_words(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let api = app.api();
    let mut references = Vec::new();
    for (kind, category, community, description) in [
        (
            "violation",
            "unlawful_detention",
            "kramatorsk",
            "Мого сина затримали на блокпосту біля Ясногірки без пояснень.",
        ),
        (
            "violation",
            "ill_treatment",
            "sloviansk",
            "Задержали на блокпосту, били по ногам, отобрали телефон.",
        ),
        (
            "safety",
            "street_lighting",
            "lyman",
            "Темно на вулиці Шкільній, ліхтарі не світять уже місяць.",
        ),
        (
            "safety",
            "road_safety",
            "lyman",
            "Ёлки у дороги закрывают обзор, машины едут быстро.",
        ),
    ] {
        let body = json!({"kind": kind, "category": category, "community": community, "description": description});
        let created: Value = api
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
    let operator = signed_in(&app, "operator@example.org", "operator", "").await;
    let search = |query: String| {
        let operator = operator.clone();
        let url = app.url(&format!("/staff/search?lang=en&{query}"));
        async move {
            let r = operator.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let found = |html: &str| -> Vec<usize> {
        references
            .iter()
            .enumerate()
            .filter(|(_, r)| html.contains(r.as_str()))
            .map(|(i, _)| i)
            .collect()
    };
    // Part of a word, across Ukrainian and Russian spellings of the same stem, any case.
    let (status, html) = search("q=БЛОКПОСТ".into()).await;
    assert_eq!(status, 200);
    assert_eq!(found(&html), [0, 1]);
    let (_, html) = search("q=затрим".into()).await;
    assert_eq!(found(&html), [0]);
    // Every term must match.
    let (_, html) = search("q=блокпост+телефон".into()).await;
    assert_eq!(found(&html), [1]);
    // ё and е are one letter for search.
    let (_, html) = search("q=елки".into()).await;
    assert_eq!(found(&html), [3]);
    // Filters: community, reference, status.
    let (_, html) = search("community=lyman".into()).await;
    assert_eq!(found(&html), [2, 3]);
    let (_, html) = search(format!("reference={}", references[2].to_lowercase())).await;
    assert_eq!(found(&html), [2]);
    let (_, html) = search("status=closed".into()).await;
    assert!(found(&html).is_empty());
    assert!(html.contains("Nothing found"));
    // Bad filters are explained, field by field.
    let (status, html) = search("from=yesterday&to=2026-01-01&community=atlantis".into()).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Enter a date as YYYY-MM-DD") && html.contains("There is no such community")
    );
    // An officer's search reaches only what was referred to their organization: none of these.
    let officer = signed_in(&app, "officer@example.org", "officer", "kramatorsk_rup").await;
    let r = officer
        .get(app.url("/staff/search?q=%D0%B1%D0%BB%D0%BE%D0%BA%D0%BF%D0%BE%D1%81%D1%82&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(found(&html).is_empty() && html.contains("Nothing found"));
}
