//! The record of the requests the sandbox received, secrets blanked, for assertions.

use bytes::Bytes;
use permkit_core::Api;

/// What the log writes in place of a secret.
const REDACTED: &str = "[redacted]";

/// Headers whose values are credentials.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// Query and form fields whose values are credentials (PERSCOM's `apikey`, OAuth's fields).
const SECRET_FIELDS: &[&str] = &[
    "apikey",
    "api_key",
    "client_secret",
    "password",
    "refresh_token",
    "access_token",
    "client_assertion",
];

/// One request the sandbox received, as [`Sandbox::requests`](super::Sandbox::requests) lists
/// it: credentials are shown as `[redacted]` (the `Authorization` and `Cookie` headers,
/// PERSCOM's `apikey` parameter, OAuth's `client_secret`, `password` and `refresh_token`).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use permkit_sandbox::Sandbox;
/// let sandbox = Sandbox::start().await;
/// let client = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
///     .token(Sandbox::PERMISSION_ASSIST_TOKEN)
///     .build()
///     .unwrap();
/// client.list_identities().send().await.unwrap();
/// let seen = sandbox.requests();
/// assert_eq!(seen[0].operation_id, Some("list_identities"));
/// assert_eq!(seen[0].header("authorization"), Some("[redacted]"));
/// assert_eq!(seen[0].status, Some(200));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The API the path belongs to, or `None` outside every API's prefix.
    pub api: Option<Api>,
    /// The operation the spec names for the method and path, or `None` when none matches.
    pub operation_id: Option<&'static str>,
    /// The method (`GET`).
    pub method: String,
    /// The path on the sandbox, API prefix included (`/permission-assist/api/identities`).
    pub path: String,
    /// The query string, if any, with secret parameters redacted.
    pub query: Option<String>,
    /// The headers, names lower-cased, in the order received, credentials redacted.
    pub headers: Vec<(String, String)>,
    /// The body; secret fields of a form or JSON object body are redacted.
    pub body: Bytes,
    /// The status the sandbox answered with, or `None` when it dropped the connection before
    /// the status (a mid-body drop records the status that was sent).
    pub status: Option<u16>,
    /// Whether an injected [`Fault`](super::Fault) answered (or delayed) this call.
    pub fault: bool,
}

impl RecordedRequest {
    /// The first value of header `name` (any case).
    ///
    /// ```
    /// # fn demo(r: &permkit_sandbox::RecordedRequest) {
    /// let agent = r.header("User-Agent");
    /// # let _ = agent; }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    ///
    /// ```
    /// # fn demo(r: &permkit_sandbox::RecordedRequest) {
    /// let sent = r.body_json().and_then(|b| b.get("applicationId").cloned());
    /// # let _ = sent; }
    /// ```
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The headers as the log keeps them.
pub(crate) fn headers(map: &http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            let value = if SECRET_HEADERS.contains(&name.as_str()) {
                REDACTED.to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_string(), value)
        })
        .collect()
}

/// The query string as the log keeps it.
pub(crate) fn query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) => {
                format!("{k}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The body as the log keeps it.
pub(crate) fn body(content_type: Option<&str>, body: Bytes) -> Bytes {
    let ct = content_type.unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(&body);
        return Bytes::from(query(&text));
    }
    if ct.starts_with("application/json")
        && let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(&body)
        && map.keys().any(|k| SECRET_FIELDS.contains(&k.as_str()))
    {
        for (k, v) in map.iter_mut() {
            if SECRET_FIELDS.contains(&k.as_str()) {
                *v = serde_json::Value::String(REDACTED.into());
            }
        }
        return Bytes::from(serde_json::to_vec(&map).unwrap_or_default());
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(query("page=2&apikey=k3y"), "page=2&apikey=[redacted]");
        let form = body(
            Some("application/x-www-form-urlencoded"),
            Bytes::from_static(b"grant_type=client_credentials&client_secret=s3cret"),
        );
        assert_eq!(
            &form[..],
            b"grant_type=client_credentials&client_secret=[redacted]"
        );
        let json = body(
            Some("application/json"),
            Bytes::from_static(br#"{"client_id":"c","client_secret":"s3cret"}"#),
        );
        assert!(!String::from_utf8_lossy(&json).contains("s3cret"));
        let mut map = http::HeaderMap::new();
        map.insert("authorization", "Bearer t0ken".parse().unwrap());
        assert_eq!(headers(&map), [("authorization".into(), REDACTED.into())]);
    }
}
