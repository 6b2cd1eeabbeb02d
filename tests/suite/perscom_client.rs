#![cfg(feature = "perscom")]
//! The PERSCOM client against wiremock: base URL and version, headers, errors (401, 402, 403
//! naming the scope, 404, 422 field errors, 429 with retry-after, HTML 503, 500), the
//! unversioned operations.

use crate::common;

use permkit::perscom::{Client, enums::ApiVersion};
use permkit::{ErrorKind, RetryPolicy};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri())
        .api_key("key-123")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn user(id: i64) -> serde_json::Value {
    json!({"id": id, "name": format!("User {id}"), "email": format!("u{id}@example.com"), "created_at": "2024-05-01T12:34:56.000000Z"})
}

fn perscom_error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"message": message, "type": kind, "request_id": "req-1", "trace_id": "trace-1"}}))
}

#[tokio::test]
async fn sends_to_the_version_with_key_id_and_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users/7"))
        .and(header("authorization", "Bearer key-123"))
        .and(header("x-perscom-id", "42"))
        .and(header("accept", "application/json"))
        .and(header("x-perscom-notifications", "false"))
        .and(query_param("include", "rank,unit"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": user(7)})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .api_key("key-123")
        .perscom_id("42")
        .default_header("X-Perscom-Notifications", "false")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), format!("{}/v2", server.uri()));
    let u = client
        .get_user(7)
        .include("rank,unit")
        .send()
        .await
        .unwrap();
    assert_eq!(u.name, "User 7");
    assert_eq!(
        u.created_at.unwrap().to_string().get(..10),
        Some("2024-05-01")
    );
}

#[tokio::test]
async fn version_choice_and_host_with_version() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/ranks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [], "links": {}, "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 0}})))
        .expect(2)
        .mount(&server)
        .await;
    let v1 = Client::builder(server.uri())
        .api_key("k")
        .version(ApiVersion::V1)
        .build()
        .unwrap();
    assert!(v1.list_ranks().send().await.unwrap().items.is_empty());
    let from_url = Client::builder(format!("{}/v1/", server.uri()))
        .api_key("k")
        .build()
        .unwrap();
    assert_eq!(from_url.base_url(), format!("{}/v1", server.uri()));
    assert_eq!(from_url.host(), server.uri());
    from_url.list_ranks().send().await.unwrap();
}

#[test]
fn builder_refuses_bad_input() {
    let errors = [
        Client::builder("not a url")
            .api_key("k")
            .build()
            .unwrap_err(),
        Client::builder("http://h").build().unwrap_err(),
        Client::builder("http://h")
            .api_key("k")
            .perscom_id(" ")
            .build()
            .unwrap_err(),
        Client::builder("http://h")
            .api_key("k")
            .perscom_id("1\n2")
            .build()
            .unwrap_err(),
        // The spec's `PerscomId`: digits only.
        Client::builder("http://h")
            .api_key("k")
            .perscom_id("acme")
            .build()
            .unwrap_err(),
        Client::builder("http://h")
            .api_key("k")
            .version(ApiVersion::from("v9"))
            .build()
            .unwrap_err(),
        Client::builder("http://h")
            .api_key("k")
            .default_header("bad header", "x")
            .build()
            .unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    }
}

#[tokio::test]
async fn a_key_that_cannot_be_a_header_is_an_error_not_a_panic() {
    let server = MockServer::start().await;
    // Refused when the client is built: nothing is sent, so no status; the key cannot be sent
    // at all, so the request is invalid.
    let e: permkit::Error = Client::builder(server.uri())
        .api_key("bad\nkey")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.status(), None);
    assert!(!e.to_string().contains("bad\nkey"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn forbidden_names_the_scope_the_operation_needs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users/3/rank-records"))
        .respond_with(perscom_error(403, "HttpException", "The API key provided does not have the correct permissions and/or scopes to perform the requested action."))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/users/3/tasks/sync"))
        .respond_with(perscom_error(403, "HttpException", "no"))
        .mount(&server)
        .await;
    let c = client(&server);
    let body: permkit::perscom::types::RankRecordCreateNested =
        serde_json::from_value(json!({"rank_id": 2, "type": 0})).unwrap();
    let e: permkit::Error = c
        .create_user_rank_record(3)
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.required_scope(), Some("create:rankrecord"));
    assert_eq!(e.operation(), Some("create_user_rank_record"));
    assert_eq!(e.request_id(), Some("req-1"));
    assert!(
        e.to_string().contains("needs scope `create:rankrecord`"),
        "{e}"
    );
    // Many-to-many operations need update on the parent.
    let e: permkit::Error = c
        .sync_user_tasks(3)
        .body(permkit::perscom::types::SyncRequest::ids([1]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.required_scope(), Some("update:user"));
}

#[tokio::test]
async fn validation_errors_become_field_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": {
            "message": "The email has already been taken.", "type": "ValidationException", "request_id": "r",
            "errors": {"email": ["The email has already been taken."], "name": ["The name field is required.", "Too short."]}}})))
        .mount(&server)
        .await;
    let body: permkit::perscom::types::UserCreate =
        serde_json::from_value(json!({"name": "", "email": "a@b.c"})).unwrap();
    let e: permkit::Error = client(&server)
        .create_user()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.code(), Some("ValidationException"));
    let fields: Vec<(Option<&str>, &str)> = e
        .field_errors()
        .iter()
        .map(|f| (f.field.as_deref(), f.message.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (Some("email"), "The email has already been taken."),
            (Some("name"), "The name field is required."),
            (Some("name"), "Too short.")
        ]
    );
}

