//! Staff accounts end to end: password and two-factor sign-in, session rotation, lock-out,
//! sign-out, forced password change.

use mistok::accounts::service::{self, NewUser};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, hidden};

on_both_engines!(
    two_factor_sign_in,
    repeated_failures_lock_the_account,
    password_reset_forces_a_change
);

const PASSWORD: &str = "blue river under old bridge";

async fn create(app: &TestApp, email: &str, role: &str, organization: &str) {
    service::create_user(
        &app.state,
        &mistok::accounts::Actor::Cli,
        NewUser {
            email: email.into(),
            display_name: "Olena Koval".into(),
            role: role.into(),
            organization: organization.into(),
            password: PASSWORD.into(),
            must_change_password: false,
        },
    )
    .await
    .expect("user created");
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mistok_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Signs in with the password; returns the response of the password step.
async fn password_step(
    app: &TestApp,
    browser: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let html = browser
        .get(app.url("/staff/login?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    browser
        .post(app.url("/staff/login?lang=en"))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

fn totp(secret: &str) -> TOTP {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into()).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn two_factor_sign_in(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    create(&app, "Olena@Example.org", "officer", "kramatorsk_rup").await;
    let browser = app.browser();

    // Staff pages are out of reach without signing in.
    let anonymous = browser.get(app.url("/staff")).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    assert_eq!(anonymous.headers()["location"], "/staff/login");

    let wrong = password_step(&app, &browser, "olena@example.org", "not the password").await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail or password")
    );
    let unknown = password_step(&app, &browser, "nobody@example.org", PASSWORD).await;
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail or password")
    );

    // First sign-in: the second factor must be set up before anything else.
    let accepted = password_step(&app, &browser, "olena@example.org", PASSWORD).await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(accepted.headers()["location"], "/staff/two-factor");
    let pending_cookie = session_cookie(&accepted).expect("pending session");
    let not_yet = browser.get(app.url("/staff")).send().await.unwrap();
    assert_eq!(not_yet.status(), 303, "no access before the second factor");
    let enroll = browser
        .get(app.url("/staff/two-factor?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(enroll.contains("<svg"), "QR code shown");
    let start = enroll.find("class=\"secret\">").unwrap() + 15;
    let secret = enroll[start..start + enroll[start..].find('<').unwrap()].to_string();
    let totp = totp(&secret);
    let csrf = hidden(&enroll, "csrf");
    let bad = browser
        .post(app.url("/staff/two-factor?lang=en"))
        .form(&[("csrf", csrf.as_str()), ("code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let code = totp.generate(now());
    let confirmed = browser
        .post(app.url("/staff/two-factor"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 303);
    assert_eq!(confirmed.headers()["location"], "/staff");
    let full_cookie = session_cookie(&confirmed).expect("new session");
    assert_ne!(
        full_cookie, pending_cookie,
        "the session token rotates at sign-in"
    );
    let home = browser.get(app.url("/staff?lang=en")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let home = home.text().await.unwrap();
    assert!(home.contains("Olena Koval") && home.contains("Agency officer"));

    // Signing out ends the session.
    let csrf = hidden(&home, "csrf");
    browser
        .post(app.url("/staff/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser
            .get(app.url("/staff"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );

    // Next sign-in asks for a code; the code already used is refused, a fresh one accepted.
    let again = password_step(&app, &browser, "olena@example.org", PASSWORD).await;
    assert_eq!(again.headers()["location"], "/staff/login/code");
    let page = browser
        .get(app.url("/staff/login/code?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let reused = browser
        .post(app.url("/staff/login/code?lang=en"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 422);
    assert!(reused.text().await.unwrap().contains("used already"));
    let next = totp.generate(now() + 30);
    let ok = browser
        .post(app.url("/staff/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", next.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(
        browser
            .get(app.url("/staff"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn repeated_failures_lock_the_account(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    create(&app, "coord@example.org", "coordinator", "").await;
    let browser = app.browser();
    for _ in 0..5 {
        let r = password_step(&app, &browser, "coord@example.org", "wrong password here").await;
        assert_eq!(r.status(), 422);
    }
    let locked = password_step(&app, &browser, "coord@example.org", PASSWORD).await;
    assert_eq!(
        locked.status(),
        429,
        "even the right password waits out the lock"
    );
    assert!(locked.headers().contains_key("retry-after"));
    assert!(
        locked
            .text()
            .await
            .unwrap()
            .contains("Too many failed attempts")
    );
}

async fn password_reset_forces_a_change(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    create(&app, "op@example.org", "operator", "").await;
    let user = mistok::accounts::store::find_user_by_email(&app.state.db, "op@example.org")
        .await
        .unwrap()
        .unwrap();
    let temporary = service::reset_password(&app.state, &mistok::accounts::Actor::Cli, user.id)
        .await
        .unwrap();
    let browser = app.browser();
    let accepted = password_step(&app, &browser, "op@example.org", &temporary).await;
    assert_eq!(accepted.status(), 303);
    let enroll = browser
        .get(app.url("/staff/two-factor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = enroll.find("class=\"secret\">").unwrap() + 15;
    let secret = enroll[start..start + enroll[start..].find('<').unwrap()].to_string();
    let code = totp(&secret).generate(now());
    browser
        .post(app.url("/staff/two-factor"))
        .form(&[
            ("csrf", hidden(&enroll, "csrf").as_str()),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let home = browser.get(app.url("/staff")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/staff/password");
    let page = browser
        .get(app.url("/staff/password?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let short = browser
        .post(app.url("/staff/password?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", temporary.as_str()),
            ("new_password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("at least 12 characters")
    );
    let changed = browser
        .post(app.url("/staff/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", temporary.as_str()),
            ("new_password", "a much better passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 303);
    assert_eq!(
        browser
            .get(app.url("/staff"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

on_both_engines!(administrator_manages_organizations_and_users);

async fn administrator_manages_organizations_and_users(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let admin = crate::support::signed_in(&app, "admin@example.org", "administrator", "").await;
    let page = admin
        .get(app.url("/staff/admin/organizations?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let bad = admin
        .post(app.url("/staff/admin/organizations?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "Bad Code!"),
            ("kind", "police"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("lower-case Latin letters") && html.contains("Enter a name"));
    let created = admin
        .post(app.url("/staff/admin/organizations?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "lyman_police"),
            ("kind", "police"),
            ("name_uk", "Лиманський відділ поліції"),
            ("name_ru", "Лиманский отдел полиции"),
            ("name_en", "Lyman Police Department"),
            ("community", "lyman"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    assert!(
        created
            .text()
            .await
            .unwrap()
            .contains("Lyman Police Department")
    );

    // Its head's e-mail (where overdue referrals are escalated) is set on its own page; a bad
    // address is explained and changes nothing.
    let org_url = app.url("/staff/admin/organizations/lyman_police?lang=en");
    let org_page = admin
        .get(&org_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(org_page.contains("value=\"Lyman Police Department\""));
    let edit = |head_email: &'static str| {
        admin.post(&org_url).form(&[
            ("csrf", hidden(&org_page, "csrf")),
            ("name_uk", "Лиманський відділ поліції".into()),
            ("name_ru", "Лиманский отдел полиции".into()),
            ("name_en", "Lyman Police Department No. 1".into()),
            ("community", "lyman".into()),
            ("head_email", head_email.into()),
        ])
    };
    let bad = edit("head at lyman").send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("e-mail address"));
    let org = mistok::accounts::store::find_organization(&app.state.db, "lyman_police")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.details.head_email, None);
    assert_eq!(org.details.names[2], "Lyman Police Department");
    let saved = edit("Head@Lyman.example.org").send().await.unwrap();
    assert_eq!(saved.status(), 200);
    assert!(saved.text().await.unwrap().contains("Changes saved"));
    let org = mistok::accounts::store::find_organization(&app.state.db, "lyman_police")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        org.details.head_email.as_deref(),
        Some("head@lyman.example.org")
    );
    assert_eq!(org.details.names[2], "Lyman Police Department No. 1");
    let list = admin
        .get(app.url("/staff/admin/organizations?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("head@lyman.example.org"));
    let missing = admin
        .get(app.url("/staff/admin/organizations/atlantis_police"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let changes = mistok::audit::store::history(&app.state.db, "organization", "lyman_police")
        .await
        .unwrap();
    let actions: Vec<&str> = changes.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["organization.created", "organization.updated"]);

    // A new officer of that organization, with a temporary password shown once.
    let users = admin
        .get(app.url("/staff/admin/users?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&users, "csrf");
    let made = admin
        .post(app.url("/staff/admin/users?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "Officer@Lyman.example.org"),
            ("display_name", "Petro Officer"),
            ("role", "officer"),
            ("organization", "lyman_police"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = made
        .find("class=\"receipt-code\">")
        .expect("temporary password shown")
        + 21;
    let temporary = made[start..start + made[start..].find('<').unwrap()].to_string();
    assert!(made.contains("officer@lyman.example.org"));
    let again = admin
        .post(app.url("/staff/admin/users?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "officer@lyman.example.org"),
            ("display_name", "X"),
            ("role", "officer"),
            ("organization", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422);
    let again = again.text().await.unwrap();
    assert!(again.contains("needs an organization"));
    let taken = admin
        .post(app.url("/staff/admin/users?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "officer@lyman.example.org"),
            ("display_name", "X"),
            ("role", "officer"),
            ("organization", "lyman_police"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.unwrap().contains("already exists"));

    // The new officer signs in with the temporary password and must change it.
    let officer = app.browser();
    let accepted = password_step(&app, &officer, "officer@lyman.example.org", &temporary).await;
    assert_eq!(accepted.headers()["location"], "/staff/two-factor");

    // Disabling the account ends its way in; only administrators reach these pages.
    let user =
        mistok::accounts::store::find_user_by_email(&app.state.db, "officer@lyman.example.org")
            .await
            .unwrap()
            .unwrap();
    let disabled = admin
        .post(app.url(&format!(
            "/staff/admin/users/{}/deactivate?lang=en",
            user.id
        )))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    let refused = password_step(
        &app,
        &app.browser(),
        "officer@lyman.example.org",
        &temporary,
    )
    .await;
    assert_eq!(refused.status(), 422);
    let coordinator = crate::support::signed_in(&app, "coord@example.org", "coordinator", "").await;
    assert_eq!(
        coordinator
            .get(app.url("/staff/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Each change is in the audit trail, attributed to the administrator.
    let history = mistok::audit::store::history(&app.state.db, "user", &user.id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.created", "user.deactivated"]);
    assert!(history.iter().all(|e| e.actor == "admin@example.org"));
    assert!(
        mistok::audit::service::verify(&app.state.db, &app.state.keys)
            .await
            .unwrap()
            .is_intact()
    );
}
