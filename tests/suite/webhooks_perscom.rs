#![cfg(feature = "perscom")]
//! PERSCOM webhooks: every documented event decodes into its resource; a changed byte of the
//! body, the signature or the secret never verifies; what is refused and with which kind; and
//! a receiver fed by the sandbox's signed deliveries.

use permkit::perscom::webhooks::{self, Action, EventData, EventName, WebhookEvent};
use permkit::{ErrorKind, Secret};
use serde_json::{Value, json};

const SECRET: &str = "whsec-test-0123";

fn secret() -> Secret {
    Secret::new(SECRET)
}

fn signed(body: &[u8]) -> String {
    webhooks::sign(body, &secret())
}

fn verified(body: &[u8]) -> WebhookEvent {
    webhooks::verify(body, Some(&signed(body)), &secret())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

/// The 30 events of PERSCOM's documentation (`integrations/webhooks.mdx`), written out here
/// rather than taken from `EventName::KNOWN`.
const DOCUMENTED: &[&str] = &[
    "assignmentrecord.created",
    "assignmentrecord.updated",
    "assignmentrecord.deleted",
    "awardrecord.created",
    "awardrecord.updated",
    "awardrecord.deleted",
    "calendar.created",
    "calendar.updated",
    "calendar.deleted",
    "combatrecord.created",
    "combatrecord.updated",
    "combatrecord.deleted",
    "event.created",
    "event.updated",
    "event.deleted",
    "qualificationrecord.created",
    "qualificationrecord.updated",
    "qualificationrecord.deleted",
    "rankrecord.created",
    "rankrecord.updated",
    "rankrecord.deleted",
    "servicerecord.created",
    "servicerecord.updated",
    "servicerecord.deleted",
    "submission.created",
    "submission.updated",
    "submission.deleted",
    "user.created",
    "user.updated",
    "user.deleted",
];

/// The attributes of one resource, as the model's `toArray()` gives them (id 41).
fn sample(resource: &str) -> Value {
    let stamps = json!({"created_at": "2026-05-01T10:00:00.000000Z", "updated_at": "2026-05-16T23:49:04.000000Z"});
    let mut data = match resource {
        "assignmentrecord" => {
            json!({"user_id": 7, "type": "primary", "unit_id": 2, "position_id": 3, "text": "Moved"})
        }
        "awardrecord" => json!({"user_id": 7, "award_id": 3, "text": "Awarded"}),
        "calendar" => json!({"name": "Operations", "color": "#1f2937"}),
        "combatrecord" => json!({"user_id": 7, "text": "Operation Anvil"}),
        "event" => json!({"name": "FTX", "calendar_id": 2, "starts": "2026-06-01T18:00:00.000000Z",
                          "ends": null, "all_day": false}),
        "message" => json!({"message": "Formation at 1900", "channels": ["email", "database"],
                            "recipients": null}),
        "qualificationrecord" => json!({"user_id": 7, "qualification_id": 4}),
        "rankrecord" => json!({"user_id": 7, "rank_id": 5, "type": 0, "text": "Promoted"}),
        "servicerecord" => json!({"user_id": 7, "text": "Completed basic training"}),
        "submission" => json!({"form_id": 2, "user_id": 7, "read_at": null}),
        "user" => json!({"name": "Pat Private", "email": "pat@example.mil", "rank_id": 5,
                         "approved": true, "profile_photo_url": null}),
        _ => json!({"anything": true}),
    };
    data["id"] = json!(41);
    for (k, v) in stamps.as_object().unwrap() {
        data[k] = v.clone();
    }
    data
}

/// Which variant `data` is, by the event prefix it belongs to.
fn variant(data: &EventData) -> &'static str {
    match data {
        EventData::AssignmentRecord(r) => {
            assert_eq!((r.id, r.user_id), (41, 7));
            "assignmentrecord"
        }
        EventData::AwardRecord(r) => {
            assert_eq!((r.id, r.award_id), (41, 3));
            "awardrecord"
        }
        EventData::Calendar(c) => {
            assert_eq!((c.id, c.name.as_str()), (41, "Operations"));
            "calendar"
        }
        EventData::CombatRecord(r) => {
            assert_eq!(r.text, "Operation Anvil");
            "combatrecord"
        }
        EventData::Event(e) => {
            assert_eq!((e.id, e.calendar_id, e.all_day), (41, 2, false));
            "event"
        }
        EventData::Message(m) => {
            assert_eq!((m.id, m.channels.len()), (41, 2));
            "message"
        }
        EventData::QualificationRecord(r) => {
            assert_eq!(r.qualification_id, 4);
            "qualificationrecord"
        }
        EventData::RankRecord(r) => {
            assert_eq!((r.rank_id, r.type_.value()), (5, 0));
            "rankrecord"
        }
        EventData::ServiceRecord(r) => {
            assert_eq!(r.user_id, 7);
            "servicerecord"
        }
        EventData::Submission(s) => {
            assert_eq!(s.form_id, 2);
            "submission"
        }
        EventData::User(u) => {
            assert_eq!((u.id, u.email.as_str()), (41, "pat@example.mil"));
            "user"
        }
        EventData::Other(_) => "other",
        _ => "unknown variant",
    }
}

