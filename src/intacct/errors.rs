//! Intacct's error bodies, decoded into the shared [`Error`].
//!
//! Shapes handled (all seen from Sage's gateway or documented by Sage):
//!
//! * `{"ia::result": {"ia::error": {...}}, "ia::meta": {...}}`: the documented envelope;
//! * `{"ia::error": {...}, "ia::meta": {...}}`: the top-level variant seen in the field;
//! * `{"ia::result": [ ...items, some with "ia::error"... ]}`: multi-item results (batch and
//!   composite), where each failed item becomes one [`FieldError`] named `ia::result[i]`;
//! * `{"error": "invalid_grant", "error_description": ...}`: OAuth token errors, which become
//!   [`ErrorKind::Unauthorized`];
//! * anything else (HTML from a proxy, empty bodies, truncated JSON): the status, a bounded
//!   excerpt and the retry-after headers.
//!
//! From an `ia::error`: `code` becomes [`Error::code`], `message` the message, `errorId`
//! (`REST-1028`) [`Error::error_id`], `supportId` [`Error::support_id`], and each of
//! `details` a [`FieldError`] whose field is the detail's `target` (`/newDate`).

use crate::error::{Api, Error, ErrorKind, FieldError, parse_retry_after};
use serde_json::Value;
use std::time::Duration;

/// The headers Intacct uses to say when to retry, in the order they are read.
///
/// `Retry-After` first, then the throttle, hour, minute and tenant headers in both the spelling
/// of Sage's headers table (`...-RetryAfter`) and the one the SDKs read (`...-Retry-After`).
pub const RETRY_AFTER_HEADERS: &[&str] = &[
    "retry-after",
    "x-ia-throttle-limit-retry-after",
    "x-ia-throttle-limit-retryafter",
    "x-ia-hour-rate-limit-retry-after",
    "x-ia-minute-rate-limit-retry-after",
    "x-ia-tenant-throttle-limit-retry-after",
];

/// How long Intacct asked to wait: `Retry-After` or the first `X-IA-*-Retry-After` header
/// present (seconds or an HTTP date).
///
/// ```
/// let mut h = http::HeaderMap::new();
/// h.insert("X-IA-Minute-Rate-Limit-Retry-After", "12".parse().unwrap());
/// assert_eq!(permkit::intacct::retry_after(&h), Some(std::time::Duration::from_secs(12)));
/// ```
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    RETRY_AFTER_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v.trim()))
    })
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The kind an Intacct error code implies, when the code says more than the status.
fn kind_for_code(code: &str, status: u16) -> Option<ErrorKind> {
    Some(match code {
        "GW-0010" | "rateLimitExceeded" | "tooManyRequests" => ErrorKind::RateLimited,
        "GW-0031" | "invalidToken" | "unauthorized" | "GW-0011" => ErrorKind::Unauthorized,
        "forbidden" | "permissionDenied" => ErrorKind::Forbidden,
        "notFound" => ErrorKind::NotFound,
        "conflict" | "duplicate" => ErrorKind::Conflict,
        "invalidRequest" if status < 500 && status != 401 && status != 403 && status != 429 => {
            ErrorKind::Validation
        }
        _ => return None,
    })
}

/// One `ia::error` object applied to `e`.
fn apply_ia_error(mut e: Error, err: &Value, status: u16) -> Error {
    let code = str_field(err, "code");
    if let Some(code) = code {
        if let Some(kind) = kind_for_code(code, status) {
            e = e.with_code_kind(kind);
        }
        e = e.with_code(code);
    }
    if let Some(m) = str_field(err, "message") {
        e = e.with_message(m);
    }
    if let Some(id) = str_field(err, "errorId") {
        e = e.with_error_id(id);
    }
    if let Some(id) = str_field(err, "supportId") {
        e = e.with_support_id(id);
    }
    let details: Vec<FieldError> = err
        .get("details")
        .and_then(Value::as_array)
        .map(|ds| ds.iter().map(detail).collect())
        .unwrap_or_default();
    let has_targets = details.iter().any(|d| d.field.is_some());
    if status == 422 && has_targets {
        e = e.with_kind(ErrorKind::Validation);
    }
    e.with_field_errors(details)
}

fn detail(d: &Value) -> FieldError {
    let message = str_field(d, "message").unwrap_or("invalid").to_string();
    let code = str_field(d, "errorId")
        .or_else(|| str_field(d, "code"))
        .map(str::to_string);
    FieldError {
        field: str_field(d, "target").map(str::to_string),
        message,
        code,
    }
}

/// The `ia::error` of one multi-item result item: on the item or inside its `ia::result`.
fn item_error(item: &Value) -> Option<&Value> {
    item.get("ia::error")
        .or_else(|| item.get("ia::result").and_then(|r| r.get("ia::error")))
}

/// Per-item errors of a multi-item `ia::result` array, one [`FieldError`] each (field
/// `ia::result[i]`, or `ia::result[i]<target>` for each detail with a target).
fn item_field_errors(items: &[Value]) -> Vec<FieldError> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(err) = item_error(item) else {
            continue;
        };
        let base = format!("ia::result[{i}]");
        let message = str_field(err, "message").unwrap_or("failed").to_string();
        let code = str_field(err, "errorId")
            .or_else(|| str_field(err, "code"))
            .map(str::to_string);
        out.push(FieldError {
            field: Some(base.clone()),
            message,
            code,
        });
        if let Some(ds) = err.get("details").and_then(Value::as_array) {
            for d in ds {
                let mut f = detail(d);
                f.field = Some(match f.field {
                    Some(t) => format!("{base}{t}"),
                    None => base.clone(),
                });
                out.push(f);
            }
        }
    }
    out
}

