//! The sandbox's state under the test's control (Permission Assist workflows, Intacct token
//! expiry), its documented seed and constants, and `include` on PERSCOM writes.

use permkit_sandbox::Sandbox;

#[cfg(feature = "permission-assist")]
mod permission_assist {
    use super::*;
    use permkit::permission_assist::{Client, types};
    use std::time::Duration;
    use types::{ImportStatus, WorkflowStatus};

    fn client(sandbox: &Sandbox) -> Client {
        Client::builder(sandbox.permission_assist_url())
            .token(Sandbox::PERMISSION_ASSIST_TOKEN)
            .build()
            .unwrap()
    }

    /// A poll-until-done loop, as a user writes it, reaches its happy path while the test moves
    /// the import on.
    #[tokio::test]
    async fn a_staged_import_runs_and_finishes() {
        let sandbox = Sandbox::start().await;
        let c = client(&sandbox);
        let staged = c
            .stage_application_import()
            .body(types::StageImportRequest {
                application_id: Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION,
            })
            .send()
            .await
            .unwrap();
        assert_eq!(staged.status, ImportStatus::Pending);

        sandbox
            .set_import_status(staged.id, ImportStatus::Running)
            .unwrap();
        let running = c.get_application_import(staged.id).send().await.unwrap();
        assert_eq!(running.status, ImportStatus::Running);
        assert!(running.build_start.is_some());
        assert!(running.build_end.is_none());

        let poll = async {
            loop {
                let now = c.get_application_import(staged.id).send().await.unwrap();
                if matches!(now.status, ImportStatus::Finished | ImportStatus::Failed) {
                    return now;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let finish = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            sandbox
                .set_import_status(staged.id, ImportStatus::Finished)
                .unwrap();
        };
        let (done, ()) = tokio::join!(poll, finish);
        assert_eq!(done.status, ImportStatus::Finished);
        assert!(done.build_end.is_some() && done.log.is_some() && done.metrics.is_some());

        // A finished import can no longer be canceled.
        let err = c
            .cancel_application_import()
            .body(types::CancelImportRequest {
                application_import_id: staged.id,
            })
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(409));
        let missing = sandbox
            .set_import_status(uuid::Uuid::nil(), ImportStatus::Failed)
            .unwrap_err();
        assert!(
            matches!(missing, permkit_sandbox::SandboxError::NotFound { .. }),
            "{missing}"
        );
        let unknown = sandbox.set_import_status(staged.id, "Done").unwrap_err();
        assert!(
            matches!(unknown, permkit_sandbox::SandboxError::UnknownValue { .. }),
            "{unknown}"
        );
    }

    #[tokio::test]
    async fn a_personnel_event_is_opened_and_resolved() {
        let sandbox = Sandbox::start().await;
        let c = client(&sandbox);
        let start = chrono::Utc::now().date_naive() + chrono::Days::new(3);
        let event = c
            .create_onboard_event()
            .body(
                types::OnboardRequest::builder()
                    .identity(
                        types::NewIdentity::builder()
                            .first_name("Grace")
                            .last_name("Hopper"),
                    )
                    .effective_date(permkit::Timestamp::from_date(start)),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(event.status, WorkflowStatus::Pending);
        sandbox
            .set_personnel_event_status(event.id, WorkflowStatus::Open)
            .unwrap();
        let open = c.get_personnel_event(event.id).send().await.unwrap();
        assert_eq!(open.status, WorkflowStatus::Open);
        assert!(open.completed_on.is_none());
        sandbox
            .set_personnel_event_status(event.id, WorkflowStatus::Resolved)
            .unwrap();
        let resolved = c.get_personnel_event(event.id).send().await.unwrap();
        assert_eq!(resolved.status, WorkflowStatus::Resolved);
        assert!(resolved.completed_on.is_some());

        // Its access request moves on its own.
        let requests = c
            .list_access_requests()
            .status(WorkflowStatus::Pending)
            .send()
            .await
            .unwrap();
        let request = requests.items[0].id;
        sandbox
            .set_access_request_status(request, WorkflowStatus::Resolved)
            .unwrap();
        let after = c.get_access_request(request).send().await.unwrap();
        assert_eq!(after.status, WorkflowStatus::Resolved);
    }

    #[tokio::test]
    async fn the_documented_seed_is_there() {
        let sandbox = Sandbox::start().await;
        let c = client(&sandbox);
        let page = c.list_identities().send().await.unwrap();
        assert_eq!(
            page.total_count,
            Some(Sandbox::PERMISSION_ASSIST_IDENTITIES)
        );
        assert_eq!(page.items[0].id, Sandbox::PERMISSION_ASSIST_IDENTITY);
        let apps = c.list_applications().send().await.unwrap().items;
        let app = |id| apps.iter().find(|a| a.id == id).unwrap();
        let scheduled = app(Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION);
        assert_eq!(scheduled.name, "Jack Henry Silverlake");
        let file = app(Sandbox::PERMISSION_ASSIST_FILE_APPLICATION);
        let groups = &file.connector.as_ref().unwrap()["fileGroups"];
        assert_eq!(
            groups[0]["id"],
            Sandbox::PERMISSION_ASSIST_FILE_GROUP.to_string()
        );
        assert_eq!(groups[0]["required"], true);
        let archived = app(Sandbox::PERMISSION_ASSIST_ARCHIVED_APPLICATION);
        assert_eq!(archived.is_archived, Some(true));
        let err = c
            .stage_application_import()
            .body(types::StageImportRequest {
                application_id: archived.id,
            })
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(400));
    }
}

#[cfg(feature = "intacct")]
mod intacct {
    use super::*;
    use permkit::ErrorKind;
    use permkit::intacct::Client;

