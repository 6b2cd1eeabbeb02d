#![cfg(feature = "perscom")]
//! Contract tests: PERSCOM operations of every kind against Stoplight Prism. Prism rejects any
//! request that does not match the spec (path, parameters, body schema, content types,
//! security) and answers with bodies generated from the spec, which must decode.
//!
//! Prism serves the document derived by `python3 scripts/perscom_spec.py --prism-spec PATH`:
//! the faithful `openapi/perscom.yaml` with the relation properties of response models pointing
//! to relation-free copies (Prism 5 never finishes loading the reference cycles; see
//! `openapi/perscom/README.md`). Paths, parameters and request bodies are the faithful ones.
//! `.ci/run` starts Prism and sets `PRISM_PERSCOM_URL`; without it they fail
//! (they are `#[ignore]`d, so a plain `cargo test` lists them as ignored).

use permkit::perscom::types::{
    AnnouncementCreate, AssociateRequest, AttachRequest, BatchDeleteRequest, DetachRequest,
    EventCreate, PivotUpdateRequest, RankBatchCreate, RankBatchUpdate, RankCreate,
    RankRecordBatchCreateNested, RankRecordCreateNested, RankUpdate, RelatedResources,
    RelationPivot, RosterType, SyncRequest, ToggleRequest, UserCreate, UserUpdate,
};
use permkit::perscom::{Client, Search, SearchFilter, SearchFilterGroup, SearchOp};
use permkit::upload::FilePart;
use serde_json::json;

