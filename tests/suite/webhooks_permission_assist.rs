#![cfg(feature = "permission-assist")]
//! Permission Assist catch hooks: the payload typed, the callback answered through the client
//! (its credentials, retries and errors) only on the client's own origin unless allowed, and
//! the sandbox's catch hooks received and answered end to end.

use permkit::permission_assist::webhooks::{self, CatchHook};
use permkit::permission_assist::{Client, types};
use permkit::{Api, ErrorKind};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pa_test_token_1234";

fn client(base: &str) -> Client {
    Client::builder(base)
        .token(TOKEN)
        .retry(
            permkit::RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

fn hook_body(callback: Option<&str>) -> Vec<u8> {
    let mut hook = json!({
        "id": "0f8b8c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
        "createdDate": "2026-03-02T09:30:00",
        "tenant": "first-bank",
        "event": {
            "name": "AccessRequestCreated",
            "display": "Access Request Created",
            "description": "Access request #5012 was created.",
            "severity": "info",
            "request": {
                "id": "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10",
                "kind": "Access Request",
                "number": 5012,
                "action": "Remove",
                "status": "Pending",
                "reporter": {"id": "0b8f3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d", "name": "API Token - HR"},
                "assignee": null,
                "target": {"type": "User", "name": "jdoe", "affectedIdentity": null},
                "privileges": [{"name": "Wire Approve", "value": "Y"}],
                "responseRequirements": ["Manager approval"]
            }
        }
    });
    if let Some(cb) = callback {
        hook["callback"] = json!(cb);
    }
    serde_json::to_vec(&hook).unwrap()
}

fn hook(callback: Option<&str>) -> CatchHook {
    webhooks::parse(&hook_body(callback)).unwrap()
}

#[test]
fn the_documented_payload_is_typed_and_unknown_fields_are_kept() {
    let hook = hook(Some("https://pa.example.com/api/catch-hooks/1/callback"));
    assert_eq!(hook.id, "0f8b8c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f");
    assert_eq!(
        hook.created_date.unwrap().to_string(),
        "2026-03-02T09:30:00"
    );
    assert_eq!(
        hook.callback.as_deref(),
        Some("https://pa.example.com/api/catch-hooks/1/callback")
    );
    assert_eq!(hook.extra["tenant"], "first-bank");
    let event = &hook.event;
    assert_eq!(event.name, "AccessRequestCreated");
    assert_eq!(event.display.as_deref(), Some("Access Request Created"));
    assert_eq!(event.extra["severity"], "info");
    let request = &event.request;
    assert_eq!(request.number, 5012);
    assert_eq!(request.action, types::AccessAction::Remove);
    assert_eq!(request.status, types::WorkflowStatus::Pending);
    assert_eq!(request.target.as_ref().unwrap().name, "jdoe");
    assert_eq!(request.privileges.len(), 1);
    // An event name and enum values this version does not know still decode.
    let mut other: Value = serde_json::from_slice(&hook_body(None)).unwrap();
    other["event"]["name"] = json!("AccessRequestEscalated");
    other["event"]["request"]["action"] = json!("Transfer");
    let hook = webhooks::parse(&serde_json::to_vec(&other).unwrap()).unwrap();
    assert_eq!(hook.event.name, "AccessRequestEscalated");
    assert_eq!(
        hook.event.request.action,
        types::AccessAction::UnknownValue("Transfer".into())
    );
    assert_eq!(hook.callback, None);
}

#[test]
fn bodies_that_are_not_catch_hooks_are_refused() {
    let mut no_request: Value = serde_json::from_slice(&hook_body(None)).unwrap();
    no_request["event"]
        .as_object_mut()
        .unwrap()
        .remove("request");
    let mut no_id: Value = serde_json::from_slice(&hook_body(None)).unwrap();
    no_id.as_object_mut().unwrap().remove("id");
    let no_request = serde_json::to_vec(&no_request).unwrap();
    let no_id = serde_json::to_vec(&no_id).unwrap();
    for body in [
        &b""[..],
        b"  \n",
        b"<html>502</html>",
        b"[]",
        &no_request,
        &no_id,
    ] {
        let e = webhooks::parse(body).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Decode,
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(e.api(), Some(Api::PermissionAssist));
    }
    let mut big: Value = serde_json::from_slice(&hook_body(None)).unwrap();
    big["padding"] = json!("x".repeat(webhooks::MAX_BODY_BYTES));
    let e = webhooks::parse(&serde_json::to_vec(&big).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn the_answer_is_posted_to_the_callback_with_the_clients_credentials() {
    let server = MockServer::start().await;
    let callback = format!("{}/api/catch-hooks/h1/callback", server.uri());
    Mock::given(method("POST"))
        .and(path("/api/catch-hooks/h1/callback"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"approved": true, "comment": "CHG-1042"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "Received"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&format!("{}/api", server.uri()));
    let answer = c
        .answer_catch_hook(
            &hook(Some(&callback)),
            json!({"approved": true, "comment": "CHG-1042"}),
        )
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.value(), &json!({"status": "Received"}));
}

#[tokio::test]
async fn an_answer_without_a_body_is_null() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = client(&format!("{}/api", server.uri()));
    let callback = format!("{}/api/cb", server.uri());
    let answer = c
        .answer_catch_hook(&hook(Some(&callback)), json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer, Value::Null);
}

#[tokio::test]
async fn a_callback_fails_with_the_same_errors_and_retries_as_any_call() {
    let server = MockServer::start().await;
    // 429 first (retried, as every call is), then the vendor's conflict error.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "error": "conflict", "message": "This hook has already been answered", "correlationId": "c0ffee"
        })))
        .mount(&server)
        .await;
    let c = client(&format!("{}/api", server.uri()));
    let callback = format!("{}/api/cb", server.uri());
    let e = c
        .answer_catch_hook(&hook(Some(&callback)), json!({"approved": false}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status(), Some(409));
    assert_eq!(e.code(), Some("conflict"));
    assert_eq!(e.correlation_id(), Some("c0ffee"));
    assert_eq!(e.api(), Some(Api::PermissionAssist));
    assert_eq!(e.operation(), Some("answer_catch_hook"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert!(!format!("{e} {e:?}").contains(TOKEN));
}

#[tokio::test]
async fn callbacks_off_the_clients_origin_are_refused_before_anything_is_sent() {
    let own = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let port = |uri: &str| uri.rsplit(':').next().unwrap().to_string();
    let c = client(&format!("{}/api", own.uri()));
    let candidates = [
        // Same host, another port: another origin.
        Some(format!("{}/api/cb", elsewhere.uri())),
        // The same server under another name.
        Some(format!("http://localhost:{}/api/cb", port(&own.uri()))),
        Some("https://evil.example/collect".to_string()),
        Some(format!(
            "http://user:pass@127.0.0.1:{}/api/cb",
            port(&own.uri())
        )),
        Some("ftp://127.0.0.1/cb".to_string()),
        Some("not a url".to_string()),
        None,
    ];
    for callback in candidates {
        let e = c
            .answer_catch_hook(&hook(callback.as_deref()), json!({"approved": true}))
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{callback:?}");
        assert_eq!(e.status(), None);
        assert!(!format!("{e}").contains(TOKEN));
    }
    assert!(own.received_requests().await.unwrap().is_empty());
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    // An https client never sends its token over http, even to its own host or an allowed one.
    let https = client("https://pa.example.com/api");
    for (callback, allow) in [
        ("http://pa.example.com/api/cb", None),
        ("http://hooks.example.com/cb", Some("hooks.example.com")),
    ] {
        let mut answer = https.answer_catch_hook(&hook(Some(callback)), json!({}));
        if let Some(host) = allow {
            answer = answer.allow_host(host);
        }
        let e = answer.send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{callback}");
    }
}

#[tokio::test]
async fn an_allowed_host_receives_the_answer_and_the_credentials() {
    let own = MockServer::start().await;
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cb"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hooks)
        .await;
    let c = client(&format!("{}/api", own.uri()));
    let callback = format!("{}/cb", hooks.uri());
    let e = c
        .answer_catch_hook(&hook(Some(&callback)), json!({"ok": true}))
        .send()
        .await
        .unwrap_err();
    assert!(e.message().contains("allow_host(\"127.0.0.1\")"), "{e}");
    let answer = c
        .answer_catch_hook(&hook(Some(&callback)), json!({"ok": true}))
        .allow_host("127.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer, Value::Null);
    assert!(own.received_requests().await.unwrap().is_empty());
}

mod sandbox {
    //! The sandbox's Permission Assist creates an access request with each personnel event and
    //! sends it to the registered catch hook; the receiver answers through the client.

    use super::webhooks;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::StatusCode;
    use permkit::permission_assist::webhooks::CatchHook;
    use permkit::permission_assist::{Client, types};
    use permkit::{Api, ErrorKind, Timestamp};
    use permkit_sandbox::Sandbox;
    use serde_json::json;
    use std::time::Duration;
    use tokio::sync::mpsc;

    async fn receiver() -> (String, mpsc::UnboundedReceiver<CatchHook>) {
        async fn receive(
            State(seen): State<mpsc::UnboundedSender<CatchHook>>,
            body: Bytes,
        ) -> StatusCode {
            match webhooks::parse(&body) {
                Ok(hook) => {
                    let _ = seen.send(hook);
                    StatusCode::NO_CONTENT
                }
                Err(_) => StatusCode::BAD_REQUEST,
            }
        }
        let (seen, hooks) = mpsc::unbounded_channel();
        let app = axum::Router::new()
            .route("/catch", axum::routing::post(receive))
            .with_state(seen);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/catch", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, hooks)
    }

    async fn next(hooks: &mut mpsc::UnboundedReceiver<CatchHook>) -> CatchHook {
        tokio::time::timeout(Duration::from_secs(10), hooks.recv())
            .await
            .expect("no catch hook within 10 s")
            .expect("the receiver stopped")
    }

    #[tokio::test]
    async fn an_onboarding_raises_a_catch_hook_that_is_answered_through_the_client() {
        let sandbox = Sandbox::start().await;
        let (url, mut hooks) = receiver().await;
        sandbox.register_permission_assist_catch_hook(url.clone());
        let c = Client::builder(sandbox.permission_assist_url())
            .token(Sandbox::PERMISSION_ASSIST_TOKEN)
            .build()
            .unwrap();
        let start = chrono::Utc::now().date_naive() + chrono::Days::new(3);
        let onboard = c
            .create_onboard_event()
            .body(
                types::OnboardRequest::builder()
                    .identity(
                        types::NewIdentity::builder()
                            .first_name("Grace")
                            .last_name("Hopper"),
                    )
                    .effective_date(Timestamp::from_date(start)),
            )
            .send()
            .await
            .unwrap();

        let hook = next(&mut hooks).await;
        assert_eq!(hook.event.name, "AccessRequestCreated");
        let request = &hook.event.request;
        assert_eq!(request.action, types::AccessAction::Add);
        assert_eq!(request.status, types::WorkflowStatus::Pending);
        let target = request.target.as_ref().unwrap();
        assert_eq!(target.name, "ghopper");
        assert_eq!(
            target.affected_identity.as_ref().unwrap().id,
            onboard.affected_identity.as_ref().unwrap().id
        );
        assert!(
            hook.callback
                .as_deref()
                .unwrap()
                .starts_with(&sandbox.permission_assist_url())
        );
        // The request is there through the API too, newest first.
        let listed = c.list_access_requests().send().await.unwrap();
        assert_eq!(listed.items[0].id, request.id);

        let answer = c
            .answer_catch_hook(&hook, json!({"approved": true, "ticket": "CHG-7"}))
            .send()
            .await
            .unwrap();
        assert!(answer.is_null());
        let after = c.get_access_request(request.id).send().await.unwrap();
        assert!(
            after
                .activity
                .iter()
                .any(|a| a.get("response") == Some(&json!({"approved": true, "ticket": "CHG-7"}))),
            "{:?}",
            after.activity
        );
        // A hook is answered once.
        let again = c
            .answer_catch_hook(&hook, json!({"approved": false}))
            .send()
            .await
            .unwrap_err();
        assert_eq!(again.kind(), ErrorKind::Conflict);

        // An offboarding removes access.
        let someone = c.list_identities().send().await.unwrap().items[0].id;
        c.create_offboard_event()
            .body(types::OffboardRequest {
                identity_id: someone,
                effective_date: Timestamp::from_date(start),
                comment: None,
            })
            .send()
            .await
            .unwrap();
        let hook = next(&mut hooks).await;
        assert_eq!(hook.event.request.action, types::AccessAction::Remove);

        // The sandbox records a delivery once its POST has returned: wait for the second.
        let mut log = sandbox.webhook_deliveries();
        for _ in 0..100 {
            if log.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            log = sandbox.webhook_deliveries();
        }
        assert_eq!(log.len(), 2);
        assert!(log.iter().all(|d| d.api == Api::PermissionAssist
            && d.event == "AccessRequestCreated"
            && d.url == url
            && d.succeeded()));
    }
}
