//! Open311 GeoReport v2: discovery, services and their definitions in JSON and XML with the
//! specification's element names; partner systems send requests with a key an administrator
//! issued (and revoked); only published cases are read back, in their summary and with a coarse
//! location; errors always in GeoReport's format.

use serde_json::{Value, json};

use crate::cases::act;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(
    discovery_services_and_definitions,
    partners_send_requests_with_a_key,
    only_published_cases_are_served
);

/// An element of an XML answer, with its text and children (attributes are never used).
#[derive(Debug)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> &Node {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>: {self:?}", self.name))
    }

    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parses a whole XML answer, checking that it is well-formed and declares UTF-8.
fn parse_xml(xml: &str) -> Node {
    use quick_xml::events::Event;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "declaration: {xml}"
    );
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node {
        name: String::new(),
        text: String::new(),
        children: Vec::new(),
    }];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(Node {
                name: e.name().as_ref().to_string(),
                text: String::new(),
                children: Vec::new(),
            }),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(Node {
                name: e.name().as_ref().to_string(),
                text: String::new(),
                children: Vec::new(),
            }),
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let resolved = quick_xml::escape::unescape(&format!("&{name};"))
                    .unwrap()
                    .into_owned();
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = app.api().get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let media = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, media, r.text().await.unwrap())
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let (status, media, body) = get(app, path).await;
    assert!(media.starts_with("application/json"), "{path}: {media}");
    (status, serde_json::from_str(&body).unwrap())
}

async fn get_xml(app: &TestApp, path: &str) -> (u16, Node) {
    let (status, media, body) = get(app, path).await;
    assert!(media.starts_with("text/xml"), "{path}: {media}");
    (status, parse_xml(&body))
}

