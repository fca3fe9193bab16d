//! The report form as browsers send it (`multipart/form-data`, with files): any body under a
//! fixed boundary is read into fields and uploads without a panic, within the limits on the
//! number of files; what was read before a problem is kept.
#![no_main]

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

fuzz_target!(|data: &[u8]| {
    let request = Request::builder()
        .method("POST")
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(Body::from(data.to_vec()))
        .expect("request");
    RUNTIME.block_on(async {
        let Ok(multipart) = Multipart::from_request(request, &()).await else {
            return;
        };
        let form = mistok::http::form::read_multipart(multipart, "attachments").await;
        assert!(form.uploads.len() <= mistok::attachments::service::MAX_FILES);
    });
});
