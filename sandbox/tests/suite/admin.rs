//! The admin API under `/__admin`, driven as a test in another language would: plain HTTP and
//! JSON, no Rust API of the sandbox.

use permkit_sandbox::Sandbox;
use serde_json::{Value, json};

async fn call(method: &str, url: String, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(method.parse().unwrap(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn identities(sandbox: &Sandbox) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/identities", sandbox.permission_assist_url()))
        .bearer_auth(Sandbox::PERMISSION_ASSIST_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_index_lists_every_route() {
    let sandbox = Sandbox::start().await;
    let (status, index) = call("GET", format!("{}/__admin", sandbox.uri()), None).await;
    assert_eq!(status, 200);
    let paths: Vec<&str> = index["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    for path in [
        "/__admin/faults",
        "/__admin/requests",
        "/__admin/clock",
        "/__admin/reset",
    ] {
        assert!(paths.contains(&path), "{path} missing from {paths:?}");
    }
    let (status, body) = call("GET", format!("{}/__admin/nothing", sandbox.uri()), None).await;
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("GET /__admin lists them")
    );
}

#[tokio::test]
async fn a_fault_armed_over_http_answers_the_call_and_shows_in_the_log() {
    let sandbox = Sandbox::start().await;
    let admin = format!("{}/__admin", sandbox.uri());
    let (status, armed) = call(
        "POST",
        format!("{admin}/faults"),
        Some(json!({"operation": "list_identities", "status": 503, "times": 1})),
    )
    .await;
    assert_eq!(status, 201, "{armed}");
    assert_eq!(armed["armed"]["status"], 503);
    let (_, listed) = call("GET", format!("{admin}/faults?unfired=true"), None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    assert_eq!(identities(&sandbox).await, 503);
    assert_eq!(identities(&sandbox).await, 200);

    // Spent (`times: 1`), the fault is gone; one that stays counts its calls.
    let (_, faults) = call("GET", format!("{admin}/faults"), None).await;
    assert_eq!(faults, json!([]));
    let slow = json!({"operation": "list_identities", "latency_ms": 1});
    let (status, _) = call("POST", format!("{admin}/faults"), Some(slow)).await;
    assert_eq!(status, 201);
    assert_eq!(identities(&sandbox).await, 200);
    let (_, faults) = call("GET", format!("{admin}/faults"), None).await;
    assert_eq!(faults[0]["fired"], 1, "{faults}");
    let (_, unfired) = call("GET", format!("{admin}/faults?unfired=true"), None).await;
    assert_eq!(unfired, json!([]));
    call("DELETE", format!("{admin}/faults"), None).await;
    let (status, log) = call("GET", format!("{admin}/requests"), None).await;
    assert_eq!(status, 200);
    let calls: Vec<(Value, Value, Value)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["api"] == "permission-assist")
        .map(|r| {
            (
                r["operation_id"].clone(),
                r["status"].clone(),
                r["fault"].clone(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (json!("list_identities"), json!(503), json!(true)),
            (json!("list_identities"), json!(200), json!(false)),
            (json!("list_identities"), json!(200), json!(true)),
        ]
    );
    let header = log[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .cloned();
    assert_eq!(header, Some(json!(["authorization", "[redacted]"])));
    let (status, _) = call("DELETE", format!("{admin}/requests"), None).await;
    assert_eq!(status, 200);
    let (_, log) = call("GET", format!("{admin}/requests"), None).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|r| r["api"] != "permission-assist")
    );
}

#[tokio::test]
async fn a_fault_on_an_unknown_operation_is_refused_with_the_closest_ids() {
    let sandbox = Sandbox::start().await;
    let (status, body) = call(
        "POST",
        format!("{}/__admin/faults", sandbox.uri()),
        Some(json!({"operation": "get_identiy", "status": 503})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("get_identity"), "{message}");
    // A misspelt key is refused too, rather than arming a fault that does something else.
    let (status, body) = call(
        "POST",
        format!("{}/__admin/faults", sandbox.uri()),
        Some(json!({"operation": "get_identity", "stauts": 503})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("stauts"));
    assert!(sandbox.faults().is_empty());
}

#[tokio::test]
async fn clearing_one_fault_is_refused_rather_than_clearing_every_fault() {
    let sandbox = Sandbox::start().await;
    let faults = format!("{}/__admin/faults", sandbox.uri());
    for operation in ["list_identities", "get_identity"] {
        let fault = json!({"operation": operation, "status": 503});
        assert_eq!(call("POST", faults.clone(), Some(fault)).await.0, 201);
    }
    // The admin API clears faults all at once: a query parameter it does not read is refused.
    let (status, body) = call("DELETE", format!("{faults}?operation=get_identity"), None).await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("takes no query parameter, not \"operation\""),
        "{message}"
    );
    assert_eq!(sandbox.faults().len(), 2);
    let (status, body) = call("GET", format!("{faults}?unfired=yes"), None).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call("GET", format!("{faults}?unfired=true"), None).await;
    assert_eq!((status, body.as_array().map(Vec::len)), (200, Some(2)));
    assert_eq!(call("DELETE", faults, None).await.0, 200);
    assert!(sandbox.faults().is_empty());
}

#[tokio::test]
async fn workflows_move_and_unknown_ids_or_statuses_are_refused() {
    let sandbox = Sandbox::start().await;
    let admin = format!("{}/__admin/permission-assist", sandbox.uri());
    let nil = uuid::Uuid::nil();
    let (status, body) = call(
        "POST",
        format!("{admin}/imports/{nil}/status"),
        Some(json!({"status": "Finished"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let staged: Value = reqwest::Client::new()
        .post(format!(
            "{}/application-imports/stage",
            sandbox.permission_assist_url()
        ))
        .bearer_auth(Sandbox::PERMISSION_ASSIST_TOKEN)
        .json(&json!({"applicationId": Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = staged["id"].as_str().expect("a staged import");
    let (status, body) = call(
        "POST",
        format!("{admin}/imports/{id}/status"),
        Some(json!({"status": "Finshed"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        "POST",
        format!("{admin}/imports/{id}/status"),
        Some(json!({"status": "Finished"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_clock_is_read_pinned_and_the_seed_reset() {
    let sandbox = Sandbox::start().await;
    let admin = format!("{}/__admin", sandbox.uri());
    let (status, clock) = call(
        "PUT",
        format!("{admin}/clock"),
        Some(json!({"now": "2026-01-15T09:00:00Z"})),
    )
    .await;
    assert_eq!(status, 200, "{clock}");
    assert_eq!(clock["now"], "2026-01-15T09:00:00+00:00");
    let (_, clock) = call("GET", format!("{admin}/clock"), None).await;
    assert_eq!(clock["now"], "2026-01-15T09:00:00+00:00");
    let (status, _) = call(
        "PUT",
        format!("{admin}/clock"),
        Some(json!({"now": "last tuesday"})),
    )
    .await;
    assert_eq!(status, 400);

    let (status, _) = call(
        "POST",
        format!("{admin}/faults"),
        Some(json!({"operation": "list_identities", "status": 500})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(identities(&sandbox).await, 500);
    let (status, reset) = call("POST", format!("{admin}/reset"), None).await;
    assert_eq!(status, 200, "{reset}");
    assert_eq!(identities(&sandbox).await, 200);
    assert!(sandbox.faults().is_empty());
}

#[tokio::test]
async fn webhooks_are_registered_and_settled_over_http() {
    let sandbox = Sandbox::start().await;
    let admin = format!("{}/__admin", sandbox.uri());
    let (status, _) = call(
        "POST",
        format!("{admin}/webhooks/perscom"),
        Some(json!({"url": "http://127.0.0.1:9/nowhere", "secret": "s3cret", "events": ["user.created"]})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        "POST",
        format!("{admin}/webhooks/perscom"),
        Some(json!({"url": "http://127.0.0.1:9/nowhere"})),
    )
    .await;
    assert_eq!(status, 400);
    // A misspelt key is refused, not ignored (it would register the webhook for every event).
    let (status, body) = call(
        "POST",
        format!("{admin}/webhooks/perscom"),
        Some(json!({"url": "http://127.0.0.1:9/nowhere", "secret": "s3cret", "event": ["user.deleted"]})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown key \"event\""),
        "{body}"
    );
    let (status, body) = call(
        "POST",
        format!("{admin}/webhooks/permission-assist"),
        Some(json!({"url": "http://[::1"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call("POST", format!("{admin}/webhooks/settle"), None).await;
    assert_eq!((status, body), (200, json!({"settled": true})));
    let (status, deliveries) = call("GET", format!("{admin}/webhooks/deliveries"), None).await;
    assert_eq!((status, deliveries), (200, json!([])));
}
