#![cfg(all(feature = "permission-assist", feature = "intacct"))]
//! The transport's edges under a hostile or broken server (issue 8): each test fails on the
//! transport before it owned that edge.

mod common;

use common::raw;
use permkit::permission_assist::{Client, types};
use permkit::{ErrorKind, RetryPolicy};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "pa_secret_token_123";
const ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

fn identity() -> serde_json::Value {
    json!({
        "id": ID, "kind": "Identity", "firstName": "Ada", "lastName": "Lovelace",
        "type": "Employee", "createdDate": "2019-03-01T10:00:00Z", "status": "Active"
    })
}

fn import(status: &str) -> serde_json::Value {
    json!({"id": ID, "kind": "Application Import", "number": 42, "type": "Scheduled", "status": status,
           "createdBy": "API Token", "files": []})
}

fn pa(base: &str) -> Client {
    Client::builder(format!("{base}/api"))
        .token(TOKEN)
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap()
}

fn id() -> uuid::Uuid {
    ID.parse().unwrap()
}

/// Cancels the import `ID`: a POST with a body.
async fn cancel(client: &Client) -> permkit::Result<types::ApplicationImport> {
    client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: id(),
        })
        .send()
        .await
}

// 1. A connection dropped in the middle of a success body.

#[tokio::test]
async fn a_body_cut_short_is_read_again_on_a_get() {
    let whole = identity().to_string();
    let (base, count) = raw::serve(vec![
        raw::cut_short(&whole[..20], whole.len()),
        raw::ok_json(&whole),
    ])
    .await;
    let got = pa(&base).get_identity(id()).send().await.unwrap();
    assert_eq!(got.first_name, "Ada");
    assert_eq!(count.load(Ordering::SeqCst), 2, "the GET was sent again");
}

#[tokio::test]
async fn a_body_cut_short_is_a_transport_error_not_a_decode_error() {
    let whole = identity().to_string();
    let (base, _) = raw::serve(vec![raw::cut_short(&whole[..20], whole.len())]).await;
    let client = Client::builder(format!("{base}/api"))
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("dropped"), "{e}");
}

// 2. A POST answered by a redirect never quietly becomes a GET.

#[tokio::test]
async fn a_post_answered_by_302_is_refused_not_turned_into_a_get() {
    for status in [301, 302, 303] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/application-imports/cancel"))
            .respond_with(ResponseTemplate::new(status).insert_header("location", "/api/elsewhere"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/elsewhere"))
            .respond_with(ResponseTemplate::new(200).set_body_json(import("Running")))
            .expect(0)
            .mount(&server)
            .await;
        let e = cancel(&pa(&server.uri())).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedStatus, "{e}");
        assert_eq!(e.status(), Some(status));
        assert!(
            e.to_string().contains("does not re-send it as a GET"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn a_post_answered_by_307_is_sent_again_as_the_same_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/cancel"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/api/v2/cancel"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/cancel"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(wiremock::matchers::body_json(
            json!({"applicationImportId": ID}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(import("Canceling")))
        .expect(1)
        .mount(&server)
        .await;
    let done = cancel(&pa(&server.uri())).await.unwrap();
    assert_eq!(done.status, types::ImportStatus::Canceling);
}

#[tokio::test]
async fn credentials_do_not_follow_a_redirect_to_another_host() {
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(identity()))
        .mount(&other)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/api/identities/{ID}", other.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    let got = pa(&server.uri()).get_identity(id()).send().await.unwrap();
    assert_eq!(got.first_name, "Ada");
    let seen = other.received_requests().await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].headers.contains_key("authorization"));
}

// 3. The Intacct token endpoint follows no redirect.

#[tokio::test]
async fn the_token_endpoint_does_not_follow_a_redirect() {
    let thief = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "stolen", "expires_in": 3600})),
        )
        .expect(0)
        .mount(&thief)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/oauth2/token", thief.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let client = permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .client_credentials("id", "client-secret-value", "user@CO")
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.status(), Some(307), "{e}");
    assert!(!format!("{e} {e:?}").contains("client-secret-value"));
}

// 4. Path parameters stay one segment.

#[tokio::test]
async fn dot_segments_and_empty_path_parameters_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("t")
        .build()
        .unwrap();
    for key in ["..", ".", ""] {
        let e = client.get_role(key).send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{key:?}: {e}");
        assert!(e.to_string().contains("get_role: `key`"), "{e}");
        let e = client.delete_role(key).send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    // Anything else is encoded into one segment.
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role/a%2F..%3F"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let _ = client.get_role("a/..?").send().await;
}

// 5. Errors state only what happened.

#[tokio::test]
async fn a_token_a_header_cannot_carry_is_refused_without_an_invented_status() {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("pa_bad\r\ninjected: yes")
        .build()
        .unwrap();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.status(), None);
    assert!(server.received_requests().await.unwrap().is_empty());
}

// 6. A vendor code refines the status, never overturns it.

