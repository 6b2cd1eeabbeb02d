//! The mocks answer as the APIs do where the sandbox used to go wrong: multipart parts with
//! their own headers, paging far past the end, pagination links that stay on the sandbox,
//! PERSCOM's unauthenticated spec and HTML widgets, and 405 for a known path with the wrong
//! method. Sent raw, so that the requests are exactly what the API would receive.

use super::http::get;
use permkit_sandbox::Sandbox;
use serde_json::Value;

const BOUNDARY: &str = "sandbox-test-boundary";

/// One part to send: (name, file name, content type, content).
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart body of `parts`.
fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content_type, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = file_name {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(t) = content_type {
            body.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(url: String, token: &str, body: Vec<u8>) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn permission_assist_upload_parts_may_carry_their_own_headers() {
    let sandbox = Sandbox::start().await;
    let app = Sandbox::PERMISSION_ASSIST_FILE_APPLICATION.to_string();
    let group = Sandbox::PERMISSION_ASSIST_FILE_GROUP.to_string();
    let body = multipart(&[
        ("applicationId", None, Some("text/plain"), app.as_bytes()),
        (
            &group,
            Some("emp.csv"),
            Some("text/csv"),
            b"id,first,last\n1,Ada,Lovelace\n",
        ),
    ]);
    let url = format!(
        "{}/application-imports/upload",
        sandbox.permission_assist_url()
    );
    let (status, import) = post_multipart(url, Sandbox::PERMISSION_ASSIST_TOKEN, body).await;
    assert_eq!(status, 201, "{import}");
    assert_eq!(import["application"]["id"], app.as_str());
    assert_eq!(import["files"][0]["name"], "emp.csv");
}

#[tokio::test]
async fn permission_assist_upload_file_names_from_the_sdk() {
    use permkit::upload::FilePart;
    let sandbox = Sandbox::start().await;
    let client = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .build()
        .unwrap();
    let part = FilePart::from_bytes(&b"id,first,last\n1,Ada,Lovelace\n"[..], "emp.csv");
    let import = client
        .upload_application_import(Sandbox::PERMISSION_ASSIST_FILE_APPLICATION)
        .file(Sandbox::PERMISSION_ASSIST_FILE_GROUP, part)
        .send()
        .await
        .unwrap();
    let files = serde_json::to_value(&import.files).unwrap();
    assert_eq!(files[0]["name"], "emp.csv", "{files}");
}

#[tokio::test]
async fn permission_assist_upload_reads_quoted_and_escaped_names() {
    let sandbox = Sandbox::start().await;
    let app = Sandbox::PERMISSION_ASSIST_FILE_APPLICATION.to_string();
    let group = Sandbox::PERMISSION_ASSIST_FILE_GROUP.to_string();
    // Header names in any case, a `;` and an escaped quote inside the quoted file name.
    let body = format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"applicationId\"\r\n\
         content-type: text/plain; charset=utf-8\r\n\r\n{app}\r\n\
         --{BOUNDARY}\r\nContent-Type: text/csv\r\n\
         Content-Disposition: form-data; filename=\"a;b \\\"c\\\".csv\"; name=\"{group}\"\r\n\r\n\
         id\r\n1\r\n--{BOUNDARY}--\r\n"
    );
    let url = format!(
        "{}/application-imports/upload",
        sandbox.permission_assist_url()
    );
    let (status, import) =
        post_multipart(url, Sandbox::PERMISSION_ASSIST_TOKEN, body.into_bytes()).await;
    assert_eq!(status, 201, "{import}");
    assert_eq!(import["files"][0]["name"], "a;b \"c\".csv");
}

#[tokio::test]
async fn perscom_image_upload_parts_may_carry_their_own_headers() {
    let sandbox = Sandbox::start().await;
    let body = multipart(&[
        ("name", None, Some("text/plain"), b"Crest"),
        (
            "image",
            Some("crest.png"),
            Some("image/png"),
            b"\x89PNG\r\n",
        ),
    ]);
    let url = format!("{}/v2/awards/1/image", sandbox.perscom_url());
    let (status, image) = post_multipart(url, Sandbox::PERSCOM_API_KEY, body).await;
    assert_eq!(status, 201, "{image}");
    assert_eq!(image["data"]["name"], "Crest");
    assert_eq!(image["data"]["filename"], "crest.png");

    // No space after `;` (RFC 6266 allows none), lower-case header names, an escaped quote.
    let body = format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data;name=\"name\"\r\n\r\nSeal\r\n\
         --{BOUNDARY}\r\ncontent-type: image/png\r\n\
         content-disposition: form-data;name=\"image\";filename=\"the \\\"seal\\\".png\"\r\n\r\n\
         PNG\r\n--{BOUNDARY}--\r\n"
    );
    let url = format!("{}/v2/awards/2/image", sandbox.perscom_url());
    let (status, image) = post_multipart(url, Sandbox::PERSCOM_API_KEY, body.into_bytes()).await;
    assert_eq!(status, 201, "{image}");
    assert_eq!(image["data"]["name"], "Seal");
    assert_eq!(image["data"]["filename"], "the \"seal\".png");
}

