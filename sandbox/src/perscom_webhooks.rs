//! PERSCOM's webhooks in the sandbox: registrations, and deliveries built as PERSCOM's server
//! builds them (the payload of its `WebhookService`, PHP's `json_encode`, the
//! `spatie/laravel-webhook-server` signer, `GET` payloads as PHP's `http_build_query`).

use super::webhooks::{Outbox, Outgoing};
use hmac::{Hmac, KeyInit, Mac};
use permkit_core::{Api, Secret};
use serde_json::Value;
use sha2::Sha256;

/// The resources PERSCOM sends webhook events for, by their event prefix.
pub(crate) const RESOURCES: &[&str] = &[
    "assignmentrecord",
    "awardrecord",
    "calendar",
    "combatrecord",
    "event",
    "message",
    "qualificationrecord",
    "rankrecord",
    "servicerecord",
    "submission",
    "user",
];

/// Refuses a name that is not one of PERSCOM's webhook events (`user.created`: a resource of
/// [`RESOURCES`] and what happened to it), saying which names are. `name` is in lower case,
/// as [`PerscomWebhook::events`] keeps it.
fn check_event(name: &str) -> Result<(), String> {
    let known = name.split_once('.').is_some_and(|(resource, action)| {
        RESOURCES.contains(&resource) && ["created", "updated", "deleted"].contains(&action)
    });
    if known {
        return Ok(());
    }
    Err(format!(
        "unknown event {name:?}; PERSCOM's are <resource>.created, .updated or .deleted, for \
         the resources {}",
        RESOURCES.join(", ")
    ))
}

/// PERSCOM tries a delivery 3 times in all.
const TRIES: u32 = 3;

/// How a PERSCOM webhook calls its URL.
///
/// ```
/// use permkit_sandbox::{PerscomWebhook, WebhookMethod};
/// let hook = PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret").method(WebhookMethod::Get);
/// # let _ = hook;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WebhookMethod {
    /// The payload is the JSON body (PERSCOM's default).
    #[default]
    Post,
    /// The payload is the query string; the `Signature` is still over the JSON encoding, so a
    /// receiver cannot verify it (`permkit::perscom::webhooks::verify_request` refuses it).
    Get,
}

/// A webhook registered with the sandbox's PERSCOM, as one set up in PERSCOM's dashboard: a
/// URL, a secret, the events it wants (all by default) and its method.
///
/// Register it with [`Sandbox::register_perscom_webhook`](super::Sandbox::register_perscom_webhook).
///
/// ```
/// use permkit_sandbox::PerscomWebhook;
/// let hook = PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret")
///     .events(["user.created", "rankrecord.created"]);
/// assert!(!format!("{hook:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a webhook does nothing until registered"]
pub struct PerscomWebhook {
    url: String,
    secret: Secret,
    events: Vec<String>,
    method: WebhookMethod,
}

impl PerscomWebhook {
    /// A webhook that posts every event to `url`, signed with `secret`.
    ///
    /// ```
    /// let hook = permkit_sandbox::PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret");
    /// # let _ = hook;
    /// ```
    pub fn new(url: impl Into<String>, secret: impl Into<Secret>) -> Self {
        PerscomWebhook {
            url: url.into(),
            secret: secret.into(),
            events: Vec::new(),
            method: WebhookMethod::Post,
        }
    }

    /// Only these events (`user.created`, ...); every event when never called.
    ///
    /// ```
    /// let hook = permkit_sandbox::PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret")
    ///     .events(["user.deleted"]);
    /// # let _ = hook;
    /// ```
    pub fn events<I, S>(mut self, events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.events
            .extend(events.into_iter().map(|e| e.into().to_ascii_lowercase()));
        self
    }

    /// How the webhook calls its URL ([`WebhookMethod::Post`] unless set).
    ///
    /// ```
    /// use permkit_sandbox::{PerscomWebhook, WebhookMethod};
    /// let hook = PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret").method(WebhookMethod::Get);
    /// # let _ = hook;
    /// ```
    pub fn method(mut self, method: WebhookMethod) -> Self {
        self.method = method;
        self
    }

    /// Refuses a webhook that could never be delivered: its URL is not an absolute http or
    /// https one, or it asks for an event PERSCOM does not send.
    pub(crate) fn check(&self) -> Result<(), String> {
        super::webhooks::receiver_url(&self.url)?;
        self.events.iter().try_for_each(|e| check_event(e))
    }

    fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

/// A change one request made: the event, the resource's attributes and the changed ones.
pub(crate) struct Change {
    pub(crate) event: String,
    pub(crate) data: Value,
    pub(crate) changes: Value,
}

/// The ids PERSCOM puts on a request's context, shared by every event that request causes.
pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) trace_id: String,
}

