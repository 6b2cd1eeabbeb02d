#![cfg(feature = "intacct")]
//! Intacct OAuth 2.0 against wiremock: the token requests on the wire, expiry with skew,
//! refresh-token rotation into a store, single-flight refresh under concurrency, 401 then one
//! retry, the entity header per client and per call, and no secret in any output.

use futures::future::BoxFuture;
use permkit::intacct::{Client, MemoryTokenStore, TokenEncoding, TokenStore};
use permkit::{ErrorKind, RetryPolicy, Secret};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_json, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "s3cr3t-client-value";

fn base(server: &MockServer) -> String {
    format!("{}/ia/api/v1", server.uri())
}

fn roles_ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"ia::result": [], "ia::meta": {"totalCount": 0}}))
}

/// A token endpoint that hands out `at-1`, `at-2`, ... (and `rt-1`, `rt-2`, ...) with
/// `expires_in`, after `delay`.
fn counting_tokens(
    expires_in: u64,
    delay: Duration,
) -> (Arc<AtomicUsize>, impl Fn(&Request) -> ResponseTemplate) {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    (n, move |_: &Request| {
        let i = counter.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": format!("at-{i}"), "token_type": "Bearer", "expires_in": expires_in, "refresh_token": format!("rt-{i}")}))
            .set_delay(delay)
    })
}

async fn mount_roles(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(roles_ok())
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn client_credentials_request_on_the_wire_and_token_reused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("client_id=my-client"))
        .and(body_string_contains(
            format!("client_secret={SECRET}").as_str(),
        ))
        .and(body_string_contains("username=ws_user%40ACME%7CUS-East"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 3).await;
    let client = Client::builder(base(&server))
        .client_credentials("my-client", SECRET, "ws_user@ACME|US-East")
        .build()
        .unwrap();
    for _ in 0..3 {
        client.list_roles().send().await.unwrap();
    }
}

#[tokio::test]
async fn client_credentials_as_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"grant_type": "client_credentials", "client_id": "c", "client_secret": SECRET, "username": "u@C"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1", "expires_in": 3600})))
        .expect(1)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 1).await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .token_encoding(TokenEncoding::Json)
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
}

#[tokio::test]
async fn token_is_refreshed_before_expiry() {
    let server = MockServer::start().await;
    let (count, responder) = counting_tokens(2, Duration::ZERO);
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(responder)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 2).await;
    mount_roles(&server, "at-2", 1).await;
    // Skew 1 s on a 2 s token: the token is replaced after 1 s, before the server would refuse it.
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .token_refresh_skew(Duration::from_secs(1))
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    client.list_roles().send().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.list_roles().send().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refresh_token_rotation_goes_to_the_store_and_is_used_next() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt-0"))
        .and(body_string_contains("entity_id=UK"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "expires_in": 1, "refresh_token": "rt-1"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .and(body_string_contains("refresh_token=rt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-2", "expires_in": 3600, "refresh_token": "rt-2"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 1).await;
    mount_roles(&server, "at-2", 1).await;
    let store = Arc::new(MemoryTokenStore::new("rt-0"));
    let client = Client::builder(base(&server))
        .refresh_token("c", SECRET, store.clone())
        .refresh_entity_id("UK")
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    assert_eq!(store.current().unwrap().expose(), "rt-1");
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.list_roles().send().await.unwrap();
    assert_eq!(store.current().unwrap().expose(), "rt-2");
}

#[tokio::test]
async fn many_concurrent_requests_cause_exactly_one_token_request() {
    let server = MockServer::start().await;
    let (count, responder) = counting_tokens(3600, Duration::from_millis(300));
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(responder)
        .expect(1)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 40).await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    let uk = client.with_entity("UK").unwrap();
    let calls = (0..40).map(|i| {
        let c = if i % 2 == 0 { &client } else { &uk };
        async move { c.list_roles().send().await.map(|_| ()) }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once() {
    let server = MockServer::start().await;
    let (count, responder) = counting_tokens(3600, Duration::ZERO);
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(responder)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({"ia::error": {"code": "GW-0031", "message": "Invalid token"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_roles(&server, "at-2", 1).await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_not_retried_again() {
    let server = MockServer::start().await;
    let (count, responder) = counting_tokens(3600, Duration::ZERO);
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(responder)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"ia::result": {"ia::error": {"code": "GW-0031", "message": "Invalid token", "errorId": "GW-0031"}}})))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.code(), Some("GW-0031"));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn static_token_401_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .respond_with(ResponseTemplate::new(401).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(base(&server))
        .token("static")
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn token_errors_are_unauthorized_and_never_show_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.code(), Some("invalid_client"));
    assert_eq!(e.message(), "Client authentication failed");
    // The request that failed is the token request, not the call that needed the token.
    assert_eq!(e.operation(), Some("create_token"));
    for text in [e.to_string(), format!("{e:?}"), format!("{client:?}")] {
        assert!(!text.contains(SECRET), "{text}");
    }
}

#[tokio::test]
async fn a_token_response_without_a_token_is_an_error_without_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"token": "half-secret-value"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    // What happened: the token endpoint said 200 and sent no token. No 401 is invented.
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.status(), Some(200));
    assert!(e.message().contains("did not decode"), "{e}");
    assert!(!format!("{e} {e:?}").contains("half-secret-value"));
}

#[tokio::test]
async fn the_jwt_exp_claim_is_used_when_expires_in_is_absent() {
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // {"exp": now+2} base64url, header and signature left opaque.
    let payload = format!("{{\"exp\":{}}}", now + 2);
    let jwt = format!("eyJhbGciOiJub25lIn0.{}.sig", b64url(payload.as_bytes()));
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let jwt2 = jwt.clone();
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(move |_: &Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!({"access_token": jwt2}))
        })
        .mount(&server)
        .await;
    mount_roles(&server, &jwt, 2).await;
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    // Lifetime 2 s, skew capped at half of it: the token is replaced after about 1 s.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.list_roles().send().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2);
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

