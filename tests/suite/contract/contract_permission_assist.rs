//! Contract tests: every Permission Assist operation against Stoplight Prism serving
//! `openapi/permission-assist.yaml`. Prism rejects any request that does not match the spec
//! (parameters, body schema, content types, security) and answers with bodies generated from
//! the spec, which must decode. `.ci/run` starts Prism and sets `PRISM_PERMISSION_ASSIST_URL`; without it they fail (they are `#[ignore]`d, so a plain `cargo test` lists them as ignored).
#![cfg(feature = "permission-assist")]

use permkit::permission_assist::{Client, types};
use permkit::upload::FilePart;

fn client() -> Option<Client> {
    let Ok(url) = std::env::var("PRISM_PERMISSION_ASSIST_URL") else {
        panic!(
            "PRISM_PERMISSION_ASSIST_URL is not set: contract tests run through .ci/run, which starts Prism"
        );
    };
    Some(
        Client::builder(url)
            .token("pa_contract")
            .retry(permkit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERMISSION_ASSIST_URL"]
async fn every_operation_is_accepted_and_its_response_decodes() {
    let Some(c) = client() else { return };
    let id = uuid::Uuid::new_v4();
    let when = permkit::Timestamp::from_date(chrono::NaiveDate::from_ymd_opt(2030, 1, 15).unwrap());
    c.list_personnel_events()
        .page(2)
        .identity_id(id)
        .type_(types::PersonnelEventTypeFilter::RoleTransition)
        .status(types::WorkflowStatus::Open)
        .send()
        .await
        .unwrap();
    c.get_personnel_event(id).send().await.unwrap();
    c.create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(
                    types::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace")
                        .email(Some("ada@example.com".try_into().unwrap()))
                        .supervisor_id(Some(id))
                        .identity_type(Some(types::IdentityTypeInput::ServiceAccount)),
                )
                .effective_date(when)
                .comment(Some("contract".to_string())),
        )
        .send()
        .await
        .unwrap();
    c.create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: id,
            effective_date: when,
            comment: Some("bye".into()),
        })
        .send()
        .await
        .unwrap();
    c.create_role_transition_event()
        .body(
            types::RoleTransitionRequest::builder()
                .identity_id(id)
                .effective_date(when)
                .end_date(Some(when))
                .identity(Some(
                    types::IdentityInput::builder()
                        .title(Some("Manager".try_into().unwrap()))
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .unwrap();
    c.create_leave_of_absence_event()
        .body(types::LeaveOfAbsenceRequest {
            identity_id: id,
            effective_date: when,
            end_date: Some(when),
            comment: None,
        })
        .send()
        .await
        .unwrap();
    c.list_application_imports()
        .page(1)
        .application_id(id)
        .send()
        .await
        .unwrap();
    c.get_application_import(id).send().await.unwrap();
    c.stage_application_import()
        .body(types::StageImportRequest { application_id: id })
        .send()
        .await
        .unwrap();
    c.cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: id,
        })
        .send()
        .await
        .unwrap();
    c.upload_application_import(id)
        .file(
            uuid::Uuid::new_v4(),
            FilePart::from_bytes(&b"id,name\n1,Ada\n"[..], "employees.csv"),
        )
        .send()
        .await
        .unwrap();
    c.list_applications().page(1).send().await.unwrap();
    c.get_application(id).send().await.unwrap();
    c.list_identities().page(3).send().await.unwrap();
    c.get_identity(id).send().await.unwrap();
    c.list_access_requests()
        .page(1)
        .identity_id(id)
        .application_id(id)
        .status(types::WorkflowStatus::Pending)
        .type_(types::AccessAction::Remove)
        .send()
        .await
        .unwrap();
    c.get_access_request(id).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Prism mock server: .ci/run starts one and sets PRISM_PERMISSION_ASSIST_URL"]
async fn prism_does_reject_what_the_spec_forbids() {
    let Some(c) = client() else { return };
    // page must be >= 1: the client refuses it before sending...
    let e = c.list_identities().page(0).send().await.unwrap_err();
    assert_eq!(e.kind(), permkit::ErrorKind::Validation, "{e}");
    // ...and Prism, sent the same request by hand, rejects it: the contract server is strict.
    let url = std::env::var("PRISM_PERMISSION_ASSIST_URL").unwrap();
    let resp = reqwest::Client::new()
        .get(format!("{url}/identities?page=0"))
        .bearer_auth("pa_contract")
        .send()
        .await
        .unwrap();
    assert!(
        matches!(resp.status().as_u16(), 400 | 422),
        "{}",
        resp.status()
    );
}
