#![cfg(feature = "perscom")]
//! Every resource family: index (streamed), search and show for each top-level resource, and
//! the index of each relation, against wiremock, with the path asserted and a realistic item
//! decoded.

use futures::TryStreamExt;
use permkit::perscom::{Client, Search};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(item: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": [item],
        "links": {"first": "f", "last": "l", "prev": null, "next": null},
        "meta": {"current_page": 1, "from": 1, "last_page": 1, "per_page": 15, "to": 1, "total": 1, "path": "p",
                 "links": [{"url": null, "label": "&laquo; Previous", "active": false}, {"url": "u", "label": "1", "active": true}]}
    }))
}

async fn mount_list(server: &MockServer, verb: &str, p: &str, item: &Value) {
    Mock::given(method(verb))
        .and(path(p))
        .respond_with(page(item))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_one(server: &MockServer, p: &str, item: &Value) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": item})))
        .expect(1)
        .mount(server)
        .await;
}

/// Index (streamed), search and show of one top-level resource.
macro_rules! top_level {
    ($server:ident, $client:ident, $list:ident, $search:ident, $get:ident, $segment:literal, $item:expr) => {{
        let item: Value = $item;
        mount_list(&$server, "GET", concat!("/v2/", $segment), &item).await;
        mount_list(
            &$server,
            "POST",
            concat!("/v2/", $segment, "/search"),
            &item,
        )
        .await;
        mount_one(&$server, concat!("/v2/", $segment, "/5"), &item).await;
        let all: Vec<_> = $client.$list().stream().try_collect().await.unwrap();
        assert_eq!(all.len(), 1, $segment);
        assert_eq!(all[0].id, 5, $segment);
        let found = $client.$search().body(Search::new()).send().await.unwrap();
        assert_eq!(found.items[0].id, 5, $segment);
        let one = $client.$get(5).send().await.unwrap();
        assert_eq!(one.id, 5, $segment);
    }};
}

/// Index (streamed) of a relation under a parent.
macro_rules! relation {
    ($server:ident, $client:ident, $list:ident, $path:literal, $item:expr) => {{
        let item: Value = $item;
        mount_list(&$server, "GET", $path, &item).await;
        let all: Vec<_> = $client.$list(3).stream().try_collect().await.unwrap();
        assert_eq!(all[0].id, 5, $path);
    }};
}

fn named() -> Value {
    json!({"id": 5, "name": "Name", "description": "<p>d</p>", "order": 1, "label": "Name",
           "created_at": "2024-05-01T12:34:56.000000Z", "updated_at": "2024-05-01T12:34:56.000000Z"})
}

