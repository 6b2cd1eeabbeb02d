//! The sandbox refuses what the APIs would: query parameters outside the spec (a bad PERSCOM
//! `include`, `page` below 1, an enum value the spec does not list, a malformed UUID, an
//! Intacct query `size` above 4,000) get the API's own validation error, and so do JSON bodies
//! outside the operation's body schema (a missing required field, a wrong type, an unknown enum
//! value, a malformed UUID or date-time). Sent raw, since the SDK itself refuses most of these
//! before sending.

use super::http::get;
use permkit_sandbox::Sandbox;
use serde_json::{Value, json};

async fn send(method: reqwest::Method, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

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

#[tokio::test]
async fn perscom_refuses_bodies_outside_the_schema_with_422() {
    let sandbox = Sandbox::start().await;
    let base = format!("{}/v2", sandbox.perscom_url());
    let key = Sandbox::PERSCOM_API_KEY;
    let post =
        |path: &str, body: Value| send(reqwest::Method::POST, format!("{base}{path}"), key, body);
    // A missing required field.
    let (status, body) = post(
        "/announcements",
        json!({"title": "Drill", "color": "#112233"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["type"], "ValidationException");
    assert_eq!(
        body["error"]["errors"]["content"][0],
        "The content field is required."
    );
    // A wrong type, and a null where the spec does not allow one.
    let (status, body) = post(
        "/announcements",
        json!({"title": 7, "content": null, "color": "#112233"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["errors"]["title"][0],
        "The title field must be a string."
    );
    assert_eq!(
        body["error"]["errors"]["content"][0],
        "The content field must be a string."
    );
    // A malformed date-time and e-mail address.
    let (status, body) = post(
        "/announcements",
        json!({"title": "Drill", "content": "x", "color": "#112233", "expires_at": "next week"}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["errors"]["expires_at"][0]),
        (422, &json!("The expires at field must be a valid date."))
    );
    let (status, body) = post("/users", json!({"name": "Jo", "email": "jo at example"})).await;
    assert_eq!(
        (status, &body["error"]["errors"]["email"][0]),
        (
            422,
            &json!("The email field must be a valid email address.")
        )
    );
    // What the schema allows passes, extra fields included.
    let (status, _) = post(
        "/users",
        json!({"name": "Jo", "email": "jo@example.com", "rank_id": null, "extra": 1}),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn permission_assist_refuses_bodies_outside_the_schema_with_400() {
    let sandbox = Sandbox::start().await;
    let base = sandbox.permission_assist_url();
    let token = Sandbox::PERMISSION_ASSIST_TOKEN;
    let post =
        |path: &str, body: Value| send(reqwest::Method::POST, format!("{base}{path}"), token, body);
    let (status, body) = post("/application-imports/cancel", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "validation_error");
    assert_eq!(
        body["errors"][0],
        json!({"field": "applicationImportId", "message": "is required"})
    );
    let (status, body) = post(
        "/application-imports/stage",
        json!({"applicationId": "not-a-uuid"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0],
        json!({"field": "applicationId", "message": "must be a valid UUID"})
    );
    let (status, body) = post("/application-imports/stage", json!({"applicationId": 12})).await;
    assert_eq!(
        (status, &body["errors"][0]["message"]),
        (400, &json!("must be a string"))
    );
    let (status, body) = post(
        "/personnel-events/onboard",
        json!({"identity": {"firstName": "A", "lastName": "B"}, "effectiveDate": "soon"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["errors"].as_array().unwrap().contains(
            &json!({"field": "effectiveDate", "message": "must be an ISO 8601 date-time"})
        ),
        "{body}"
    );
}

#[tokio::test]
async fn intacct_refuses_bodies_outside_the_schema_with_400_invalid_request() {
    let sandbox = Sandbox::start().await;
    let url = format!("{}/objects/company-config/role", sandbox.intacct_url());
    let token = Sandbox::INTACCT_TOKEN;
    let (status, body) = send(
        reqwest::Method::POST,
        url.clone(),
        token,
        json!({"description": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    let error = &body["ia::result"]["ia::error"];
    assert_eq!(error["code"], "invalidRequest");
    assert_eq!(error["details"][0]["target"], "/id");
    assert_eq!(error["details"][0]["message"], "/id is required");

    let (status, body) = send(
        reqwest::Method::POST,
        url.clone(),
        token,
        json!({"id": "Auditors", "roleType": "galactic"}),
    )
    .await;
    assert_eq!(status, 400);
    let detail = &body["ia::result"]["ia::error"]["details"][0];
    assert_eq!(
        (&detail["target"], &detail["message"]),
        (
            &json!("/roleType"),
            &json!("/roleType is not one of the allowed values")
        )
    );

    let (status, body) = send(
        reqwest::Method::POST,
        url.clone(),
        token,
        json!({"id": ["Auditors"]}),
    )
    .await;
    assert_eq!(
        (
            status,
            &body["ia::result"]["ia::error"]["details"][0]["message"]
        ),
        (400, &json!("/id must be a string"))
    );

    let (status, _) = send(
        reqwest::Method::POST,
        url,
        token,
        json!({"id": "Auditors", "roleType": "enterprise"}),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn intacct_refuses_bad_payloads_the_way_sage_does() {
    let sandbox = Sandbox::start().await;
    let url = format!("{}/objects/company-config/role", sandbox.intacct_url());
    let token = Sandbox::INTACCT_TOKEN;
    // An empty required string is missing, and an unknown field is not a valid one: Sage's
    // `Payload contains errors` (REST-1064), not the bad-parameter answer (REST-1009).
    let (status, body) = send(
        reqwest::Method::POST,
        url.clone(),
        token,
        json!({"id": "", "newDate": "2026-01-01"}),
    )
    .await;
    assert_eq!(status, 400);
    let error = &body["ia::result"]["ia::error"];
    assert_eq!(error["code"], "invalidRequest");
    assert_eq!(error["errorId"], "REST-1064");
    assert_eq!(error["message"], "Payload contains errors");
    let details: Vec<(&str, &str, &str)> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["target"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
                d["errorId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        details,
        [
            ("/id", "/id is required", "REST-1040"),
            ("/newDate", "/newDate is not a valid field", "REST-1043"),
        ]
    );
    // A query parameter the spec refuses still gets the bad-parameter answer.
    let (status, body) = get(
        format!(
            "{}/services/core/model?name=user&schema=maybe",
            sandbox.intacct_url()
        ),
        token,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["ia::result"]["ia::error"]["errorId"], "REST-1009");
}

#[tokio::test]
async fn perscom_search_scopes_are_the_ones_the_spec_lists() {
    let sandbox = Sandbox::start().await;
    let base = format!("{}/v2", sandbox.perscom_url());
    let key = Sandbox::PERSCOM_API_KEY;
    let search = |path: &str, body: Value| {
        send(
            reqwest::Method::POST,
            format!("{base}{path}/search"),
            key,
            body,
        )
    };
    // Every scope a resource exposes is taken; flags filter.
    let (status, all) = search("/announcements", json!({})).await;
    assert_eq!(status, 200);
    let (status, enabled) =
        search("/announcements", json!({"scopes": [{"name": "enabled"}]})).await;
    assert_eq!(status, 200);
    let enabled = enabled["data"].as_array().unwrap();
    assert!(enabled.iter().all(|a| a["enabled"] == true));
    let (status, disabled) =
        search("/announcements", json!({"scopes": [{"name": "disabled"}]})).await;
    assert_eq!(status, 200);
    assert_eq!(
        enabled.len() + disabled["data"].as_array().unwrap().len(),
        all["data"].as_array().unwrap().len()
    );
    for (path, scope) in [
        ("/groups", json!({"name": "forManualRoster"})),
        ("/groups", json!({"name": "visible"})),
        ("/calendars", json!({"name": "tags", "parameters": []})),
        (
            "/events",
            json!({"name": "datePeriod", "parameters": ["2020-01-01", "2030-01-01"]}),
        ),
    ] {
        let (status, body) = search(path, json!({"scopes": [scope]})).await;
        assert_eq!(status, 200, "{path} {body}");
    }
    // A scope the resource does not expose, and any scope on one that exposes none: 422.
    for (path, name) in [("/announcements", "hidden"), ("/users", "visible")] {
        let (status, body) = search(path, json!({"scopes": [{"name": name}]})).await;
        assert_eq!(status, 422, "{path} {name}");
        assert_eq!(body["error"]["type"], "ValidationException");
    }
}

#[tokio::test]
async fn perscom_refuses_includes_where_none_are_whitelisted() {
    let sandbox = Sandbox::start().await;
    let key = Sandbox::PERSCOM_API_KEY;
    let (status, body) = get(
        format!("{}/v2/announcements?include=author", sandbox.perscom_url()),
        key,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["type"], "ValidationException");
    let (status, _) = get(format!("{}/v2/announcements", sandbox.perscom_url()), key).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn perscom_keeps_integers_and_only_the_model_fields() {
    let sandbox = Sandbox::start().await;
    let url = format!("{}/v2/awards", sandbox.perscom_url());
    let key = Sandbox::PERSCOM_API_KEY;
    // Integers outside int64, or with a fraction, are not integers.
    for order in [json!(-9.223372036854776e18), json!(1.5), json!(u64::MAX)] {
        let (status, body) = send(
            reqwest::Method::POST,
            url.clone(),
            key,
            json!({"name": "Medal", "order": order}),
        )
        .await;
        assert_eq!(
            (status, &body["error"]["errors"]["order"][0]),
            (422, &json!("The order field must be an integer."))
        );
    }
    // An integral float is stored as an integer; unknown properties are dropped.
    let (status, body) = send(
        reqwest::Method::POST,
        url,
        key,
        json!({"name": "Medal", "order": 3.0, "": true, "__main__": {"x": 1}}),
    )
    .await;
    assert_eq!(status, 201);
    let award = &body["data"];
    assert!(award["order"].is_i64(), "{award}");
    assert_eq!(award["order"], 3);
    assert!(award.get("").is_none() && award.get("__main__").is_none());
}
