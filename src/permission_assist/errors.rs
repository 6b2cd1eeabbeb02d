//! Permission Assist's error body: `{"error": "code", "message", "correlationId", "errors": [...]}`.

use crate::error::{Api, Error, ErrorKind, FieldError};

#[derive(serde::Deserialize)]
struct Body {
    error: Option<String>,
    message: Option<String>,
    #[serde(rename = "correlationId")]
    correlation_id: Option<String>,
    #[serde(default)]
    errors: Vec<Field>,
}

#[derive(serde::Deserialize)]
struct Field {
    field: Option<String>,
    message: Option<String>,
}

/// The kind each documented error code means.
pub(crate) fn kind_for(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "validation_error" => ErrorKind::Validation,
        "unauthorized" => ErrorKind::Unauthorized,
        "forbidden" => ErrorKind::Forbidden,
        "not_found" => ErrorKind::NotFound,
        "conflict" => ErrorKind::Conflict,
        "unprocessable_entity" => ErrorKind::Unprocessable,
        "server_error" | "creation_failed" => ErrorKind::Server,
        _ => return None,
    })
}

/// Decodes one error response.
pub(crate) fn decode(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    let mut e = Error::from_response(Api::PermissionAssist, status, headers, body);
    let Ok(b) = serde_json::from_str::<Body>(body) else {
        if body.trim_start().starts_with('{') {
            e = e.with_body_excerpt(body);
        }
        return e;
    };
    if let Some(code) = b.error {
        if let Some(kind) = kind_for(&code) {
            e = e.with_code_kind(kind);
        }
        e = e.with_code(code);
    }
    if let Some(m) = b.message {
        e = e.with_message(m);
    }
    if let Some(id) = b.correlation_id {
        e = e.with_correlation_id(id);
    }
    e.with_field_errors(b.errors.into_iter().map(|f| FieldError {
        field: f.field,
        message: f.message.unwrap_or_default(),
        code: None,
    }))
}
