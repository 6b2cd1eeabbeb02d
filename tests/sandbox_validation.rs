//! The sandbox refuses what the APIs would: query parameters outside the spec (a bad PERSCOM
//! `include`, `page` below 1, an enum value the spec does not list, a malformed UUID, an
//! Intacct query `size` above 4,000) get the API's own validation error. Sent raw, since the
//! SDK itself refuses most of these before sending.
#![cfg(feature = "sandbox")]

use permkit::sandbox::Sandbox;
use serde_json::{Value, json};

async fn get(url: String, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn perscom_answers_422_with_the_fields() {
    let sandbox = Sandbox::start().await;
    let base = format!("{}/v2", sandbox.perscom_url());
    let key = Sandbox::PERSCOM_API_KEY;
    let (status, body) = get(format!("{base}/users?page=0"), key).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["type"], "ValidationException");
    assert_eq!(
        body["error"]["errors"]["page"][0],
        "The page field must be at least 1."
    );

    let (status, body) = get(format!("{base}/users/1/rank-records?include=medals"), key).await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["errors"]["include"][0]
            .as_str()
            .unwrap()
            .contains("medals")
    );

    let (status, body) = get(format!("{base}/users?limit=ten"), key).await;
    assert_eq!(
        (status, &body["error"]["errors"]["limit"][0]),
        (422, &json!("The limit field must be an integer."))
    );

    // Nested includes the spec's whitelist allows pass.
    let (status, _) = get(
        format!("{base}/users/1/rank-records?include=rank,author"),
        key,
    )
    .await;
    assert_eq!(status, 200);
    // Refused requests are logged with the status they got.
    let statuses: Vec<_> = sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(422), Some(422), Some(422), Some(200)]);
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn permission_assist_answers_400_validation_error() {
    let sandbox = Sandbox::start().await;
    let base = sandbox.permission_assist_url();
    let token = Sandbox::PERMISSION_ASSIST_TOKEN;
    let (status, body) = get(format!("{base}/access-requests?status=Lost"), token).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "validation_error");
    assert_eq!(
        body["errors"][0],
        json!({"field": "status", "message": "The selected status is invalid."})
    );

    let (status, body) = get(
        format!("{base}/application-imports?applicationId=nope"),
        token,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "applicationId");
    assert_eq!(body["correlationId"].as_str().map(str::len), Some(32));
}

#[cfg(feature = "intacct")]
#[tokio::test]
async fn intacct_refuses_a_query_size_above_4000() {
    let sandbox = Sandbox::start().await;
    let r = reqwest::Client::new()
        .post(format!("{}/services/core/query", sandbox.intacct_url()))
        .bearer_auth(Sandbox::INTACCT_TOKEN)
        .json(&json!({"object": "company-config/permission", "fields": ["key"], "size": 4001}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["ia::result"]["ia::error"]["code"], "invalidRequest");

    let (status, body) = get(
        format!(
            "{}/services/core/model?name=user&schema=maybe",
            sandbox.intacct_url()
        ),
        Sandbox::INTACCT_TOKEN,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["ia::result"]["ia::error"]["details"][0]["target"],
        "schema"
    );
}
