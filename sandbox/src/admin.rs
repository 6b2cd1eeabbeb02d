//! The admin API: what a Rust test does through [`Sandbox`](crate::Sandbox)'s methods, as JSON
//! over HTTP under `/__admin` on the sandbox's own address, so that tests in any language,
//! Schemathesis or Postman can arm faults, read the request log, move workflows on, expire
//! tokens, register webhooks, reset to the seed and set the clock.
//!
//! Every answer is JSON; a refused request is a 4xx with `{"error": "..."}`. The routes are
//! listed by `GET /__admin` and in the README ("Use the sandbox from any language").

use crate::Parts;
use crate::faults::Fault;
use crate::request_log::RecordedRequest;
use crate::webhooks::WebhookDelivery;
use serde_json::{Value, json};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The path prefix the admin API answers under.
pub(crate) const ADMIN_PREFIX: &str = "/__admin";

/// Every route: (method, path, what it does). `GET /__admin` answers with this list.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/__admin", "this list"),
    (
        "GET",
        "/__admin/requests",
        "every request received, oldest first (credentials redacted)",
    ),
    ("DELETE", "/__admin/requests", "clears the request log"),
    (
        "POST",
        "/__admin/faults",
        "arms a fault: {operation, status?, message?, retry_after_ms?, latency_ms?, drop?: before_response|mid_body, path?, nth_call?, times?}",
    ),
    (
        "GET",
        "/__admin/faults",
        "every armed fault with how often it fired ({fault, fired}); ?unfired=true: only those that never fired",
    ),
    ("DELETE", "/__admin/faults", "clears every fault"),
    (
        "POST",
        "/__admin/permission-assist/imports/{id}/status",
        "moves an import on: {status}",
    ),
    (
        "POST",
        "/__admin/permission-assist/personnel-events/{id}/status",
        "moves a personnel event on: {status}",
    ),
    (
        "POST",
        "/__admin/permission-assist/access-requests/{id}/status",
        "moves an access request on: {status}",
    ),
    (
        "POST",
        "/__admin/intacct/expire-tokens",
        "expires every Intacct access token issued so far",
    ),
    (
        "POST",
        "/__admin/webhooks/perscom",
        "registers a PERSCOM webhook: {url, secret, events?, method?: POST|GET}",
    ),
    (
        "POST",
        "/__admin/webhooks/permission-assist",
        "registers a Permission Assist catch hook: {url}",
    ),
    (
        "GET",
        "/__admin/webhooks/deliveries",
        "every webhook delivery attempt, oldest first",
    ),
    (
        "POST",
        "/__admin/webhooks/settle",
        "answers once every delivery queued so far has been attempted to its end",
    ),
    ("GET", "/__admin/clock", "the sandbox's now: {now}"),
    (
        "PUT",
        "/__admin/clock",
        "pins the clock: {now: RFC 3339}; what the mocks write from then on is stamped with it",
    ),
    (
        "POST",
        "/__admin/reset",
        "every API back to its seed (placed relative to now); faults, request log and webhooks cleared",
    ),
];