#[tokio::test]
async fn perscom_pages_far_past_the_end_are_empty() {
    let sandbox = Sandbox::start().await;
    let key = Sandbox::PERSCOM_API_KEY;
    let base = format!("{}/v2/users", sandbox.perscom_url());
    let max = i64::MAX;
    let (status, page) = get(format!("{base}?page={max}&limit=100"), key).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"], serde_json::json!([]));
    assert_eq!(page["meta"]["current_page"], max);
    assert_eq!(page["meta"]["last_page"], 3);
    assert_eq!(page["meta"]["total"], 300);
    assert_eq!(page["meta"]["per_page"], 100);
    assert!(page["meta"]["from"].is_null() && page["meta"]["to"].is_null());
    assert!(page["links"]["next"].is_null());
    assert_eq!(
        page["links"]["prev"],
        format!("{base}?page={}", max - 1).as_str()
    );

    for query in [
        format!("page=2&limit={max}"),
        format!("page={max}&limit={max}"),
    ] {
        let (status, page) = get(format!("{base}?{query}"), key).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(page["data"], serde_json::json!([]), "{query}");
        assert_eq!(page["meta"]["last_page"], 1, "{query}");
        assert!(page["links"]["next"].is_null(), "{query}");
    }
    // The whole roster on one page.
    let (status, page) = get(format!("{base}?limit={max}"), key).await;
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 300);
    assert_eq!(page["meta"]["to"], 300);
}

#[tokio::test]
async fn permission_assist_and_intacct_pages_far_past_the_end_are_empty() {
    let sandbox = Sandbox::start().await;
    let max = i64::MAX;
    let url = format!("{}/identities?page={max}", sandbox.permission_assist_url());
    let (status, page) = get(url, Sandbox::PERMISSION_ASSIST_TOKEN).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"], serde_json::json!([]));
    assert_eq!(page["page"], max);
    assert_eq!(page["totalCount"], 230);

    let url = format!("{}/services/core/query", sandbox.intacct_url());
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(Sandbox::INTACCT_TOKEN)
        .json(
            &serde_json::json!({"object": "company-config/user", "fields": ["key"],
                                  "start": u64::MAX, "size": 4000}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["ia::result"], serde_json::json!([]), "{page}");
    assert!(page["ia::meta"]["next"].is_null());
}

#[tokio::test]
async fn perscom_links_stay_on_the_sandbox() {
    let sandbox = Sandbox::start().await;
    let key = Sandbox::PERSCOM_API_KEY;
    let base = format!("{}/v2/users", sandbox.perscom_url());
    let (status, first) = get(format!("{base}?limit=100"), key).await;
    assert_eq!(status, 200);
    assert_eq!(first["meta"]["path"], base.as_str());
    assert_eq!(first["links"]["first"], format!("{base}?page=1").as_str());
    assert_eq!(first["links"]["last"], format!("{base}?page=3").as_str());
    assert_eq!(
        first["meta"]["links"][1]["url"],
        format!("{base}?page=1").as_str()
    );
    // Following `next` reaches page 2 on the same sandbox.
    let next = first["links"]["next"].as_str().unwrap().to_string();
    assert_eq!(next, format!("{base}?page=2"));
    let (status, second) = get(next, key).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["meta"]["current_page"], 2);
    assert_eq!(second["links"]["prev"], format!("{base}?page=1").as_str());

    // Behind a proxy that says where the client reached it.
    let r = reqwest::Client::new()
        .get(format!("{base}?page=1"))
        .bearer_auth(key)
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "perscom.example.test:8443")
        .send()
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(
        page["links"]["next"],
        "https://perscom.example.test:8443/perscom/v2/users?page=2"
    );
}

