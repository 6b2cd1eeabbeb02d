#![cfg(feature = "intacct")]
//! Intacct error bodies through a real call: `ia::result -> ia::error`, the top-level
//! `ia::error`, multi-item results, `{"error": ...}` shapes, non-JSON and empty bodies, and the
//! retry-after headers on 429 and 503.

use permkit::intacct::Client;
use permkit::{Error, ErrorKind, RetryPolicy};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn failing(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ia/api/v1/objects/company-config/role/24"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_role("24").send().await.unwrap_err()
}

#[tokio::test]
async fn sage_documented_400_with_details() {
    let body = json!({"ia::result": {"ia::error": {
        "code": "invalidRequest", "message": "Payload contains errors", "errorId": "REST-1064",
        "additionalInfo": {"messageId": "IA.PAYLOAD_CONTAINS_ERRORS", "placeholders": {}, "propertySet": {}},
        "supportId": "Kxi78%7EZuyXBDEGVHD2UmO1phYXDQAAAAo",
        "details": [
            {"code": "invalidRequest", "message": "/newDate is not a valid field", "errorId": "REST-1043", "target": "/newDate",
             "additionalInfo": {"messageId": "IA.NOT_A_VALID_FIELD", "placeholders": {"FIELD": "/newDate"}, "propertySet": {}}},
            {"code": "invalidRequest", "message": "/id is required", "errorId": "REST-1040", "target": "/id"}
        ]}},
        "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1}});
    let e = failing(
        ResponseTemplate::new(400)
            .insert_header("X-Request-Id", "req-7f3a")
            .set_body_json(body),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("invalidRequest"));
    assert_eq!(e.message(), "Payload contains errors");
    // `errorId` names the kind of error; the request id comes from the response headers.
    assert_eq!(e.error_id(), Some("REST-1064"));
    assert_eq!(e.request_id(), Some("req-7f3a"));
    assert_eq!(e.support_id(), Some("Kxi78%7EZuyXBDEGVHD2UmO1phYXDQAAAAo"));
    assert_eq!(e.operation(), Some("get_role"));
    let fields: Vec<_> = e
        .field_errors()
        .iter()
        .map(|f| (f.field.as_deref(), f.code.as_deref()))
        .collect();
    assert_eq!(
        fields,
        [
            (Some("/newDate"), Some("REST-1043")),
            (Some("/id"), Some("REST-1040"))
        ]
    );
    let line = e.to_string();
    assert!(
        line.contains("/newDate: /newDate is not a valid field") && line.contains("support Kxi78"),
        "{line}"
    );
    assert!(!line.contains('\n'));
}

#[tokio::test]
async fn top_level_ia_error() {
    let body = json!({"ia::error": {"code": "notFound", "message": "Role 24 was not found", "errorId": "REST-1026"}, "ia::meta": {"totalCount": 1, "totalError": 1}});
    let e = failing(ResponseTemplate::new(404).set_body_json(body)).await;
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.code(), Some("notFound"));
    assert_eq!(e.error_id(), Some("REST-1026"));
    assert_eq!(e.request_id(), None);
}

#[tokio::test]
async fn ia_meta_inside_ia_result_as_sage_schema_writes_it() {
    let body = json!({"ia::result": {"ia::error": {"code": "forbidden", "message": "No permission"}, "ia::meta": {"totalCount": 1}}});
    let e = failing(ResponseTemplate::new(403).set_body_json(body)).await;
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.message(), "No permission");
}

#[tokio::test]
async fn business_rule_422_is_unprocessable_with_its_detail_code() {
    let body = json!({"ia::result": {"ia::error": {"code": "operationFailed", "message": "Deleting the user failed", "errorId": "REST-2014",
        "details": [{"code": "BL01001973", "message": "A user who has logged in cannot be deleted"}]}}});
    let e = failing(ResponseTemplate::new(422).set_body_json(body)).await;
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    assert_eq!(e.field_errors()[0].code.as_deref(), Some("BL01001973"));
    assert_eq!(e.field_errors()[0].field, None);
}