/// Decodes a JSON value of any Intacct error shape into `e`. Returns `None` when the value is
/// none of them.
fn apply_body(e: Error, v: &Value, status: u16) -> Option<Error> {
    let result = v.get("ia::result");
    if let Some(err) = result
        .and_then(|r| r.get("ia::error"))
        .or_else(|| v.get("ia::error"))
    {
        return Some(apply_ia_error(e, err, status));
    }
    if let Some(items) = result.and_then(Value::as_array) {
        let errors = item_field_errors(items);
        if !errors.is_empty() {
            let failed = items.iter().filter(|i| item_error(i).is_some()).count();
            let msg = format!("{failed} of {} items failed", items.len());
            let mut e = e.with_message(msg);
            // One failing item: its code and ids describe the whole error.
            if failed == 1
                && let Some(err) = items.iter().find_map(item_error)
            {
                if let Some(code) = str_field(err, "code") {
                    e = e.with_code(code);
                }
                if let Some(id) = str_field(err, "supportId") {
                    e = e.with_support_id(id);
                }
            }
            return Some(e.with_field_errors(errors));
        }
    }
    match v.get("error") {
        // `{"error": {...}}`: an ia::error-like object under a plain key.
        Some(obj @ Value::Object(_)) => Some(apply_ia_error(e, obj, status)),
        Some(Value::String(code)) => Some(apply_oauth(e, v, code, status)),
        _ => {
            // permkit's own message for a token that could not be obtained locally.
            str_field(v, "permkit").map(|m| e.with_message(m))
        }
    }
}

fn apply_oauth(mut e: Error, v: &Value, code: &str, status: u16) -> Error {
    if !(status == 429 || status >= 500) {
        e = e.with_kind(ErrorKind::Unauthorized);
    }
    let message = str_field(v, "error_description")
        .unwrap_or(code)
        .to_string();
    e.with_code(code).with_message(message)
}

fn decode_with(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    let base = || {
        Error::from_response(Api::Intacct, status, headers, body)
            .with_retry_after(retry_after(headers))
    };
    let trimmed = body.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return base();
    }
    match serde_json::from_str::<Value>(body) {
        Ok(v) => apply_body(base(), &v, status).unwrap_or_else(|| base().with_body_excerpt(body)),
        Err(_) => base().with_body_excerpt(body),
    }
}

/// Decodes one error response of the REST API.
pub(crate) fn decode(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    decode_with(status, headers, body)
}

/// Decodes an error response of the token endpoint (OAuth `{"error": ...}`, or the gateway's
/// `ia::error` on 429/5xx). OAuth errors become [`ErrorKind::Unauthorized`].
pub(crate) fn decode_oauth(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    let e = decode_with(status, headers, body);
    if e.code().is_none() && matches!(status, 400 | 401 | 403) {
        // A token endpoint that refuses without saying why still refused the credentials.
        return e.with_kind(ErrorKind::Unauthorized);
    }
    e
}

/// The error of a multi-item result (batch or composite, status 200 or 207), if any item
/// failed: one [`FieldError`] per failed item (`ia::result[i]`) and per detail of it.
///
/// ```
/// use permkit::intacct::{multi_status_error, types::MultiStatusResponse};
/// let body: MultiStatusResponse = serde_json::from_value(serde_json::json!({
///     "ia::result": [
///         {"key": "1", "id": "R1", "href": "/objects/company-config/role/1"},
///         {"ia::error": {"code": "invalidRequest", "message": "id is required", "errorId": "REST-1001"}}
///     ],
///     "ia::meta": {"totalCount": 2, "totalSuccess": 1, "totalError": 1}
/// })).unwrap();
/// let e = multi_status_error(&body).unwrap();
/// assert_eq!(e.field_errors()[0].field.as_deref(), Some("ia::result[1]"));
/// ```
pub fn multi_status_error(response: &super::types::MultiStatusResponse) -> Option<Error> {
    let items: Vec<Value> = response
        .ia_result
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect();
    let v = serde_json::json!({ "ia::result": items });
    let status = 207;
    let base = Error::new(ErrorKind::Unprocessable, "some items failed")
        .with_api(Api::Intacct)
        .with_status(status);
    if item_field_errors(&items).is_empty() {
        return None;
    }
    apply_body(base, &v, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_error_with_details() {
        let body = r#"{"ia::result":{"ia::error":{"code":"invalidRequest","message":"Payload contains errors","errorId":"REST-1064",
            "supportId":"Kxi78%7EZu","details":[{"code":"invalidRequest","message":"/newDate is not a valid field","errorId":"REST-1043","target":"/newDate"}]}},
            "ia::meta":{"totalCount":1,"totalSuccess":0,"totalError":1}}"#;
        let e = decode(400, &http::HeaderMap::new(), body);
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.code(), Some("invalidRequest"));
        assert_eq!(e.error_id(), Some("REST-1064"));
        assert_eq!(e.request_id(), None);
        assert_eq!(e.support_id(), Some("Kxi78%7EZu"));
        assert_eq!(e.field_errors()[0].field.as_deref(), Some("/newDate"));
        assert_eq!(e.field_errors()[0].code.as_deref(), Some("REST-1043"));
    }

    #[test]
    fn non_json_body_keeps_excerpt() {
        let e = decode(502, &http::HeaderMap::new(), "<html>Bad gateway</html>");
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.body_excerpt().unwrap().contains("Bad gateway"));
    }
}
