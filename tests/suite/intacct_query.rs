#![cfg(feature = "intacct")]
//! The query builder's JSON on the wire, its checks before sending, paging over
//! `ia::meta.next` (same body each page, stop on null, fail when `next` does not advance), and
//! `client.query(q)` with the shape of every other call.

use futures::TryStreamExt;
use permkit::intacct::Client;
use permkit::intacct::query::{Order, PermissionRecord, Query, QueryFilter, Row};
use permkit::intacct::types::{PermissionAccessRight, PermissionModule};
use permkit::{ErrorKind, Page};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token("t")
        .build()
        .unwrap();
    (server, client)
}

fn page(rows: Vec<Value>, start: u64, next: Option<u64>, total: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ia::result": rows, "ia::meta": {"totalCount": total, "start": start, "pageSize": 2, "next": next, "previous": null}}))
}

#[tokio::test]
async fn all_seventeen_operators_and_every_part_go_out_exactly() {
    let (server, client) = setup().await;
    let date = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let q = Query::new("company-config/permission")
        .fields(["key", "module", "role.id", "count:key"])
        .filter(QueryFilter::eq("module", "accountsPayable"))
        .filter(QueryFilter::ne("permissionGroup", None::<&str>))
        .filter(QueryFilter::lt("key", 100))
        .filter(QueryFilter::gt("audit.createdDateTime", "priorMonth"))
        .filter(QueryFilter::lte("key", 99.5))
        .filter(QueryFilter::gte("isActive", true))
        .filter(QueryFilter::in_("module", ["accountsPayable", "purchasing"]))
        .filter(QueryFilter::not_in("key", [1, 2, 3]))
        .filter(QueryFilter::between("key", 10, 20))
        .filter(QueryFilter::not_between("audit.modifiedDateTime", date, "today"))
        .filter(QueryFilter::contains("name", "vendor"))
        .filter(QueryFilter::not_contains("name", "report"))
        .filter(QueryFilter::starts_with("id", "::SYS::"))
        .filter(QueryFilter::not_starts_with("id", "x"))
        .filter(QueryFilter::ends_with("name", "s"))
        .filter(QueryFilter::not_ends_with("name", "Reports"))
        .filter(QueryFilter::has("allowedAccessRights", "void"))
        .filter_expression("(1 and 2) or (3 and 4 and 5 and 6 and 7 and 8 and 9 and 10 and 11 and 12 and 13 and 14 and 15 and 16 and 17)")
        .as_of_date(date)
        .case_sensitive(false)
        .include_private(true)
        .include_hierarchy_fields(false)
        .order_by("module", Order::Asc)
        .order_by("key", Order::Desc)
        .start(5)
        .size(4000);
    let expected = json!({
        "object": "company-config/permission",
        "fields": ["key", "module", "role.id", "count:key"],
        "filters": [
            {"$eq": {"module": "accountsPayable"}},
            {"$ne": {"permissionGroup": null}},
            {"$lt": {"key": 100}},
            {"$gt": {"audit.createdDateTime": "priorMonth"}},
            {"$lte": {"key": 99.5}},
            {"$gte": {"isActive": true}},
            {"$in": {"module": ["accountsPayable", "purchasing"]}},
            {"$notIn": {"key": [1, 2, 3]}},
            {"$between": {"key": [10, 20]}},
            {"$notBetween": {"audit.modifiedDateTime": ["2025-06-30", "today"]}},
            {"$contains": {"name": "vendor"}},
            {"$notContains": {"name": "report"}},
            {"$startsWith": {"id": "::SYS::"}},
            {"$notStartsWith": {"id": "x"}},
            {"$endsWith": {"name": "s"}},
            {"$notEndsWith": {"name": "Reports"}},
            {"$has": {"allowedAccessRights": "void"}}
        ],
        "filterExpression": "(1 and 2) or (3 and 4 and 5 and 6 and 7 and 8 and 9 and 10 and 11 and 12 and 13 and 14 and 15 and 16 and 17)",
        "filterParameters": {"asOfDate": "2025-06-30", "caseSensitiveComparison": false, "includePrivate": true, "includeHierarchyFields": false},
        "orderBy": [{"module": "asc"}, {"key": "desc"}],
        "start": 5,
        "size": 4000
    });
    assert_eq!(q.to_json().unwrap(), expected);
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/services/core/query"))
        .and(header("authorization", "Bearer t"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(page(
            vec![json!({"key": "7", "module": "accountsPayable", "role.id": null, "count:key": 1})],
            5,
            None,
            5,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let p = client.query(q).send().await.unwrap();
    assert_eq!(p.items[0]["role.id"], Value::Null);
    assert_eq!(p.total_count, Some(5));
    assert_eq!(p.cursor, 5);
    // Integers stay integers on the wire (no 100.0).
    assert!(
        !String::from_utf8(server.received_requests().await.unwrap()[0].body.clone())
            .unwrap()
            .contains("100.0")
    );
}

#[tokio::test]
async fn filter_parameters_never_at_top_level() {
    let json = Query::new("x/y")
        .case_sensitive(true)
        .include_private(false)
        .to_json()
        .unwrap();
    let mut top: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    assert_eq!(top, ["filterParameters", "object"]);
    assert_eq!(
        json["filterParameters"],
        json!({"caseSensitiveComparison": true, "includePrivate": false})
    );
}

#[tokio::test]
async fn size_over_4000_and_other_bad_input_fail_before_sending() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(page(vec![], 1, None, 0))
        .expect(0)
        .mount(&server)
        .await;
    let bad = [
        Query::new("company-config/permission").size(4001),
        Query::new("company-config/permission").size(0),
        Query::new("company-config/permission").start(0),
        Query::new(""),
        Query::new("x/y").fields([""]),
        Query::new("x/y")
            .filter(QueryFilter::eq("a", 1))
            .filter_expression("1 and 2"),
        Query::new("x/y").filter(QueryFilter::gte("a", None::<i32>)),
        Query::new("x/y").filter(QueryFilter::in_("a", Vec::<String>::new())),
        Query::new("x/y").filter(QueryFilter::lt("a", f64::INFINITY)),
        Query::new("x/y").order_by(" ", Order::Asc),
    ];
    for q in bad {
        let e = client.query(q.clone()).send().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{q:?}");
        let e = client.query(q.clone()).send_with_meta().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = client
            .query(q.clone())
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = client
            .query(q)
            .record_pages::<PermissionRecord>()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    }
    assert!(Query::new("x/y").size(4000).validate().is_ok());
}

/// A query server over `n` rows that records each request body.
async fn rows_server(server: &MockServer, n: u64, bodies: Arc<Mutex<Vec<Value>>>) {
    Mock::given(method("POST"))
        .and(path("/ia/api/v1/services/core/query"))
        .respond_with(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            bodies.lock().unwrap().push(body.clone());
            let start = body["start"].as_u64().unwrap_or(1);
            let size = body["size"].as_u64().unwrap_or(100);
            let end = (start + size - 1).min(n);
            let rows: Vec<Value> = (start..=end).map(|k| json!({"key": k.to_string(), "module": "accountsPayable", "name": "vendors", "allowedAccessRights": ["list", "readonly"]})).collect();
            let next = (end < n).then_some(end + 1);
            page(rows, start, next, n)
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn stream_follows_next_with_the_same_body() {
    let (server, client) = setup().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    rows_server(&server, 11, bodies.clone()).await;
    let q = Query::new("company-config/permission")
        .fields(["key"])
        .filter(QueryFilter::eq("module", "accountsPayable"))
        .size(4);
    let rows: Vec<_> = client.query(q).stream().try_collect().await.unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    );
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 3);
    let starts: Vec<u64> = bodies
        .iter()
        .map(|b| b["start"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, [1, 5, 9]);
    for b in bodies.iter() {
        let mut b = b.clone();
        b.as_object_mut().unwrap().remove("start");
        let mut first = bodies[0].clone();
        first.as_object_mut().unwrap().remove("start");
        assert_eq!(b, first);
    }
}

#[tokio::test]
async fn pages_carry_meta_and_start_where_asked() {
    let (server, client) = setup().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    rows_server(&server, 10, bodies.clone()).await;
    let pages: Vec<_> = client
        .query(Query::new("x/y").start(5).size(3))
        .pages()
        .try_collect()
        .await
        .unwrap();
    let shape: Vec<(u64, usize, Option<u64>)> = pages
        .iter()
        .map(|p| (p.cursor, p.items.len(), p.next))
        .collect();
    assert_eq!(shape, [(5, 3, Some(8)), (8, 3, None)]);
    assert_eq!(pages[0].total_count, Some(10));
}

#[tokio::test]
async fn typed_permission_records() {
    let (server, client) = setup().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    rows_server(&server, 3, bodies.clone()).await;
    let perms: Vec<PermissionRecord> = client
        .query(Query::permissions())
        .records()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(perms.len(), 3);
    assert_eq!(perms[0].module, Some(PermissionModule::AccountsPayable));
    assert_eq!(
        perms[2].allowed_access_rights,
        [PermissionAccessRight::List, PermissionAccessRight::Readonly]
    );
    assert_eq!(
        bodies.lock().unwrap()[0]["fields"],
        json!([
            "key",
            "id",
            "module",
            "name",
            "permissionGroup",
            "allowedAccessRights",
            "href"
        ])
    );
}

#[tokio::test]
async fn a_row_that_does_not_decode_is_a_decode_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(page(
            vec![json!({"key": "1", "allowedAccessRights": 5})],
            1,
            None,
            1,
        ))
        .mount(&server)
        .await;
    let e = client
        .query(Query::permissions())
        .records::<PermissionRecord>()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_next_that_does_not_advance_stops_with_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let start = body["start"].as_u64().unwrap();
            page(
                vec![json!({"key": start.to_string()})],
                start,
                Some(start),
                100,
            )
        })
        .expect(1)
        .mount(&server)
        .await;
    let e = client
        .query(Query::new("x/y"))
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
}

#[tokio::test]
async fn a_server_whose_offsets_run_past_its_total_stops_with_an_error() {
    // Rows are never judged on an offset list (equal rows are legitimate); the cursor is: a
    // server that keeps advancing past the total it reports is stopped there.
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let start = body["start"].as_u64().unwrap();
            page(vec![json!({"key": "same"})], start, Some(start + 1), 100)
        })
        .expect(101)
        .mount(&server)
        .await;
    let e = client
        .query(Query::new("x/y"))
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
}

