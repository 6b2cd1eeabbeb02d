#![cfg(feature = "perscom")]
//! The typed search body: every operator, and/or, one level of nesting, scopes, full-text
//! search with case sensitivity, sort, includes; sent as the body of search operations.

use permkit::ErrorKind;
use permkit::perscom::{
    Client, Search, SearchFilter, SearchFilterGroup, SearchOp, enums::SearchOperator,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn empty_page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": [], "links": {}, "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 0}}))
}

#[test]
fn every_operator_is_sent_as_the_server_spells_it() {
    let mut search = Search::new();
    for op in SearchOp::ALL {
        let value = if op.takes_list() {
            json!([1, 2])
        } else {
            json!("x")
        };
        search = search.filter(SearchFilter::new("field", op, value));
    }
    let body = serde_json::to_value(search.to_request().unwrap()).unwrap();
    let ops: Vec<&str> = body["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["operator"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "<",
            "<=",
            ">",
            ">=",
            "=",
            "!=",
            "like",
            "not like",
            "ilike",
            "not ilike",
            "in",
            "not in",
            "all in",
            "any in"
        ]
    );
    // The generated open enum names them too.
    assert_eq!(SearchOperator::from(SearchOp::Le), SearchOperator::Le);
    assert_eq!(SearchOperator::from("NOT  ILIKE"), SearchOperator::NotIlike);
}

#[test]
fn the_whole_body() {
    let search = Search::new()
        .filter(SearchFilter::new("created_at", SearchOp::Ge, "2024-01-01"))
        .filter(SearchFilterGroup::or([
            SearchFilter::new("name", SearchOp::Like, "%Smith%"),
            SearchFilter::is_in("rank_id", [3, 4]).or(),
        ]))
        .where_("unit_id", SearchOp::Ne, serde_json::Value::Null)
        .scope("datePeriod", ["2024-01-01", "2024-12-31"])
        .text("smith")
        .case_insensitive()
        .sort_desc("created_at")
        .sort_asc("name")
        .include("rank")
        .include_filtered("award_records", [SearchFilter::eq("award_id", 7)]);
    let body = serde_json::to_value(search.to_request().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({
            "filters": [
                {"field": "created_at", "operator": ">=", "value": "2024-01-01", "type": "and"},
                {"type": "or", "nested": [
                    {"field": "name", "operator": "like", "value": "%Smith%", "type": "and"},
                    {"field": "rank_id", "operator": "in", "value": [3, 4], "type": "or"}
                ]},
                {"field": "unit_id", "operator": "!=", "value": null, "type": "and"}
            ],
            "scopes": [{"name": "datePeriod", "parameters": ["2024-01-01", "2024-12-31"]}],
            "search": {"value": "smith", "case_sensitive": false},
            "sort": [{"field": "created_at", "direction": "desc"}, {"field": "name", "direction": "asc"}],
            "includes": [
                {"relation": "rank"},
                {"relation": "award_records", "filters": [{"field": "award_id", "operator": "=", "value": 7, "type": "and"}]}
            ]
        })
    );
}

#[test]
fn case_sensitivity_defaults_to_the_servers() {
    let body = serde_json::to_value(Search::new().text("Smith").to_request().unwrap()).unwrap();
    assert_eq!(
        body["search"],
        json!({"value": "Smith", "case_sensitive": true})
    );
    // Order of text and case does not matter.
    let body = serde_json::to_value(
        Search::new()
            .case_insensitive()
            .text("a")
            .to_request()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["search"],
        json!({"value": "a", "case_sensitive": false})
    );
}

#[test]
fn bad_searches_are_errors_before_sending() {
    for bad in [
        Search::new().filter(SearchFilter::new("id", SearchOp::In, 5)),
        Search::new().filter(SearchFilter::new(" ", SearchOp::Eq, 5)),
        Search::new().filter(SearchFilterGroup::and([])),
        Search::new().filter(SearchFilterGroup::or([SearchFilter::new(
            "id",
            SearchOp::AllIn,
            "x",
        )])),
        Search::new().case_insensitive(),
        Search::new().include(""),
    ] {
        assert_eq!(
            bad.to_request().unwrap_err().kind(),
            ErrorKind::Validation,
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn a_bad_search_never_reaches_the_server() {
    let server = MockServer::start().await;
    let client = Client::builder(server.uri()).api_key("k").build().unwrap();
    let e: permkit::Error = client
        .search_users()
        .body(Search::new().filter(SearchFilter::new("id", SearchOp::NotIn, 1)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_is_a_post_with_paging_in_the_query() {
    let server = MockServer::start().await;
    let search = Search::new()
        .scope("visible", Vec::<serde_json::Value>::new())
        .sort_asc("order");
    Mock::given(method("POST"))
        .and(path("/v2/units/search"))
        .and(query_param("page", "2"))
        .and(query_param("limit", "5"))
        .and(body_json(json!({"scopes": [{"name": "visible"}], "sort": [{"field": "order", "direction": "asc"}]})))
        .respond_with(empty_page())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).api_key("k").build().unwrap();
    client
        .search_units()
        .page(2u64)
        .limit(5u64)
        .body(&search)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn search_validation_errors_come_back_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users/search"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": {"message": "Max nested depth :1 is exceeded", "type": "MaxNestedDepthExceededException"}})))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).api_key("k").build().unwrap();
    let e: permkit::Error = client
        .search_users()
        .body(Search::new().text("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    assert_eq!(e.code(), Some("MaxNestedDepthExceededException"));
}

#[test]
fn open_enums_and_timestamps_are_filter_values() {
    use permkit::perscom::enums::RankRecordType;
    let since: permkit::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let search = Search::new()
        .filter(SearchFilter::eq("type", RankRecordType::Promotion))
        .filter(SearchFilter::new("created_at", SearchOp::Ge, since));
    let body = serde_json::to_value(search.to_request().unwrap()).unwrap();
    assert_eq!(
        body["filters"][0]["value"],
        json!(0),
        "the number PERSCOM stores"
    );
    assert_eq!(body["filters"][1]["value"], json!("2025-01-01T00:00:00Z"));
}
