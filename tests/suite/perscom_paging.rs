#![cfg(feature = "perscom")]
//! `.stream()` and `.pages()` on index and search operations: pages until `meta.last_page`,
//! with `limit`, `include` and the search body kept on every page.

use futures::TryStreamExt;
use permkit::perscom::{Client, Search, SearchFilter, SearchOp};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers pages of `total` users, `limit` per page, checking the query on every request.
struct Pages {
    total: u64,
    expect_include: Option<&'static str>,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        if q.get("include").map(String::as_str) != self.expect_include {
            return ResponseTemplate::new(400)
                .set_body_string(format!("include lost: {:?}", q.get("include")));
        }
        let Some(limit) = q.get("limit").and_then(|l| l.parse::<u64>().ok()) else {
            return ResponseTemplate::new(400).set_body_string("limit lost");
        };
        let page: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let last = self.total.div_ceil(limit).max(1);
        let from = (page - 1) * limit;
        let data: Vec<Value> = (from..(from + limit).min(self.total))
            .map(|i| json!({"id": i + 1, "name": format!("User {}", i + 1), "email": format!("u{}@x.io", i + 1),
                             "rank": {"id": 1 + i % 3, "name": format!("Rank {}", 1 + i % 3)}}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "data": data,
            "links": {"first": "f", "last": "l", "prev": if page > 1 { json!("p") } else { Value::Null }, "next": if page < last { json!("n") } else { Value::Null }},
            "meta": {"current_page": page, "from": if data.is_empty() { Value::Null } else { json!(from + 1) }, "last_page": last,
                     "per_page": limit, "to": if data.is_empty() { Value::Null } else { json!(from + data.len() as u64) }, "total": self.total,
                     "path": "http://x/v2/users", "links": []}
        }))
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri()).api_key("k").build().unwrap()
}

#[tokio::test]
async fn index_stream_walks_every_page_with_limit_and_include() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(Pages {
            total: 23,
            expect_include: Some("rank,unit"),
        })
        .expect(3)
        .mount(&server)
        .await;
    let users: Vec<_> = client(&server)
        .list_users()
        .limit(10u64)
        .include("rank,unit")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 23);
    assert_eq!(
        users.iter().map(|u| u.id).collect::<Vec<_>>(),
        (1..=23).collect::<Vec<i64>>()
    );
    assert_eq!(users[4].rank.as_ref().unwrap().name, "Rank 2");
    let pages: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn pages_carry_metadata_and_stop_at_last_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(Pages {
            total: 30,
            expect_include: None,
        })
        .expect(2)
        .mount(&server)
        .await;
    let pages: Vec<_> = client(&server)
        .list_users()
        .limit(15u64)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].total_pages, Some(2));
    assert_eq!(pages[0].total_count, Some(30));
    assert_eq!(pages[0].next, Some(2));
    assert_eq!(pages[1].next, None);
}

#[tokio::test]
async fn send_returns_one_page_as_pages_yields_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .and(query_param("page", "2"))
        .respond_with(Pages {
            total: 23,
            expect_include: None,
        })
        .expect(1)
        .mount(&server)
        .await;
    let page: permkit::Page<permkit::perscom::types::User> = client(&server)
        .list_users()
        .page(2u64)
        .limit(10u64)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        (11..=20).collect::<Vec<i64>>()
    );
    assert_eq!(page.cursor, 2);
    assert_eq!(page.next, Some(3));
    assert_eq!(page.total_pages, Some(3));
    assert_eq!(page.total_count, Some(23));
    assert_eq!(page.reported, Some(2));
}

#[tokio::test]
async fn resume_from_a_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(Pages {
            total: 50,
            expect_include: None,
        })
        .expect(2)
        .mount(&server)
        .await;
    let pages: Vec<_> = client(&server)
        .list_users()
        .limit(10u64)
        .pages_from(4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(|p| p.cursor).collect::<Vec<_>>(), [4, 5]);
}

#[tokio::test]
async fn empty_list_is_one_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(Pages {
            total: 0,
            expect_include: None,
        })
        .expect(1)
        .mount(&server)
        .await;
    let users: Vec<_> = client(&server)
        .list_users()
        .limit(5u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(users.is_empty());
}

#[tokio::test]
async fn search_stream_sends_the_same_body_on_every_page() {
    let server = MockServer::start().await;
    let expected = json!({
        "filters": [{"field": "name", "operator": "like", "value": "User%", "type": "and"}],
        "sort": [{"field": "id", "direction": "asc"}]
    });
    Mock::given(method("POST"))
        .and(path("/v2/users/search"))
        .and(query_param("include", "rank"))
        .and(body_json(&expected))
        .respond_with(Pages {
            total: 12,
            expect_include: Some("rank"),
        })
        .expect(3)
        .mount(&server)
        .await;
    let search = Search::new()
        .filter(SearchFilter::new("name", SearchOp::Like, "User%"))
        .sort_asc("id");
    let users: Vec<_> = client(&server)
        .search_users()
        .limit(5u64)
        .include("rank")
        .body(search)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 12);
}

#[tokio::test]
async fn nested_relation_lists_stream_too() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users/9/rank-records"))
        .and(query_param("limit", "2"))
        .respond_with(move |r: &Request| {
            let page: i64 = r.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
            ResponseTemplate::new(200).set_body_json(json!({
                "data": [{"id": page * 10, "user_id": 9, "rank_id": page, "type": 0}, {"id": page * 10 + 1, "user_id": 9, "rank_id": page, "type": 1}],
                "links": {}, "meta": {"current_page": page, "last_page": 2, "per_page": 2, "total": 4}}))
        })
        .expect(2)
        .mount(&server)
        .await;
    let records: Vec<_> = client(&server)
        .list_user_rank_records(9)
        .limit(2u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        records.iter().map(|r| r.id).collect::<Vec<_>>(),
        [10, 11, 20, 21]
    );
    assert_eq!(
        records[1].type_,
        permkit::perscom::enums::RankRecordType::Demotion
    );
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_with_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"message": "no", "type": "HttpException"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(Pages {
            total: 40,
            expect_include: None,
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let mut stream = client.list_users().limit(20u64).stream();
    let mut n = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("the stream ended without the error"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 20);
    assert_eq!(err.kind(), permkit::ErrorKind::Forbidden);
    assert_eq!(err.required_scope(), Some("view:user"));
}