#[tokio::test]
async fn a_429_with_a_server_error_code_stays_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"error": "server_error", "message": "slow down"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert_eq!(e.code(), Some("server_error"));
}

// 7. A token the server echoes back never shows.

#[tokio::test]
async fn an_echoed_token_never_shows_in_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|req: &Request| {
            let auth = req.headers.get("authorization").unwrap().to_str().unwrap();
            ResponseTemplate::new(500).set_body_string(format!(
                "<html><body><h1>Debug</h1><pre>Authorization: {auth}\ntoken={TOKEN}</pre></body></html>"
            ))
        })
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    let shown = format!("{e} {e:?} {:?}", e.body_excerpt());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

// 8. Pagination: a server going round in circles is stopped; equal rows are not.

#[tokio::test]
async fn a_server_alternating_pages_is_stopped_at_the_first_repeat() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .respond_with(|req: &Request| {
            let page: u64 = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            // Pages 1, 2, 1, 2... each claiming to be the page asked for.
            let which = (page - 1) % 2;
            let items: Vec<_> = (0..2)
                .map(|i| {
                    let mut v = identity();
                    v["id"] = json!(format!("3f2504e0-4f89-11d3-9a0c-03050000000{}", which * 2 + i));
                    v
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({
                "items": items, "page": page, "pageSize": 2, "totalPages": 1_000_000, "totalCount": 2_000_000
            }))
        })
        .mount(&server)
        .await;
    use futures::TryStreamExt;
    let started = Instant::now();
    let e = pa(&server.uri())
        .list_identities()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination, "{e}");
    assert!(e.to_string().contains("page 3"), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn intacct_query_pages_with_equal_rows_are_not_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/services/core/query"))
        .respond_with(|req: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            let start = body["start"].as_u64().unwrap_or(1);
            let next = if start < 5 { json!(start + 2) } else { json!(null) };
            ResponseTemplate::new(200).set_body_json(json!({
                "ia::result": [{"status": "active"}, {"status": "active"}],
                "ia::meta": {"totalCount": 6, "start": start, "pageSize": 2, "next": next, "previous": null}
            }))
        })
        .mount(&server)
        .await;
    let client = permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("t")
        .build()
        .unwrap();
    use futures::TryStreamExt;
    let rows: Vec<_> = permkit::intacct::query::Query::new("company-config/user")
        .fields(["status"])
        .size(2)
        .stream(&client)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 6);
}

// 9. One token request for a burst of 401s to the revoked token.

#[tokio::test]
async fn a_revoked_token_costs_one_token_request_however_many_401s() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "old", "expires_in": 3600})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "new", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401).set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ia::result": [], "ia::meta": {}})),
        )
        .mount(&server)
        .await;
    let client = Arc::new(
        permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
            .client_credentials("id", "secret", "user@CO")
            .build()
            .unwrap(),
    );
    // The first call fetches "old"; then 100 calls spread over a second all meet its 401s.
    client.list_permissions().send().await.ok();
    let mut tasks = Vec::new();
    for i in 0..100u64 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(i * 10)).await;
            client.list_roles().send().await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let token_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/oauth2/token"))
        .count();
    assert_eq!(
        token_requests, 2,
        "one for the first token, one after it was revoked"
    );
}

// 10. The token endpoint's error body is read bounded.

#[tokio::test]
async fn a_huge_token_error_body_is_read_only_to_the_bound() {
    // 100 MB promised, 200 KB sent, then the connection is dropped: read whole, this is a
    // transport failure; read bounded, it is the endpoint's 401.
    let mut answer = b"HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 104857600\r\n\r\n".to_vec();
    answer.extend(std::iter::repeat_n(b'x', 200 * 1024));
    let (base, _) = raw::serve(vec![answer]).await;
    let client = permkit::intacct::Client::builder(format!("{base}/ia/api/v1"))
        .client_credentials("id", "secret", "user@CO")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.status(), Some(401), "{e}");
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert!(e.body_excerpt().is_some_and(|b| b.len() <= 520));
}

// Drift: a success status the spec does not list still decodes.

#[tokio::test]
async fn an_undocumented_success_status_with_a_body_that_decodes_is_a_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(201).set_body_json(identity()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/cancel"))
        .respond_with(ResponseTemplate::new(202).set_body_json(import("Canceling")))
        .mount(&server)
        .await;
    let client = pa(&server.uri());
    let got = client.get_identity(id()).send_with_meta().await.unwrap();
    assert_eq!(got.status(), 201);
    let done = cancel(&client).await.unwrap();
    assert_eq!(done.status, types::ImportStatus::Canceling);
}

// Timeouts that bound a call.

#[tokio::test]
async fn the_call_timeout_bounds_every_attempt_and_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .read_timeout(Duration::from_millis(200))
        .call_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(permkit::DEFAULT_CALL_TIMEOUT, Duration::from_secs(120));
}
