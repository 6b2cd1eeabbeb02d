#![cfg(feature = "perscom")]
//! Batch create/update/delete and the relation operations (attach, detach, sync, toggle and
//! pivot with pivot values; associate and dissociate), with their bodies asserted.

use permkit::perscom::Client;
use permkit::perscom::types::{
    AssociateRequest, AttachRequest, BatchDeleteRequest, DetachRequest, PivotUpdateRequest,
    RankBatchCreate, RankBatchUpdate, RankCreate, RankUpdate, RelatedResources, RelationPivot,
    SyncRequest, ToggleRequest,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri()).api_key("k").build().unwrap()
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn batch_create_update_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/ranks/batch"))
        .and(body_json(json!({"resources": [{"name": "Private"}, {"name": "Corporal", "abbreviation": "CPL"}]})))
        .respond_with(ok(json!({"data": [{"id": 1, "name": "Private"}, {"id": 2, "name": "Corporal"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/ranks/batch"))
        .and(body_json(json!({"resources": {"2": {"paygrade": "E-4"}}})))
        .respond_with(ok(
            json!({"data": [{"id": 2, "name": "Corporal", "paygrade": "E-4"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/ranks/batch"))
        .and(body_json(json!({"resources": [1, 2]})))
        .respond_with(ok(
            json!({"data": [{"id": 1, "name": "Private"}, {"id": 2, "name": "Corporal"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let private: RankCreate = serde_json::from_value(json!({"name": "Private"})).unwrap();
    let corporal: RankCreate =
        serde_json::from_value(json!({"name": "Corporal", "abbreviation": "CPL"})).unwrap();
    let created = c
        .batch_create_ranks()
        .body(RankBatchCreate::new([private, corporal]))
        .send()
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    let update = RankUpdate {
        paygrade: Some("E-4".into()),
        ..Default::default()
    };
    let updated = c
        .batch_update_ranks()
        .body(RankBatchUpdate::keyed([(2, update)]))
        .send()
        .await
        .unwrap();
    assert_eq!(updated[0].paygrade.as_deref(), Some("E-4"));
    let deleted = c
        .batch_delete_ranks()
        .body(BatchDeleteRequest::ids([1, 2]))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.len(), 2);
}

#[tokio::test]
async fn attach_detach_sync_toggle_pivot() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/forms/4/fields/attach"))
        .and(body_json(
            json!({"resources": {"7": {"order": 1}, "8": {"order": 2}}, "duplicates": false}),
        ))
        .respond_with(ok(json!({"attached": [7, 8]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/forms/4/fields/detach"))
        .and(body_json(json!({"resources": [8]})))
        .respond_with(ok(json!({"detached": [8]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/users/3/tasks/sync"))
        .and(body_json(json!({"resources": [1, 2], "detaching": false})))
        .respond_with(ok(json!({"attached": [2], "detached": [], "updated": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/categories/2/ranks/toggle"))
        .and(body_json(json!({"resources": [5]})))
        .respond_with(ok(json!({"attached": [], "detached": [5]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/submissions/6/statuses/2/pivot"))
        .and(body_json(json!({"pivot": {"text": "Approved by S1"}})))
        .respond_with(ok(json!({"updated": [2]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let pivot = |order| RelationPivot {
        order: Some(order),
        ..Default::default()
    };
    let attached = c
        .attach_form_fields(4)
        .body(AttachRequest::new(RelatedResources::with_pivots([
            (7, pivot(1)),
            (8, pivot(2)),
        ])))
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached, [7, 8]);
    assert_eq!(
        c.detach_form_fields(4)
            .body(DetachRequest::ids([8]))
            .send()
            .await
            .unwrap()
            .detached,
        [8]
    );
    let synced = c
        .sync_user_tasks(3)
        .body(SyncRequest::ids([1, 2]).without_detaching())
        .send()
        .await
        .unwrap();
    assert_eq!(synced.attached, [2]);
    let toggled = c
        .toggle_category_ranks(2)
        .body(ToggleRequest::ids([5]))
        .send()
        .await
        .unwrap();
    assert_eq!(toggled.detached, [5]);
    let text = RelationPivot {
        text: Some("Approved by S1".into()),
        ..Default::default()
    };
    let updated = c
        .update_submission_status_pivot(6, 2)
        .body(PivotUpdateRequest::new(text))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.updated, [2]);
}

#[tokio::test]
async fn associate_and_dissociate() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users/3/award-records/associate"))
        .and(body_json(json!({"related_key": 11})))
        .respond_with(ok(json!({"data": {"id": 11, "user_id": 3, "award_id": 2}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/users/3/award-records/11/dissociate"))
        .respond_with(ok(json!({"data": {"id": 11, "user_id": 3, "award_id": 2}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let r = c
        .associate_user_award_record(3)
        .body(AssociateRequest::new(11))
        .send()
        .await
        .unwrap();
    assert_eq!(r.user_id, 3);
    let r = c.dissociate_user_award_record(3, 11).send().await.unwrap();
    assert_eq!(r.id, 11);
}

#[tokio::test]
async fn crud_with_put_and_patch() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v2/statuses/2"))
        .and(body_json(json!({"color": "#ff0000"})))
        .respond_with(ok(
            json!({"data": {"id": 2, "name": "Active", "color": "#ff0000"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v2/statuses/2"))
        .and(body_json(json!({"name": "On duty"})))
        .respond_with(ok(
            json!({"data": {"id": 2, "name": "On duty", "color": "#ff0000"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/statuses/2"))
        .respond_with(ok(
            json!({"data": {"id": 2, "name": "On duty", "color": "#ff0000"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let put: permkit::perscom::types::StatusUpdate =
        serde_json::from_value(json!({"color": "#ff0000"})).unwrap();
    assert_eq!(
        c.update_status(2).body(put).send().await.unwrap().color,
        "#ff0000"
    );
    let patch: permkit::perscom::types::StatusUpdate =
        serde_json::from_value(json!({"name": "On duty"})).unwrap();
    assert_eq!(
        c.patch_status(2).body(patch).send().await.unwrap().name,
        "On duty"
    );
    assert_eq!(c.delete_status(2).send().await.unwrap().id, 2);
}

#[tokio::test]
async fn nested_batch_create_leaves_out_the_parent_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/users/3/award-records/batch"))
        .and(body_json(json!({"resources": [{"award_id": 1}, {"award_id": 2, "text": "Second"}]})))
        .respond_with(ok(json!({"data": [{"id": 8, "user_id": 3, "award_id": 1}, {"id": 9, "user_id": 3, "award_id": 2}]})))
        .expect(1)
        .mount(&server)
        .await;
    let first: permkit::perscom::types::AwardRecordCreateNested =
        serde_json::from_value(json!({"award_id": 1})).unwrap();
    let second: permkit::perscom::types::AwardRecordCreateNested =
        serde_json::from_value(json!({"award_id": 2, "text": "Second"})).unwrap();
    let created = client(&server)
        .batch_create_user_award_records(3)
        .body(permkit::perscom::types::AwardRecordBatchCreateNested::new(
            [first, second],
        ))
        .send()
        .await
        .unwrap();
    assert!(created.iter().all(|r| r.user_id == 3));
}