    #[tokio::test]
    async fn the_static_token_works_until_expired() {
        let sandbox = Sandbox::start().await;
        let c = Client::builder(sandbox.intacct_url())
            .token(Sandbox::INTACCT_TOKEN)
            .build()
            .unwrap();
        let roles = c.list_roles().send().await.unwrap();
        assert_eq!(roles.total_count, Some(14));
        assert!(
            sandbox
                .requests()
                .iter()
                .all(|r| r.operation_id != Some("create_token"))
        );
        sandbox.expire_intacct_tokens();
        let err = c.list_roles().send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        assert_eq!(err.code(), Some("GW-0031"));
    }

    /// Re-authentication end to end: the client's token expires, the API answers 401, and the
    /// client fetches a new token and repeats the call.
    #[tokio::test]
    async fn a_client_reauthenticates_after_its_token_expires() {
        let sandbox = Sandbox::start().await;
        let c = Client::builder(sandbox.intacct_url())
            .client_credentials(
                Sandbox::INTACCT_CLIENT_ID,
                Sandbox::INTACCT_CLIENT_SECRET,
                Sandbox::INTACCT_USERNAME,
            )
            .build()
            .unwrap();
        c.list_roles().send().await.unwrap();
        sandbox.expire_intacct_tokens();
        c.list_roles().send().await.unwrap();
        let calls: Vec<(&str, u16)> = sandbox
            .requests()
            .iter()
            .map(|r| (r.operation_id.unwrap_or("?"), r.status.unwrap_or(0)))
            .collect();
        assert_eq!(
            calls,
            [
                ("create_token", 200),
                ("list_roles", 200),
                ("list_roles", 401),
                ("create_token", 200),
                ("list_roles", 200),
            ]
        );
    }
}

#[cfg(feature = "perscom")]
mod perscom {
    use super::*;
    use permkit::ErrorKind;
    use permkit::perscom::{Client, types};
    use serde_json::json;

    fn client(sandbox: &Sandbox, key: &str) -> Client {
        Client::builder(sandbox.perscom_url())
            .api_key(key)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn writes_honour_include() {
        let sandbox = Sandbox::start().await;
        let c = client(&sandbox, Sandbox::PERSCOM_API_KEY);
        let record: types::RankRecordCreateNested =
            serde_json::from_value(json!({"rank_id": 3, "type": 0, "text": "Promoted"})).unwrap();
        let created = c
            .create_user_rank_record(1)
            .include("rank")
            .body(record.clone())
            .send()
            .await
            .unwrap();
        let body = serde_json::to_value(&created).unwrap();
        assert_eq!(body["rank"]["name"], "Private First Class", "{body}");

        let err = c
            .create_user_rank_record(1)
            .include("medals")
            .body(record)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.kind(), ErrorKind::Validation);
    }

    #[tokio::test]
    async fn the_limited_key_lacks_writes_settings_and_cache() {
        let sandbox = Sandbox::start().await;
        let limited = client(&sandbox, Sandbox::PERSCOM_LIMITED_API_KEY);
        let users = limited.list_users().send().await.unwrap();
        assert_eq!(users.total_count, Some(Sandbox::PERSCOM_USERS));
        let err = limited.delete_user(2).send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        let err = limited.clear_cache().send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
    }
}
