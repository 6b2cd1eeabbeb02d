//! Every Permission Assist operation against wiremock: the request on the wire (method, path,
//! query, headers, body) and the decoding of the documented samples, quirks included.
#![cfg(feature = "permission-assist")]

use permkit::permission_assist::{Client, types};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pa_abc123def456";
const ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const APP: &str = "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

fn auth() -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {TOKEN}").as_str())
}

fn identity(first: &str, last: &str) -> serde_json::Value {
    json!({
        "id": ID, "kind": "Identity", "firstName": first, "lastName": last,
        "emailAddress": "robert.martinez@valkyrie.example", "type": "Service Account", "title": "Teller",
        "company": "First Bank of Valkyrie", "division": "Retail", "department": "Lending", "office": "Main",
        "supervisorName": "Martinez, Robert", "createdDate": "2019-03-01T10:00:00Z",
        "updatedDate": "2026-02-20T08:15:00", "firstSeenDate": "2020-01-01T00:00:00Z",
        "inactivatedDate": null, "status": "Active"
    })
}

fn event(kind: &str, status: &str) -> serde_json::Value {
    json!({
        "id": ID, "kind": "Personnel Event", "number": 314, "type": kind, "status": status,
        "reporter": {"id": APP, "name": "API Token - HR Integration"}, "assignee": null,
        "affectedIdentity": identity("Robert", "Martinez"),
        "neededOn": "2026-04-15T00:00:00Z", "neededUntil": null, "completedOn": null,
        "stages": [{"name": "Approval"}, {"name": "Provision"}, {"name": "Verification"}],
        "activity": [], "comments": []
    })
}

fn import(kind: &str, status: &str) -> serde_json::Value {
    json!({
        "id": ID, "kind": "Application Import", "number": 42, "type": kind, "status": status,
        "createdBy": "API Token - Automation Service", "buildStart": null, "buildEnd": null,
        "log": null, "files": [], "metrics": null,
        "application": {"id": APP, "kind": "Application", "name": "Jack Henry Silverlake", "priority": "High",
                        "isArchived": false, "lastUpdated": "2026-02-20T08:15:00"}
    })
}

fn page(
    items: Vec<serde_json::Value>,
    page: u32,
    total_pages: u32,
    total: u32,
) -> serde_json::Value {
    json!({"items": items, "totalCount": total, "page": page, "pageSize": 50, "totalPages": total_pages})
}

#[tokio::test]
async fn list_personnel_events_sends_filters_and_decodes_the_quirks() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/personnel-events"))
        .and(query_param("page", "2"))
        .and(query_param("identityId", ID))
        .and(query_param("type", "RoleTransition"))
        .and(query_param("status", "Pending"))
        .and(auth())
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![event("Role Transition", "Pending")],
            2,
            2,
            51,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .list_personnel_events()
        .page(2)
        .identity_id(ID.parse::<uuid::Uuid>().unwrap())
        .type_(types::PersonnelEventTypeFilter::RoleTransition)
        .status(types::WorkflowStatus::Pending)
        .send()
        .await
        .unwrap();
    let e = &page.items[0];
    // The response spells it with a space; the filter without: both are the same variant family.
    assert_eq!(e.type_, types::PersonnelEventType::RoleTransition);
    assert_eq!(e.type_.as_str(), "Role Transition");
    assert_eq!(
        "RoleTransition"
            .parse::<types::PersonnelEventType>()
            .unwrap(),
        types::PersonnelEventType::RoleTransition
    );
    assert_eq!(
        e.affected_identity.as_ref().unwrap().type_,
        Some(types::IdentityType::ServiceAccount)
    );
    assert!(e.assignee.is_none());
    assert_eq!(e.stages.len(), 3);
    assert_eq!(page.total_count, Some(51));
}

#[tokio::test]
async fn get_personnel_event() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/personnel-events/{ID}")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(event("Offboard", "Scheduled")))
        .expect(1)
        .mount(&server)
        .await;
    let e = client
        .get_personnel_event(ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(e.number, 314);
    assert_eq!(e.status, types::WorkflowStatus::Scheduled);
    assert_eq!(
        e.reporter.as_ref().unwrap().name,
        "API Token - HR Integration"
    );
    assert_eq!(e.needed_on.unwrap().to_string(), "2026-04-15T00:00:00Z");
}

