#![cfg(feature = "perscom")]
//! The PERSCOM sandbox end to end: the 300-user roster streamed with ranks, search, store with
//! validation, show, update, batch, a user's records, and the limited key's 403.

use futures::TryStreamExt;
use permkit::ErrorKind;
use permkit::perscom::types::{
    BatchDeleteRequest, RankRecordCreateNested, UserBatchUpdate, UserCreate, UserUpdate,
};
use permkit::perscom::{Client, Search, SearchFilter, SearchFilterGroup, SearchOp};
use permkit_sandbox::Sandbox;
use serde_json::json;

fn client(sandbox: &Sandbox, key: &str) -> Client {
    Client::builder(sandbox.perscom_url())
        .api_key(key)
        .perscom_id("1")
        .build()
        .unwrap()
}

#[tokio::test]
async fn roster_streams_with_ranks_across_pages() {
    let sandbox = Sandbox::start().await;
    let c = client(&sandbox, Sandbox::PERSCOM_API_KEY);
    let users: Vec<_> = c
        .list_users()
        .include("rank")
        .limit(40u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 300);
    assert!(
        users
            .iter()
            .all(|u| u.rank.as_ref().is_some_and(|r| Some(r.id) == u.rank_id))
    );
    let pages = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation_id == Some("list_users"))
        .map(|r| r.query.unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(pages.len(), 8);
    assert!(
        pages
            .iter()
            .all(|q| q.contains("include=rank") && q.contains("limit=40")),
        "{pages:?}"
    );
}

#[tokio::test]
async fn search_filters_sorts_and_searches_text() {
    let sandbox = Sandbox::start().await;
    let c = client(&sandbox, Sandbox::PERSCOM_API_KEY);
    let all: Vec<_> = c
        .list_users()
        .limit(100u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let smiths = all.iter().filter(|u| u.name.ends_with("Smith")).count();
    let found: Vec<_> = c
        .search_users()
        .limit(7u64)
        .body(
            Search::new()
                .filter(SearchFilter::new("name", SearchOp::Like, "% Smith"))
                .sort_desc("id"),
        )
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), smiths);
    assert!(found.windows(2).all(|w| w[0].id > w[1].id));
    // Case-insensitive full-text search finds what the case-sensitive one does not.
    let sensitive = c
        .search_users()
        .body(Search::new().text("smith"))
        .send()
        .await
        .unwrap();
    let insensitive = c
        .search_users()
        .body(Search::new().text("SMITH").case_insensitive())
        .send()
        .await
        .unwrap();
    let (sensitive, insensitive) = (
        sensitive.total_count.unwrap(),
        insensitive.total_count.unwrap(),
    );
    assert!(insensitive >= sensitive);
    assert!(insensitive > 0);
    // Nested or-group: rank 1 or rank 2, and in unit 1.
    let group =
        Search::new()
            .filter(SearchFilter::eq("unit_id", 1))
            .filter(SearchFilterGroup::and([
                SearchFilter::eq("rank_id", 1),
                SearchFilter::eq("rank_id", 2).or(),
            ]));
    let hits: Vec<_> = c
        .search_users()
        .body(group)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let expected = all
        .iter()
        .filter(|u| u.unit_id == Some(1) && matches!(u.rank_id, Some(1 | 2)))
        .count();
    assert_eq!(hits.len(), expected);
    let in_list: Vec<_> = c
        .search_ranks()
        .body(Search::new().filter(SearchFilter::is_in("abbreviation", ["SGT", "CPT"])))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(in_list.len(), 2);
    let visible = c
        .search_units()
        .body(Search::new().scope("visible", Vec::<serde_json::Value>::new()))
        .send()
        .await
        .unwrap();
    assert_eq!(visible.items.len(), 5);
}

#[tokio::test]
async fn store_show_update_batch_and_records() {
    let sandbox = Sandbox::start().await;
    let c = client(&sandbox, Sandbox::PERSCOM_API_KEY);
    let new: UserCreate = serde_json::from_value(
        json!({"name": "Pat Recruit", "email": "pat@example.mil", "rank_id": 1}),
    )
    .unwrap();
    let created = c
        .create_user()
        .body(new.clone())
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.value().id;
    assert_eq!(id, 301);
    let again: permkit::Error = c.create_user().body(new).send().await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Validation);
    assert_eq!(again.field_errors()[0].field.as_deref(), Some("email"));
    let shown = c.get_user(id).include("rank,unit").send().await.unwrap();
    assert_eq!(shown.rank.as_ref().unwrap().name, "Private");
    let rename = UserUpdate {
        name: Some("Pat Private".into()),
        ..Default::default()
    };
    assert_eq!(
        c.patch_user(id).body(rename).send().await.unwrap().name,
        "Pat Private"
    );
    let batch = UserBatchUpdate::keyed([(
        id,
        UserUpdate {
            notes: Some("<p>ok</p>".into()),
            ..Default::default()
        },
    )]);
    assert_eq!(
        c.batch_update_users()
            .body(batch)
            .send()
            .await
            .unwrap()
            .len(),
        1
    );
    let promotion: RankRecordCreateNested =
        serde_json::from_value(json!({"rank_id": 2, "type": 0, "text": "Promoted"})).unwrap();
    let rec = c
        .create_user_rank_record(id)
        .body(promotion)
        .send()
        .await
        .unwrap();
    assert_eq!(rec.user_id, id);
    let records: Vec<_> = c
        .list_user_rank_records(id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    let bad_include: permkit::Error = c.list_users().include("password").send().await.unwrap_err();
    assert_eq!(bad_include.kind(), ErrorKind::Validation);
    let deleted = c
        .batch_delete_users()
        .body(BatchDeleteRequest::ids([id]))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted[0].id, id);
    let gone: permkit::Error = c.get_user(id).send().await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn limited_key_gets_403_naming_the_scope() {
    let sandbox = Sandbox::start().await;
    let c = client(&sandbox, Sandbox::PERSCOM_LIMITED_API_KEY);
    // Reads work.
    assert_eq!(c.list_ranks().send().await.unwrap().total_count, Some(12));
    let me = c.get_me().send().await.unwrap();
    assert_eq!(me.items.len(), 1);
    // Writes do not, and the error says which scope was missing.
    let body: RankRecordCreateNested =
        serde_json::from_value(json!({"rank_id": 2, "type": 0})).unwrap();
    let e: permkit::Error = c
        .create_user_rank_record(1)
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.required_scope(), Some("create:rankrecord"));
    let e: permkit::Error = c.clear_cache().send().await.unwrap_err();
    assert_eq!(e.required_scope(), Some("clear:cache"));
    let e: permkit::Error = c.list_settings().send().await.unwrap_err();
    assert_eq!(e.required_scope(), Some("view:settings"));
    // A wrong key is a 401.
    let wrong = client(&sandbox, "nope");
    let e: permkit::Error = wrong.list_users().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn health_and_version() {
    let sandbox = Sandbox::start().await;
    let c = client(&sandbox, Sandbox::PERSCOM_API_KEY);
    assert!(c.get_health().send().await.unwrap().is_some());
    let v1 = Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .version(permkit::perscom::enums::ApiVersion::V1)
        .build()
        .unwrap();
    assert_eq!(v1.list_awards().send().await.unwrap().total_count, Some(8));
}