fn client() -> Option<Client> {
    let Ok(url) = std::env::var("PRISM_PERSCOM_URL") else {
        panic!(
            "PRISM_PERSCOM_URL is not set: contract tests run through .ci/run, which starts Prism"
        );
    };
    Some(
        Client::builder(url)
            .api_key("perscom_contract")
            .perscom_id("1")
            .retry(permkit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

fn rank() -> RankCreate {
    serde_json::from_value(json!({"name": "Private", "abbreviation": "PVT", "order": 1})).unwrap()
}

fn rank_record() -> RankRecordCreateNested {
    serde_json::from_value(json!({"rank_id": 3, "type": 0, "text": "<p>Promoted</p>"})).unwrap()
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn lists_and_reads_match_the_spec() {
    let Some(c) = client() else { return };
    let users = c
        .list_users()
        .page(2u64)
        .limit(10u64)
        .include("rank,unit")
        .send()
        .await
        .unwrap();
    // Prism's generated values are placeholders (ids -2^53+1, "string"): only decoding counts.
    let _ = (users.items.len(), users.total_pages, users.total_count);
    let me = c.get_me().include("rank").send().await.unwrap();
    let _ = me.items;
    let user = c.get_user(1).include("rank").send().await.unwrap();
    let _ = user.rank.map(|r| r.name);
    c.list_user_rank_records(1)
        .page(1u64)
        .limit(5u64)
        .send()
        .await
        .unwrap();
    c.list_events()
        .include("calendar,author")
        .send()
        .await
        .unwrap();
    c.list_roster()
        .type_(RosterType::Manual)
        .send()
        .await
        .unwrap();
    c.get_roster(1).send().await.unwrap();
    c.list_settings().limit(50u64).send().await.unwrap();
    c.get_rank_image(1).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn writes_match_the_spec() {
    let Some(c) = client() else { return };
    let user: UserCreate =
        serde_json::from_value(json!({"name": "Contract", "email": "c@example.com"})).unwrap();
    let created = c.create_user().body(user).send().await.unwrap();
    let _ = created.id;
    let update: UserUpdate =
        serde_json::from_value(json!({"notes": "<p>On leave</p>", "rank_id": 2})).unwrap();
    c.patch_user(1).body(update).send().await.unwrap();
    c.create_rank().body(rank()).send().await.unwrap();
    c.update_rank(1)
        .body(RankUpdate {
            name: Some("PV1".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    c.patch_rank(1)
        .body(RankUpdate {
            order: Some(2),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    c.delete_rank(1).send().await.unwrap();
    let announcement: AnnouncementCreate = serde_json::from_value(json!({
        "title": "Drill", "content": "<p>Saturday</p>", "color": "#1f2937", "global": true
    }))
    .unwrap();
    c.create_announcement()
        .body(announcement)
        .send()
        .await
        .unwrap();
    let event: EventCreate = serde_json::from_value(json!({
        "name": "Op Dawn", "calendar_id": 1, "all_day": false,
        "starts": "2030-01-15T18:00:00Z", "ends": "2030-01-15T21:00:00Z",
        "notifications_enabled": true, "notifications_interval": ["pt1h"],
        "notifications_channels": ["mail", "discord_public"]
    }))
    .unwrap();
    c.create_event().body(event).send().await.unwrap();
    c.create_user_rank_record(1)
        .body(rank_record())
        .send()
        .await
        .unwrap();
    c.clear_cache().send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn search_and_batches_match_the_spec() {
    let Some(c) = client() else { return };
    let search = Search::new()
        .filter(SearchFilter::new("name", SearchOp::Like, "%a%"))
        .filter(SearchFilterGroup::or([
            SearchFilter::eq("rank_id", 1),
            SearchFilter::is_in("unit_id", [1, 2]).or(),
        ]))
        .text("a")
        .case_insensitive()
        .sort_desc("id")
        .include("rank");
    c.search_users()
        .page(1u64)
        .limit(5u64)
        .include("unit")
        .body(search)
        .send()
        .await
        .unwrap();
    c.batch_create_ranks()
        .body(RankBatchCreate::new([rank(), rank()]))
        .send()
        .await
        .unwrap();
    c.batch_update_ranks()
        .body(RankBatchUpdate::keyed([
            (1, RankUpdate::default()),
            (
                2,
                RankUpdate {
                    name: Some("PFC".into()),
                    ..Default::default()
                },
            ),
        ]))
        .send()
        .await
        .unwrap();
    c.batch_delete_ranks()
        .body(BatchDeleteRequest::ids([1, 2]))
        .send()
        .await
        .unwrap();
    c.batch_create_user_rank_records(1)
        .body(RankRecordBatchCreateNested::new([rank_record()]))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn relations_match_the_spec() {
    let Some(c) = client() else { return };
    let pivot = RelationPivot {
        order: Some(1),
        ..Default::default()
    };
    let attached = c
        .attach_form_fields(1)
        .body(AttachRequest::new(RelatedResources::with_pivots([(
            2,
            pivot.clone(),
        )])))
        .send()
        .await
        .unwrap();
    let _ = attached.attached;
    c.attach_user_tasks(1)
        .body(AttachRequest::ids([7]).allow_duplicates())
        .send()
        .await
        .unwrap();
    c.detach_form_fields(1)
        .body(DetachRequest::ids([2]))
        .send()
        .await
        .unwrap();
    c.sync_user_tasks(1)
        .body(SyncRequest::ids([1]).without_detaching())
        .send()
        .await
        .unwrap();
    c.sync_newsfeed_likes(1)
        .body(SyncRequest::ids([4, 5]))
        .send()
        .await
        .unwrap();
    c.toggle_group_units(1)
        .body(ToggleRequest::ids([3]))
        .send()
        .await
        .unwrap();
    c.update_form_field_pivot(1, 2)
        .body(PivotUpdateRequest::new(pivot))
        .send()
        .await
        .unwrap();
    c.associate_user_rank_record(1)
        .body(AssociateRequest::new(4))
        .send()
        .await
        .unwrap();
    c.dissociate_user_rank_record(1, 4).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn uploads_match_the_spec() {
    let Some(c) = client() else { return };
    // Explicit part content types: a file part without one crashes Prism 5.
    let png =
        || FilePart::from_bytes(&b"\x89PNG\r\n"[..], "medal.png").with_content_type("image/png");
    let image = c
        .create_award_image(1, "Medal", png())
        .send()
        .await
        .unwrap();
    let _ = image.image_url;
    c.create_image("Crest", png())
        .description("<p>Unit crest</p>")
        .send()
        .await
        .unwrap();
    c.update_rank_image_file(1, png()).send().await.unwrap();
    c.create_attachment(
        "Orders",
        FilePart::from_bytes(&b"%PDF-1.4"[..], "orders.pdf").with_content_type("application/pdf"),
    )
    .model("App\\Models\\User", 42)
    .send()
    .await
    .unwrap();
    c.update_user_profile_photo(
        1,
        FilePart::from_bytes(&b"\xff\xd8\xff"[..], "me.jpg").with_content_type("image/jpeg"),
    )
    .send()
    .await
    .unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERSCOM_URL"]
async fn prism_rejects_what_the_spec_forbids() {
    let Some(c) = client() else { return };
    // `email` has `format: email`; the client's type is a plain string, Prism checks the format.
    let user: UserCreate =
        serde_json::from_value(json!({"name": "Contract", "email": "not-an-email"})).unwrap();
    let err: permkit::Error = c.create_user().body(user).send().await.unwrap_err();
    assert!(
        matches!(err.status(), Some(400 | 422)),
        "expected a 400/422 from Prism, got {err:?}"
    );
    assert_eq!(err.operation(), Some("create_user"), "{err:?}");
}