/// A payload as PERSCOM's `WebhookService` builds it.
fn payload(event: &str, data: Value, changes: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event": event,
        "created": "2026-05-16T23:49:04.123456Z",
        "request_id": "5d0c7f4e-0a34-4d2b-9a59-1c1f1c6e9b11",
        "trace_id": "9b2e5a3c-7c1d-4f0e-8a2b-6d4c3b2a1f00",
        "data": data,
        "changes": changes,
    }))
    .unwrap()
}

#[test]
fn every_documented_event_decodes_into_its_resource() {
    let server_only = ["message.created", "message.updated", "message.deleted"];
    for name in DOCUMENTED.iter().chain(server_only.iter()) {
        let (resource, action) = name.split_once('.').unwrap();
        let changes = if action == "updated" {
            json!({"updated_at": "2026-05-16T23:49:04.000000Z"})
        } else {
            // PHP's empty array: what `created` and `deleted` events carry.
            json!([])
        };
        let event = verified(&payload(name, sample(resource), changes));
        assert_eq!(event.name(), *name);
        assert!(event.event_name().is_known(), "{name}");
        assert_eq!(event.resource(), resource);
        assert_eq!(event.action().as_str(), action);
        assert!(event.action().is_known());
        assert_eq!(variant(event.data()), resource, "{name}");
        assert_eq!(event.data_error(), None);
        assert_eq!(event.resource_id(), Some(41));
        assert_eq!(event.changes().is_empty(), action != "updated", "{name}");
        assert_eq!(
            event.request_id(),
            Some("5d0c7f4e-0a34-4d2b-9a59-1c1f1c6e9b11")
        );
        assert_eq!(
            event.trace_id(),
            Some("9b2e5a3c-7c1d-4f0e-8a2b-6d4c3b2a1f00")
        );
        assert_eq!(
            event.created().unwrap().to_utc().to_rfc3339(),
            "2026-05-16T23:49:04.123456+00:00"
        );
        assert_eq!(
            event.dedup_key().unwrap(),
            format!("5d0c7f4e-0a34-4d2b-9a59-1c1f1c6e9b11:{name}:41")
        );
    }
    assert_eq!(
        EventName::KNOWN.len(),
        DOCUMENTED.len() + server_only.len() + 1
    );
}

#[test]
fn the_dashboard_test_event_keeps_its_free_form_data() {
    let event = verified(&payload(
        "webhook.test",
        json!({"hello": "world"}),
        Value::Null,
    ));
    assert_eq!(event.event_name(), &EventName::WebhookTest);
    assert!(matches!(event.data(), EventData::Other(v) if v["hello"] == "world"));
    assert_eq!(event.data_error(), None);
    assert_eq!(event.action(), Action::UnknownValue("test".into()));
}

