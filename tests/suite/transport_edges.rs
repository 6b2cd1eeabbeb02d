#![cfg(all(feature = "permission-assist", feature = "intacct"))]
//! The transport's edges under a hostile or broken server (issue 8): each test fails on the
//! transport before it owned that edge.

use crate::common;

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

/// Each API's builder refuses a token a header cannot carry, before anything is sent, with an
/// error that neither invents a status nor shows the token.
#[tokio::test]
async fn a_token_a_header_cannot_carry_is_refused_without_an_invented_status() {
    let server = MockServer::start().await;
    let bad = "pa_bad\r\ninjected: yes";
    let mut errors = vec![
        Client::builder(format!("{}/api", server.uri()))
            .token(bad)
            .build()
            .unwrap_err(),
        permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
            .token(bad)
            .build()
            .unwrap_err(),
    ];
    #[cfg(feature = "perscom")]
    errors.push(
        permkit::perscom::Client::builder(server.uri())
            .api_key(bad)
            .build()
            .unwrap_err(),
    );
    for e in errors {
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.status(), None);
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains("the token has characters a header cannot carry"),
            "{shown}"
        );
        assert!(
            !shown.contains("pa_bad") && !shown.contains("injected"),
            "{shown}"
        );
    }
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
    let rows: Vec<_> = client
        .query(
            permkit::intacct::query::Query::new("company-config/user")
                .fields(["status"])
                .size(2),
        )
        .stream()
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

// ---------------------------------------------------------------------------------------------
// Issue 15: every promise kept under attack. Each test failed before its fix.

/// A fast retry policy for tests: the same rules, short waits.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default().with_initial_backoff(Duration::from_millis(5))
}

fn intacct_oauth(server: &MockServer) -> permkit::intacct::Client {
    permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .client_credentials("client", "client-s3cr3t-value", "ws@ACME")
        .retry(quick_retries())
        .build()
        .unwrap()
}

async fn mount_roles(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ia::result": [], "ia::meta": {"totalCount": 0}})),
        )
        .mount(server)
        .await;
}

// Item 1: a token lifetime of u64::MAX (in `expires_in` or a JWT's `exp`) does not panic.

#[tokio::test]
async fn a_token_that_never_expires_does_not_panic() {
    let jwt_payload = format!("{{\"exp\":{}}}", u64::MAX);
    let jwt = format!("eyJhbGciOiJub25lIn0.{}.sig", b64url(jwt_payload.as_bytes()));
    for body in [
        json!({"access_token": "at-1", "expires_in": u64::MAX}),
        json!({"access_token": "at-1", "expires_in": u64::MAX.to_string()}),
        json!({"access_token": jwt}),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/ia/api/v1/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
        mount_roles(&server).await;
        let client = intacct_oauth(&server);
        client.list_roles().send().await.unwrap();
        client.list_roles().send().await.unwrap();
    }
}

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

// Item 2: a key echoed in JSON with `/` escaped as `\/` (PHP's json_encode) never shows.

#[cfg(feature = "perscom")]
#[tokio::test]
async fn a_key_echoed_with_escaped_slashes_never_shows() {
    const KEY: &str = "eyJ0eXAi.pk/live/9f8e7d6c5b4a";
    let server = MockServer::start().await;
    let escaped = KEY.replace('/', "\\/");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            format!(
                r#"{{"error":{{"message":"Invalid key {escaped}","type":"AuthenticationException","request_id":"{escaped}"}}}}"#
            ),
            "application/json",
        ))
        .mount(&server)
        .await;
    let client = permkit::perscom::Client::builder(server.uri())
        .api_key(KEY)
        .build()
        .unwrap();
    let e = client.list_users().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("9f8e7d6c5b4a"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

// Item 3: control characters in any field of an error never reach the terminal.

#[tokio::test]
async fn control_characters_in_any_error_field_are_not_displayed() {
    let hostile = "a\u{1b}[2J\u{1b}]0;title\u{7}b\r\nc\u{0}d\u{8}e\u{7f}f\u{9b}g\u{202e}h";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/identities/{ID}")))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(json!({
                    "code": hostile,
                    "message": hostile,
                    "correlationId": hostile,
                    "errors": [{"field": hostile, "message": hostile, "code": hostile}],
                }))
                .insert_header("x-request-id", "req-1"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw(format!("<html>{hostile}</html>"), "text/html"),
        )
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let first = client.get_identity(id()).send().await.unwrap_err();
    let second = client.list_identities().send().await.unwrap_err();
    assert!(second.body_excerpt().is_some(), "{second:?}");
    for e in [first, second] {
        let shown = e.to_string();
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{shown:?}"
        );
        assert!(
            !shown.contains("[2J"),
            "an ANSI sequence is dropped whole: {shown:?}"
        );
    }
}

