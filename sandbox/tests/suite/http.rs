//! Plain HTTP calls of the sandbox's APIs, as a test in another language would make them.

use serde_json::Value;

/// `GET url` with a bearer token: the status and the JSON answer. Panics, naming the status,
/// when the answer is not JSON.
pub async fn get(url: String, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: the answer is not JSON ({e}): {text}"));
    (status, body)
}