/// Queues the deliveries of `changes` to every webhook that wants them, created at `now`.
pub(crate) fn deliver(
    outbox: &Outbox,
    hooks: &[PerscomWebhook],
    changes: &[Change],
    ids: &RequestIds,
    now: chrono::DateTime<chrono::Utc>,
) {
    let created = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    for change in changes {
        // The payload's keys in the order PERSCOM's WebhookService writes them.
        let payload = [
            ("event", Value::from(change.event.as_str())),
            ("created", Value::from(created.as_str())),
            ("request_id", Value::from(ids.request_id.as_str())),
            ("trace_id", Value::from(ids.trace_id.as_str())),
            ("data", change.data.clone()),
            ("changes", change.changes.clone()),
        ];
        let json = php_json(&payload);
        for hook in hooks.iter().filter(|h| h.wants(&change.event)) {
            let signature = sign(&json, &hook.secret);
            let mut headers = vec![
                ("content-type", "application/json".to_string()),
                ("signature", signature),
            ];
            let (method, url, body) = match hook.method {
                WebhookMethod::Post => (reqwest::Method::POST, hook.url.clone(), json.clone()),
                WebhookMethod::Get => {
                    let mut url = hook.url.clone();
                    if let Ok(mut parsed) = reqwest::Url::parse(&hook.url) {
                        parsed.set_query(Some(&http_build_query(&payload)));
                        url = parsed.to_string();
                    }
                    headers.retain(|(name, _)| *name != "content-type");
                    (reqwest::Method::GET, url, Vec::new())
                }
            };
            outbox.send(Outgoing {
                api: Api::Perscom,
                event: change.event.clone(),
                method,
                url,
                headers,
                body,
                tries: TRIES,
            });
        }
    }
}

/// The default signer of `spatie/laravel-webhook-server`: hex HMAC-SHA256 of the JSON body.
/// Written here on its own rather than calling `perscom::webhooks::sign`, so that the
/// sandbox checks the receiver instead of agreeing with it by construction.
fn sign(body: &[u8], secret: &Secret) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// PHP's `json_encode` with its default flags: `/` written `\/`, every non-ASCII character as
/// `\uXXXX` (UTF-16, lowercase hex).
struct PhpFormatter;

impl serde_json::ser::Formatter for PhpFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            match c {
                '/' => writer.write_all(b"\\/")?,
                c if c.is_ascii() => writer.write_all(&[c as u8])?,
                c => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        write!(writer, "\\u{unit:04x}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The payload as PHP's `json_encode` writes it, keys in the given order.
fn php_json(payload: &[(&str, Value)]) -> Vec<u8> {
    use serde::ser::{SerializeMap, Serializer};
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PhpFormatter);
    let written = (|| {
        let mut map = ser.serialize_map(Some(payload.len()))?;
        for (key, value) in payload {
            map.serialize_entry(key, value)?;
        }
        map.end()
    })();
    // Writing JSON values into a Vec cannot fail.
    debug_assert!(written.is_ok());
    out
}

/// PHP's `http_build_query` with RFC 3986 encoding, as Guzzle sends a `GET` payload: nested
/// keys as `data[id]`, lists by position, `null` left out, booleans as `1` and `0`.
fn http_build_query(payload: &[(&str, Value)]) -> String {
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fn walk(key: &str, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Null => {}
            Value::Bool(b) => out.push(format!("{}={}", encode(key), u8::from(*b))),
            Value::Number(n) => out.push(format!("{}={}", encode(key), encode(&n.to_string()))),
            Value::String(s) => out.push(format!("{}={}", encode(key), encode(s))),
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{key}[{i}]"), v, out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    walk(&format!("{key}[{k}]"), v, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (key, value) in payload {
        walk(key, value, &mut out);
    }
    out.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_written_as_php_writes_it() {
        let payload = [
            ("event", json!("user.created")),
            (
                "data",
                json!({"url": "https://x/y", "name": "Zoë 😀", "n": 1.5}),
            ),
            ("changes", json!([])),
        ];
        assert_eq!(
            String::from_utf8(php_json(&payload)).unwrap(),
            r#"{"event":"user.created","data":{"n":1.5,"name":"Zo\u00eb \ud83d\ude00","url":"https:\/\/x\/y"},"changes":[]}"#
        );
    }

    #[test]
    fn get_payloads_are_written_as_http_build_query_writes_them() {
        let payload = [
            ("event", json!("user.updated")),
            ("request_id", Value::Null),
            (
                "data",
                json!({"id": 3, "approved": false, "name": "A B/C", "tags": ["x"]}),
            ),
        ];
        assert_eq!(
            http_build_query(&payload),
            "event=user.updated&data%5Bapproved%5D=0&data%5Bid%5D=3&data%5Bname%5D=A%20B%2FC&data%5Btags%5D%5B0%5D=x"
        );
    }

    #[test]
    fn signatures_are_spatie_default_signer() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"what do ya want for nothing?", &Secret::new("Jefe")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
