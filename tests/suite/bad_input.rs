//! The bad-input matrix, per API: every answer a hostile or broken server can give to one call
//! ends in a typed result (a decoded value or an `Error` of the expected kind and status),
//! never a panic. Keeps the transport's behaviours from coming back.

use crate::common;

use permkit::{ErrorKind, RetryPolicy};
use serde_json::json;
use std::future::Future;
use std::time::Duration;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

/// What one case must end in: a success, or an error of this kind and status.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Ok,
    Err(ErrorKind, Option<u16>),
}

fn html(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        "<html><head><title>Bad Gateway</title></head><body>nginx</body></html>",
        "text/html",
    )
}

fn raw_json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(2)
        .with_initial_backoff(Duration::from_millis(5))
}

/// Runs every case against a fresh server with `call`, and checks what it ends in.
async fn matrix<T, F, Fut>(cases: Vec<(&str, Vec<ResponseTemplate>, Expect)>, call: F)
where
    T: std::fmt::Debug,
    F: Fn(String) -> Fut,
    Fut: Future<Output = permkit::Result<T>>,
{
    for (name, answers, expect) in cases {
        let server = MockServer::start().await;
        let last = answers.len() - 1;
        for (i, answer) in answers.into_iter().enumerate() {
            let mock = Mock::given(any()).respond_with(answer);
            // Earlier answers once each, in order; the last one for every later request.
            let mock = if i < last {
                mock.up_to_n_times(1)
            } else {
                mock
            };
            mock.with_priority(u8::try_from(i + 1).unwrap())
                .mount(&server)
                .await;
        }
        let got = call(server.uri()).await;
        match (expect, &got) {
            (Expect::Ok, Ok(_)) => {}
            (Expect::Err(kind, status), Err(e)) => {
                assert_eq!(e.kind(), kind, "{name}: {e}");
                assert_eq!(e.status(), status, "{name}: {e}");
                let _ = (e.to_string(), format!("{e:?}"));
            }
            _ => panic!("{name}: expected {expect:?}, got {got:?}"),
        }
    }
}

/// The answers every API shares, with its own success body, error bodies and decoder.
fn common_cases(
    ok: serde_json::Value,
    missing_field: serde_json::Value,
    unknown_enum: Option<serde_json::Value>,
) -> Vec<(&'static str, Vec<ResponseTemplate>, Expect)> {
    let ok_answer = || ResponseTemplate::new(200).set_body_json(ok.clone());
    let mut cases = vec![
        ("the documented body", vec![ok_answer()], Expect::Ok),
        (
            "extra fields",
            vec![ResponseTemplate::new(200).set_body_json({
                let mut v = ok.clone();
                v.as_object_mut()
                    .unwrap()
                    .insert("addedLater".into(), json!({"x": 1}));
                v
            })],
            Expect::Ok,
        ),
        (
            "a required field missing",
            vec![ResponseTemplate::new(200).set_body_json(missing_field)],
            Expect::Err(ErrorKind::Decode, Some(200)),
        ),
        (
            "malformed JSON",
            vec![raw_json(200, "{\"id\": ")],
            Expect::Err(ErrorKind::Decode, Some(200)),
        ),
        (
            "an HTML page with 200",
            vec![html(200)],
            Expect::Err(ErrorKind::Decode, Some(200)),
        ),
        (
            "an empty 200",
            vec![ResponseTemplate::new(200)],
            Expect::Err(ErrorKind::Decode, Some(200)),
        ),
        (
            "an HTML 502 from a proxy, every time",
            vec![html(502)],
            Expect::Err(ErrorKind::Server, Some(502)),
        ),
        (
            "an HTML 502 once, then the body",
            vec![html(502), ok_answer()],
            Expect::Ok,
        ),
        (
            "an empty 404",
            vec![ResponseTemplate::new(404)],
            Expect::Err(ErrorKind::NotFound, Some(404)),
        ),
        (
            "an empty 418",
            vec![ResponseTemplate::new(418)],
            Expect::Err(ErrorKind::UnexpectedStatus, Some(418)),
        ),
        (
            "a 429 storm",
            vec![ResponseTemplate::new(429).insert_header("retry-after", "0")],
            Expect::Err(ErrorKind::RateLimited, Some(429)),
        ),
        (
            "two 429s, then the body",
            vec![
                ResponseTemplate::new(429).insert_header("retry-after", "0"),
                ResponseTemplate::new(429).insert_header("retry-after", "0"),
                ok_answer(),
            ],
            Expect::Ok,
        ),
        (
            "a 429 asking for an hour",
            vec![ResponseTemplate::new(429).insert_header("retry-after", "3600")],
            Expect::Err(ErrorKind::RateLimited, Some(429)),
        ),
        (
            "a redirect on a GET",
            vec![
                ResponseTemplate::new(302).insert_header("location", "/moved"),
                ok_answer(),
            ],
            Expect::Ok,
        ),
        (
            "a redirect loop",
            vec![ResponseTemplate::new(302).insert_header("location", "/again")],
            Expect::Err(ErrorKind::UnexpectedStatus, Some(302)),
        ),
        (
            "a redirect without a Location",
            vec![ResponseTemplate::new(301)],
            Expect::Err(ErrorKind::UnexpectedStatus, Some(301)),
        ),
        (
            "a 304 nobody asked for",
            vec![ResponseTemplate::new(304)],
            Expect::Err(ErrorKind::UnexpectedStatus, Some(304)),
        ),
    ];
    if let Some(v) = unknown_enum {
        cases.push((
            "an unknown enum value",
            vec![ResponseTemplate::new(200).set_body_json(v)],
            Expect::Ok,
        ));
    }
    cases
}