fn with(extra: Value) -> Value {
    let mut v = named();
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

#[tokio::test]
async fn every_top_level_family() {
    let server = MockServer::start().await;
    let c = Client::builder(server.uri()).api_key("k").build().unwrap();
    top_level!(
        server,
        c,
        list_announcements,
        search_announcements,
        get_announcement,
        "announcements",
        json!({"id": 5, "title": "T", "content": "<p>c</p>", "color": "#fff", "global": false, "enabled": true, "expires_at": null})
    );
    top_level!(
        server,
        c,
        list_assignment_records,
        search_assignment_records,
        get_assignment_record,
        "assignment-records",
        json!({"id": 5, "user_id": 1, "type": "primary", "unit_id": null})
    );
    top_level!(
        server,
        c,
        list_attachments,
        search_attachments,
        get_attachment,
        "attachments",
        with(
            json!({"filename": "a.pdf", "path": "p", "attachment_url": "u", "model_type": null, "model_id": null})
        )
    );
    top_level!(
        server,
        c,
        list_awards,
        search_awards,
        get_award,
        "awards",
        with(json!({"image": null}))
    );
    top_level!(
        server,
        c,
        list_award_records,
        search_award_records,
        get_award_record,
        "award-records",
        json!({"id": 5, "user_id": 1, "award_id": 2, "text": null})
    );
    top_level!(
        server,
        c,
        list_calendars,
        search_calendars,
        get_calendar,
        "calendars",
        with(json!({"color": "#000000"}))
    );
    top_level!(
        server,
        c,
        list_categories,
        search_categories,
        get_category,
        "categories",
        with(json!({"resource": "App\\Models\\Award"}))
    );
    top_level!(
        server,
        c,
        list_combat_records,
        search_combat_records,
        get_combat_record,
        "combat-records",
        json!({"id": 5, "user_id": 1, "text": "Engaged"})
    );
    top_level!(
        server,
        c,
        list_comments,
        search_comments,
        get_comment,
        "comments",
        json!({"id": 5, "comment": "<p>ok</p>"})
    );
    top_level!(
        server,
        c,
        list_competencies,
        search_competencies,
        get_competency,
        "competencies",
        named()
    );
    top_level!(
        server,
        c,
        list_credentials,
        search_credentials,
        get_credential,
        "credentials",
        with(json!({"type": "license", "issuer_id": 2}))
    );
    top_level!(
        server,
        c,
        list_documents,
        search_documents,
        get_document,
        "documents",
        with(json!({"content": "<p>x</p>"}))
    );
    top_level!(
        server,
        c,
        list_events,
        search_events,
        get_event,
        "events",
        with(
            json!({"calendar_id": 1, "starts": "2024-06-01T18:00:00.000000Z", "ends": null, "all_day": false,
                    "notifications_interval": ["pt15m", "p1d"], "notifications_channels": ["discord_public", "carrier_pigeon"]})
        )
    );
    top_level!(
        server,
        c,
        list_forms,
        search_forms,
        get_form,
        "forms",
        with(json!({"slug": "enlist", "is_public": true}))
    );
    top_level!(
        server,
        c,
        list_groups,
        search_groups,
        get_group,
        "groups",
        with(json!({"hidden": false}))
    );
    top_level!(
        server,
        c,
        list_images,
        search_images,
        get_image,
        "images",
        with(json!({"image_url": "u"}))
    );
    top_level!(
        server,
        c,
        list_issuers,
        search_issuers,
        get_issuer,
        "issuers",
        named()
    );
    top_level!(
        server,
        c,
        list_messages,
        search_messages,
        get_message,
        "messages",
        json!({"id": 5, "message": "<p>hi</p>", "channels": ["mail", "sms"], "recipients": [1, 2], "repeats": false})
    );
    top_level!(
        server,
        c,
        list_positions,
        search_positions,
        get_position,
        "positions",
        named()
    );
    top_level!(
        server,
        c,
        list_qualifications,
        search_qualifications,
        get_qualification,
        "qualifications",
        named()
    );
    top_level!(
        server,
        c,
        list_qualification_records,
        search_qualification_records,
        get_qualification_record,
        "qualification-records",
        json!({"id": 5, "user_id": 1, "qualification_id": 2})
    );
    top_level!(
        server,
        c,
        list_ranks,
        search_ranks,
        get_rank,
        "ranks",
        with(json!({"abbreviation": "SGT", "paygrade": "E-5"}))
    );
    top_level!(
        server,
        c,
        list_rank_records,
        search_rank_records,
        get_rank_record,
        "rank-records",
        json!({"id": 5, "user_id": 1, "rank_id": 2, "type": 0})
    );
    top_level!(
        server,
        c,
        list_service_records,
        search_service_records,
        get_service_record,
        "service-records",
        json!({"id": 5, "user_id": 1, "text": "Basic"})
    );
    top_level!(
        server,
        c,
        list_slots,
        search_slots,
        get_slot,
        "slots",
        with(json!({"position_id": null, "hidden": false}))
    );
    top_level!(
        server,
        c,
        list_specialties,
        search_specialties,
        get_specialty,
        "specialties",
        with(json!({"abbreviation": "11B"}))
    );
    top_level!(
        server,
        c,
        list_statuses,
        search_statuses,
        get_status,
        "statuses",
        with(json!({"color": "#22c55e"}))
    );
    top_level!(
        server,
        c,
        list_submissions,
        search_submissions,
        get_submission,
        "submissions",
        json!({"id": 5, "form_id": 1, "user_id": 2, "read_at": null, "favorite_color": "blue"})
    );
    top_level!(
        server,
        c,
        list_tasks,
        search_tasks,
        get_task,
        "tasks",
        json!({"id": 5, "title": "Read SOP", "form_id": null})
    );
    top_level!(
        server,
        c,
        list_training_records,
        search_training_records,
        get_training_record,
        "training-records",
        json!({"id": 5, "user_id": 1, "instructor_id": 2})
    );
    top_level!(
        server,
        c,
        list_units,
        search_units,
        get_unit,
        "units",
        with(json!({"hidden": false, "icon": null}))
    );
    top_level!(
        server,
        c,
        list_users,
        search_users,
        get_user,
        "users",
        json!({"id": 5, "name": "Jane", "email": "j@x.io", "approved": true, "online": false, "rank": null,
               "last_seen_at": "2024-05-01T12:34:56Z"})
    );
}

#[tokio::test]
async fn every_relation_index() {
    let server = MockServer::start().await;
    let c = Client::builder(server.uri()).api_key("k").build().unwrap();
    relation!(
        server,
        c,
        list_category_awards,
        "/v2/categories/3/awards",
        named()
    );
    relation!(
        server,
        c,
        list_category_documents,
        "/v2/categories/3/documents",
        with(json!({"content": "c"}))
    );
    relation!(
        server,
        c,
        list_category_forms,
        "/v2/categories/3/forms",
        with(json!({"slug": "s", "is_public": false}))
    );
    relation!(
        server,
        c,
        list_category_qualifications,
        "/v2/categories/3/qualifications",
        named()
    );
    relation!(
        server,
        c,
        list_category_ranks,
        "/v2/categories/3/ranks",
        named()
    );
    relation!(server, c, list_event_images, "/v2/events/3/image", named());
    relation!(
        server,
        c,
        list_form_fields,
        "/v2/forms/3/fields",
        json!({"id": 5, "name": "Email", "type": "email", "required": true, "options": [], "pivot": {"order": 2}})
    );
    relation!(
        server,
        c,
        list_form_submissions,
        "/v2/forms/3/submissions",
        json!({"id": 5, "form_id": 3, "user_id": 1})
    );
    relation!(server, c, list_group_units, "/v2/groups/3/units", named());
    relation!(
        server,
        c,
        list_newsfeed_likes,
        "/v2/newsfeed/3/likes",
        json!({"id": 5, "name": "A", "email": "a@b.c"})
    );
    relation!(
        server,
        c,
        list_submission_statuses,
        "/v2/submissions/3/statuses",
        json!({"id": 5, "name": "Approved", "color": "#0f0", "pivot": {"text": "ok"}})
    );
    relation!(
        server,
        c,
        list_training_record_competencies,
        "/v2/training-records/3/competencies",
        named()
    );
    relation!(
        server,
        c,
        list_training_record_credentials,
        "/v2/training-records/3/credentials",
        with(json!({"type": "certification", "issuer_id": 1}))
    );
    relation!(
        server,
        c,
        list_user_assignment_records,
        "/v2/users/3/assignment-records",
        json!({"id": 5, "user_id": 3, "type": "secondary"})
    );
    relation!(
        server,
        c,
        list_user_attachments,
        "/v2/users/3/attachments",
        named()
    );
    relation!(
        server,
        c,
        list_user_award_records,
        "/v2/users/3/award-records",
        json!({"id": 5, "user_id": 3, "award_id": 1})
    );
    relation!(
        server,
        c,
        list_user_combat_records,
        "/v2/users/3/combat-records",
        json!({"id": 5, "user_id": 3, "text": "t"})
    );
    relation!(
        server,
        c,
        list_user_fields,
        "/v2/users/3/fields",
        json!({"id": 5})
    );
    relation!(
        server,
        c,
        list_user_qualification_records,
        "/v2/users/3/qualification-records",
        json!({"id": 5, "user_id": 3, "qualification_id": 1})
    );
    relation!(
        server,
        c,
        list_user_rank_records,
        "/v2/users/3/rank-records",
        json!({"id": 5, "user_id": 3, "rank_id": 1, "type": 2})
    );
    relation!(
        server,
        c,
        list_user_service_records,
        "/v2/users/3/service-records",
        json!({"id": 5, "user_id": 3, "text": "t"})
    );
    relation!(
        server,
        c,
        list_user_status_records,
        "/v2/users/3/status-records",
        json!({"id": 5, "name": "Active", "color": "#0f0"})
    );
    relation!(
        server,
        c,
        list_user_tasks,
        "/v2/users/3/tasks",
        json!({"id": 5, "title": "t", "pivot": {"due_at": null}})
    );
    relation!(
        server,
        c,
        list_user_training_records,
        "/v2/users/3/training-records",
        json!({"id": 5, "user_id": 3, "rank_id": 1, "type": 0})
    );
}

#[tokio::test]
async fn restricted_resources() {
    let server = MockServer::start().await;
    let c = Client::builder(server.uri()).api_key("k").build().unwrap();
    Mock::given(method("GET"))
        .and(path("/v2/roster"))
        .and(wiremock::matchers::query_param("type", "manual"))
        .respond_with(page(&json!({"id": 5, "name": "Alpha", "units": [{"id": 1, "name": "1st", "slots": [{"id": 2, "name": "Lead", "users": []}]}]})))
        .expect(1)
        .mount(&server)
        .await;
    mount_one(
        &server,
        "/v2/roster/5",
        &json!({"id": 5, "name": "Alpha", "units": []}),
    )
    .await;
    mount_list(
        &server,
        "GET",
        "/v2/newsfeed",
        &json!({"id": 5, "description": "created", "properties": {}, "headline": "New rank"}),
    )
    .await;
    mount_list(
        &server,
        "GET",
        "/v2/settings",
        &json!({"id": 5, "name": "timezone", "payload": {"tz": "UTC"}, "locked": false}),
    )
    .await;
    let roster: Vec<_> = c
        .list_roster()
        .type_(permkit::perscom::enums::RosterType::Manual)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(roster[0].name, "Alpha");
    assert_eq!(c.get_roster(5).send().await.unwrap().id, 5);
    let feed: Vec<_> = c.list_newsfeed().stream().try_collect().await.unwrap();
    assert_eq!(feed[0].id, 5);
    let settings: Vec<_> = c.list_settings().stream().try_collect().await.unwrap();
    assert_eq!(settings[0].payload, Some(json!({"tz": "UTC"})));
}

#[test]
fn unknown_enum_values_decode() {
    let event: permkit::perscom::types::Event = serde_json::from_value(json!({
        "id": 1, "name": "Op", "calendar_id": 1, "starts": "2024-06-01T18:00:00.000000Z", "all_day": false,
        "notifications_channels": ["mail", "carrier_pigeon"]
    }))
    .unwrap();
    let channels = event.notifications_channels.unwrap();
    let names: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
    assert_eq!(names, ["mail", "carrier_pigeon"]);
    assert!(channels[0].is_known());
    assert!(!channels[1].is_known());
}
