//! News, announcements and pages: written by coordinators in three languages (Ukrainian
//! required), drafts hidden, published ones on the site and in the Atom feed.

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden, signed_in};

on_both_engines!(coordinators_publish_news_and_pages);

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn coordinators_publish_news_and_pages(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let coordinator = signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let public = app.browser();
    let (_, form) = get(&coordinator, app.url("/staff/articles/new?lang=en")).await;
    let csrf = hidden(&form, "csrf");
    let post = |path: &str, fields: Vec<(&'static str, &'static str)>| {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        coordinator.post(app.url(path)).form(&all).send()
    };

    // Ukrainian is required; a translation is whole or absent; values stay on error.
    let bad = post(
        "/staff/articles?lang=en",
        vec![
            ("kind", "news"),
            ("title_en", "Open meeting"),
            ("body_uk", "Текст"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Enter a title") && html.contains("Write the text"));
    assert!(html.contains("value=\"Open meeting\""));

    // A draft is not public.
    let draft = post(
        "/staff/articles?lang=en",
        vec![
            ("kind", "news"),
            ("title_uk", "Відкрита зустріч щодо освітлення"),
            ("body_uk", "Запрошуємо в суботу.\n\nУ бібліотеці."),
            ("title_en", "Open meeting on street lights"),
            ("body_en", "Join us on Saturday.\n\nAt the library."),
        ],
    )
    .await
    .unwrap();
    assert_eq!(draft.status(), 303);
    let edit_path = draft.headers()["location"].to_str().unwrap().to_string();
    let id = edit_path
        .trim_start_matches("/staff/articles/")
        .trim_end_matches("?saved=1")
        .to_string();
    let (_, list) = get(&public, app.url("/news?lang=en")).await;
    assert!(!list.contains("Open meeting on street lights"));
    assert_eq!(get(&public, app.url(&format!("/news/{id}"))).await.0, 404);

    // Published: in the list, on its page in the reader's language, in the feed.
    let published = post(
        &format!("/staff/articles/{id}?lang=en"),
        vec![
            ("kind", "news"),
            ("title_uk", "Відкрита зустріч щодо освітлення"),
            ("body_uk", "Запрошуємо в суботу.\n\nУ бібліотеці."),
            ("title_en", "Open meeting on street lights"),
            ("body_en", "Join us on Saturday.\n\nAt the library."),
            ("publish", "yes"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(published.status(), 303);
    let (_, list) = get(&public, app.url("/news?lang=en")).await;
    assert!(list.contains("Open meeting on street lights"));
    let (status, page) = get(&public, app.url(&format!("/news/{id}?lang=en"))).await;
    assert_eq!(status, 200);
    assert!(page.contains("<p class=\"pre\">Join us on Saturday.</p>"));
    // Russian was not written: the Ukrainian text is shown, marked as such.
    let (_, page) = get(&public, app.url(&format!("/news/{id}?lang=ru"))).await;
    assert!(page.contains("Відкрита зустріч щодо освітлення") && page.contains("ещё не переведён"));
    let feed = public
        .get(app.url("/news.atom?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = feed.text().await.unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(xml.contains(&format!("/news/{id}</id>")));
    assert!(xml.contains("<title>Open meeting on street lights</title>"));

    // A page lives at its own address, which two pages cannot share.
    let page = post(
        "/staff/articles?lang=en",
        vec![
            ("kind", "page"),
            ("slug", "reception-hours"),
            ("title_uk", "Як повідомити"),
            ("body_uk", "Оберіть вид звернення."),
            ("publish", "yes"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(page.status(), 303);
    let (status, html) = get(&public, app.url("/pages/reception-hours")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Оберіть вид звернення."));
    let (_, index) = get(&public, app.url("/pages")).await;
    assert!(index.contains("/pages/reception-hours"));
    let taken = post(
        "/staff/articles?lang=en",
        vec![
            ("kind", "page"),
            ("slug", "reception-hours"),
            ("title_uk", "Інша"),
            ("body_uk", "Текст."),
        ],
    )
    .await
    .unwrap();
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("already has this address")
    );

    // The feed of public updates is well-formed even when empty.
    let (status, xml) = get(&public, app.url("/register/updates.atom")).await;
    assert_eq!(status, 200);
    assert!(xml.contains("<feed") && !xml.contains("<entry"));

    // Officers and operators do not write for the public.
    let operator = signed_in(&app, "operator@example.org", "operator", "").await;
    assert_eq!(get(&operator, app.url("/staff/articles")).await.0, 403);
    let trail = mistok::audit::store::history(&app.state.db, "article", &id)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["article.created", "article.updated"]);
}
