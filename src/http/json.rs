//! The API's JSON body extractor: every way a body can be wrong becomes a problem document in
//! the client's language (415 wrong type, 413 too large, 400 not JSON, 422 a field of the wrong
//! type, named by its path).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::locale::lang_of;
use super::problem::{ProblemField, problem, problem_response};

/// Largest JSON body the API reads (files go through multipart endpoints).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == mime::APPLICATION
                    && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
            });
        if !is_json {
            let p = problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                lang,
                "problem-unsupported-media-type",
            );
            return Err(problem_response(p, None));
        }
        let req = Request::from_parts(parts, body);
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                let p = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    problem(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload-too-large",
                        lang,
                        "problem-payload-too-large",
                    )
                } else {
                    problem(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        lang,
                        "problem-bad-json",
                    )
                };
                return Err(problem_response(p, None));
            }
        };
        if bytes.len() > MAX_JSON_BYTES {
            let p = problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                lang,
                "problem-payload-too-large",
            );
            return Err(problem_response(p, None));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(value) => match de.end() {
                Ok(()) => Ok(ApiJson(value)),
                Err(_) => Err(problem_response(
                    problem(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        lang,
                        "problem-bad-json",
                    ),
                    None,
                )),
            },
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let p = if inner.is_data() && path != "." {
                    let mut p = problem(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation",
                        lang,
                        "problem-validation",
                    );
                    p.errors.push(ProblemField {
                        field: path,
                        code: "error-type-invalid".into(),
                        message: lang.t("error-type-invalid"),
                    });
                    p
                } else {
                    problem(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        lang,
                        "problem-bad-json",
                    )
                };
                Err(problem_response(p, None))
            }
        }
    }
}

impl<T> IntoResponse for ApiJson<T>
where
    axum::Json<T>: IntoResponse,
{
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
