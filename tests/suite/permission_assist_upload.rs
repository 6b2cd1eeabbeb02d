//! The multipart upload: parts and field names on the wire, streaming from disk or a reader,
//! progress, and input refused before sending.
#![cfg(feature = "permission-assist")]

use permkit::ErrorKind;
use permkit::permission_assist::{Client, types};
use permkit::upload::{FilePart, Progress};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const APP: &str = "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10";
const GROUP1: &str = "0b8f3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d";
const GROUP2: &str = "1c9f3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5e";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("pa_token")
        .build()
        .unwrap();
    (server, client)
}

fn import_response() -> serde_json::Value {
    json!({"id": APP, "kind": "Application Import", "number": 77, "type": "API", "status": "Pending",
           "createdBy": "API Token - Uploader", "buildStart": null, "buildEnd": null, "log": null, "metrics": null,
           "files": [{"id": APP, "fileGroupId": GROUP1, "fileGroup": "Employees", "name": "employees.csv"}]})
}

/// The parts of a multipart body: (headers, data).
fn parts(request: &Request) -> Vec<(String, Vec<u8>)> {
    let ct = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let boundary = ct
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_string();
    let text = request.body.clone();
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest: &[u8] = &text;
    while let Some(pos) = find(rest, delim.as_bytes()) {
        rest = &rest[pos + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delim.as_bytes()).unwrap_or(rest.len());
        let part = &rest[2..end - 2];
        let split = find(part, b"\r\n\r\n").unwrap();
        out.push((
            String::from_utf8_lossy(&part[..split]).to_string(),
            part[split + 4..].to_vec(),
        ));
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn parts_are_named_by_file_group_and_stream_from_disk() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/upload"))
        .and(header("authorization", "Bearer pa_token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(import_response()))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("employees.csv");
    let csv = "id,name\n".to_string() + &"1,Ada Lovelace\n".repeat(10_000);
    std::fs::write(&file, &csv).unwrap();
    let progress = Progress::new();
    let import = client
        .upload_application_import(APP.parse().unwrap())
        .file(
            GROUP1.parse().unwrap(),
            FilePart::from_path(&file).await.unwrap(),
        )
        .file(
            GROUP2.parse().unwrap(),
            FilePart::from_bytes(&b"user,priv\nada,wire\n"[..], "privileges.txt")
                .with_content_type("text/csv"),
        )
        .progress(progress.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(import.number, 77);
    assert_eq!(import.status, types::ImportStatus::Pending);
    assert_eq!(progress.bytes_sent(), csv.len() as u64 + 19);
    assert_eq!(progress.total_bytes(), progress.bytes_sent());

    let request = &server.received_requests().await.unwrap()[0];
    assert!(
        request
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let parts = parts(request);
    assert_eq!(parts.len(), 3);
    assert!(parts[0].0.contains("name=\"applicationId\""));
    assert_eq!(parts[0].1, APP.as_bytes());
    assert!(
        parts[1].0.contains(&format!("name=\"{GROUP1}\""))
            && parts[1].0.contains("filename=\"employees.csv\"")
    );
    assert!(parts[1].0.to_lowercase().contains("content-type: text/csv"));
    assert_eq!(parts[1].1, csv.as_bytes());
    assert!(
        parts[2].0.contains(&format!("name=\"{GROUP2}\""))
            && parts[2].0.contains("filename=\"privileges.txt\"")
    );
    assert_eq!(parts[2].1, b"user,priv\nada,wire\n");
}

#[tokio::test]
async fn any_async_reader_of_known_length_works() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/upload"))
        .respond_with(ResponseTemplate::new(201).set_body_json(import_response()))
        .mount(&server)
        .await;
    let (mut tx, rx) = tokio::io::duplex(1024);
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for _ in 0..100 {
            tx.write_all(&[b'x'; 100]).await.unwrap();
        }
    });
    client
        .upload_application_import(APP.parse().unwrap())
        .file(
            GROUP1.parse().unwrap(),
            FilePart::from_reader(rx, 10_000, "piped.csv"),
        )
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(parts(request)[1].1.len(), 10_000);
}

#[tokio::test]
async fn upload_errors_decode_like_any_other() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/upload"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "validation_error", "message": "Invalid files", "correlationId": "abc",
            "errors": [{"field": GROUP1, "message": "The file must not be empty"}]})))
        .mount(&server)
        .await;
    let e = client
        .upload_application_import(APP.parse().unwrap())
        .file(
            GROUP1.parse().unwrap(),
            FilePart::from_bytes(&b"x"[..], "a.csv"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.operation(), Some("upload_application_import"));
    assert_eq!(e.field_errors()[0].field.as_deref(), Some(GROUP1));
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let (server, client) = setup().await;
    let e = client
        .upload_application_import(APP.parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = client
        .upload_application_import(APP.parse().unwrap())
        .file(
            GROUP1.parse().unwrap(),
            FilePart::from_bytes(Vec::new(), "empty.csv"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.message().contains("empty"));
    let e = FilePart::from_path("/nonexistent/permkit/file.csv")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(server.received_requests().await.unwrap().is_empty());
}