/// The JSON error array: every entry has the HTTP status as its code and a description.
fn json_errors(status: u16, body: &Value) -> String {
    let list = body.as_array().expect("errors are an array");
    assert!(!list.is_empty());
    for e in list {
        assert_eq!(e["code"], status, "{body}");
        assert!(e["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    body.to_string()
}

async fn discovery_services_and_definitions(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    let (status, d) = get_json(&app, "/open311/v2/discovery.json").await;
    assert_eq!(status, 200);
    for field in ["changeset", "contact", "key_service"] {
        assert!(d[field].is_string(), "{field}: {d}");
    }
    let endpoint = &d["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(endpoint["type"], "production");
    assert!(endpoint["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert!(endpoint["changeset"].is_string());
    let formats = endpoint["formats"].to_string();
    assert!(formats.contains("text/xml") && formats.contains("application/json"));
    let (_, d) = get_xml(&app, "/open311/v2/discovery.xml").await;
    assert_eq!(d.name, "discovery");
    assert_eq!(
        d.names(),
        ["changeset", "contact", "key_service", "endpoints"]
    );
    let endpoint = d.child("endpoints").child("endpoint");
    assert_eq!(endpoint.child("type").text, "production");
    assert_eq!(endpoint.child("formats").all("format").len(), 2);

    // Services: the categories, named in the asked language (Ukrainian by default).
    let (status, services) = get_json(&app, "/open311/v2/services.json?locale=en").await;
    assert_eq!(status, 200);
    let list = services.as_array().unwrap();
    assert!(list.len() > 5);
    let lighting = list
        .iter()
        .find(|s| s["service_code"] == "street_lighting")
        .expect("a category is a service");
    for field in [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ] {
        assert!(!lighting[field].is_null(), "{field}: {lighting}");
    }
    assert_eq!(lighting["metadata"], true);
    assert_eq!(lighting["type"], "realtime");
    assert_eq!(lighting["group"], "Safety problem in your community");
    let (_, uk) = get_json(&app, "/open311/v2/services.json").await;
    let (_, ru) = app
        .api()
        .get(app.url("/open311/v2/services.json"))
        .header("accept-language", "ru-RU,ru;q=0.9")
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    let ru: Value = ru.json().await.unwrap();
    let name = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_code"] == "street_lighting")
            .unwrap()["service_name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(name(&uk), name(&services));
    assert_ne!(name(&ru), name(&uk));
    let (_, xml) = get_xml(&app, "/open311/v2/services.xml?locale=en").await;
    assert_eq!(xml.name, "services");
    let first = xml.all("service");
    assert_eq!(first.len(), list.len());
    assert_eq!(
        first[0].names(),
        [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group"
        ]
    );

    // A service definition: the attributes Mistok asks for beyond GeoReport's fields.
    let (status, def) = get_json(&app, "/open311/v2/services/street_lighting.json?locale=en").await;
    assert_eq!(status, 200);
    assert_eq!(def["service_code"], "street_lighting");
    let attributes = def["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attributes
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "community",
            "occurred_at",
            "involved",
            "consent_publish",
            "consent_contact"
        ]
    );
    let datatypes = [
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    ];
    for (i, a) in attributes.iter().enumerate() {
        assert_eq!(a["variable"], true);
        assert!(datatypes.contains(&a["datatype"].as_str().unwrap()));
        assert!(a["required"].is_boolean());
        assert_eq!(a["order"], i + 1);
        assert!(a["description"].is_string());
        assert!(a.get("datatype_description").is_some());
    }
    let community = &attributes[0];
    assert_eq!(community["datatype"], "singlevaluelist");
    assert!(
        community["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["key"] == "kramatorsk" && v["name"] == "Kramatorsk")
    );
    assert_eq!(attributes[1]["datatype"], "datetime");
    assert_eq!(attributes[3]["values"][0]["key"], "yes");
    let (_, def) = get_xml(&app, "/open311/v2/services/street_lighting.xml").await;
    assert_eq!(def.name, "service_definition");
    let attribute = &def.child("attributes").all("attribute")[0];
    assert_eq!(
        attribute.names(),
        [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values"
        ]
    );
    let value = attribute.child("values").all("value")[0];
    assert_eq!(value.names(), ["key", "name"]);

    // Errors: GeoReport's format, the right status, in the client's language; never a 500.
    let (status, e) = get_json(&app, "/open311/v2/services/potholes.json?locale=en").await;
    assert_eq!(status, 404);
    assert!(json_errors(404, &e).contains("no service with this code"));
    let (status, e) = get_xml(&app, "/open311/v2/services/potholes.xml").await;
    assert_eq!(status, 404);
    assert_eq!(e.name, "errors");
    let error = e.child("error");
    assert_eq!(error.names(), ["code", "description"]);
    assert_eq!(error.child("code").text, "404");
    assert!(error.child("description").text.contains("Послуги"));
    for path in [
        "/open311/v2/services.csv",
        "/open311/v2/services",
        "/open311/v2/requests/DN-2026-000001.html",
        "/open311/v2/nothing.json",
        "/open311/v3/services.json",
        "/open311/v2/services/street_lighting",
    ] {
        let (status, e) = get_json(&app, path).await;
        assert_eq!(status, 404, "{path}");
        json_errors(404, &e);
    }
    let (status, e) = get_json(&app, "/open311/v2/services.json?jurisdiction_id=luhansk").await;
    assert_eq!(status, 404);
    assert!(json_errors(404, &e).contains("jurisdiction_id"));
    let (status, _) = get_json(&app, "/open311/v2/services.json?jurisdiction_id=donetsk").await;
    assert_eq!(status, 200);
    let r = app
        .api()
        .delete(app.url("/open311/v2/services.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    json_errors(405, &r.json().await.unwrap());
    let (status, _, body) = get(&app, "/open311/v2/%FF%FE.json").await;
    assert!(
        status == 404 && body.contains("\"code\":404"),
        "{status} {body}"
    );
}

/// A browser signed in as an administrator, and a key it issued on the API keys page.
async fn issue_key(app: &TestApp, admin: &reqwest::Client, name: &str) -> String {
    let page = admin
        .get(app.url("/staff/admin/api-keys?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = admin
        .post(app.url("/staff/admin/api-keys?lang=en"))
        .form(&[("csrf", hidden(&page, "csrf").as_str()), ("name", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("shown only once"), "{html}");
    let start = html.find("api-key\">").expect("the key is shown") + 9;
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.api()
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

const DESCRIPTION: &str = "The street lights on Shevchenka street have been off for two weeks.";

async fn partners_send_requests_with_a_key(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let admin = signed_in(&app, "admin@example.org", "administrator", "").await;
    let key = issue_key(&app, &admin, "Kramatorsk 311 app").await;
    assert!(key.starts_with("m311_") && key.len() == 37, "{key}");
    // The page lists the key by its first characters only.
    let page = admin
        .get(app.url("/staff/admin/api-keys?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kramatorsk 311 app") && !page.contains(&key));
    assert!(page.contains(&key[..9]));
    // A name is required; the page says so and keeps nothing.
    let r = admin
        .post(app.url("/staff/admin/api-keys?lang=en"))
        .form(&[("csrf", hidden(&page, "csrf").as_str()), ("name", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Name the partner system"));

    let valid = |key: &str| {
        vec![
            ("api_key", key.to_string()),
            ("service_code", "street_lighting".to_string()),
            ("lat", "48.86".to_string()),
            ("long", "37.61".to_string()),
            ("address_string", "Shevchenka St 14".to_string()),
            ("description", DESCRIPTION.to_string()),
            ("first_name", "Olena".to_string()),
            ("last_name", "Kovalenko".to_string()),
            ("email", "olena@example.org".to_string()),
            ("phone", "+380501112233".to_string()),
            (
                "media_url",
                "http://169.254.169.254/latest/meta-data".to_string(),
            ),
            ("attribute[consent_contact]", "yes".to_string()),
            ("attribute[involved]", "patrol police".to_string()),
        ]
    };

    // Without a key, with a wrong one: 403, in GeoReport's format.
    let mut no_key = valid("");
    no_key.remove(0);
    let r = app
        .api()
        .post(app.url("/open311/v2/requests.json?locale=en"))
        .form(&no_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert!(json_errors(403, &body).contains("api_key"));
    let wrong = format!("m311_{}", "A".repeat(32));
    let r = app
        .api()
        .post(app.url("/open311/v2/requests.xml"))
        .form(&valid(&wrong))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let xml = parse_xml(&r.text().await.unwrap());
    assert_eq!(xml.child("error").child("code").text, "403");

    // Missing service code and place: 400, each named.
    let r = post(
        &app,
        "/open311/v2/requests.json?locale=en",
        &[("api_key", key.as_str()), ("description", DESCRIPTION)],
    )
    .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(json_errors(400, &body).contains("service_code"));
    let r = post(
        &app,
        "/open311/v2/requests.xml?locale=en",
        &[
            ("api_key", key.as_str()),
            ("service_code", "street_lighting"),
            ("description", DESCRIPTION),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let xml = parse_xml(&r.text().await.unwrap());
    assert_eq!(xml.name, "errors");
    let description = &xml.child("error").child("description").text;
    assert!(description.starts_with("lat/long:"), "{description}");
    // A bad consent answer (before intake), then too short a description (named by intake).
    for (consent, named) in [
        ("perhaps", "attribute[consent_publish]"),
        ("yes", "description"),
    ] {
        let r = post(
            &app,
            "/open311/v2/requests.json?locale=en",
            &[
                ("api_key", key.as_str()),
                ("service_code", "street_lighting"),
                ("attribute[community]", "kramatorsk"),
                ("attribute[consent_publish]", consent),
                ("description", "dark"),
            ],
        )
        .await;
        assert_eq!(r.status(), 400);
        let errors = json_errors(400, &r.json().await.unwrap());
        assert!(errors.contains(named), "{errors}");
    }
    // Unknown service or jurisdiction: 404.
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[("api_key", key.as_str()), ("service_code", "potholes")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[("api_key", key.as_str()), ("jurisdiction_id", "kharkiv")],
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(app.count("reports").await, 0, "nothing stored by refusals");

    // A valid request becomes a report; the receipt opens it like any other.
    let mut form = valid(&key);
    form.push(("jurisdiction_id", "donetsk".into()));
    let r = app
        .api()
        .post(app.url("/open311/v2/requests.json?locale=en"))
        .header("idempotency-key", "open311-test-0001-retry")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let created = &created[0];
    let reference = created["service_request_id"].as_str().unwrap().to_string();
    assert!(reference.starts_with("DN-"), "{created}");
    assert!(created["account_id"].is_null());
    assert!(
        created["service_notice"]
            .as_str()
            .unwrap()
            .contains("receipt")
    );
    let receipt = created["receipt"].as_str().unwrap().to_string();
    let followed: Value = app
        .api()
        .post(app.url("/api/v1/reports/follow-up"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(followed["reference"], reference.as_str());
    assert_eq!(followed["category"], "street_lighting");
    assert_eq!(followed["kind"], "safety");
    assert_eq!(followed["community"], "sloviansk", "the nearest community");
    assert_eq!(followed["status"], "received");
    let case = mistok::cases::store::find_by_reference(&app.state.db, &reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.channel, "api");
    assert_eq!(case.place.as_deref(), Some("Shevchenka St 14"));
    assert_eq!(case.involved_unit.as_deref(), Some("patrol police"));
    assert!(case.consent_contact && !case.consent_publish);
    let sealed = case.contact_sealed.expect("contact kept, sealed");
    assert!(!sealed.windows(5).any(|w| w == b"olena"));
    let contact = app
        .state
        .keys
        .open_string(mistok::intake::service::SEAL_CONTACT, &sealed)
        .unwrap();
    assert!(contact.contains("Olena Kovalenko") && contact.contains("olena@example.org"));
    assert!(contact.contains("+380501112233"));
    assert!(
        !case.description.contains("169.254"),
        "media_url is ignored"
    );

    // A retry with the same Idempotency-Key gives back the same request and receipt.
    let r = app
        .api()
        .post(app.url("/open311/v2/requests.xml"))
        .header("idempotency-key", "open311-test-0001-retry")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let xml = parse_xml(&r.text().await.unwrap());
    assert_eq!(xml.name, "service_requests");
    let request = xml.child("request");
    assert_eq!(
        request.names(),
        [
            "service_request_id",
            "service_notice",
            "account_id",
            "receipt"
        ]
    );
    assert_eq!(request.child("service_request_id").text, reference);
    assert_eq!(request.child("receipt").text, receipt);
    assert_eq!(app.count("reports").await, 1);

    // A new report without consent to publish is never served back.
    let (status, _) = get_json(&app, &format!("/open311/v2/requests/{reference}.json")).await;
    assert_eq!(status, 404);

    // Revoked: refused from the next request on; issuing and revoking are in the trail.
    let page = admin
        .get(app.url("/staff/admin/api-keys?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys = mistok::open311::service::api_keys(&app.state)
        .await
        .unwrap();
    let id = keys[0].id;
    let r = admin
        .post(app.url(&format!("/staff/admin/api-keys/{id}/revoke?lang=en")))
        .form(&[("csrf", hidden(&page, "csrf").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("The key is revoked"));
    let r = app
        .api()
        .post(app.url("/open311/v2/requests.json"))
        .form(&valid(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let trail = mistok::audit::store::history(&app.state.db, "api_key", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["api_key.issued", "api_key.revoked"]);
    assert!(
        trail
            .iter()
            .all(|e| !e.after.clone().unwrap_or_default().contains(&key[9..]))
    );

    // Only administrators reach the page.
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let r = coordinator
        .get(app.url("/staff/admin/api-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .browser()
        .get(app.url("/staff/admin/api-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

const RAW: &str =
    "Officer Petrenko of the Kramatorsk station hit my son Ivan Koval near Myru St 5.";
const SUMMARY: &str = "A young man says a police officer hit him during a document check.";

/// A report through the JSON API at a precise point, as a resident's phone would send it.
async fn report(app: &TestApp, consent_publish: bool, category: &str) -> String {
    let kind = if category == "street_lighting" {
        "safety"
    } else {
        "violation"
    };
    let body = json!({
        "kind": kind, "category": category, "community": "kramatorsk",
        "description": RAW, "place": "Myru St 5", "location": {"lat": 48.7311, "lon": 37.5602},
        "consent_publish": consent_publish
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
    created["reference"].as_str().unwrap().to_string()
}

fn references(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_string())
        .collect()
}

async fn only_published_cases_are_served(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let published = report(&app, true, "ill_treatment").await;
    let unpublished = report(&app, true, "ill_treatment").await;
    let private = report(&app, false, "ill_treatment").await;
    let lighting = report(&app, true, "street_lighting").await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    for reference in [&published, &lighting] {
        let r = act(
            &app,
            &coordinator,
            reference,
            "publish",
            &[
                ("title", "Beaten at a document check"),
                ("summary", SUMMARY),
                ("language", "en"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let r = act(
        &app,
        &coordinator,
        &published,
        "update",
        &[("body", "The platform asked the prosecutor to check.")],
    )
    .await;
    assert_eq!(r.status(), 303);

    let (status, list) = get_json(&app, "/open311/v2/requests.json?locale=en").await;
    assert_eq!(status, 200);
    let found = references(&list);
    assert!(
        found.contains(&published) && found.contains(&lighting),
        "{list}"
    );
    assert!(!found.contains(&unpublished) && !found.contains(&private));
    let text = list.to_string();
    assert!(
        !text.contains("Petrenko") && !text.contains("Myru"),
        "never the raw report"
    );
    assert!(
        !text.contains("48.7311") && !text.contains("37.5602"),
        "never the point"
    );

    let catalog = app.state.catalog.get(&app.state.db).await.unwrap();
    let kramatorsk = catalog.community("kramatorsk").unwrap();
    let one = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == published.as_str())
        .unwrap();
    for field in [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ] {
        assert!(one.get(field).is_some(), "{field} missing: {one}");
    }
    assert_eq!(one["status"], "open");
    assert_eq!(one["description"], SUMMARY);
    assert_eq!(
        one["status_notes"],
        "The platform asked the prosecutor to check."
    );
    assert_eq!(one["service_code"], "ill_treatment");
    assert_eq!(one["service_name"], "Torture or ill-treatment");
    assert_eq!(one["address"], "Kramatorsk");
    assert_eq!(one["lat"], kramatorsk.lat.unwrap());
    assert_eq!(one["long"], kramatorsk.lon.unwrap());
    assert!(one["media_url"].is_null());
    let requested = one["requested_datetime"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(requested, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{requested}"
    );

    // XML: <service_requests><request>…, the same fields.
    let (_, xml) = get_xml(&app, "/open311/v2/requests.xml?locale=en").await;
    assert_eq!(xml.name, "service_requests");
    let requests = xml.all("request");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].names().len(), 17);
    assert!(
        requests
            .iter()
            .any(|r| r.child("description").text == SUMMARY)
    );

    // One request: a one-element list; 404 for anything not published, whatever the reason.
    let (status, single) = get_json(&app, &format!("/open311/v2/requests/{published}.json")).await;
    assert_eq!(status, 200);
    assert_eq!(references(&single), [published.as_str()]);
    let lower = published.to_lowercase();
    let (status, _) = get_json(&app, &format!("/open311/v2/requests/{lower}.json")).await;
    assert_eq!(status, 200);
    for reference in [&unpublished, &private, &"DN-1999-000000".to_string()] {
        let (status, e) = get_json(&app, &format!("/open311/v2/requests/{reference}.json")).await;
        assert_eq!(status, 404, "{reference}");
        json_errors(404, &e);
        let (status, e) = get_xml(&app, &format!("/open311/v2/requests/{reference}.xml")).await;
        assert_eq!(status, 404);
        assert_eq!(e.child("error").child("code").text, "404");
    }

    // Filters: ids (which override the rest), service codes, status, dates.
    let ids = format!("{published},{unpublished},{private}");
    let (_, list) = get_json(
        &app,
        &format!("/open311/v2/requests.json?service_request_id={ids}&status=closed"),
    )
    .await;
    assert_eq!(references(&list), [published.as_str()]);
    let (_, list) = get_json(
        &app,
        "/open311/v2/requests.json?service_code=street_lighting",
    )
    .await;
    assert_eq!(references(&list), [lighting.as_str()]);
    let (_, list) = get_json(&app, "/open311/v2/requests.json?status=closed").await;
    assert!(references(&list).is_empty());
    let (_, list) = get_json(&app, "/open311/v2/requests.json?status=open,closed").await;
    assert_eq!(references(&list).len(), 2);
    let (_, list) = get_json(&app, "/open311/v2/requests.json?page_size=1").await;
    assert_eq!(references(&list).len(), 1);
    let (_, list) = get_json(&app, "/open311/v2/requests.json?page_size=1&page=2").await;
    assert_eq!(references(&list).len(), 1);

    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let tomorrow = day(today.next_day().unwrap());
    let yesterday = day(today.previous_day().unwrap());
    let (status, list) = get_json(
        &app,
        &format!("/open311/v2/requests.json?start_date={yesterday}T00:00:00Z&end_date={tomorrow}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(references(&list).len(), 2);
    let (_, list) = get_json(
        &app,
        &format!("/open311/v2/requests.json?start_date={tomorrow}"),
    )
    .await;
    assert!(references(&list).is_empty(), "nothing after tomorrow");
    let (_, list) = get_json(
        &app,
        &format!("/open311/v2/requests.json?end_date={yesterday}"),
    )
    .await;
    assert!(references(&list).is_empty(), "nothing before yesterday");
    let (status, e) = get_json(
        &app,
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z&locale=en",
    )
    .await;
    assert_eq!(status, 400);
    assert!(json_errors(400, &e).contains("at most 90 days"));
    for query in [
        "start_date=yesterday",
        "end_date=2026-11-20T10:00:00",
        "status=pending",
        "page=0",
        "page_size=5000",
        "service_code=potholes",
        "service_request_id=%3Cscript%3E",
    ] {
        let (status, e) = get_json(&app, &format!("/open311/v2/requests.json?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let name = query.split('=').next().unwrap();
        assert!(json_errors(400, &e).contains(name), "{query}: {e}");
    }
    let (status, xml) = get_xml(&app, "/open311/v2/requests.xml?status=pending&locale=en").await;
    assert_eq!(status, 400);
    assert!(
        xml.child("error")
            .child("description")
            .text
            .starts_with("status:")
    );

    // Referred and closed: the agency is named, and the request reads closed.
    let due = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date();
    for (action, fields) in [
        (
            "triage",
            vec![
                ("category", "ill_treatment"),
                ("community", "kramatorsk"),
                ("urgency", "high"),
            ],
        ),
        (
            "refer",
            vec![
                ("organizations", "prosecutor_donetsk"),
                ("message", "Please check."),
                ("due_date", day(due).leak()),
            ],
        ),
        ("close", vec![("outcome", "confirmed")]),
    ] {
        let r = act(&app, &coordinator, &published, action, &fields).await;
        assert_eq!(r.status(), 303, "{action}");
    }
    let (_, single) = get_json(
        &app,
        &format!("/open311/v2/requests/{published}.json?locale=en"),
    )
    .await;
    assert_eq!(single[0]["status"], "closed");
    assert!(
        single[0]["agency_responsible"]
            .as_str()
            .unwrap()
            .contains("Prosecutor"),
        "{single}"
    );
    let (_, list) = get_json(&app, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(references(&list), [published.as_str()]);

    // Withdrawn from the register: gone here too.
    let r = act(&app, &coordinator, &published, "withdraw", &[]).await;
    assert_eq!(r.status(), 303);
    let (status, _) = get_json(&app, &format!("/open311/v2/requests/{published}.json")).await;
    assert_eq!(status, 404);
    let (_, list) = get_json(&app, "/open311/v2/requests.json").await;
    assert_eq!(references(&list), [lighting]);
}