#[derive(Debug)]
struct FailingStore;

impl TokenStore for FailingStore {
    fn load(&self) -> BoxFuture<'_, permkit::Result<Option<Secret>>> {
        Box::pin(async { Ok(Some(Secret::new("rt-0"))) })
    }
    fn save(&self, _: Secret) -> BoxFuture<'_, permkit::Result<()>> {
        Box::pin(async { Err(permkit::Error::new(ErrorKind::Io, "disk full")) })
    }
}

#[tokio::test]
async fn a_store_that_cannot_keep_the_rotated_token_stops_the_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "expires_in": 3600, "refresh_token": "rt-1"}),
        ))
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 0).await;
    let client = Client::builder(base(&server))
        .refresh_token("c", SECRET, Arc::new(FailingStore))
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.status(), None);
    assert!(e.message().contains("disk full"), "{e}");
    assert!(!e.to_string().contains("rt-1"));
}

#[derive(Debug)]
struct EmptyStore;

impl TokenStore for EmptyStore {
    fn load(&self) -> BoxFuture<'_, permkit::Result<Option<Secret>>> {
        Box::pin(async { Ok(None) })
    }
    fn save(&self, _: Secret) -> BoxFuture<'_, permkit::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn an_empty_store_is_unauthorized_without_a_status_or_a_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1"})))
        .expect(0)
        .mount(&server)
        .await;
    mount_roles(&server, "at-1", 0).await;
    let client = Client::builder(base(&server))
        .refresh_token("c", SECRET, Arc::new(EmptyStore))
        .build()
        .unwrap();
    let e = client.list_roles().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.status(), None);
    assert_eq!(e.operation(), Some("create_token"));
    assert!(e.message().contains("no refresh token"), "{e}");
}

#[tokio::test]
async fn entity_per_client_and_per_call() {
    let server = MockServer::start().await;
    let (count, responder) = counting_tokens(3600, Duration::ZERO);
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/oauth2/token"))
        .respond_with(responder)
        .mount(&server)
        .await;
    for e in ["US-East", "UK", "US-West"] {
        Mock::given(method("GET"))
            .and(path("/ia/api/v1/objects/company-config/role"))
            .and(header("x-ia-api-param-entity", e))
            .respond_with(roles_ok())
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = Client::builder(base(&server))
        .client_credentials("c", SECRET, "u@C")
        .entity("US-East")
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    // A clone in another entity shares the token cache.
    let uk = client.with_entity("UK").unwrap();
    uk.list_roles().send().await.unwrap();
    // The call's own header wins over the client's entity.
    uk.list_roles()
        .x_ia_api_param_entity("US-West")
        .send()
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn no_entity_header_unless_asked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .and(|r: &Request| !r.headers.contains_key("x-ia-api-param-entity"))
        .respond_with(roles_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(base(&server)).token("t").build().unwrap();
    client.list_roles().send().await.unwrap();
}

#[tokio::test]
async fn rate_limit_waits_for_the_intacct_retry_after_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .respond_with(ResponseTemplate::new(429).insert_header("X-IA-Minute-Rate-Limit-Retry-After", "1").set_body_json(json!({"ia::result": {"ia::error": {"code": "GW-0010", "message": "Rate limit exceeded"}}})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role"))
        .respond_with(roles_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(base(&server))
        .token("t")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    client.list_roles().send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_usernames_and_entities_are_refused_before_any_request() {
    for bad in ["ws_user", "ws_user@", "@ACME", "ws@ACME|"] {
        let e = Client::builder("https://api.intacct.com/ia/api/v1")
            .client_credentials("c", "s", bad)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{bad}");
    }
    let e = Client::builder("https://api.intacct.com/ia/api/v1")
        .token("t")
        .entity("a\nb")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = Client::builder("ftp://x").token("t").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = Client::builder("https://api.intacct.com/ia/api/v1")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
}

#[test]
fn debug_output_never_shows_secrets() {
    let store = Arc::new(MemoryTokenStore::new("refresh-secret-1"));
    let a = Client::builder("https://api.intacct.com/ia/api/v1")
        .client_credentials("c", SECRET, "u@C")
        .build()
        .unwrap();
    let b = Client::builder("https://api.intacct.com/ia/api/v1")
        .refresh_token("c", SECRET, store.clone())
        .build()
        .unwrap();
    let c = Client::builder("https://api.intacct.com/ia/api/v1")
        .token("static-secret-2")
        .build()
        .unwrap();
    let builder = Client::builder("https://api.intacct.com/ia/api/v1").token("static-secret-3");
    let text = format!("{a:?} {b:?} {c:?} {builder:?} {store:?}");
    for s in [
        SECRET,
        "refresh-secret-1",
        "static-secret-2",
        "static-secret-3",
    ] {
        assert!(!text.contains(s), "{s} in {text}");
    }
}