#[tokio::test]
async fn query_runs_in_the_entity_it_names() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(header("x-ia-api-param-entity", "UK"))
        .respond_with(page(vec![], 1, None, 0))
        .expect(1)
        .mount(&server)
        .await;
    let us = client.with_entity("US-East").unwrap();
    let p = us
        .query(Query::new("x/y").entity("UK"))
        .send()
        .await
        .unwrap();
    assert!(p.items.is_empty());
}

#[tokio::test]
async fn query_errors_decode_with_details() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"ia::result": {"ia::error": {"code": "invalidRequest", "message": "Payload contains errors",
            "errorId": "REST-1064", "details": [{"message": "nope is not a valid field", "target": "/fields/0", "errorId": "REST-1043"}]}}})))
        .mount(&server)
        .await;
    let e = client
        .query(Query::new("x/y").field("nope"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.operation(), Some("query"));
    assert_eq!(e.field_errors()[0].field.as_deref(), Some("/fields/0"));
}

#[tokio::test]
async fn the_query_has_the_shape_of_every_call() {
    let (server, client) = setup().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    rows_server(&server, 7, bodies.clone()).await;
    let q = Query::permissions().size(3);

    // `send()`: a `Pending` call whose value is one `permkit::Page` of rows.
    let pending: permkit::Pending<'_, Page<Row>> = client.query(q.clone()).send();
    let page: Page<Row> = pending.await.unwrap();
    assert_eq!(
        (page.cursor, page.items.len(), page.next, page.total_count),
        (1, 3, Some(4), Some(7))
    );
    assert_eq!(page.items[0]["key"], "1");

    // `send_with_meta()`: the same page with the status and headers, here at `start`.
    let response: permkit::Response<Page<Row>> = client
        .query(q.clone().start(4))
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("content-type"));
    let page = response.into_inner();
    assert_eq!((page.cursor, page.items.len(), page.next), (4, 3, Some(7)));
    assert_eq!(page.items[0]["key"], "4");

    // `.stream()`, `.pages()`, `.prefetch(n).stream()`: every row, following `next`.
    let rows: Vec<Row> = client
        .query(q.clone())
        .stream()
        .try_collect()
        .await
        .unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["1", "2", "3", "4", "5", "6", "7"]);
    let pages: Vec<Page<Row>> = client.query(q.clone()).pages().try_collect().await.unwrap();
    let shape: Vec<(u64, usize, Option<u64>)> = pages
        .iter()
        .map(|p| (p.cursor, p.items.len(), p.next))
        .collect();
    assert_eq!(shape, [(1, 3, Some(4)), (4, 3, Some(7)), (7, 1, None)]);
    let ahead: Vec<Row> = client
        .query(q.clone())
        .prefetch(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ahead, rows);

    // `.records::<T>()` and `.record_pages::<T>()`: typed rows.
    let perms: Vec<PermissionRecord> = client
        .query(q.clone())
        .records::<PermissionRecord>()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(perms.len(), 7);
    assert_eq!(perms[6].key.as_deref(), Some("7"));
    assert_eq!(perms[0].module, Some(PermissionModule::AccountsPayable));
    let typed: Vec<Page<PermissionRecord>> = client
        .query(q)
        .record_pages::<PermissionRecord>()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(typed.iter().map(|p| p.items.len()).sum::<usize>(), 7);

    // Every request went out as `query`, with the same body but `start`.
    let sent = 1 + 1 + 3 + 3 + 3 + 3 + 3;
    assert_eq!(client.request_counts().operation("query").sent, sent);
    assert_eq!(bodies.lock().unwrap().len() as u64, sent);
}

#[tokio::test]
async fn send_sends_the_query_as_written_and_the_pagers_fill_in_start_and_size() {
    let (server, client) = setup().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    rows_server(&server, 2, bodies.clone()).await;
    let q = Query::new("x/y").field("key");
    client.query(q.clone()).send().await.unwrap();
    client
        .query(q)
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies[0], json!({"object": "x/y", "fields": ["key"]}));
    assert_eq!(
        bodies[1],
        json!({"object": "x/y", "fields": ["key"], "start": 1, "size": 4000})
    );
}

#[test]
fn open_enums_and_timestamps_are_query_filter_values() {
    use permkit::intacct::types::RoleType;
    let since: permkit::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let q = Query::new("company-config/role")
        .field("id")
        .filter(QueryFilter::eq("roleType", RoleType::Enterprise))
        .filter(QueryFilter::gt("audit.modifiedDateTime", since));
    let body = q.to_json().unwrap();
    assert_eq!(
        body["filters"][0],
        serde_json::json!({"$eq": {"roleType": RoleType::Enterprise.as_str()}})
    );
    assert_eq!(
        body["filters"][1],
        serde_json::json!({"$gt": {"audit.modifiedDateTime": "2025-01-01T00:00:00Z"}})
    );
}