// Item 4: a success body over the client's limit fails at once, without being read whole.

#[tokio::test]
async fn a_success_body_over_the_limit_is_refused() {
    // A body announced at 1 GiB: refused on its Content-Length, nothing read.
    let huge = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\nconnection: close\r\n\r\n{\"items\":[".to_vec();
    // A chunked body that keeps coming past the limit.
    let mut chunked = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for _ in 0..64 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend(std::iter::repeat_n(b' ', 0x400));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    for answer in [huge, chunked] {
        let (base, count) = raw::serve(vec![answer]).await;
        let client = Client::builder(format!("{base}/api"))
            .token(TOKEN)
            .max_response_body(16 * 1024)
            .build()
            .unwrap();
        let started = Instant::now();
        let e = client.get_identity(id()).send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{e}");
        assert_eq!(e.status(), Some(200));
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("16384"), "{e}");
        assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // The default is generous: 128 MiB.
    assert_eq!(permkit::DEFAULT_MAX_RESPONSE_BODY, 128 << 20);
}

// Item 5: a body that trickles past the request timeout is a timeout, not a dropped connection.

#[tokio::test]
async fn a_trickling_body_past_the_timeout_is_a_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                // One byte every 50 ms: never silent for long, never done in time.
                for _ in 0..100_000 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let client = Client::builder(format!("http://{addr}/api"))
        .token(TOKEN)
        .timeout(Duration::from_millis(600))
        .retry(quick_retries())
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.get_identity(id()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "a timeout is not retried"
    );
    assert_eq!(client.request_counts().retries(), 0);
}

// Item 6: two distinct ids are never taken for a repeat, even when they collide in a 64-bit
// hash (the pager compares exact ids).

/// The 64-bit id hash the pager used before (fold words by rotate, xor, multiply): a UUID
/// hashed as its length prefix, its length, then two little-endian words.
fn old_state(words: [u64; 2]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let add = |s: u64, w: u64| (s.rotate_left(23) ^ w).wrapping_mul(K);
    let s = add(add(0, 16), 16);
    add(add(s, words[0]), words[1])
}

#[tokio::test]
async fn distinct_ids_that_collide_in_a_hash_are_not_repeats() {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let add = |s: u64, w: u64| (s.rotate_left(23) ^ w).wrapping_mul(K);
    let s0 = add(add(0, 16), 16);
    let a = [0x1111_2222_3333_4444u64, 0x5555_6666_7777_8888u64];
    let b0 = 0x9999_aaaa_bbbb_ccccu64;
    // Choose b's second word so that both fold to the same state.
    let b1 = add(s0, a[0]).rotate_left(23) ^ a[1] ^ add(s0, b0).rotate_left(23);
    let b = [b0, b1];
    assert_eq!(
        old_state(a),
        old_state(b),
        "the two ids collide in the old hash"
    );
    let uuid = |w: [u64; 2]| {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&w[0].to_le_bytes());
        bytes[8..].copy_from_slice(&w[1].to_le_bytes());
        uuid::Uuid::from_bytes(bytes)
    };
    let (ua, ub) = (uuid(a), uuid(b));
    assert_ne!(ua, ub);
    let server = MockServer::start().await;
    for (page, id) in [(1, ua), (2, ub)] {
        let mut item = identity();
        item["id"] = json!(id.to_string());
        Mock::given(method("GET"))
            .and(path("/api/identities"))
            .and(wiremock::matchers::query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "items": [item], "page": page, "pageSize": 1, "totalPages": 2, "totalCount": 2
            })))
            .mount(&server)
            .await;
    }
    use futures::TryStreamExt;
    let all: Vec<_> = pa(&server.uri())
        .list_identities()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_server_going_round_a_long_circle_is_stopped_in_bounded_time() {
    // 100 pages of 100 distinct ids (10,000: more than the pager's 8,192 remembered ids), then
    // the same again. The items of each of the 100 pages are written once, not per request.
    const PER_PAGE: u64 = 100;
    assert!(100 * PER_PAGE as usize > permkit::pagination::MAX_TRACKED_IDS);
    let rounds: Vec<String> = (0..100u64)
        .map(|round| {
            let items: Vec<_> = (0..PER_PAGE)
                .map(|i| {
                    let mut v = identity();
                    let n = round * PER_PAGE + i + 1;
                    v["id"] = json!(uuid::Uuid::from_u128(u128::from(n)).to_string());
                    v
                })
                .collect();
            serde_json::to_string(&items).unwrap()
        })
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .respond_with(move |req: &Request| {
            let page: u64 = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            let items = &rounds[((page - 1) % 100) as usize];
            let body = format!(
                r#"{{"items":{items},"page":{page},"pageSize":{PER_PAGE},"totalPages":1000000,"totalCount":100000000}}"#
            );
            ResponseTemplate::new(200).set_body_raw(body, "application/json")
        })
        .mount(&server)
        .await;
    use futures::TryStreamExt;
    let e = pa(&server.uri())
        .list_identities()
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination, "{e}");
    let sent = server.received_requests().await.unwrap().len();
    assert!(
        (101..=100 + 2 * 128 + 1).contains(&sent),
        "stopped after {sent} pages"
    );
}

