//! The Permission Assist sandbox: seeded data and state that changes as you write.
#![cfg(feature = "permission-assist")]

use futures::TryStreamExt;
use permkit::ErrorKind;
use permkit::permission_assist::{Client, types};
use permkit_sandbox::Sandbox;

async fn setup() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await;
    let client = Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .build()
        .unwrap();
    (sandbox, client)
}

#[tokio::test]
async fn identities_span_five_pages_in_name_order() {
    let (_sandbox, client) = setup().await;
    let pages: Vec<_> = client
        .list_identities()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 5);
    assert_eq!(pages.iter().map(|p| p.items.len()).sum::<usize>(), 230);
    let all: Vec<types::Identity> = pages.into_iter().flat_map(|p| p.items).collect();
    let names: Vec<(String, String)> = all
        .iter()
        .map(|i| (i.last_name.clone(), i.first_name.clone()))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn stage_then_cancel_an_import() {
    let (_sandbox, client) = setup().await;
    let apps = client.list_applications().send().await.unwrap().items;
    let scheduled = apps
        .iter()
        .find(|a| {
            a.connector
                .as_ref()
                .is_some_and(|c| c["type"] == "Scheduled")
        })
        .unwrap();
    let staged = client
        .stage_application_import()
        .body(types::StageImportRequest {
            application_id: scheduled.id,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(staged.status, types::ImportStatus::Pending);
    let listed = client
        .list_application_imports()
        .application_id(scheduled.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.items[0].id, staged.id,
        "the newest import is listed first"
    );
    let cancelled = client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: staged.id,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status, types::ImportStatus::Canceling);
    let again = client
        .get_application_import(staged.id)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status, types::ImportStatus::Canceling);
    // Cancelling twice is a conflict.
    let e = client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: staged.id,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn archived_applications_and_bad_tokens_are_refused() {
    let (sandbox, client) = setup().await;
    let apps = client.list_applications().send().await.unwrap().items;
    let archived = apps.iter().find(|a| a.is_archived == Some(true)).unwrap();
    let e = client
        .stage_application_import()
        .body(types::StageImportRequest {
            application_id: archived.id,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.field_errors()[0].message, "Application is archived");
    assert_eq!(e.correlation_id().map(str::len), Some(32));

    let wrong = Client::builder(sandbox.permission_assist_url())
        .token("pa_wrong")
        .build()
        .unwrap();
    let e = wrong.list_identities().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn events_filter_and_create() {
    let (_sandbox, client) = setup().await;
    let before = client
        .list_personnel_events()
        .type_(types::PersonnelEventTypeFilter::Offboard)
        .send()
        .await
        .unwrap()
        .total_count;
    let someone = client
        .list_identities()
        .send()
        .await
        .unwrap()
        .items
        .remove(0);
    let when =
        permkit::Timestamp::from_date(chrono::Utc::now().date_naive() + chrono::Days::new(3));
    let created = client
        .create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: someone.id,
            effective_date: when,
            comment: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.type_, types::PersonnelEventType::Offboard);
    assert_eq!(created.affected_identity.as_ref().unwrap().id, someone.id);
    let after = client
        .list_personnel_events()
        .type_(types::PersonnelEventTypeFilter::Offboard)
        .send()
        .await
        .unwrap()
        .total_count;
    assert_eq!(after, before.map(|n| n + 1));
    let all: Vec<types::PersonnelEvent> = client
        .list_personnel_events()
        .identity_id(someone.id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        all.iter()
            .all(|e| e.affected_identity.as_ref().unwrap().id == someone.id)
    );
}