/// Whether `path` is the admin API's.
pub(crate) fn is_admin(path: &str) -> bool {
    path.strip_prefix(ADMIN_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Makes the admin API answer on the front of `parts`.
pub(crate) fn install(parts: &Arc<Parts>) {
    let _ = parts.front.admin.set(Admin {
        parts: Arc::downgrade(parts),
    });
}

/// The admin API of one sandbox. It holds the sandbox weakly: dropping the
/// [`Sandbox`](crate::Sandbox) stops everything.
pub(crate) struct Admin {
    parts: Weak<Parts>,
}

/// An answer: status and JSON body.
type Answer = (u16, Value);

fn refused(status: u16, message: impl std::fmt::Display) -> Answer {
    (status, json!({"error": message.to_string()}))
}

impl Admin {
    /// Answers one admin request.
    pub(crate) async fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Answer {
        let Some(parts) = self.parts.upgrade() else {
            return refused(503, "the sandbox is stopping");
        };
        let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return refused(400, format_args!("the body is not JSON: {e}")),
            }
        };
        let rest = path.trim_end_matches('/');
        let segments: Vec<&str> = rest
            .strip_prefix(ADMIN_PREFIX)
            .unwrap_or("")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        match (method, segments.as_slice()) {
            ("GET", []) => (200, index()),
            ("GET", ["requests"]) => (
                200,
                Value::Array(parts.front.requests().iter().map(request_json).collect()),
            ),
            ("DELETE", ["requests"]) => {
                parts.front.clear_requests();
                (200, json!({"cleared": true}))
            }
            ("POST", ["faults"]) => match fault_from_json(&body) {
                Ok(fault) => {
                    let shown = fault_json(&fault);
                    match parts.try_fault(fault) {
                        Ok(()) => (201, json!({"armed": shown})),
                        Err(e) => refused(e.http_status(), e),
                    }
                }
                Err(message) => refused(400, message),
            },
            ("GET", ["faults"]) => {
                let unfired = query.is_some_and(|q| q.split('&').any(|p| p == "unfired=true"));
                let listed = parts
                    .faults()
                    .iter()
                    .filter(|(_, fired)| !unfired || *fired == 0)
                    .map(|(f, fired)| json!({"fault": fault_json(f), "fired": fired}))
                    .collect();
                (200, Value::Array(listed))
            }
            ("DELETE", ["faults"]) => {
                parts.clear_faults();
                (200, json!({"cleared": true}))
            }
            ("POST", ["permission-assist", kind, id, "status"]) => {
                let Some(status) = body["status"].as_str() else {
                    return refused(400, "the body needs {\"status\": \"...\"}");
                };
                let moved = match *kind {
                    "imports" => parts.set_import_status(id, status),
                    "personnel-events" => parts.set_personnel_event_status(id, status),
                    "access-requests" => parts.set_access_request_status(id, status),
                    _ => return not_found(method, path),
                };
                match moved {
                    Ok(()) => (200, json!({"id": id, "status": status})),
                    Err(e) => refused(e.http_status(), e),
                }
            }
            ("POST", ["intacct", "expire-tokens"]) => {
                parts.intacct.expire_tokens();
                (200, json!({"expired": true}))
            }
            ("POST", ["webhooks", "perscom"]) => match perscom_webhook(&body) {
                Ok(webhook) => {
                    parts.perscom.register(webhook);
                    (201, json!({"registered": body["url"]}))
                }
                Err(message) => refused(400, message),
            },
            ("POST", ["webhooks", "permission-assist"]) => match body["url"].as_str() {
                Some(url) => {
                    parts.permission_assist.register(url.to_string());
                    (201, json!({"registered": url}))
                }
                None => refused(400, "the body needs {\"url\": \"...\"}"),
            },
            ("GET", ["webhooks", "deliveries"]) => (
                200,
                Value::Array(parts.outbox.log().iter().map(delivery_json).collect()),
            ),
            ("POST", ["webhooks", "settle"]) => {
                let settled = parts.webhooks_settled();
                // The wait holds no strong reference: dropping the sandbox ends it.
                drop(parts);
                settled.await;
                (200, json!({"settled": true}))
            }
            ("GET", ["clock"]) => (200, clock_json(&parts)),
            ("PUT", ["clock"]) => {
                let Some(text) = body["now"].as_str() else {
                    return refused(400, "the body needs {\"now\": \"2026-01-01T00:00:00Z\"}");
                };
                match chrono::DateTime::parse_from_rfc3339(text) {
                    Ok(now) => {
                        parts.set_now(now.with_timezone(&chrono::Utc));
                        (200, clock_json(&parts))
                    }
                    Err(e) => refused(400, format_args!("\"now\" is not an RFC 3339 time ({e})")),
                }
            }
            ("POST", ["reset"]) => {
                parts.reset();
                (200, json!({"reset": true, "now": parts.now().to_rfc3339()}))
            }
            _ => not_found(method, path),
        }
    }
}

fn clock_json(parts: &Parts) -> Value {
    json!({"now": parts.now().to_rfc3339()})
}

fn not_found(method: &str, path: &str) -> Answer {
    refused(
        404,
        format_args!("no admin route {method} {path}; GET {ADMIN_PREFIX} lists them"),
    )
}

fn index() -> Value {
    json!({
        "routes": ROUTES
            .iter()
            .map(|(m, p, what)| json!({"method": m, "path": p, "description": what}))
            .collect::<Vec<_>>()
    })
}

fn request_json(r: &RecordedRequest) -> Value {
    json!({
        "api": r.api.map(|a| a.as_str()),
        "operation_id": r.operation_id,
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body": r.body_json().unwrap_or_else(|| Value::String(String::from_utf8_lossy(&r.body).into_owned())),
        "status": r.status,
        "fault": r.fault,
    })
}

fn delivery_json(d: &WebhookDelivery) -> Value {
    json!({
        "api": d.api.as_str(),
        "event": d.event,
        "method": d.method,
        "url": d.url,
        "attempt": d.attempt,
        "status": d.status,
        "succeeded": d.succeeded(),
    })
}

