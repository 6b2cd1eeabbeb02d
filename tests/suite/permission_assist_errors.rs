//! Error decoding and the transport's behaviour under bad responses, through Permission Assist.
#![cfg(feature = "permission-assist")]

use permkit::permission_assist::Client;
use permkit::{ErrorKind, RetryPolicy};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pa_secret_token_value";

async fn setup(retry: RetryPolicy) -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .retry(retry)
        .build()
        .unwrap();
    (server, client)
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

async fn get_identity_error(client: &Client) -> permkit::Error {
    client
        .get_identity(uuid::Uuid::nil())
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn every_documented_code_maps_to_a_kind() {
    for (status, code, kind) in [
        (400, "validation_error", ErrorKind::Validation),
        (401, "unauthorized", ErrorKind::Unauthorized),
        (403, "forbidden", ErrorKind::Forbidden),
        (404, "not_found", ErrorKind::NotFound),
        (409, "conflict", ErrorKind::Conflict),
        (422, "unprocessable_entity", ErrorKind::Unprocessable),
        (500, "server_error", ErrorKind::Server),
        (500, "creation_failed", ErrorKind::Server),
    ] {
        let (server, client) = setup(RetryPolicy::none()).await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({
                "error": code, "message": format!("the {code} message"), "correlationId": "a1b2c3d4e5f67890abcdef1234567890"
            })))
            .mount(&server)
            .await;
        let e = get_identity_error(&client).await;
        assert_eq!(e.kind(), kind, "{code}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.code(), Some(code));
        assert_eq!(e.message(), format!("the {code} message"));
        assert_eq!(e.correlation_id(), Some("a1b2c3d4e5f67890abcdef1234567890"));
        assert_eq!(e.api(), Some(permkit::Api::PermissionAssist));
        assert_eq!(e.operation(), Some("get_identity"));
        let line = e.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.contains(code) && line.contains("a1b2c3d4e5f67890abcdef1234567890"),
            "{line}"
        );
        assert!(!line.contains(TOKEN));
    }
}

#[tokio::test]
async fn field_errors_are_kept() {
    let (server, client) = setup(RetryPolicy::none()).await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/stage"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "validation_error", "message": "Validation failed", "correlationId": "ffff",
            "errors": [{"field": "applicationId", "message": "Application is archived"},
                       {"field": "identity.firstName", "message": "is required"}]
        })))
        .mount(&server)
        .await;
    let e = client
        .stage_application_import()
        .body(permkit::permission_assist::types::StageImportRequest {
            application_id: uuid::Uuid::nil(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let fields: Vec<String> = e.field_errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        fields,
        [
            "applicationId: Application is archived",
            "identity.firstName: is required"
        ]
    );
    assert!(
        e.to_string()
            .contains("applicationId: Application is archived")
    );
}

#[tokio::test]
async fn html_from_a_proxy_keeps_status_and_an_excerpt() {
    let (server, client) = setup(RetryPolicy::none()).await;
    let html = format!(
        "<html><body><h1>503 Service Unavailable</h1>{}</body></html>",
        "padding ".repeat(200)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.status(), Some(503));
    let excerpt = e.body_excerpt().unwrap();
    assert!(excerpt.starts_with("<html><body><h1>503 Service Unavailable</h1>"));
    assert!(
        excerpt.len() <= permkit::error::BODY_EXCERPT_LIMIT + 4,
        "bounded: {}",
        excerpt.len()
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn empty_malformed_and_oversized_error_bodies() {
    let (server, client) = setup(RetryPolicy::none()).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/identities/{}", uuid::Uuid::nil())))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.message().contains("empty body"), "{e}");

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_raw("{\"error\": \"validation_err", "application/json"),
        )
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.body_excerpt().unwrap().contains("validation_err"));

    server.reset().await;
    let huge = format!(
        "{{\"error\": \"server_error\", \"message\": \"{}\"}}",
        "x".repeat(200_000)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(
        e.message().contains("truncated") || e.body_excerpt().is_some(),
        "{e}"
    );
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors() {
    let (server, client) = setup(RetryPolicy::none()).await;
    for body in [
        "",
        "<html>oops</html>",
        "{\"items\": [",
        "{\"items\": 5}",
        "{\"totalCount\": 1}",
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/api/identities"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let e = client.list_identities().send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{body:?}: {e}");
    }
}

#[tokio::test]
async fn a_429_storm_is_retried_then_reported_with_retry_after() {
    let (server, client) = setup(fast_retry().with_max_retries(3)).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "rate_limited", "message": "Slow down"})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(
        e.kind(),
        ErrorKind::RateLimited,
        "an unknown code keeps the status's kind"
    );
    assert_eq!(e.retry_after(), Some(Duration::ZERO));
    assert_eq!(e.code(), Some("rate_limited"));
}

#[tokio::test]
async fn retry_after_is_honoured_then_success() {
    let (server, client) = setup(fast_retry()).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"items": [], "totalCount": 0, "page": 1, "pageSize": 50, "totalPages": 0}),
        ))
        .mount(&server)
        .await;
    let started = Instant::now();
    let page = client.list_identities().send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(page.total_count, Some(0));
}

#[tokio::test]
async fn a_long_retry_after_is_not_waited_for() {
    let (server, client) = setup(fast_retry()).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "Wed, 21 Oct 2099 07:28:00 GMT"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(
        e.retry_after().unwrap() > Duration::from_secs(86_400),
        "{:?}",
        e.retry_after()
    );
}

#[tokio::test]
async fn posts_are_not_retried_on_503() {
    let (server, client) = setup(fast_retry()).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let e = client
        .cancel_application_import()
        .body(permkit::permission_assist::types::CancelImportRequest {
            application_import_id: uuid::Uuid::nil(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
}

/// A server that accepts connections and drops them without answering.
async fn dropping_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(sock);
        }
    });
    (format!("http://{addr}/api"), count)
}

#[tokio::test]
async fn dropped_connections_are_retried_then_reported() {
    let (url, count) = dropping_server().await;
    let client = Client::builder(url)
        .token(TOKEN)
        .retry(fast_retry().with_max_retries(2))
        .build()
        .unwrap();
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "one try and two retries"
    );
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder(format!("http://127.0.0.1:{port}/api"))
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = get_identity_error(&client).await;
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.to_string().contains("connection failed"), "{e}");
}

#[tokio::test]
async fn bad_builder_input_is_a_typed_error() {
    let e = Client::builder("not a url").token("t").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = Client::builder("ftp://host/api")
        .token("t")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = Client::builder("https://host/api").build().unwrap_err();
    assert!(e.message().contains("token"));
}
