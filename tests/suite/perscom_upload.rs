#![cfg(feature = "perscom")]
//! The multipart operations: image sub-resources, images, attachments (with batches), user
//! photos sent as POST with `_method=PUT`; files streamed from disk or a reader.

use crate::common;

use permkit::ErrorKind;
use permkit::perscom::Client;
use permkit::upload::{FilePart, Progress};
use serde_json::json;
use wiremock::matchers::{header_regex, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri()).api_key("k").build().unwrap()
}

/// The text fields and files of a multipart body: (name, filename, content).
fn parts(request: &Request) -> Vec<(String, Option<String>, String)> {
    let ct = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let boundary = ct.split("boundary=").nth(1).unwrap().to_string();
    let body = String::from_utf8_lossy(&request.body).into_owned();
    body.split(&format!("--{boundary}"))
        .filter(|p| p.contains("Content-Disposition"))
        .map(|p| {
            let (head, content) = p.split_once("\r\n\r\n").unwrap();
            let name = head
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            let filename = head
                .split("filename=\"")
                .nth(1)
                .map(|f| f.split('"').next().unwrap().to_string());
            (name, filename, content.trim_end_matches("\r\n").to_string())
        })
        .collect()
}

fn image(id: i64) -> serde_json::Value {
    json!({"data": {"id": id, "name": "Crest", "image_url": "https://cdn/x.png"}})
}

#[tokio::test]
async fn has_one_image_create_and_replace() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/ranks/7/image"))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(image(3)))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sgt.png");
    std::fs::write(&file, b"\x89PNG-pretend").unwrap();
    let progress = Progress::new();
    let created = c
        .create_rank_image(7, "Sergeant", FilePart::from_path(&file).await.unwrap())
        .description("<p>E-5</p>")
        .progress(progress.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, 3);
    assert_eq!(progress.bytes_sent(), 12);
    c.update_rank_image_file(7, FilePart::from_bytes(&b"new"[..], "new.png"))
        .send()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    let first = parts(&reqs[0]);
    assert!(
        first.contains(&("name".into(), None, "Sergeant".into())),
        "{first:?}"
    );
    assert!(first.contains(&("description".into(), None, "<p>E-5</p>".into())));
    assert!(
        first.contains(&(
            "image".into(),
            Some("sgt.png".into()),
            "\u{fffd}PNG-pretend".into()
        )),
        "{first:?}"
    );
    assert!(String::from_utf8_lossy(&reqs[0].body).contains("Content-Type: image/png"));
    let second = parts(&reqs[1]);
    assert_eq!(second[0], ("_method".into(), None, "PUT".into()));
    assert_eq!(
        second[1],
        ("image".into(), Some("new.png".into()), "new".into())
    );
}

#[tokio::test]
async fn user_photos_use_method_spoofing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": 42, "name": "A", "email": "a@b.c", "profile_photo_url": "https://cdn/p.jpg"}})))
        .expect(3)
        .mount(&server)
        .await;
    let c = client(&server);
    let reader = tokio::io::BufReader::new(std::io::Cursor::new(b"jpegdata".to_vec()));
    let u = c
        .update_user_profile_photo(42, FilePart::from_reader(reader, 8, "me.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(u.profile_photo_url.as_deref(), Some("https://cdn/p.jpg"));
    c.update_user_cover_photo(42, FilePart::from_bytes(&b"banner"[..], "banner.webp"))
        .send()
        .await
        .unwrap();
    c.update_user_multipart(42)
        .profile_photo(FilePart::from_bytes(&b"p"[..], "p.jpg"))
        .cover_photo(FilePart::from_bytes(&b"c"[..], "c.jpg"))
        .field("name", "New Name")
        .send()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        parts(&reqs[0]),
        [
            ("_method".into(), None, "PUT".into()),
            (
                "profile_photo".into(),
                Some("me.jpg".into()),
                "jpegdata".into()
            )
        ]
    );
    assert_eq!(parts(&reqs[1])[1].0, "cover_photo");
    let names: Vec<String> = parts(&reqs[2]).into_iter().map(|p| p.0).collect();
    assert_eq!(names, ["_method", "name", "profile_photo", "cover_photo"]);
}

#[tokio::test]
async fn attachments_and_batches_use_bracket_names() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/attachments"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"data": {"id": 1, "name": "Orders"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/users/5/attachments/batch"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": 2, "name": "A"}, {"id": 3, "name": "B"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/events/4/image/9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(image(9)))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.create_attachment("Orders", FilePart::from_bytes(&b"%PDF"[..], "orders.pdf"))
        .model("App\\Models\\User", 5)
        .send()
        .await
        .unwrap();
    let batch = c
        .batch_create_user_attachments(5)
        .add("A", FilePart::from_bytes(&b"a"[..], "a.txt"))
        .add_with(
            [
                ("name".to_string(), "B".to_string()),
                ("model_id".to_string(), "5".to_string()),
            ],
            FilePart::from_bytes(&b"b"[..], "b.txt"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(batch.len(), 2);
    c.update_event_image_multipart(4, 9)
        .name("Final")
        .send()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    let single = parts(&reqs[0]);
    assert_eq!(
        single.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        ["name", "model_type", "model_id", "file"]
    );
    assert!(String::from_utf8_lossy(&reqs[0].body).contains("Content-Type: application/pdf"));
    let names: Vec<String> = parts(&reqs[1]).into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        [
            "resources[0][name]",
            "resources[1][name]",
            "resources[1][model_id]",
            "resources[0][file]",
            "resources[1][file]"
        ]
    );
    assert_eq!(
        parts(&reqs[2]),
        [
            ("_method".into(), None, "PUT".into()),
            ("name".into(), None, "Final".into())
        ]
    );
}