/// A body as PHP's `json_encode` writes it (`\/`, `\u00eb`), signed by Python's `hmac` rather
/// than by permkit.
#[test]
fn a_php_encoded_body_verifies_against_an_independent_signature() {
    let body = br#"{"event":"user.updated","created":"2026-05-16T23:49:04.123456Z","request_id":"5d0c7f4e-0a34-4d2b-9a59-1c1f1c6e9b11","trace_id":"9b2e5a3c-7c1d-4f0e-8a2b-6d4c3b2a1f00","data":{"id":41,"name":"Zo\u00eb Ad\u00e9la\u00efde","email":"zoe@example.mil","profile_photo_url":"https:\/\/cdn.perscom.io\/photos\/41.png","rank_id":5,"created_at":"2024-01-02T03:04:05.000000Z","updated_at":"2026-05-16T23:49:04.000000Z"},"changes":{"rank_id":5,"updated_at":"2026-05-16T23:49:04.000000Z"}}"#;
    let python = "577c43fd3b70a801a9a30a5260518750ff4ea4cdaa4a31120e05e34c1f95a4cf";
    assert_eq!(signed(body), python);
    let event = webhooks::verify(body, Some(python), &secret()).unwrap();
    let EventData::User(user) = event.data() else {
        panic!("{:?}", event.data())
    };
    assert_eq!(user.name, "Zoë Adélaïde");
    assert_eq!(
        user.profile_photo_url.as_deref(),
        Some("https://cdn.perscom.io/photos/41.png")
    );
    assert_eq!(event.changes()["rank_id"], 5);
    // Upper-case hex and surrounding white space are the same signature.
    let upper = format!("  {}\n", python.to_uppercase());
    assert!(webhooks::verify(body, Some(&upper), &secret()).is_ok());
    // The same event written by another encoder is another body: it does not verify.
    let reencoded = serde_json::to_vec(&serde_json::from_slice::<Value>(body).unwrap()).unwrap();
    let e = webhooks::verify(&reencoded, Some(python), &secret()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}

#[test]
fn changing_any_byte_of_the_body_fails() {
    let body = payload("rankrecord.created", sample("rankrecord"), json!([]));
    let signature = signed(&body);
    assert!(webhooks::verify(&body, Some(&signature), &secret()).is_ok());
    for i in 0..body.len() {
        for flip in [0x01u8, 0x80] {
            let mut tampered = body.clone();
            tampered[i] ^= flip;
            let e = webhooks::verify(&tampered, Some(&signature), &secret())
                .expect_err("a changed byte verified");
            assert_eq!(e.kind(), ErrorKind::Unauthorized, "byte {i}");
        }
    }
    let mut longer = body.clone();
    longer.push(b' ');
    let shorter = &body[..body.len() - 1];
    for other in [&longer[..], shorter, b""] {
        let e = webhooks::verify(other, Some(&signature), &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
    }
}

#[test]
fn changing_any_digit_of_the_signature_fails() {
    let body = payload("user.created", sample("user"), json!([]));
    let signature = signed(&body);
    for i in 0..signature.len() {
        let mut chars: Vec<char> = signature.chars().collect();
        chars[i] = if chars[i] == '0' { '1' } else { '0' };
        let tampered: String = chars.into_iter().collect();
        let e = webhooks::verify(&body, Some(&tampered), &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized, "digit {i}");
    }
    let not_hex = format!("{}zz", &signature[..62]);
    let other_length = &signature[..40];
    let sha256_prefixed = format!("sha256={signature}");
    for bad in [
        None,
        Some(""),
        Some("   "),
        Some(not_hex.as_str()),
        Some(other_length),
        Some(sha256_prefixed.as_str()),
    ] {
        let e = webhooks::verify(&body, bad, &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized, "{bad:?}");
    }
}

#[test]
fn changing_any_byte_of_the_secret_fails() {
    let body = payload("user.deleted", sample("user"), json!([]));
    let signature = signed(&body);
    for i in 0..SECRET.len() {
        let mut bytes = SECRET.as_bytes().to_vec();
        bytes[i] ^= 0x01;
        let other = Secret::new(String::from_utf8(bytes).unwrap());
        let e = webhooks::verify(&body, Some(&signature), &other).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized, "secret byte {i}");
    }
    for other in [
        &SECRET[..SECRET.len() - 1],
        &format!("{SECRET}x"),
        &SECRET.to_uppercase(),
    ] {
        let e = webhooks::verify(&body, Some(&signature), &Secret::new(other)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
    }
    // An empty secret is refused as a mistake, even for a body "signed" with it.
    let empty = Secret::new("");
    let e = webhooks::verify(&body, Some(&webhooks::sign(&body, &empty)), &empty).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("empty"));
}

#[test]
fn bodies_over_the_limit_are_refused_even_when_signed() {
    let fill = |size: usize| {
        let head =
            br#"{"event":"user.created","data":{"id":1,"name":"Pat","email":"p@x.mil","notes":""#;
        let tail = br#""}}"#;
        let mut body = head.to_vec();
        body.resize(size - tail.len(), b'a');
        body.extend_from_slice(tail);
        body
    };
    let at_limit = fill(webhooks::MAX_BODY_BYTES);
    assert!(webhooks::verify(&at_limit, Some(&signed(&at_limit)), &secret()).is_ok());
    let over = fill(webhooks::MAX_BODY_BYTES + 1);
    let e = webhooks::verify(&over, Some(&signed(&over)), &secret()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.message().contains("limit"), "{e}");
}

#[test]
fn get_deliveries_cannot_be_verified_and_are_refused() {
    let body = payload("user.created", sample("user"), json!([]));
    let signature = signed(&body);
    for method in ["GET", "get", "HEAD"] {
        let e = webhooks::verify_request(method, &body, Some(&signature), &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(e.message().contains("query string"), "{e}");
    }
    assert!(webhooks::verify_request("POST", &body, Some(&signature), &secret()).is_ok());
    // What a GET delivery hands `verify`: no body, and the signature of the JSON.
    let e = webhooks::verify(b"", Some(&signature), &secret()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert!(e.message().contains("GET"), "{e}");
}

#[test]
fn signed_bodies_that_are_not_events_are_decode_errors() {
    for body in [
        &b""[..],
        b"   ",
        b"not json",
        b"[]",
        b"{}",
        br#"{"data":{"id":1}}"#,
        br#"{"event":""}"#,
        br#"{"event":5}"#,
        br#"{"event":"user.created""#,
    ] {
        let e = webhooks::verify(body, Some(&signed(body)), &secret()).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Decode,
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(e.api(), Some(permkit::Api::Perscom));
    }
}

#[test]
fn unknown_events_and_fields_still_decode() {
    // An event this version does not know, with fields it does not know.
    let body = br#"{"event":"award.created","tenant":"acme","data":{"id":3,"name":"Bronze Star","image":{"x":1}},"changes":[],"extra":[1,2]}"#;
    let event = verified(body);
    assert_eq!(
        event.event_name(),
        &EventName::UnknownValue("award.created".into())
    );
    assert_eq!(event.name(), "award.created");
    assert!(matches!(event.data(), EventData::Other(v) if v["name"] == "Bronze Star"));
    assert_eq!(event.resource_id(), Some(3));
    // A known resource with an action this version does not know is still typed.
    let body = payload(
        "user.restored",
        json!({"id": 9, "name": "Pat", "email": "p@x.mil", "new_field": [1]}),
        Value::Null,
    );
    let event = verified(&body);
    assert_eq!(event.action(), Action::UnknownValue("restored".into()));
    assert!(matches!(event.data(), EventData::User(u) if u.id == 9));
    assert_eq!(event.data_json()["new_field"], json!([1]));
    // Spelling drift in the name is matched as the open enums match.
    let event = verified(&payload("User.Created", sample("user"), json!([])));
    assert_eq!(event.event_name(), &EventName::UserCreated);
}

#[test]
fn a_documented_event_with_unexpected_data_still_verifies() {
    let body = payload(
        "rankrecord.updated",
        json!({"id": 2, "user_id": "seven"}),
        json!({"user_id": "seven"}),
    );
    let event = verified(&body);
    assert!(matches!(event.data(), EventData::Other(v) if v["user_id"] == "seven"));
    let why = event.data_error().expect("a reason");
    assert!(why.contains("rankrecord.updated"), "{why}");
    // serde's reason, naming what was wrong, and where: the line and column are the
    // delivery's own, at the `"seven"` inside `data` (not the one in `changes`, before it).
    assert!(why.contains("invalid type: string \"seven\""), "{why}");
    let column: usize = why
        .rsplit_once(" at line 1 column ")
        .and_then(|(_, c)| c.parse().ok())
        .unwrap_or_else(|| panic!("no position in {why}"));
    let before = std::str::from_utf8(&body[..column]).unwrap();
    assert!(
        before.ends_with("\"seven\"") && before.contains("\"data\":"),
        "{why}"
    );
    assert_eq!(event.changes()["user_id"], "seven");
}

#[test]
fn optional_payload_fields_are_read_tolerantly() {
    // PHP's DateTime object for `created`, no ids, `changes` as null.
    let body = br##"{"event":"calendar.created","created":{"date":"2026-05-16 23:49:04.000000","timezone_type":3,"timezone":"UTC"},"request_id":null,"data":{"id":1,"name":"Ops","color":"#000000"},"changes":null}"##;
    let event = verified(body);
    assert_eq!(
        event.created().unwrap().to_utc().to_rfc3339(),
        "2026-05-16T23:49:04+00:00"
    );
    assert_eq!(event.request_id(), None);
    assert_eq!(event.dedup_key(), None);
    assert!(event.changes().is_empty());
    // A Unix time, numeric ids, and a PHP list as `changes`.
    let body = br##"{"event":"calendar.updated","created":1779000000,"request_id":12,"trace_id":"","data":{"id":"1","name":"Ops","color":"#000000"},"changes":["color"]}"##;
    let event = verified(body);
    assert_eq!(event.created().unwrap().to_utc().timestamp(), 1_779_000_000);
    assert_eq!(event.request_id(), Some("12"));
    assert_eq!(event.trace_id(), None);
    assert_eq!(event.resource_id(), Some(1));
    assert_eq!(event.changes()["0"], "color");
    // No `data` at all.
    let event = verified(br#"{"event":"user.deleted"}"#);
    assert!(matches!(event.data(), EventData::Other(Value::Null)));
    assert!(event.data_error().is_some());
    // An unreadable `created` is left out rather than failing the event.
    let event = verified(br#"{"event":"webhook.test","created":"yesterday","data":[]}"#);
    assert_eq!(event.created(), None);
}

#[test]
fn dedup_keys_repeat_for_a_retry_and_differ_between_events() {
    let first = payload("user.created", sample("user"), json!([]));
    let retry = first.clone();
    let mut other_user = sample("user");
    other_user["id"] = json!(42);
    let second = payload("user.created", other_user, json!([]));
    let update = payload("user.updated", sample("user"), json!({"name": "x"}));
    let keys: Vec<String> = [&first, &retry, &second, &update]
        .iter()
        .map(|b| verified(b).dedup_key().unwrap())
        .collect();
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
    assert_ne!(keys[0], keys[3]);
}

#[test]
fn errors_never_show_the_secret_or_the_expected_signature() {
    let body = payload("user.created", sample("user"), json!([]));
    let good = signed(&body);
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let expected_for_tampered = signed(&tampered);
    let failures = [
        webhooks::verify(&tampered, Some(&good), &secret()).unwrap_err(),
        webhooks::verify(&body, None, &secret()).unwrap_err(),
        webhooks::verify(&body, Some("00"), &secret()).unwrap_err(),
        webhooks::verify_request("GET", &body, Some(&good), &secret()).unwrap_err(),
        webhooks::verify(b"nope", Some(&signed(b"nope")), &secret()).unwrap_err(),
    ];
    for e in failures {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(&expected_for_tampered), "{shown}");
        assert!(!shown.contains(&good), "{shown}");
    }
}

mod sandbox {
    //! A receiver (axum) registered with the sandbox: the sandbox's PERSCOM delivers the
    //! changes made through the client, signed with the test's secret.

    use super::{SECRET, secret};
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    use permkit::perscom::Client;
    use permkit::perscom::types::{
        RankRecordCreateNested, UserBatchCreate, UserCreate, UserUpdate,
    };
    use permkit::perscom::webhooks::{self, EventData, EventName, WebhookEvent};
    use permkit::{ErrorKind, Secret};
    use permkit_sandbox::{PerscomWebhook, Sandbox, WebhookMethod};
    use serde_json::json;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::mpsc;

    /// One delivery as the receiver saw it, and what verifying it gave.
    struct Delivery {
        method: String,
        query: Option<String>,
        signature: Option<String>,
        body: Bytes,
        verified: permkit::Result<WebhookEvent>,
    }

    struct Receiver {
        secret: Secret,
        seen: mpsc::UnboundedSender<Delivery>,
    }

    async fn deliver(
        State(rx): State<Arc<Receiver>>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let signature = headers
            .get(webhooks::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        let verified = webhooks::verify_request(method.as_str(), &body, signature, &rx.secret);
        let status = match &verified {
            Ok(_) => StatusCode::NO_CONTENT,
            Err(e) if e.kind() == ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            Err(_) => StatusCode::BAD_REQUEST,
        };
        let _ = rx.seen.send(Delivery {
            method: method.to_string(),
            query: uri.query().map(str::to_string),
            signature: signature.map(str::to_string),
            body,
            verified,
        });
        status
    }

    /// A receiver on a free loopback port that verifies with `secret`: its URL and what it
    /// receives.
    async fn receiver(secret: &str) -> (String, mpsc::UnboundedReceiver<Delivery>) {
        let (seen, deliveries) = mpsc::unbounded_channel();
        let state = Arc::new(Receiver {
            secret: Secret::new(secret),
            seen,
        });
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(deliver).get(deliver))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, deliveries)
    }

    async fn next(deliveries: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
        tokio::time::timeout(Duration::from_secs(10), deliveries.recv())
            .await
            .expect("no delivery within 10 s")
            .expect("the receiver stopped")
    }

    /// The sandbox's delivery log once it holds `n` attempts (an attempt is logged after the
    /// receiver has answered, so just after the receiver saw it the log may lag).
    async fn log_of(sandbox: &Sandbox, n: usize) -> Vec<permkit_sandbox::WebhookDelivery> {
        let mut log = sandbox.webhook_deliveries();
        for _ in 0..100 {
            if log.len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            log = sandbox.webhook_deliveries();
        }
        log
    }

    fn client(sandbox: &Sandbox) -> Client {
        Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_API_KEY)
            .build()
            .unwrap()
    }

    fn new_user(email: &str) -> UserCreate {
        serde_json::from_value(json!({"name": "Pat Recruit", "email": email, "rank_id": 1}))
            .unwrap()
    }

    #[tokio::test]
    async fn a_users_create_update_and_delete_arrive_signed_and_typed() {
        let sandbox = Sandbox::start().await;
        let (url, mut deliveries) = receiver(SECRET).await;
        sandbox.register_perscom_webhook(PerscomWebhook::new(url.clone(), SECRET));
        let c = client(&sandbox);

        let created = c
            .create_user()
            .body(new_user("pat.hooks@example.mil"))
            .send_with_meta()
            .await
            .unwrap();
        let id = created.value().id;
        let request_id = created
            .headers()
            .get("x-perscom-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let d = next(&mut deliveries).await;
        assert_eq!(d.method, "POST");
        let event = d.verified.unwrap();
        assert_eq!(event.event_name(), &EventName::UserCreated);
        assert_eq!(event.request_id(), Some(request_id.as_str()));
        assert!(event.trace_id().is_some());
        assert!(event.created().is_some());
        assert!(event.changes().is_empty());
        let EventData::User(user) = event.data() else {
            panic!("{:?}", event.data())
        };
        assert_eq!(
            (user.id, user.email.as_str()),
            (id, "pat.hooks@example.mil")
        );
        // The body is PHP's encoding, byte for byte what was signed.
        assert_eq!(
            d.signature.as_deref(),
            Some(webhooks::sign(&d.body, &secret()).as_str())
        );
        assert!(!d.body.contains(&b'\n'));

        let rename = UserUpdate {
            name: Some("Pat Private".into()),
            ..Default::default()
        };
        c.patch_user(id).body(rename).send().await.unwrap();
        let event = next(&mut deliveries).await.verified.unwrap();
        assert_eq!(event.name(), "user.updated");
        assert_eq!(event.changes()["name"], "Pat Private");
        assert!(event.changes().contains_key("updated_at"));
        assert!(!event.changes().contains_key("email"));
        assert!(matches!(event.data(), EventData::User(u) if u.name == "Pat Private"));

        c.delete_user(id).send().await.unwrap();
        let event = next(&mut deliveries).await.verified.unwrap();
        assert_eq!(event.name(), "user.deleted");
        assert_eq!(event.resource_id(), Some(id));

        // Every attempt succeeded at the first try; a read caused no event.
        c.get_user(1).send().await.unwrap();
        let log = log_of(&sandbox, 3).await;
        assert_eq!(log.len(), 3);
        assert!(
            log.iter()
                .all(|d| d.succeeded() && d.attempt == 1 && d.url == url)
        );
        assert!(deliveries.try_recv().is_err());
    }

    #[tokio::test]
    async fn records_are_delivered_and_webhooks_get_only_their_events() {
        let sandbox = Sandbox::start().await;
        let (all_url, mut all) = receiver(SECRET).await;
        let (ranks_url, mut ranks) = receiver("another secret").await;
        sandbox.register_perscom_webhook(PerscomWebhook::new(all_url, SECRET));
        sandbox.register_perscom_webhook(
            PerscomWebhook::new(ranks_url, "another secret").events(["rankrecord.created"]),
        );
        let c = client(&sandbox);
        let promotion: RankRecordCreateNested =
            serde_json::from_value(json!({"rank_id": 2, "type": 0, "text": "Promoted"})).unwrap();
        let record = c
            .create_user_rank_record(5)
            .body(promotion)
            .send()
            .await
            .unwrap();
        for deliveries in [&mut all, &mut ranks] {
            let event = next(deliveries).await.verified.unwrap();
            assert_eq!(event.event_name(), &EventName::RankRecordCreated);
            let EventData::RankRecord(r) = event.data() else {
                panic!("{:?}", event.data())
            };
            assert_eq!((r.id, r.user_id, r.rank_id), (record.id, 5, 2));
        }
        // A batch: one request, two events sharing its request id, told apart by dedup key.
        let batch = json!({"resources": [
            {"name": "A One", "email": "a.one@example.mil"},
            {"name": "B Two", "email": "b.two@example.mil"},
        ]});
        c.batch_create_users()
            .body(serde_json::from_value::<UserBatchCreate>(batch).unwrap())
            .send()
            .await
            .unwrap();
        let a = next(&mut all).await.verified.unwrap();
        let b = next(&mut all).await.verified.unwrap();
        assert_eq!((a.name(), b.name()), ("user.created", "user.created"));
        assert_eq!(a.request_id(), b.request_id());
        assert_ne!(a.dedup_key(), b.dedup_key());
        // The rank-record webhook did not get the users.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(ranks.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_receiver_with_the_wrong_secret_refuses_and_the_sandbox_tries_three_times() {
        let sandbox = Sandbox::start().await;
        let (url, mut deliveries) = receiver("not the webhook's secret").await;
        sandbox.register_perscom_webhook(PerscomWebhook::new(url, SECRET));
        client(&sandbox)
            .create_user()
            .body(new_user("pat.refused@example.mil"))
            .send()
            .await
            .unwrap();
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let d = next(&mut deliveries).await;
            assert_eq!(d.verified.unwrap_err().kind(), ErrorKind::Unauthorized);
            // Signed with the webhook's secret: the right receiver would have accepted it.
            assert!(webhooks::verify(&d.body, d.signature.as_deref(), &secret()).is_ok());
            bodies.push(d.body);
        }
        // A retry carries the same body.
        assert!(bodies.windows(2).all(|w| w[0] == w[1]));
        let log = log_of(&sandbox, 3).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(deliveries.try_recv().is_err());
        assert_eq!(
            log.iter()
                .map(|d| (d.attempt, d.status))
                .collect::<Vec<_>>(),
            [(1, Some(401)), (2, Some(401)), (3, Some(401))]
        );
    }

    #[tokio::test]
    async fn a_get_webhook_puts_the_payload_in_the_query_and_is_refused() {
        let sandbox = Sandbox::start().await;
        let (url, mut deliveries) = receiver(SECRET).await;
        sandbox.register_perscom_webhook(
            PerscomWebhook::new(url, SECRET)
                .events(["user.created"])
                .method(WebhookMethod::Get),
        );
        client(&sandbox)
            .create_user()
            .body(new_user("pat.get@example.mil"))
            .send()
            .await
            .unwrap();
        let d = next(&mut deliveries).await;
        assert_eq!(d.method, "GET");
        assert!(d.body.is_empty());
        assert!(d.signature.is_some());
        let query = d.query.unwrap();
        assert!(query.starts_with("event=user.created&created="), "{query}");
        assert!(
            query.contains("&data%5Bemail%5D=pat.get%40example.mil"),
            "{query}"
        );
        let e = d.verified.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(e.message().contains("query string"));
    }
}