#[tokio::test]
async fn create_onboard_event_sends_the_documented_body() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/personnel-events/onboard"))
        .and(auth())
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "identity": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@valkyrie.example",
                         "department": "Operations", "identityType": "ServiceAccount", "customField9": "x"},
            "effectiveDate": "2026-03-15",
            "comment": "New hire"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(event("Onboard", "Pending")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(
                    types::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace")
                        .email(Some("ada@valkyrie.example".try_into().unwrap()))
                        .department(Some("Operations".try_into().unwrap()))
                        .identity_type(Some(types::IdentityTypeInput::ServiceAccount))
                        .custom_field9(Some("x".try_into().unwrap())),
                )
                .effective_date(permkit::Timestamp::date_only(
                    chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
                ))
                .comment(Some("New hire".to_string())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.type_, types::PersonnelEventType::Onboard);
}

#[tokio::test]
async fn length_limits_are_checked_before_sending() {
    let (server, client) = setup().await;
    // department is limited to 128 characters: the value cannot be built.
    let too_long: Result<types::NewIdentityDepartment, _> = "x".repeat(129).as_str().try_into();
    assert!(
        too_long
            .unwrap_err()
            .to_string()
            .contains("longer than 128")
    );
    // A missing required field fails at send(), typed, before anything is sent.
    let err = client
        .create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(types::NewIdentity::builder().first_name("A"))
                .effective_date(permkit::Timestamp::now()),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), permkit::ErrorKind::InvalidRequest);
    assert!(err.message().contains("last_name"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_offboard_role_transition_and_leave_events() {
    let (server, client) = setup().await;
    let id: uuid::Uuid = ID.parse().unwrap();
    let when = permkit::Timestamp::from_date(chrono::NaiveDate::from_ymd_opt(2026, 4, 15).unwrap());
    let until = permkit::Timestamp::from_date(chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
    for (route, body, response) in [
        (
            "offboard",
            json!({"identityId": ID, "effectiveDate": "2026-04-15T00:00:00Z", "comment": "Last day"}),
            event("Offboard", "Scheduled"),
        ),
        (
            "role-transition",
            json!({"identityId": ID, "effectiveDate": "2026-04-15T00:00:00Z", "endDate": "2026-05-01T00:00:00Z",
                   "identity": {"title": "Branch Manager"}}),
            event("RoleTransition", "Pending"),
        ),
        (
            "leave-of-absence",
            json!({"identityId": ID, "effectiveDate": "2026-04-15T00:00:00Z"}),
            event("Absence", "Scheduled"),
        ),
    ] {
        Mock::given(method("POST"))
            .and(path(format!("/api/personnel-events/{route}")))
            .and(auth())
            .and(body_json(body))
            .respond_with(ResponseTemplate::new(201).set_body_json(response))
            .expect(1)
            .mount(&server)
            .await;
    }
    let off = client
        .create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: id,
            effective_date: when,
            comment: Some("Last day".into()),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(off.type_, types::PersonnelEventType::Offboard);
    let rt = client
        .create_role_transition_event()
        .body(
            types::RoleTransitionRequest::builder()
                .identity_id(id)
                .effective_date(when)
                .end_date(Some(until))
                .identity(Some(
                    types::IdentityInput::builder()
                        .title(Some("Branch Manager".try_into().unwrap()))
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .unwrap();
    // `RoleTransition` without the space also decodes to the same variant.
    assert_eq!(rt.type_, types::PersonnelEventType::RoleTransition);
    let loa = client
        .create_leave_of_absence_event()
        .body(types::LeaveOfAbsenceRequest {
            identity_id: id,
            effective_date: when,
            end_date: None,
            comment: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(loa.type_, types::PersonnelEventType::Absence);
}

#[tokio::test]
async fn application_imports_list_get_stage_cancel() {
    let (server, client) = setup().await;
    let mut summary = import("Scheduled", "Finished");
    summary["buildStart"] = json!("2025-12-01T02:00:00Z");
    summary["buildEnd"] = json!("2025-12-01T02:05:00Z");
    Mock::given(method("GET"))
        .and(path("/api/application-imports"))
        .and(query_param("applicationId", APP))
        .and(query_param_is_missing("page"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![summary], 1, 1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/application-imports/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(import("Api", "Running")))
        .expect(1)
        .mount(&server)
        .await;
    let mut staged = import("API", "Pending");
    staged.as_object_mut().unwrap().remove("application");
    Mock::given(method("POST"))
        .and(path("/api/application-imports/stage"))
        .and(body_json(json!({"applicationId": APP})))
        .respond_with(ResponseTemplate::new(201).set_body_json(staged))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/application-imports/cancel"))
        .and(body_json(json!({"applicationImportId": ID})))
        .respond_with(ResponseTemplate::new(200).set_body_json(import("API", "Canceling")))
        .expect(1)
        .mount(&server)
        .await;
    let app: uuid::Uuid = APP.parse().unwrap();
    let list = client
        .list_application_imports()
        .application_id(app)
        .send()
        .await
        .unwrap();
    assert_eq!(list.items[0].status, types::ImportStatus::Finished);
    assert_eq!(
        list.items[0].build_start.unwrap().to_utc().to_rfc3339(),
        "2025-12-01T02:00:00+00:00"
    );
    let got = client
        .get_application_import(ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    // `Api` and `API` are one value.
    assert_eq!(got.type_, types::ImportType::Api);
    assert_eq!(
        got.application
            .as_ref()
            .unwrap()
            .last_updated
            .unwrap()
            .offset(),
        None
    );
    let staged = client
        .stage_application_import()
        .body(types::StageImportRequest {
            application_id: app,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(staged.status, types::ImportStatus::Pending);
    assert!(staged.application.is_none() && staged.metrics.is_none() && staged.log.is_none());
    let cancelled = client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: ID.parse().unwrap(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status, types::ImportStatus::Canceling);
}

#[tokio::test]
async fn applications_identities_access_requests() {
    let (server, client) = setup().await;
    let app = json!({"id": APP, "kind": "Application", "name": "Wire Portal", "priority": "Critical", "isArchived": false,
                     "lastUpdated": "2026-02-20T08:15:00", "connector": {"type": "File"}, "lastImport": null, "vendorField": 1});
    Mock::given(method("GET"))
        .and(path("/api/applications"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![app.clone()], 1, 1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/applications/{APP}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(app))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/identities"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![identity("Ana", "Lopez")],
            1,
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/identities/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(identity("Ana", "Lopez")))
        .expect(1)
        .mount(&server)
        .await;
    let request = json!({
        "id": ID, "kind": "Access Request", "number": 7, "action": "Suspend", "status": "Snoozed",
        "reporter": {"id": APP, "name": "Reviewer"}, "assignee": null,
        "target": {"type": "Group", "name": "Tellers", "nomenclature": "Security Group", "affectedIdentity": null},
        "privileges": [{"name": "Wire Approve"}], "responseRequirements": {"preApproval": true}
    });
    Mock::given(method("GET"))
        .and(path("/api/access-requests"))
        .and(query_param("type", "Suspend"))
        .and(query_param("status", "Snoozed"))
        .and(query_param("applicationId", APP))
        .and(query_param("identityId", ID))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![request.clone()],
            1,
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/access-requests/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(request))
        .expect(1)
        .mount(&server)
        .await;

    let id: uuid::Uuid = ID.parse().unwrap();
    let app_id: uuid::Uuid = APP.parse().unwrap();
    let apps = client.list_applications().page(1).send().await.unwrap();
    assert_eq!(
        apps.items[0].priority,
        Some(types::ApplicationPriority::Critical)
    );
    let app = client.get_application(app_id).send().await.unwrap();
    assert_eq!(app.connector.as_ref().unwrap()["type"], "File");
    let ids = client.list_identities().send().await.unwrap();
    assert_eq!(
        ids.items[0].supervisor_name.as_deref(),
        Some("Martinez, Robert")
    );
    let one = client.get_identity(id).send().await.unwrap();
    assert_eq!(one.status, Some(types::IdentityStatus::Active));
    assert_eq!(one.updated_date.unwrap().to_string(), "2026-02-20T08:15:00");
    let reqs = client
        .list_access_requests()
        .type_(types::AccessAction::Suspend)
        .status(types::WorkflowStatus::Snoozed)
        .application_id(app_id)
        .identity_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        reqs.items[0].target.as_ref().unwrap().type_,
        types::AccessTargetType::Group
    );
    let one = client.get_access_request(id).send().await.unwrap();
    assert_eq!(one.privileges.len(), 1);
}

#[tokio::test]
async fn unknown_enum_values_and_extra_fields_decode() {
    let (server, client) = setup().await;
    let mut body = import("Webhook", "Paused");
    body["brandNewField"] = json!({"x": 1});
    Mock::given(method("GET"))
        .and(path(format!("/api/application-imports/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let got = client
        .get_application_import(ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.type_, types::ImportType::UnknownValue("Webhook".into()));
    assert_eq!(got.status.as_str(), "Paused");
    assert!(!got.status.is_known());
}

#[tokio::test]
async fn the_token_never_prints() {
    let (_server, client) = setup().await;
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    let builder = Client::builder("https://pa.example.com/api").token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
}