#[tokio::test]
async fn a_422_with_targets_is_validation() {
    let body = json!({"ia::result": {"ia::error": {"code": "invalidRequest", "message": "Invalid values",
        "details": [{"message": "must be business", "target": "/userType"}]}}});
    let e = failing(ResponseTemplate::new(422).set_body_json(body)).await;
    assert_eq!(e.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn per_item_errors_of_a_multi_item_result_are_kept() {
    let body = json!({"ia::result": [
        {"key": "1", "id": "R1", "href": "/objects/company-config/role/1"},
        {"ia::status": 400, "ia::result": {"ia::error": {"code": "invalidRequest", "message": "Payload contains errors", "errorId": "REST-1064",
            "details": [{"message": "/id is required", "target": "/id", "errorId": "REST-1040"}]}}},
        {"ia::error": {"code": "conflict", "message": "Duplicate id", "errorId": "REST-1067"}}
    ], "ia::meta": {"totalCount": 3, "totalSuccess": 1, "totalError": 2}});
    let e = failing(ResponseTemplate::new(400).set_body_json(body)).await;
    assert_eq!(e.message(), "2 of 3 items failed");
    let fields: Vec<_> = e
        .field_errors()
        .iter()
        .map(|f| f.field.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        fields,
        ["ia::result[1]", "ia::result[1]/id", "ia::result[2]"]
    );
    assert_eq!(e.field_errors()[2].code.as_deref(), Some("REST-1067"));
}

#[tokio::test]
async fn error_object_under_a_plain_error_key() {
    let e = failing(
        ResponseTemplate::new(400)
            .set_body_json(json!({"error": {"code": "invalidRequest", "message": "Bad filter"}})),
    )
    .await;
    assert_eq!(e.code(), Some("invalidRequest"));
    assert_eq!(e.message(), "Bad filter");
}

#[tokio::test]
async fn invalid_token_sent_as_400_is_unauthorized_by_its_code() {
    let e = failing(ResponseTemplate::new(400).set_body_json(
        json!({"ia::result": {"ia::error": {"code": "GW-0031", "message": "Invalid token"}}}),
    ))
    .await;
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn html_from_a_proxy_keeps_status_and_excerpt() {
    let e = failing(ResponseTemplate::new(502).set_body_raw(
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "text/html",
    ))
    .await;
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.status(), Some(502));
    assert!(e.body_excerpt().unwrap().contains("502 Bad Gateway"));
}

#[tokio::test]
async fn empty_and_truncated_bodies() {
    let e = failing(ResponseTemplate::new(500)).await;
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(e.message().contains("empty body"), "{e}");
    let e = failing(ResponseTemplate::new(400).set_body_raw(
        r#"{"ia::result": {"ia::error": {"code": "inva"#,
        "application/json",
    ))
    .await;
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.body_excerpt().unwrap().starts_with("{\"ia::result\""));
}

#[tokio::test]
async fn rate_limit_carries_retry_after_from_intacct_headers() {
    let body =
        json!({"ia::result": {"ia::error": {"code": "GW-0010", "message": "Rate limit exceeded"}}});
    let e = failing(
        ResponseTemplate::new(429)
            .insert_header("X-IA-Hour-Rate-Limit-Retry-After", "120")
            .set_body_json(body),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert!(e.is_retryable());
}

#[tokio::test]
async fn retry_after_header_first_then_intacct_headers() {
    let e = failing(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "7")
            .insert_header("X-IA-Throttle-Limit-Retry-After", "30"),
    )
    .await;
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn unavailable_503_with_the_table_spelling() {
    let e = failing(
        ResponseTemplate::new(503)
            .insert_header("X-IA-Throttle-Limit-RetryAfter", "4")
            .set_body_string("Service Unavailable"),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(4)));
    assert_eq!(e.body_excerpt(), Some("Service Unavailable"));
}

#[test]
fn multi_status_helper_reports_failed_items_only() {
    use permkit::intacct::{multi_status_error, types::MultiStatusResponse};
    let ok: MultiStatusResponse =
        serde_json::from_value(json!({"ia::result": [{"key": "1"}]})).unwrap();
    assert!(multi_status_error(&ok).is_none());
    let bad: MultiStatusResponse = serde_json::from_value(json!({"ia::result": [{"key": "1"},
        {"ia::status": 404, "ia::result": {"ia::error": {"code": "notFound", "message": "gone", "supportId": "S1"}}}]})).unwrap();
    let e = multi_status_error(&bad).unwrap();
    assert_eq!(e.code(), Some("notFound"));
    assert_eq!(e.support_id(), Some("S1"));
    assert_eq!(e.field_errors().len(), 1);
}
