//! PERSCOM's error envelope: `{"error": {"message", "type", "request_id", "trace_id", "errors"}}`.
//!
//! The kind comes from the status (401, 402, 403, 404, 422, 429, 500, 503...), the code is the
//! exception's short class name (`ValidationException`), a 422's `errors` map becomes field
//! errors, and a 403 names the scope the operation needs (from the table generated with the
//! spec). PERSCOM's `trace_id` is reported as the error's correlation id. Bodies that are not
//! this JSON (an HTML page from a proxy) keep a bounded excerpt.

use crate::error::{Api, Error, ErrorKind, FieldError};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(serde::Deserialize)]
struct Envelope {
    error: Option<ErrorValue>,
    /// Some proxies and older servers answer `{"message": "..."}` at the top level.
    message: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ErrorValue {
    Detail(Detail),
    Text(String),
}

#[derive(serde::Deserialize)]
struct Detail {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    request_id: Option<String>,
    trace_id: Option<String>,
    #[serde(default)]
    errors: Option<BTreeMap<String, FieldMessages>>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum FieldMessages {
    Many(Vec<String>),
    One(String),
}

/// Decodes one error response of operation `operation` (its `operationId`, when known).
pub(crate) fn decode_for(
    status: u16,
    headers: &http::HeaderMap,
    body: &str,
    operation: Option<&str>,
) -> Error {
    let mut e = Error::from_response(Api::Perscom, status, headers, body);
    if let Some(id) = header(headers, "x-perscom-request-id") {
        e = e.with_request_id(id);
    }
    if let Some(id) = header(headers, "x-perscom-trace-id") {
        e = e.with_correlation_id(id);
    }
    if status == 403
        && let Some(scope) = operation.and_then(super::scopes::required_scope)
    {
        e = e.with_required_scope(scope.as_str());
    }
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        if body.trim_start().starts_with('{') || body.trim_start().starts_with('[') {
            e = e.with_body_excerpt(body);
        }
        return e;
    };
    match envelope.error {
        Some(ErrorValue::Text(message)) => e = e.with_message(message),
        Some(ErrorValue::Detail(d)) => {
            if let Some(m) = d.message.filter(|m| !m.is_empty()) {
                e = e.with_message(m);
            }
            if let Some(t) = d.kind {
                if t == "ValidationException" {
                    e = e.with_code_kind(ErrorKind::Validation);
                }
                e = e.with_code(t);
            }
            if let Some(id) = d.request_id {
                e = e.with_request_id(id);
            }
            if let Some(id) = d.trace_id {
                e = e.with_correlation_id(id);
            }
            if let Some(errors) = d.errors.filter(|m| !m.is_empty()) {
                e = e.with_kind(ErrorKind::Validation).with_field_errors(
                    errors.into_iter().flat_map(|(field, msgs)| {
                        let msgs = match msgs {
                            FieldMessages::Many(v) => v,
                            FieldMessages::One(s) => vec![s],
                        };
                        msgs.into_iter()
                            .map(move |m| FieldError::new(field.clone(), m))
                    }),
                );
            }
        }
        None => {
            if let Some(m) = envelope.message {
                e = e.with_message(m);
            } else {
                e = e.with_body_excerpt(body);
            }
        }
    }
    e
}

/// Decodes one error response whose operation is not known.
#[allow(dead_code)]
pub(crate) fn decode(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    decode_for(status, headers, body, None)
}

fn header(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// How long PERSCOM asks a client to wait: `Retry-After` (seconds or a date), else
/// `X-RateLimit-Reset` (epoch seconds) on a response that says nothing is left.
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    if let Some(d) = crate::error::retry_after(headers) {
        return Some(d);
    }
    let remaining = header(headers, "x-ratelimit-remaining")?;
    if remaining.trim() != "0" {
        return None;
    }
    let reset: u64 = header(headers, "x-ratelimit-reset")?.trim().parse().ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now).min(86_400)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_validation_errors() {
        let body = r#"{"error":{"message":"The name field is required.","type":"ValidationException","request_id":"r1","trace_id":"t1","errors":{"name":["The name field is required."],"email":"bad"}}}"#;
        let e = decode_for(422, &http::HeaderMap::new(), body, Some("create_user"));
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.code(), Some("ValidationException"));
        assert_eq!(e.request_id(), Some("r1"));
        assert_eq!(e.correlation_id(), Some("t1"));
        assert_eq!(e.field_errors().len(), 2);
        assert_eq!(e.required_scope(), None);
    }

    #[test]
    fn forbidden_names_the_scope() {
        let body = r#"{"error":{"message":"The API key provided does not have the correct permissions and/or scopes","type":"HttpException"}}"#;
        let e = decode_for(
            403,
            &http::HeaderMap::new(),
            body,
            Some("create_rank_record"),
        );
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.required_scope(), Some("create:rankrecord"));
        assert!(
            e.to_string().contains("needs scope `create:rankrecord`"),
            "{e}"
        );
    }

    #[test]
    fn html_and_garbage_do_not_panic() {
        let e = decode_for(
            503,
            &http::HeaderMap::new(),
            "<html><body>Maintenance</body></html>",
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert!(e.body_excerpt().unwrap().contains("Maintenance"));
        let e = decode_for(500, &http::HeaderMap::new(), "{\"error\": 5", None);
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.body_excerpt().is_some());
        let e = decode_for(404, &http::HeaderMap::new(), "{\"error\": \"gone\"}", None);
        assert_eq!(e.message(), "gone");
    }

    #[test]
    fn rate_limit_reset() {
        let mut h = http::HeaderMap::new();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset", (now + 30).to_string().parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(d.as_secs() >= 28 && d.as_secs() <= 30, "{d:?}");
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
    }
}