/// A fault as the admin API shows it.
pub(crate) fn fault_json(f: &Fault) -> Value {
    json!({
        "operation": f.operation_id,
        "path": f.path,
        "nth_call": f.nth_call,
        "times": f.times,
        "status": f.status,
        "message": f.message,
        "retry_after_ms": f.retry_after.map(|d| d.as_millis() as u64),
        "latency_ms": f.latency.map(|d| d.as_millis() as u64),
        "drop": f.drop.map(|d| match d {
            crate::faults::Drop::BeforeResponse => "before_response",
            crate::faults::Drop::MidBody => "mid_body",
        }),
    })
}

/// A fault from the admin API's JSON; unknown keys are refused, so a typo cannot arm a fault
/// that does something else.
fn fault_from_json(v: &Value) -> Result<Fault, String> {
    const KEYS: &[&str] = &[
        "operation",
        "status",
        "message",
        "retry_after_ms",
        "latency_ms",
        "drop",
        "path",
        "nth_call",
        "times",
    ];
    let Some(object) = v.as_object() else {
        return Err("the body needs a JSON object: {\"operation\": \"...\", ...}".into());
    };
    if let Some(key) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {key:?}; a fault takes {}",
            KEYS.join(", ")
        ));
    }
    let Some(operation) = v["operation"].as_str() else {
        return Err("the body needs \"operation\": an operationId (list_identities)".into());
    };
    let number = |key: &str| -> Result<Option<u64>, String> {
        match &v[key] {
            Value::Null => Ok(None),
            n => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("{key:?} must be a whole number of 0 or more")),
        }
    };
    let small = |key: &str| -> Result<Option<u32>, String> {
        number(key)?
            .map(|n| u32::try_from(n).map_err(|_| format!("{key:?} is too large")))
            .transpose()
    };
    let mut fault = Fault::on(operation);
    if let Some(status) = number("status")? {
        match u16::try_from(status) {
            Ok(s) if (100..=599).contains(&s) => fault = fault.status(s),
            _ => return Err("\"status\" must be an HTTP status (100 to 599)".into()),
        }
    }
    if let Some(message) = v["message"].as_str() {
        fault = fault.message(message);
    }
    if let Some(ms) = number("retry_after_ms")? {
        fault = fault.retry_after(Duration::from_millis(ms));
    }
    if let Some(ms) = number("latency_ms")? {
        fault = fault.latency(Duration::from_millis(ms));
    }
    match &v["drop"] {
        Value::Null => {}
        Value::String(s) if s == "before_response" => fault = fault.drop_connection(),
        Value::String(s) if s == "mid_body" => fault = fault.drop_mid_body(),
        _ => return Err("\"drop\" is \"before_response\" or \"mid_body\"".into()),
    }
    if let Some(path) = v["path"].as_str() {
        fault = fault.path(path);
    }
    if let Some(n) = small("nth_call")? {
        fault = fault.nth_call(n);
    }
    if let Some(n) = small("times")? {
        fault = fault.times(n);
    }
    Ok(fault)
}

fn perscom_webhook(v: &Value) -> Result<crate::PerscomWebhook, String> {
    let (Some(url), Some(secret)) = (v["url"].as_str(), v["secret"].as_str()) else {
        return Err("the body needs {\"url\": \"...\", \"secret\": \"...\"}".into());
    };
    let mut webhook = crate::PerscomWebhook::new(url, secret);
    if let Some(events) = v["events"].as_array() {
        webhook = webhook.events(events.iter().filter_map(Value::as_str));
    }
    match v["method"].as_str() {
        None | Some("POST") => {}
        Some("GET") => webhook = webhook.method(crate::WebhookMethod::Get),
        Some(other) => return Err(format!("\"method\" is POST or GET, not {other:?}")),
    }
    Ok(webhook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_with_an_unknown_key_is_refused() {
        let e = fault_from_json(&json!({"operation": "list_users", "stauts": 503})).unwrap_err();
        assert!(e.contains("unknown key \"stauts\""), "{e}");
    }

    #[test]
    fn a_fault_is_read_from_json_and_shown_back() {
        let f = fault_from_json(&json!({
            "operation": "listIdentities", "status": 429, "retry_after_ms": 1500,
            "nth_call": 2, "times": 1, "drop": "mid_body"
        }))
        .unwrap();
        let shown = fault_json(&f);
        assert_eq!(shown["operation"], "list_identities");
        assert_eq!(shown["status"], 429);
        assert_eq!(shown["retry_after_ms"], 1500);
        assert_eq!(shown["drop"], "mid_body");
    }

    #[test]
    fn a_status_outside_http_is_refused() {
        assert!(fault_from_json(&json!({"operation": "x", "status": 1000})).is_err());
        assert!(fault_from_json(&json!({"operation": "x", "status": -1})).is_err());
    }
}