#[tokio::test]
async fn perscom_serves_its_spec_without_auth() {
    let sandbox = Sandbox::start().await;
    let r = reqwest::get(format!("{}/spec.json", sandbox.perscom_url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let spec: Value = r.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        spec["paths"]["/spec.json"]["get"]["operationId"],
        "get_spec"
    );
    assert!(spec["paths"]["/{version}/users"]["get"].is_object());
}

async fn get_html(url: String) -> (u16, String, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    (status, content_type, r.text().await.unwrap())
}

#[tokio::test]
async fn perscom_widgets_answer_html() {
    let sandbox = Sandbox::start().await;
    let base = format!("{}/v2/widgets", sandbox.perscom_url());
    let key = Sandbox::PERSCOM_API_KEY;
    for widget in [
        "awards",
        "calendar",
        "forms",
        "positions",
        "qualifications",
        "ranks",
        "roster",
        "specialties",
    ] {
        let (status, content_type, page) = get_html(format!("{base}/{widget}?apikey={key}")).await;
        assert_eq!(status, 200, "{widget}: {page}");
        assert!(content_type.starts_with("text/html"), "{widget}");
        assert!(page.starts_with("<!DOCTYPE html>"), "{widget}");
        assert!(
            page.contains(&format!("data-widget=\"{widget}\"")),
            "{widget}"
        );
    }
    // The first rank is listed; one form by id, in the dark theme.
    let (_, _, page) = get_html(format!("{base}/ranks?apikey={key}")).await;
    assert!(page.contains("Private"), "{page}");
    let (status, _, page) = get_html(format!("{base}/forms/1?apikey={key}&dark=true")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("class=\"dark\""));
    assert!(page.contains("<article data-id=\"1\">"));

    // Errors are HTML pages too.
    for (url, want) in [
        (format!("{base}/ranks"), 401),
        (format!("{base}/medals?apikey={key}"), 404),
        (format!("{base}/forms/999?apikey={key}"), 404),
    ] {
        let (status, content_type, _) = get_html(url.clone()).await;
        assert_eq!(status, want, "{url}");
        assert!(content_type.starts_with("text/html"), "{url}");
    }
    // A query the spec refuses is an HTML page as well.
    let (status, content_type, _) = get_html(format!("{base}/ranks?apikey={key}&dark=maybe")).await;
    assert_eq!(status, 422);
    assert!(content_type.starts_with("text/html"));

    // The widgets' Livewire endpoint: no components to update, errors as HTML.
    let livewire = |body: &'static str, key: Option<&'static str>| {
        let mut r = reqwest::Client::new()
            .post(format!("{base}/livewire/update"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = key {
            r = r.bearer_auth(key);
        }
        async move {
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
            (status, content_type)
        }
    };
    let (status, content_type) = livewire(r#"{"components": []}"#, Some(key)).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    for (body, key, want) in [
        (r#"{"components": [{"snapshot": "{}"}]}"#, Some(key), 404),
        ("[]", Some(key), 422),
        ("{}", None, 401),
    ] {
        let (status, content_type) = livewire(body, key).await;
        assert_eq!(status, want, "{body}");
        assert!(content_type.starts_with("text/html"), "{body}");
    }
}

async fn send_raw(method: &str, url: String, token: &str) -> (u16, Option<String>, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let r = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let allow = r
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), allow, r.json().await.unwrap())
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_a_405() {
    let sandbox = Sandbox::start().await;

    let url = format!("{}/v2/users", sandbox.perscom_url());
    let (status, allow, body) = send_raw("DELETE", url, Sandbox::PERSCOM_API_KEY).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(allow.as_deref(), Some("GET, HEAD, POST"));
    assert_eq!(body["error"]["type"], "MethodNotAllowedHttpException");
    assert_eq!(
        body["error"]["message"],
        "The DELETE method is not supported for route v2/users. Supported methods: GET, HEAD, POST."
    );
    assert!(body["error"]["request_id"].is_string());

    let url = format!("{}/identities", sandbox.permission_assist_url());
    let (status, allow, body) = send_raw("POST", url, Sandbox::PERMISSION_ASSIST_TOKEN).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(allow.as_deref(), Some("GET"));
    assert_eq!(body["error"], "method_not_allowed");
    assert!(body["message"].as_str().unwrap().contains("POST"));
    assert!(body["correlationId"].is_string());

    let url = format!("{}/objects/company-config/role/1", sandbox.intacct_url());
    let (status, allow, body) = send_raw("PUT", url, Sandbox::INTACCT_TOKEN).await;
    assert_eq!(status, 405, "{body}");
    let allow = allow.unwrap();
    assert!(allow.contains("GET") && allow.contains("PATCH"), "{allow}");
    let error = &body["ia::result"]["ia::error"];
    assert_eq!(error["code"], "methodNotAllowed");
    assert_eq!(error["errorId"], "REST-1002");
    assert_eq!(body["ia::meta"]["totalError"], 1);

    // The request log shows what was answered; an unknown path is still the mock's 404.
    let last = sandbox.requests().pop().unwrap();
    assert_eq!((last.status, last.operation_id), (Some(405), None));
    let url = format!("{}/nothing-here", sandbox.permission_assist_url());
    let (status, _, _) = send_raw("POST", url, Sandbox::PERMISSION_ASSIST_TOKEN).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn perscom_serves_every_collection_of_its_spec() {
    let sandbox = Sandbox::start().await;
    let spec: Value = reqwest::get(format!("{}/spec.json", sandbox.perscom_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = Sandbox::PERSCOM_API_KEY;
    let mut listed = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(rest) = path.strip_prefix("/{version}/") else {
            continue;
        };
        let is_list =
            item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .is_some_and(|r| r.ends_with("List"));
        if rest.contains('/') || !is_list {
            continue;
        }
        let (status, page) = get(format!("{}/v2/{rest}", sandbox.perscom_url()), key).await;
        assert_eq!(status, 200, "GET {path}: {page}");
        assert!(page["data"].is_array(), "GET {path}: {page}");
        assert!(page["meta"]["total"].is_u64(), "GET {path}: {page}");
        listed += 1;
    }
    assert!(listed > 30, "{listed}");

    // `include` on `GET /me` takes the users' whitelist, as the spec says.
    let url = format!("{}/v2/me?include=rank", sandbox.perscom_url());
    let (status, me) = get(url, key).await;
    assert_eq!(status, 200, "{me}");
    assert!(me["data"][0]["rank"]["name"].is_string(), "{me}");
}