// Item 7: operations that only read are retried like GETs although they are POSTs.

#[tokio::test]
async fn the_intacct_query_is_retried_like_a_get() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/services/core/query"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/services/core/query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"ia::result": [{"id": "1"}], "ia::meta": {"totalCount": 1, "start": 1, "pageSize": 1, "next": null}}),
        ))
        .mount(&server)
        .await;
    let client = permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("at-1")
        .retry(quick_retries())
        .build()
        .unwrap();
    let query = permkit::intacct::query::Query::new("company-config/role").field("id");
    let page = client.query(query.clone()).send().await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(client.request_counts().retries(), 1);

    // Opted out: a 503 is returned at once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = permkit::intacct::Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("at-1")
        .retry(quick_retries().treat_as_read("query", false))
        .build()
        .unwrap();
    let e = client.query(query).send().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn perscom_searches_are_retried_like_gets_and_other_posts_are_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/users/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [], "links": {}, "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 0}})))
        .mount(&server)
        .await;
    let client = permkit::perscom::Client::builder(server.uri())
        .api_key("k")
        .retry(quick_retries())
        .build()
        .unwrap();
    client
        .search_users()
        .body(permkit::perscom::Search::new().text("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    // A POST that writes is not retried on a 503.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = permkit::perscom::Client::builder(server.uri())
        .api_key("k")
        .retry(quick_retries())
        .build()
        .unwrap();
    let e = client
        .create_announcement()
        .body(
            serde_json::from_value::<permkit::perscom::types::AnnouncementCreate>(
                json!({"title": "t", "content": "c", "color": "#1f2937"}),
            )
            .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.is_retryable(), "a caller may try again");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// Item 8: a transient token failure is retried under the policy; the error names create_token.

#[tokio::test]
async fn a_token_request_answered_503_is_retried_and_named() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "at-1", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    mount_roles(&server).await;
    let client = intacct_oauth(&server);
    client.list_roles().send().await.unwrap();
    let counts = client.request_counts();
    let token = counts.operation("create_token");
    assert_eq!((token.sent, token.retries), (3, 2), "{counts:?}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(503).set_body_string("client-s3cr3t-value down"))
        .mount(&server)
        .await;
    let client = intacct_oauth(&server);
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.operation(), Some("create_token"));
    assert!(
        e.to_string().starts_with("intacct create_token: 503"),
        "{e}"
    );
    assert!(
        !format!("{e} {e:?}").contains("client-s3cr3t-value"),
        "{e:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        4,
        "1 + 3 retries"
    );
}

// Item 9: a failed token request is shared by the calls that waited for it.

#[tokio::test]
async fn a_refused_token_request_is_shared_by_every_waiting_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(
                    json!({"error": "invalid_client", "error_description": "bad client"}),
                )
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    let client = intacct_oauth(&server);
    let calls = (0..20).map(|_| client.list_roles().send());
    let results = futures::future::join_all(calls).await;
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");
        assert_eq!(e.code(), Some("invalid_client"));
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// Item 11: `is_retryable` means "the same request may succeed later", for every kind.

#[test]
fn is_retryable_follows_one_rule() {
    use permkit::Error;
    for (kind, status, transient) in [
        (ErrorKind::RateLimited, Some(429), true),
        (ErrorKind::Unavailable, Some(503), true),
        (ErrorKind::Server, Some(500), true),
        (ErrorKind::Server, Some(501), false),
        (ErrorKind::Server, Some(505), false),
        (ErrorKind::Timeout, None, true),
        (ErrorKind::Timeout, Some(408), true),
        (ErrorKind::Transport, None, true),
        (ErrorKind::Validation, Some(400), false),
        (ErrorKind::Unauthorized, Some(401), false),
        (ErrorKind::ResponseTooLarge, Some(200), false),
        (ErrorKind::Decode, Some(200), false),
        (ErrorKind::Pagination, None, false),
        (ErrorKind::InvalidRequest, None, false),
    ] {
        let mut e = Error::new(kind, "x");
        if let Some(s) = status {
            e = e.with_status(s);
        }
        assert_eq!(e.is_retryable(), transient, "{kind:?} {status:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 16: an open transport that keeps its invariants: a custom root certificate and an
// interceptor, against the sandbox behind a TLS front signed by a test CA.

/// A TLS front on loopback for `target` (an `http://127.0.0.1:port/...` URL): it terminates
/// TLS with `tests/fixtures/tls/server.pem` (for `localhost` and 127.0.0.1, signed by the test
/// CA `ca.pem`) and forwards the bytes. Returns the same URL as `https://localhost:<front>`.
async fn tls_front(target: &str) -> String {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let url = reqwest::Url::parse(target).unwrap();
    let backend = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(include_bytes!("../fixtures/tls/server.pem"))
            .collect::<Result<_, _>>()
            .unwrap();
    let key =
        PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/tls/server-key.pem")).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    let mut front = url.clone();
    front.set_scheme("https").unwrap();
    front.set_host(Some("localhost")).unwrap();
    front.set_port(Some(port)).unwrap();
    front.to_string()
}

/// Counts attempts, tags each request, and records what it saw of the credentials.
#[derive(Default)]
struct Audit {
    before: std::sync::atomic::AtomicUsize,
    statuses: std::sync::Mutex<Vec<Option<u16>>>,
    saw_authorization: std::sync::atomic::AtomicBool,
}

impl permkit::Interceptor for Audit {
    fn before_attempt(&self, request: &mut permkit::AttemptRequest<'_>) -> permkit::Result<()> {
        self.before.fetch_add(1, Ordering::SeqCst);
        if request.headers().contains_key("authorization") {
            self.saw_authorization.store(true, Ordering::SeqCst);
        }
        request
            .headers_mut()
            .insert("x-audit", "nightly-import".parse().unwrap());
        // An interceptor cannot put credentials of its own on the request.
        request
            .headers_mut()
            .insert("authorization", "Bearer intercepted".parse().unwrap());
        Ok(())
    }
    fn after_attempt(&self, outcome: &permkit::AttemptOutcome<'_>) {
        assert_eq!(outcome.operation(), "list_identities");
        self.statuses.lock().unwrap().push(outcome.status());
    }
}

#[tokio::test]
async fn a_custom_root_certificate_and_an_interceptor_against_the_sandbox() {
    use permkit_sandbox::Sandbox;
    let sandbox = Sandbox::start().await;
    let url = tls_front(&sandbox.permission_assist_url()).await;
    assert!(url.starts_with("https://localhost:"), "{url}");

    // The test CA is no platform root: without it, the handshake fails.
    let untrusting = Client::builder(&url)
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = untrusting.list_identities().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");

    let audit = Arc::new(Audit::default());
    let ca = permkit::Certificate::from_pem(include_bytes!("../fixtures/tls/ca.pem")).unwrap();
    let client = Client::builder(&url)
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .root_certificate(ca)
        .interceptor(audit.clone())
        .build()
        .unwrap();
    sandbox.clear_requests();
    let page = client.list_identities().send().await.unwrap();
    assert!(!page.items.is_empty());
    assert_eq!(audit.before.load(Ordering::SeqCst), 1);
    assert_eq!(*audit.statuses.lock().unwrap(), [Some(200)]);
    assert!(
        !audit.saw_authorization.load(Ordering::SeqCst),
        "credentials are put on after the interceptors"
    );
    let seen = sandbox.requests();
    let last = seen.last().unwrap();
    let header = |name: &str| {
        last.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-audit").as_deref(), Some("nightly-import"));
    // The sandbox refuses any other token with a 401: the call succeeding shows the client's
    // own credentials went out, not the interceptor's (the request log redacts them).
    assert_eq!(last.status, Some(200));
    assert!(header("authorization").is_some());
}

#[test]
fn a_bad_proxy_or_certificate_fails_the_build_clearly() {
    let e = Client::builder("https://pa.example.com/api")
        .token(TOKEN)
        .proxy("not a url")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(e.to_string().contains("proxy"), "{e}");
    let e = permkit::Certificate::from_pem(b"-----BEGIN NOTHING-----").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = permkit::ClientIdentity::from_pem(b"no key here").unwrap_err();
    assert!(!format!("{e:?}").contains("no key here"));
}
