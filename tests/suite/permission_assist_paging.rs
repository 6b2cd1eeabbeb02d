//! `.stream()` and `.pages()` on Permission Assist lists: every page, filters kept, the end at
//! `totalPages` or an empty page, and servers that repeat or do not advance stopped.
#![cfg(feature = "permission-assist")]

use futures::TryStreamExt;
use permkit::ErrorKind;
use permkit::permission_assist::{Client, types};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token("t")
        .build()
        .unwrap();
    (server, client)
}

fn access_request(n: u64) -> serde_json::Value {
    json!({"id": uuid::Uuid::from_u128(n as u128), "number": n, "action": "Add", "status": "Open", "kind": "Access Request"})
}

/// Serves `total` access requests, 50 a page, asserting the filters on every page.
struct Pages {
    total: u64,
    total_pages_reported: Option<u64>,
}

impl wiremock::Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        assert_eq!(
            q.get("status").map(String::as_str),
            Some("Open"),
            "the filter is sent on every page"
        );
        assert_eq!(q.get("type").map(String::as_str), Some("Add"));
        let page: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let start = (page - 1) * 50 + 1;
        let end = (start + 49).min(self.total);
        let items: Vec<_> = (start..=end).map(access_request).collect();
        let pages = self.total_pages_reported.unwrap_or(self.total.div_ceil(50));
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "totalCount": self.total, "page": page, "pageSize": 50, "totalPages": pages}))
    }
}

#[tokio::test]
async fn stream_yields_every_item_of_every_page_in_order() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/access-requests"))
        .respond_with(Pages {
            total: 230,
            total_pages_reported: None,
        })
        .expect(5)
        .mount(&server)
        .await;
    let all: Vec<types::AccessRequest> = client
        .list_access_requests()
        .status(types::WorkflowStatus::Open)
        .type_(types::AccessAction::Add)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<i64> = all.iter().map(|r| r.number).collect();
    assert_eq!(numbers, (1..=230).collect::<Vec<i64>>());
}

#[tokio::test]
async fn pages_carry_their_metadata() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/access-requests"))
        .respond_with(Pages {
            total: 120,
            total_pages_reported: None,
        })
        .mount(&server)
        .await;
    let pages: Vec<permkit::Page<types::AccessRequest>> = client
        .list_access_requests()
        .status(types::WorkflowStatus::Open)
        .type_(types::AccessAction::Add)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let shape: Vec<(u64, usize, Option<u64>)> = pages
        .iter()
        .map(|p| (p.cursor, p.items.len(), p.next))
        .collect();
    assert_eq!(shape, [(1, 50, Some(2)), (2, 50, Some(3)), (3, 20, None)]);
    assert!(
        pages
            .iter()
            .all(|p| p.total_pages == Some(3) && p.total_count == Some(120))
    );
}

#[tokio::test]
async fn an_empty_page_ends_the_stream() {
    let (server, client) = setup().await;
    // The server claims 9 pages but runs out after 60 items.
    Mock::given(method("GET"))
        .and(path("/api/access-requests"))
        .respond_with(Pages {
            total: 60,
            total_pages_reported: Some(9),
        })
        .expect(3)
        .mount(&server)
        .await;
    let all: Vec<types::AccessRequest> = client
        .list_access_requests()
        .status(types::WorkflowStatus::Open)
        .type_(types::AccessAction::Add)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 60);
}

#[tokio::test]
async fn a_server_that_repeats_a_page_is_stopped() {
    let (server, client) = setup().await;
    // Ignores `page` and reports page 1 every time, with 10 pages.
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": uuid::Uuid::nil(), "kind": "Identity", "firstName": "A", "lastName": "B"}],
            "totalCount": 500, "page": 1, "pageSize": 50, "totalPages": 10
        })))
        .expect(2)
        .mount(&server)
        .await;
    let result: Result<Vec<types::Identity>, permkit::Error> =
        client.list_identities().stream().try_collect().await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert!(e.to_string().contains("asked for page 2"), "{e}");
}

#[tokio::test]
async fn identical_pages_are_stopped_even_when_the_number_looks_right() {
    let (server, client) = setup().await;
    for n in 1..=3 {
        Mock::given(method("GET"))
            .and(path("/api/identities"))
            .and(query_param("page", n.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "items": [{"id": uuid::Uuid::nil(), "kind": "Identity", "firstName": "A", "lastName": "B"}],
                "totalCount": 3, "page": n, "pageSize": 50, "totalPages": 3
            })))
            .mount(&server)
            .await;
    }
    let e = client
        .list_identities()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert!(e.to_string().contains("page 2 repeats items"), "{e}");
}

#[tokio::test]
async fn an_error_on_a_later_page_ends_the_stream_with_that_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": uuid::Uuid::nil(), "kind": "Identity", "firstName": "A", "lastName": "B"}],
            "totalCount": 51, "page": 1, "pageSize": 50, "totalPages": 2
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "unauthorized", "message": "expired"})),
        )
        .mount(&server)
        .await;
    let mut stream = client.list_identities().stream();
    assert!(stream.try_next().await.unwrap().is_some());
    let e = stream.try_next().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}
