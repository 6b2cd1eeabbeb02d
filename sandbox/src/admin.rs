//! The admin API: what a Rust test does through [`Sandbox`](crate::Sandbox)'s methods, as JSON
//! over HTTP under `/__admin` on the sandbox's own address, so that tests in any language,
//! Schemathesis or Postman can arm faults, read the request log, move workflows on, expire
//! tokens, register webhooks, reset to the seed and set the clock.
//!
//! Every answer is JSON; a refused request is a 4xx with `{"error": "..."}`. The routes are
//! listed by `GET /__admin` and in the README ("Use the sandbox from any language"). What a
//! route would ignore is refused instead (a key, a query parameter, a body it does not read),
//! so that a typo is an error, never a request that does something else.

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
        "registers a PERSCOM webhook: {url, secret, events?, method?: POST|GET}; unknown events and URLs other than http(s) are refused",
    ),
    (
        "POST",
        "/__admin/webhooks/permission-assist",
        "registers a Permission Assist catch hook: {url} (an http(s) URL)",
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
        let query = match query_pairs(query) {
            Ok(pairs) => pairs,
            Err(message) => return refused(400, message),
        };
        if let Err(message) = takes_only(method, &segments, &query, &body) {
            return refused(400, message);
        }
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
                let unfired = query.iter().find(|(name, _)| name == "unfired");
                let unfired = match unfired.map(|(_, value)| value.as_str()) {
                    None | Some("false") => false,
                    Some("true") => true,
                    Some(_) => return refused(400, "\"unfired\" is true or false"),
                };
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
                let status =
                    match only_keys(&body, &["status"], "a status").and(text(&body, "status")) {
                        Ok(Some(status)) => status,
                        Ok(None) => return refused(400, "the body needs {\"status\": \"...\"}"),
                        Err(message) => return refused(400, message),
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
            ("POST", ["webhooks", "perscom"]) => {
                match perscom_webhook(&body).and_then(|webhook| parts.perscom.register(webhook)) {
                    Ok(()) => (201, json!({"registered": body["url"]})),
                    Err(message) => refused(400, message),
                }
            }
            ("POST", ["webhooks", "permission-assist"]) => {
                let url = catch_hook_url(&body);
                match url.and_then(|url| parts.permission_assist.register(url.to_string())) {
                    Ok(()) => (201, json!({"registered": body["url"]})),
                    Err(message) => refused(400, message),
                }
            }
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
                let now = match only_keys(&body, &["now"], "a clock").and(text(&body, "now")) {
                    Ok(Some(now)) => now,
                    Ok(None) => {
                        return refused(400, "the body needs {\"now\": \"2026-01-01T00:00:00Z\"}");
                    }
                    Err(message) => return refused(400, message),
                };
                match chrono::DateTime::parse_from_rfc3339(now) {
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

/// Refuses what a known route would otherwise ignore: a query parameter it does not read, or a
/// body when it reads none (`DELETE /__admin/faults?operation=x` would clear every fault, not
/// one). Unknown routes are left to the 404.
fn takes_only(
    method: &str,
    segments: &[&str],
    query: &[(String, String)],
    body: &Value,
) -> Result<(), String> {
    let (params, reads_body): (&[&str], bool) = match (method, segments) {
        ("GET", ["faults"]) => (&["unfired"], false),
        ("POST", ["faults"])
        | ("PUT", ["clock"])
        | ("POST", ["webhooks", "perscom" | "permission-assist"])
        | ("POST", ["permission-assist", _, _, "status"]) => (&[], true),
        ("GET", [] | ["requests"] | ["webhooks", "deliveries"] | ["clock"])
        | ("DELETE", ["requests"] | ["faults"])
        | ("POST", ["intacct", "expire-tokens"] | ["webhooks", "settle"] | ["reset"]) => {
            (&[], false)
        }
        _ => return Ok(()),
    };
    let route = format!("{method} {ADMIN_PREFIX}/{}", segments.join("/"));
    if let Some((name, _)) = query
        .iter()
        .find(|(name, _)| !params.contains(&name.as_str()))
    {
        return Err(match params {
            [] => format!("{route} takes no query parameter, not {name:?}"),
            _ => format!(
                "{route} takes the query parameter {}, not {name:?}",
                params.join(", ")
            ),
        });
    }
    if !reads_body && !body.is_null() {
        return Err(format!("{route} takes no body"));
    }
    Ok(())
}

/// The `name=value` pairs of a query string, in order, percent-decoded as any HTTP client may
/// encode them (`unfired=%74rue` is `unfired=true`).
fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| format!("the query string does not decode: {e}"))
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
        "error": d.error,
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
    only_keys(v, KEYS, "a fault")?;
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
    if let Some(message) = text(v, "message")? {
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
    if let Some(path) = text(v, "path")? {
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

/// The PERSCOM webhook a registration's body describes; its URL and events are checked when
/// it is registered (`perscom.register`), as the Rust API's are.
fn perscom_webhook(v: &Value) -> Result<crate::PerscomWebhook, String> {
    only_keys(
        v,
        &["url", "secret", "events", "method"],
        "a PERSCOM webhook",
    )?;
    let (Some(url), Some(secret)) = (text(v, "url")?, text(v, "secret")?) else {
        return Err("the body needs {\"url\": \"...\", \"secret\": \"...\"}".into());
    };
    let mut webhook = crate::PerscomWebhook::new(url, secret);
    match &v["events"] {
        Value::Null => {}
        Value::Array(events) => {
            let mut names = Vec::with_capacity(events.len());
            for event in events {
                let Some(name) = event.as_str() else {
                    return Err(format!(
                        "\"events\" are names (\"user.created\"), not {event}"
                    ));
                };
                names.push(name);
            }
            webhook = webhook.events(names);
        }
        _ => return Err("\"events\" is a list of event names (\"user.created\")".into()),
    }
    match text(v, "method")? {
        None | Some("POST") => {}
        Some("GET") => webhook = webhook.method(crate::WebhookMethod::Get),
        Some(other) => return Err(format!("\"method\" is POST or GET, not {other:?}")),
    }
    Ok(webhook)
}

/// The URL of a Permission Assist catch hook registration (checked when it is registered).
fn catch_hook_url(v: &Value) -> Result<&str, String> {
    only_keys(v, &["url"], "a catch hook")?;
    text(v, "url")?.ok_or_else(|| "the body needs {\"url\": \"...\"}".into())
}

/// Refuses an object with a key outside `keys` (so a typo is refused rather than ignored), or a
/// body that is not an object; `what` names what the body describes. No body passes: the
/// caller then names the keys it needs.
fn only_keys(v: &Value, keys: &[&str], what: &str) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let Some(object) = v.as_object() else {
        return Err(format!("the body needs a JSON object describing {what}"));
    };
    match object.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(key) => Err(format!(
            "unknown key {key:?}; {what} takes {}",
            keys.join(", ")
        )),
        None => Ok(()),
    }
}

/// What kind of JSON value `v` is, for a message that should not repeat it.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The text at `key`: `None` when absent or null, refused when another kind of value.
fn text<'v>(v: &'v Value, key: &str) -> Result<Option<&'v str>, String> {
    match &v[key] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        // The value is not repeated: it may be a secret.
        other => Err(format!("{key:?} must be text, not {}", kind(other))),
    }
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
    fn a_fault_with_a_message_or_path_that_is_not_text_is_refused() {
        let e = fault_from_json(&json!({"operation": "x", "message": 5})).unwrap_err();
        assert!(e.contains("\"message\" must be text"), "{e}");
        let e = fault_from_json(&json!({"operation": "x", "path": ["/users"]})).unwrap_err();
        assert!(e.contains("\"path\" must be text"), "{e}");
    }

    #[test]
    fn a_perscom_webhook_is_read_with_its_events_and_method() {
        let hook = perscom_webhook(&json!({
            "url": "http://127.0.0.1:8080/perscom", "secret": "s3cret",
            "events": ["user.created", "RankRecord.deleted"], "method": "GET"
        }))
        .unwrap();
        let shown = format!("{hook:?}");
        assert!(
            shown.contains("user.created") && shown.contains("rankrecord.deleted"),
            "{shown}"
        );
        assert!(
            shown.contains("Get") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn a_perscom_webhook_that_would_silently_misfire_is_refused() {
        // As registration reads it: the body, then the check `perscom.register` makes.
        let refused = |body: Value| {
            perscom_webhook(&body)
                .and_then(|hook| hook.check())
                .unwrap_err()
        };
        let url = "http://127.0.0.1:8080/perscom";
        // A misspelt key would otherwise register for every event.
        let e = refused(json!({"url": url, "secret": "s", "event": ["user.deleted"]}));
        assert!(e.contains("unknown key \"event\""), "{e}");
        // A misspelt event, or one that is not a name, would never fire.
        let e = refused(json!({"url": url, "secret": "s", "events": ["user.craeted"]}));
        assert!(e.contains("unknown event \"user.craeted\""), "{e}");
        let e = refused(json!({"url": url, "secret": "s", "events": ["user.created", 5]}));
        assert!(e.contains("not 5"), "{e}");
        let e = refused(json!({"url": url, "secret": "s", "events": "user.created"}));
        assert!(e.contains("a list of event names"), "{e}");
        // A URL no delivery could reach.
        let e = refused(json!({"url": "http://[::1", "secret": "s"}));
        assert!(e.contains("not an absolute URL"), "{e}");
        let e = refused(json!({"url": "/perscom", "secret": "s"}));
        assert!(e.contains("not an absolute URL"), "{e}");
        let e = refused(json!({"url": "ftp://127.0.0.1/x", "secret": "s"}));
        assert!(e.contains("not ftp:"), "{e}");
        let e = refused(json!({"url": url, "secret": 5}));
        assert!(
            e.contains("\"secret\" must be text") && !e.contains('5'),
            "{e}"
        );
    }

    #[test]
    fn a_catch_hook_needs_an_http_url_and_nothing_else() {
        assert_eq!(
            catch_hook_url(&json!({"url": "https://hooks.example.com/pa"})),
            Ok("https://hooks.example.com/pa")
        );
        assert!(catch_hook_url(&json!({"url": "https://x/pa", "secret": "s"})).is_err());
        // The check `permission_assist.register` makes.
        assert!(
            catch_hook_url(&json!({"url": "not a url"}))
                .and_then(crate::webhooks::receiver_url)
                .is_err()
        );
        assert!(catch_hook_url(&json!({})).is_err());
        assert!(catch_hook_url(&json!(["https://x/pa"])).is_err());
    }

    #[test]
    fn every_route_refuses_a_query_parameter_or_body_it_does_not_read() {
        let query = |q: &str| query_pairs(Some(q)).unwrap();
        assert_eq!(query("unfired=%74rue"), query("unfired=true"));
        for (method, path, what) in ROUTES {
            let segments: Vec<&str> = path
                .strip_prefix(ADMIN_PREFIX)
                .unwrap()
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| if s.starts_with('{') { "some-id" } else { s })
                .collect();
            let e = takes_only(
                method,
                &segments,
                &query("operation=list_users"),
                &Value::Null,
            )
            .unwrap_err();
            assert!(e.contains("not \"operation\""), "{method} {path}: {e}");
            // A route that reads a body says so in its description (`: {...}`) and checks the
            // body's keys itself; every other one refuses a body.
            let reads_body = *method != "GET" && what.contains(": {");
            match takes_only(method, &segments, &[], &json!({"x": 1})) {
                Ok(()) => assert!(reads_body, "{method} {path} took a body"),
                Err(e) => assert!(
                    !reads_body && e.ends_with("takes no body"),
                    "{method} {path}: {e}"
                ),
            }
        }
        assert_eq!(
            takes_only("GET", &["faults"], &query("unfired=true"), &Value::Null),
            Ok(())
        );
        // An unknown route is the 404's.
        assert_eq!(
            takes_only("GET", &["nothing"], &query("x=1"), &Value::Null),
            Ok(())
        );
    }

    #[test]
    fn a_status_outside_http_is_refused() {
        assert!(fault_from_json(&json!({"operation": "x", "status": 1000})).is_err());
        assert!(fault_from_json(&json!({"operation": "x", "status": -1})).is_err());
    }
}
