//! Reading `multipart/form-data` bodies (forms with files) into text fields and uploads.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::attachments::service::{MAX_FILES, Upload};
use crate::error::FieldError;

/// Longest text field accepted in a multipart form (the largest real field is 10,000 characters).
const MAX_TEXT_FIELD_BYTES: usize = 256 * 1024;

#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    pub uploads: Vec<Upload>,
    /// A problem met while reading; what was read before it is kept, so the form can be shown
    /// again with the person's values.
    pub problem: Option<FieldError>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_empty())
    }
}

pub async fn read_multipart(mut multipart: Multipart, file_field: &'static str) -> MultipartForm {
    let mut form = MultipartForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                form.problem = Some(multipart_problem(err.status(), file_field));
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let is_file = file_name.is_some() || name == file_field;
        match field.bytes().await {
            Ok(bytes) if is_file => {
                // Browsers send an empty part for a file input left empty.
                if bytes.is_empty() && file_name.as_deref().unwrap_or("").is_empty() {
                    continue;
                }
                if form.uploads.len() >= MAX_FILES {
                    form.problem = Some(FieldError::new(file_field, "attachment-too-many"));
                    continue;
                }
                form.uploads.push(Upload { file_name, bytes });
            }
            Ok(bytes) => {
                if bytes.len() > MAX_TEXT_FIELD_BYTES {
                    form.problem = Some(FieldError::new(field_name(&name), "error-too-long"));
                    continue;
                }
                form.fields
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
            Err(err) => {
                form.problem = Some(multipart_problem(err.status(), file_field));
                break;
            }
        }
    }
    form
}

fn multipart_problem(status: StatusCode, file_field: &'static str) -> FieldError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        FieldError::new(file_field, "attachment-too-large")
    } else {
        FieldError::new(file_field, "error-form-damaged")
    }
}

/// Field names are ours; an unknown one is reported against the form as a whole.
fn field_name(name: &str) -> &'static str {
    match name {
        "description" => "description",
        "witnesses" => "witnesses",
        "body" => "body",
        _ => "form",
    }
}
