//! A real server per test: the application on an ephemeral loopback port over a fresh store —
//! a temporary SQLite file, or a new PostgreSQL database dropped afterwards.

use base64::Engine as _;
use std::net::SocketAddr;

use mistok::config::Config;
use mistok::state::AppState;
use sqlx::Connection;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per engine, as two tests.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Engine::Postgres).await
                }
            }
        )*
    };
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    pg_database: Option<String>,
}

/// The PostgreSQL server the tests use; each test creates its own database there.
pub fn pg_admin_url() -> String {
    std::env::var("MISTOK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub fn pg_url_for(database: &str) -> String {
    let admin = pg_admin_url();
    match admin.rsplit_once('/') {
        Some((server, _)) if server.contains("//") && server.len() > "postgres://".len() => {
            format!("{server}/{database}")
        }
        _ => format!("{admin}/{database}"),
    }
}

/// Creates an empty database for one test; its name starts with `mistok_test_`.
pub async fn fresh_pg_database() -> String {
    let name = format!("mistok_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&pg_admin_url())
        .await
        .expect("PostgreSQL must answer for the tests (see .ci/run)");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    name
}

pub async fn drop_pg_database(name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(&pg_admin_url()).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await;
    }
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> TestApp {
        TestApp::spawn_with(engine, |_| {}).await
    }

    /// [`TestApp::spawn`] with the configuration changed by `adjust` first.
    pub async fn spawn_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("MISTOK_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .with_test_writer()
            .try_init();
        let data_dir = tempfile::tempdir().expect("temporary folder");
        let pg_database = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(fresh_pg_database().await),
        };
        let config = Config {
            data_dir: data_dir.path().to_path_buf(),
            database_url: pg_database.as_deref().map(pg_url_for),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            // Tests run the jobs themselves, when they choose (see `jobs.rs`).
            jobs_interval_secs: 0,
            // Every request of a test comes from 127.0.0.1; `intake.rs` tests the limit itself.
            intake_per_address_per_hour: 1_000_000,
            dialogue_forms_per_address_per_hour: 1_000_000,
            ..Config::default()
        };
        let mut config = config;
        adjust(&mut config);
        let state = mistok::build_state(config).await.expect("state");
        mistok::demo::load(&state, 0).await.expect("demo region");
        TestApp::serve(state, data_dir, pg_database).await
    }

    /// A second app server on the same store and secret (its own pools, caches and port), as
    /// behind a load balancer. The store stays the first one's to drop.
    pub async fn second_server(&self) -> TestApp {
        let state = mistok::build_state((*self.state.config).clone())
            .await
            .expect("second server's state");
        let unused = tempfile::tempdir().expect("temporary folder");
        TestApp::serve(state, unused, None).await
    }

    async fn serve(
        state: AppState,
        data_dir: tempfile::TempDir,
        pg_database: Option<String>,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            mistok::serve(served, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        TestApp {
            base: format!("http://{addr}"),
            state,
            data_dir,
            shutdown: Some(tx),
            pg_database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects on its own.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Counts rows of a table through the application's own store.
    pub async fn count(&self, table: &'static str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.state.db {
            mistok::db::Db::Sqlite(db) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&db.read)
                .await
                .unwrap(),
            mistok::db::Db::Postgres(pool) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(name) = self.pg_database.take()
            && let mistok::db::Db::Postgres(pool) = &self.state.db
        {
            let pool = pool.clone();
            // Drop runs inside the test's runtime; close and drop from a thread of its own.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    pool.close().await;
                    drop_pg_database(&name).await;
                });
            })
            .join()
            .ok();
        }
    }
}

/// The value of a hidden input in an HTML page.
/// The date `days` from today, as a date field takes it (`2026-12-06`): a referral's due date.
pub fn days_from_today(days: i64) -> String {
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(days)).date();
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden field {name}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The receipt code shown on a receipt page.
pub fn receipt_on(html: &str) -> String {
    let start = html.find("class=\"receipt-code\">").expect("receipt shown") + 21;
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

/// A browser signed in as a new member of staff with `role` (and `organization`, a code), through
/// the real pages: password, then setting up the second factor.
/// The password of every account the tests make.
pub const STAFF_PASSWORD: &str = "staff passphrase for tests";

/// Makes a staff account (password [`STAFF_PASSWORD`], two-factor still to enrol).
pub async fn create_staff(app: &TestApp, email: &str, role: &str, organization: &str) {
    mistok::accounts::service::create_user(
        &app.state,
        &mistok::accounts::Actor::Cli,
        mistok::accounts::service::NewUser {
            email: email.into(),
            display_name: format!("Test {role}"),
            role: role.into(),
            organization: organization.into(),
            password: STAFF_PASSWORD.into(),
            must_change_password: false,
        },
    )
    .await
    .expect("user created");
}

pub async fn signed_in(
    app: &TestApp,
    email: &str,
    role: &str,
    organization: &str,
) -> reqwest::Client {
    const PASSWORD: &str = STAFF_PASSWORD;
    create_staff(app, email, role, organization).await;
    let browser = app.browser();
    let html = browser
        .get(app.url("/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let accepted = browser
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.headers()["location"], "/staff/two-factor");
    let enroll = browser
        .get(app.url("/staff/two-factor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = enroll.find("class=\"secret\">").unwrap() + 15;
    let secret = &enroll[start..start + enroll[start..].find('<').unwrap()];
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .unwrap();
    let totp =
        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let done = browser
        .post(app.url("/staff/two-factor"))
        .form(&[
            ("csrf", hidden(&enroll, "csrf").as_str()),
            ("code", totp.generate(now).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.headers()["location"], "/staff", "signed in");
    browser
}

// ---- E-mails in the outbox (no mail server in tests: the mailer writes .eml files) ----

/// An e-mail as a person reads it.
#[derive(Debug)]
pub struct Mail {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub fn outbox(app: &TestApp) -> Vec<Mail> {
    let dir = app.data_dir.path().join("outbox");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut mails: Vec<Mail> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".eml"))
        .map(|name| parse_mail(&name, &std::fs::read_to_string(dir.join(&name)).unwrap()))
        .collect();
    mails.sort_by(|a, b| a.to.cmp(&b.to));
    mails
}

/// Reads the few parts of an RFC 5322 message the tests look at, decoding what lettre encodes
/// (RFC 2047 words in headers; a base64 or quoted-printable body).
pub fn parse_mail(file: &str, text: &str) -> Mail {
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("headers, blank line, body");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers.last_mut().expect("folded line").1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("header");
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = match header("content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .expect("base64 body"),
        ),
        "quoted-printable" => utf8(quoted_printable(body)),
        _ => body.to_string(),
    };
    Mail {
        file: file.to_string(),
        to: header("to"),
        subject: decode_words(&header("subject")),
        body: body.replace("\r\n", "\n"),
    }
}

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8")
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("quoted-printable escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A header value with `=?utf-8?b?…?=` words, as lettre writes non-ASCII text: the space
/// between two encoded words is not part of the text, any other space is.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut previous_encoded = None;
    for word in value.split_whitespace() {
        let encoded = word
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("=?utf-8?b?"))
            && word.ends_with("?=");
        if previous_encoded.is_some() && !(encoded && previous_encoded == Some(true)) {
            out.push(b' ');
        }
        if encoded {
            out.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(&word[10..word.len() - 2])
                    .expect("encoded word"),
            );
        } else {
            out.extend(word.as_bytes());
        }
        previous_encoded = Some(encoded);
    }
    utf8(out)
}