/// The body promised longer than sent, then the connection dropped, every time.
async fn cut_short<T, F, Fut>(ok: serde_json::Value, call: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = permkit::Result<T>>,
{
    let whole = ok.to_string();
    let (base, count) = common::raw::serve(vec![common::raw::cut_short(
        &whole[..whole.len() / 2],
        whole.len(),
    )])
    .await;
    let e = call(base)
        .await
        .err()
        .expect("a body cut short is not a success");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "sent again twice (a GET)"
    );
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn permission_assist() {
    use permkit::permission_assist::Client;
    let id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    let ok = json!({"id": id, "kind": "Identity", "firstName": "Ada", "lastName": "Lovelace",
                    "type": "Employee", "createdDate": "2026-02-20T08:15:00", "status": "Active"});
    let mut missing = ok.clone();
    missing.as_object_mut().unwrap().remove("firstName");
    let mut unknown = ok.clone();
    unknown["status"] = json!("Quarantined");
    let mut cases = common_cases(ok.clone(), missing, Some(unknown));
    cases.extend([
        (
            "the vendor's 404",
            vec![ResponseTemplate::new(404).set_body_json(
                json!({"error": "not_found", "message": "No identity", "correlationId": "c-1"}),
            )],
            Expect::Err(ErrorKind::NotFound, Some(404)),
        ),
        (
            "the vendor's 401",
            vec![
                ResponseTemplate::new(401)
                    .set_body_json(json!({"error": "unauthorized", "message": "Bad token"})),
            ],
            Expect::Err(ErrorKind::Unauthorized, Some(401)),
        ),
        (
            "a 429 whose body says server_error",
            vec![
                ResponseTemplate::new(429)
                    .set_body_json(json!({"error": "server_error"}))
                    .insert_header("retry-after", "0"),
            ],
            Expect::Err(ErrorKind::RateLimited, Some(429)),
        ),
        (
            "a 503 in maintenance",
            vec![
                ResponseTemplate::new(503)
                    .set_body_json(json!({"error": "server_error", "message": "Maintenance"})),
            ],
            Expect::Err(ErrorKind::Unavailable, Some(503)),
        ),
    ]);
    let call = |base: String| async move {
        let client = Client::builder(format!("{base}/api"))
            .token("pa_t")
            .retry(retry())
            .build()?;
        client
            .get_identity(uuid::Uuid::parse_str(id).unwrap())
            .send()
            .await
    };
    matrix(cases, call).await;
    cut_short(ok, call).await;
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn perscom() {
    use permkit::perscom::Client;
    let user = json!({"id": 7, "name": "Ada", "email": "ada@example.com", "created_at": "2024-05-01T12:34:56.000000Z"});
    let ok = json!({"data": user});
    let missing = json!({"meta": {}});
    // A PERSCOM user has no enumerated field: PERSCOM's open enums are covered by the search tests.
    let mut cases = common_cases(ok.clone(), missing, None);
    cases.extend([
        ("the vendor's 422", vec![ResponseTemplate::new(422).set_body_json(json!({"error": {"message": "The name field is required.", "type": "ValidationException", "errors": {"name": ["The name field is required."]}}}))], Expect::Err(ErrorKind::Validation, Some(422))),
        ("the vendor's 403", vec![ResponseTemplate::new(403).set_body_json(json!({"error": {"message": "Forbidden", "type": "AuthorizationException"}}))], Expect::Err(ErrorKind::Forbidden, Some(403))),
        ("a 402 plan limit", vec![ResponseTemplate::new(402).set_body_json(json!({"error": {"message": "Upgrade"}}))], Expect::Err(ErrorKind::PaymentRequired, Some(402))),
        ("a plain-text error", vec![ResponseTemplate::new(500).set_body_string("Whoops, looks like something went wrong.")], Expect::Err(ErrorKind::Server, Some(500))),
    ]);
    let call = |base: String| async move {
        let client = Client::builder(base)
            .api_key("key")
            .retry(retry())
            .build()?;
        client.get_user(7).send().await
    };
    matrix(cases, call).await;
    cut_short(ok, call).await;
}

#[cfg(feature = "intacct")]
#[tokio::test]
async fn intacct() {
    use permkit::intacct::Client;
    let role = json!({"key": "1", "id": "Admin", "roleType": "enterprise", "status": "active"});
    let ok = json!({"ia::result": role, "ia::meta": {"totalCount": 1}});
    let missing = json!({"ia::meta": {"totalCount": 1}});
    let mut unknown = ok.clone();
    unknown["ia::result"]["roleType"] = json!("quantumEntity");
    let mut cases = common_cases(ok.clone(), missing, Some(unknown));
    cases.extend([
        ("the vendor's 404", vec![ResponseTemplate::new(404).set_body_json(json!({"ia::result": {"ia::error": {"code": "notFound", "message": "Requested resource 'role' with key '1' was not found", "errorId": "REST-1026", "supportId": "s-1"}}}))], Expect::Err(ErrorKind::NotFound, Some(404))),
        ("the gateway's 401", vec![ResponseTemplate::new(401).set_body_json(json!({"ia::error": {"code": "invalidToken", "message": "Token expired", "errorId": "GW-0031"}}))], Expect::Err(ErrorKind::Unauthorized, Some(401))),
        ("the gateway's 429 with its own header", vec![ResponseTemplate::new(429).insert_header("x-ia-minute-rate-limit-retry-after", "0").set_body_json(json!({"ia::error": {"code": "GW-0010", "message": "Rate limit"}}))], Expect::Err(ErrorKind::RateLimited, Some(429))),
        ("a 400 invalidRequest", vec![ResponseTemplate::new(400).set_body_json(json!({"ia::result": {"ia::error": {"code": "invalidRequest", "message": "Payload contains errors", "details": [{"code": "invalidRequest", "message": "bad", "target": "/id"}]}}}))], Expect::Err(ErrorKind::Validation, Some(400))),
    ]);
    let call = |base: String| async move {
        let client = Client::builder(format!("{base}/ia/api/v1"))
            .token("t")
            .retry(retry())
            .build()?;
        client.get_role("1").send().await
    };
    matrix(cases, call).await;
    cut_short(ok, call).await;
}

// Item 10: one refusal shape
//
// A value the spec forbids is a `Validation` error with the field's JSON path, whether the
// client refuses it before sending or the server refuses it: one handler serves both. A request
// that cannot be made at all (a required value missing) stays `InvalidRequest`.

/// What a caller's validation handler reads: the kind and each `(field, message)`.
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
fn refusal(e: &permkit::Error) -> (ErrorKind, Vec<(String, String)>) {
    let fields = e
        .field_errors()
        .iter()
        .map(|f| (f.field.clone().unwrap_or_default(), f.message.clone()))
        .collect();
    (e.kind(), fields)
}

/// A server that answers anything with `answer`, and counts what reaches it.
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
async fn answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn a_first_name_longer_than_the_spec_allows_is_a_validation_error_before_sending() {
    use permkit::permission_assist::{Client, types};
    let server = answering(ResponseTemplate::new(500)).await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("pa_t")
        .retry(retry())
        .build()
        .unwrap();
    let identity = || {
        types::NewIdentity::builder()
            .first_name("x".repeat(300))
            .last_name("Lovelace")
    };
    let effective = permkit::Timestamp::now();
    // The body given whole, and the body changed through its builder: the same refusal.
    let given = client
        .create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(identity())
                .effective_date(effective),
        )
        .send()
        .await
        .unwrap_err();
    let mapped = client
        .create_onboard_event()
        .body_map(|b| b.identity(identity()).effective_date(effective))
        .send()
        .await
        .unwrap_err();
    for e in [&given, &mapped] {
        let (kind, fields) = refusal(e);
        assert_eq!(kind, ErrorKind::Validation, "{e}");
        assert_eq!(e.status(), None, "nothing was sent: {e}");
        assert_eq!(e.operation(), Some("create_onboard_event"), "{e}");
        assert_eq!(fields.len(), 1, "{e}");
        assert_eq!(fields[0].0, "identity.firstName", "{e}");
        assert!(fields[0].1.contains("256"), "{e}");
        let text = e.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("identity.firstName"), "{text}");
        for generated in [
            "conversion to",
            "error converting",
            "first_name",
            "longer than",
        ] {
            assert!(!text.contains(generated), "{generated:?} in {text}");
        }
    }
    assert_eq!(
        given.to_string(),
        "create_onboard_event: validation: refused before sending \
         (identity.firstName: must be at most 256 characters)"
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // The server's refusal of the same value reads the same to a handler (with a status).
    let server = answering(ResponseTemplate::new(400).set_body_json(json!({
        "error": "validation_error",
        "message": "The request is invalid",
        "errors": [{"field": "identity.firstName", "message": "must be at most 256 characters"}]
    })))
    .await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("pa_t")
        .build()
        .unwrap();
    let served = client
        .create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(
                    types::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace"),
                )
                .effective_date(effective),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(refusal(&served), refusal(&given), "{served} / {given}");
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn a_missing_required_value_stays_an_invalid_request() {
    use permkit::permission_assist::{Client, types};
    let server = answering(ResponseTemplate::new(500)).await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("pa_t")
        .build()
        .unwrap();
    // `last_name` missing inside the identity, then `effective_date` missing in the body.
    let bodies = [
        types::OnboardRequest::builder()
            .identity(types::NewIdentity::builder().first_name("Ada"))
            .effective_date(permkit::Timestamp::now()),
        types::OnboardRequest::builder().identity(
            types::NewIdentity::builder()
                .first_name("Ada")
                .last_name("Lovelace"),
        ),
    ];
    for (body, setter) in bodies.into_iter().zip(["last_name", "effective_date"]) {
        let e = client
            .create_onboard_event()
            .body(body)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.status(), None, "{e}");
        assert!(e.field_errors().is_empty(), "{e}");
        assert!(e.to_string().contains(setter), "{e}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn a_colour_outside_the_spec_pattern_is_a_validation_error_before_sending() {
    use permkit::perscom::{Client, types};
    let server = answering(ResponseTemplate::new(500)).await;
    let client = Client::builder(server.uri())
        .api_key("key")
        .build()
        .unwrap();
    let e = client
        .create_announcement()
        .body(
            types::AnnouncementCreate::builder()
                .title("Muster")
                .content("At 0800")
                .color("red"),
        )
        .send()
        .await
        .unwrap_err();
    let (kind, fields) = refusal(&e);
    assert_eq!(kind, ErrorKind::Validation, "{e}");
    assert_eq!(e.status(), None, "{e}");
    assert_eq!(e.operation(), Some("create_announcement"), "{e}");
    assert_eq!(fields.len(), 1, "{e}");
    assert_eq!(fields[0].0, "color", "{e}");
    assert!(fields[0].1.contains("must match"), "{e}");
    assert!(fields[0].1.contains("[A-Fa-f0-9]{6}"), "{e}");
    assert_eq!(
        e.to_string(),
        "create_announcement: validation: refused before sending \
         (color: must match the pattern ^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$)"
    );
    // A missing title stays a request that cannot be made.
    let e = client
        .create_announcement()
        .body(
            types::AnnouncementCreate::builder()
                .content("At 0800")
                .color("#1f2937"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(e.field_errors().is_empty(), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());
}