#[tokio::test]
async fn statuses_map_to_kinds() {
    let server = MockServer::start().await;
    for (status, id, kind) in [
        (401, 1, ErrorKind::Unauthorized),
        (402, 2, ErrorKind::PaymentRequired),
        (404, 4, ErrorKind::NotFound),
        (500, 5, ErrorKind::Server),
        (400, 6, ErrorKind::Validation),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/ranks/{id}")))
            .respond_with(perscom_error(
                status,
                "HttpException",
                &format!("message {status}"),
            ))
            .mount(&server)
            .await;
        let e: permkit::Error = client(&server).get_rank(id).send().await.unwrap_err();
        assert_eq!(e.kind(), kind, "{status}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.message(), format!("message {status}"));
        assert_eq!(e.correlation_id(), Some("trace-1"));
        assert_eq!(e.required_scope(), None);
    }
}

#[tokio::test]
async fn html_503_keeps_status_and_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/awards"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(
            "<html><body><h1>Down for maintenance</h1></body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let c = Client::builder(server.uri())
        .api_key("k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e: permkit::Error = c.list_awards().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.status(), Some(503));
    assert!(e.body_excerpt().unwrap().contains("Down for maintenance"));
}

#[tokio::test]
async fn rate_limit_is_retried_after_the_servers_delay() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/positions"))
        .respond_with(
            perscom_error(
                429,
                "ThrottleRequestsException",
                "You have exceeded the API rate limit.",
            )
            .insert_header("retry-after", "1")
            .insert_header("x-ratelimit-remaining", "0"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/positions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": 1, "name": "Rifleman"}], "links": {}, "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let page = client(&server).list_positions().send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(page.items[0].name, "Rifleman");
}

#[tokio::test]
async fn rate_limit_error_carries_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/positions"))
        .respond_with(
            perscom_error(
                429,
                "ThrottleRequestsException",
                "You have exceeded the API rate limit.",
            )
            .insert_header("retry-after", "42"),
        )
        .mount(&server)
        .await;
    let c = Client::builder(server.uri())
        .api_key("k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e: permkit::Error = c.list_positions().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(42)));
    assert!(e.is_retryable());
}

#[tokio::test]
async fn health_and_spec_are_unversioned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"database": "ok"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/spec.json"))
        .and(header_exists("authorization"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"openapi": "3.0.3", "info": {"version": "v2"}})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(
        c.get_health().send().await.unwrap().unwrap(),
        json!({"database": "ok"})
    );
    assert!(c.get_health().send().await.unwrap().is_none());
    assert_eq!(c.get_spec().send().await.unwrap()["info"]["version"], "v2");
}

#[tokio::test]
async fn me_and_cache() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [user(1)], "links": {"prev": null, "next": null}, "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 1, "from": 1, "to": 1, "links": [{"url": null, "label": "&laquo; Previous", "active": false}]}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/cache"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "okay"})))
        .mount(&server)
        .await;
    let c = client(&server);
    let me = c.get_me().send().await.unwrap();
    assert_eq!(me.items[0].id, 1);
    assert_eq!(c.clear_cache().send().await.unwrap().status, "okay");
}

#[test]
fn every_operation_has_a_scope_entry() {
    use permkit::perscom::scopes;
    assert_eq!(scopes::operations().len(), 713);
    // The operations served by the hand-written layer (multipart bodies, paths outside the
    // versioned base path) have entries too.
    for op in common::perscom::HAND_WRITTEN {
        assert!(scopes::is_operation(op), "{op}");
    }
    assert_eq!(permkit::perscom::required_scope("view_settings"), None);
    assert_eq!(
        permkit::perscom::required_scope("list_settings").map(|s| s.as_str()),
        Some("view:settings")
    );
}
