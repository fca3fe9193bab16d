//! Attachments on S3-compatible object storage, against a real S3 server on loopback (moto's, from
//! PyPI: `pip install "moto[server]"`; `.ci/run` installs it): a report's photo goes into the
//! bucket sealed (original) and stripped (served copy), nothing into the local folder, and the
//! store reads and deletes it there.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::multipart::Part;

use crate::intake::{jpeg_with_exif, open_form, report_form};
use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(attachments_live_in_the_bucket);

/// moto's S3 server on a free port, killed when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn s3_server(bucket: &str) -> S3Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (pip install \"moto[server]\") starts");
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(&server.endpoint).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let created = client
        .put(format!("{}/{bucket}", server.endpoint))
        .send()
        .await
        .expect("bucket created");
    assert!(created.status().is_success(), "{}", created.status());
    server
}

/// Keys of the objects under `prefix` in the bucket.
async fn keys(server: &S3Server, bucket: &str, prefix: &str) -> Vec<String> {
    let xml = reqwest::Client::new()
        .get(format!(
            "{}/{bucket}?list-type=2&prefix={prefix}",
            server.endpoint
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .map(str::to_string)
        .collect()
}

async fn attachments_live_in_the_bucket(engine: Engine) {
    let bucket = "mistok-attachments";
    let server = s3_server(bucket).await;
    let endpoint = server.endpoint.clone();
    let app = TestApp::spawn_with(engine, |config| {
        config.s3_bucket = Some(bucket.into());
        config.s3_endpoint = Some(endpoint);
        config.s3_access_key_id = Some("test".into());
        config.s3_secret_access_key = Some("test".into());
        config.s3_prefix = Some("platform".into());
    })
    .await;
    assert!(!app.state.blobs.is_local());

    let browser = app.browser();
    let (csrf, token, _) = open_form(&app, &browser, "en").await;
    let photo = jpeg_with_exif();
    let form = report_form(&csrf, &token, "Photo of the damaged door after the search.").part(
        "attachments",
        Part::bytes(photo.clone()).file_name("IMG_0001.jpg"),
    );
    let page = browser
        .post(app.url("/report/violation?lang=en"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the report with its photo is accepted");

    let stored = keys(&server, bucket, "platform/").await;
    assert_eq!(
        stored.len(),
        2,
        "the sealed original and the stripped copy: {stored:?}"
    );
    assert!(
        !app.data_dir.path().join("blobs").exists(),
        "nothing in the local folder"
    );
    for key in &stored {
        let bytes = app
            .state
            .blobs
            .get(key.trim_start_matches("platform/"))
            .await
            .expect("read from the bucket");
        // Both are sealed at rest: the photo's bytes (and its EXIF owner) never appear.
        assert!(!bytes.windows(6).any(|w| w == b"Secret".as_slice()));
        assert_ne!(bytes, photo);
    }

    // Deletion (retention) removes them from the bucket; deleting again is fine.
    for key in &stored {
        let key = key.trim_start_matches("platform/");
        app.state.blobs.delete(key).await.expect("deleted");
        app.state.blobs.delete(key).await.expect("deleting again");
        assert!(app.state.blobs.get(key).await.is_err());
    }
    assert!(keys(&server, bucket, "platform/").await.is_empty());
    // Keys that could escape are refused before any request.
    assert!(app.state.blobs.put("../escape", b"x").await.is_err());
}