#[tokio::test]
async fn refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    let empty = c
        .create_image("Crest", FilePart::from_bytes(&b""[..], "crest.png"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::Validation);
    let no_name = c
        .create_award_image(1, " ", FilePart::from_bytes(&b"x"[..], "a.png"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(no_name.kind(), ErrorKind::Validation);
    assert!(
        no_name.to_string().contains("`name` is required"),
        "{no_name}"
    );
    let nothing = c.update_attachment_multipart(1).send().await.unwrap_err();
    assert_eq!(nothing.kind(), ErrorKind::Validation);
    let empty_batch = c.batch_create_images().send().await.unwrap_err();
    assert_eq!(empty_batch.kind(), ErrorKind::Validation);
    let missing = FilePart::from_path("/definitely/not/here.png")
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Io);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn upload_errors_are_decoded_with_the_scope() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/images"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"message": "no", "type": "HttpException"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/attachments/batch"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": {"message": "bad", "type": "ValidationException", "errors": {"resources.0.file": ["The file must not be greater than 10240 kilobytes."]}}})))
        .mount(&server)
        .await;
    let c = client(&server);
    let e = c
        .create_image("Crest", FilePart::from_bytes(&b"x"[..], "c.png"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.required_scope(), Some("create:image"));
    let e = c
        .batch_create_attachments()
        .add("A", FilePart::from_bytes(&b"x"[..], "a.bin"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(
        e.field_errors()[0].field.as_deref(),
        Some("resources.0.file")
    );
}

#[test]
fn every_multipart_operation_has_a_method() {
    // The operations the generator cannot take are served by this layer: each one is covered
    // above (or, for the two unversioned ones, in `tests/perscom_client.rs`) by a method of
    // the same name.
    let served = common::perscom::HAND_WRITTEN;
    // They are the spec's operations with a multipart body or a path outside the versioned
    // base path `/{version}`, read from the checked-in document.
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/perscom.yaml"))
            .unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let spec = serde_json::to_value(yaml).unwrap();
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut set_aside: Vec<&str> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !methods.contains(&method.as_str()) {
                continue;
            }
            let mut body = &op["requestBody"];
            if let Some(r) = body["$ref"].as_str() {
                body = spec.pointer(&r[1..]).unwrap();
            }
            let multipart = body["content"]
                .as_object()
                .is_some_and(|c| c.keys().any(|k| k.starts_with("multipart/")));
            if multipart || !path.starts_with("/{version}/") {
                set_aside.push(op["operationId"].as_str().unwrap());
            }
        }
    }
    set_aside.sort();
    let mut served = served.to_vec();
    served.sort();
    assert_eq!(set_aside, served);
}

#[tokio::test]
async fn each_upload_goes_to_its_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path_regex("/batch$"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": 1, "name": "x"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"data": {"id": 1, "name": "x"}})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let f = || FilePart::from_bytes(&b"x"[..], "x.png");
    c.create_award_image(1, "n", f()).send().await.unwrap();
    c.update_award_image_file(1, f()).send().await.unwrap();
    c.create_group_image(2, "n", f()).send().await.unwrap();
    c.update_group_image_file(2, f()).send().await.unwrap();
    c.create_qualification_image(3, "n", f())
        .send()
        .await
        .unwrap();
    c.update_qualification_image_file(3, f())
        .send()
        .await
        .unwrap();
    c.create_unit_image(4, "n", f()).send().await.unwrap();
    c.update_unit_image_file(4, f()).send().await.unwrap();
    c.create_event_image(5, "n", f()).send().await.unwrap();
    c.batch_create_event_images(5)
        .add("n", f())
        .send()
        .await
        .unwrap();
    c.create_image("n", f()).send().await.unwrap();
    c.batch_create_images().add("n", f()).send().await.unwrap();
    c.update_image_multipart(6).file(f()).send().await.unwrap();
    c.batch_create_attachments()
        .add("n", f())
        .send()
        .await
        .unwrap();
    c.update_attachment_multipart(7)
        .file(f())
        .send()
        .await
        .unwrap();
    c.create_user_attachment(8, "n", f()).send().await.unwrap();
    c.update_user_attachment_multipart(8, 9)
        .file(f())
        .send()
        .await
        .unwrap();
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/v2/awards/1/image",
            "/v2/awards/1/image",
            "/v2/groups/2/image",
            "/v2/groups/2/image",
            "/v2/qualifications/3/image",
            "/v2/qualifications/3/image",
            "/v2/units/4/image",
            "/v2/units/4/image",
            "/v2/events/5/image",
            "/v2/events/5/image/batch",
            "/v2/images",
            "/v2/images/batch",
            "/v2/images/6",
            "/v2/attachments/batch",
            "/v2/attachments/7",
            "/v2/users/8/attachments",
            "/v2/users/8/attachments/9",
        ]
    );
}
