//! What a test controls of the sandbox: faults that cannot miss silently, workflow steps that
//! say why they refuse, webhook deliveries a test can wait for, and the clock the seed and the
//! mocks' timestamps follow (pinned, moved, reset).

use chrono::{DateTime, Duration, TimeZone, Utc};
use permkit::permission_assist::types::{self as pa, ImportStatus, WorkflowStatus};
use permkit_sandbox::{Fault, PerscomWebhook, Sandbox, SandboxError};
use serde_json::{Value, json};
use std::time::Instant;

fn pinned() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 14, 15, 30, 45).unwrap()
}

/// The JSON answer of a `GET` that must succeed.
async fn get(url: String, token: &str) -> Value {
    let (status, body) = super::http::get(url, token).await;
    assert!((200..300).contains(&status), "{status}: {body}");
    body
}

async fn post(url: String, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every PERSCOM rank record, page by page.
async fn rank_records(sandbox: &Sandbox) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let url = format!(
            "{}/v2/rank-records?limit=100&page={page}",
            sandbox.perscom_url()
        );
        let body = get(url, Sandbox::PERSCOM_API_KEY).await;
        let data = body["data"].as_array().cloned().unwrap_or_default();
        if data.is_empty() {
            break;
        }
        all.extend(data);
    }
    all
}

/// Every Permission Assist import summary, page by page.
async fn imports(sandbox: &Sandbox) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1..=2 {
        let url = format!(
            "{}/application-imports?page={page}",
            sandbox.permission_assist_url()
        );
        let body = get(url, Sandbox::PERMISSION_ASSIST_TOKEN).await;
        all.extend(body["items"].as_array().cloned().unwrap_or_default());
    }
    all
}

/// The Intacct users' keys and audit dates (the query names each field by its path:
/// `audit.createdDateTime`).
async fn intacct_audits(sandbox: &Sandbox) -> Vec<Value> {
    let (status, body) = post(
        format!("{}/services/core/query", sandbox.intacct_url()),
        Sandbox::INTACCT_TOKEN,
        json!({"object": "company-config/user",
               "fields": ["key", "audit.createdDateTime", "audit.modifiedDateTime"],
               "size": 100}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["ia::result"].as_array().cloned().unwrap()
}

fn at(v: &Value) -> DateTime<Utc> {
    let text = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    text.parse::<DateTime<Utc>>()
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map(|t| t.and_utc())
        })
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn pa_client(sandbox: &Sandbox) -> permkit::permission_assist::Client {
    permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .build()
        .unwrap()
}

fn perscom_client(sandbox: &Sandbox) -> permkit::perscom::Client {
    permkit::perscom::Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .retry(permkit::RetryPolicy::none())
        .build()
        .unwrap()
}

// ---- A. Faults that cannot miss silently ----

/// Creates a PERSCOM user through the client: one `user.created` event.
async fn create_pat(sandbox: &Sandbox) {
    let new: permkit::perscom::types::UserCreate =
        serde_json::from_value(json!({"name": "Pat", "email": "pat@example.mil"})).unwrap();
    perscom_client(sandbox)
        .create_user()
        .body(new)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_fault_on_an_unknown_operation_is_refused_with_the_closest_ids() {
    let sandbox = Sandbox::start().await;
    let err = sandbox
        .try_fault(Fault::on("get_identiy").status(500))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(r#"no operation "get_identiy" in any API; did you mean get_identity"#),
        "{message}"
    );
    match &err {
        SandboxError::UnknownOperation {
            operation_id,
            suggestions,
            ..
        } => {
            assert_eq!(operation_id, "get_identiy");
            assert_eq!(suggestions[0], "get_identity");
            assert!(suggestions.len() <= 3);
        }
        other => panic!("{other:?}"),
    }
    // Nothing close: no suggestion.
    let err = sandbox
        .try_fault(Fault::on("frobnicate_the_widgets").status(500))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"no operation "frobnicate_the_widgets" in any API"#
    );
    // A camel-cased id of any API is taken.
    sandbox
        .try_fault(Fault::on("listIdentities").status(503))
        .unwrap();
    sandbox
        .try_fault(Fault::on("list_users").status(503))
        .unwrap();
    sandbox
        .try_fault(Fault::on("create_token").status(503))
        .unwrap();
    assert_eq!(sandbox.faults().len(), 3);
    assert!(sandbox.faults().iter().all(|(_, fired)| *fired == 0));
    sandbox.clear_faults();
}

#[tokio::test]
#[should_panic(
    expected = r#"no operation "list_identites" in any API; did you mean list_identities"#
)]
async fn fault_panics_on_an_unknown_operation() {
    let sandbox = Sandbox::start().await;
    sandbox.fault(Fault::on("list_identites").status(503));
}

/// A webhook that could never be delivered is refused when it is registered, as the admin API
/// refuses it, rather than registered to fail or never fire; a valid one after it still gets
/// its events.
#[tokio::test]
async fn a_webhook_that_could_never_be_delivered_is_refused() {
    let sandbox = Sandbox::start().await;
    let reason = |e: SandboxError| match e {
        SandboxError::InvalidWebhook { reason, .. } => reason,
        other => panic!("{other:?}"),
    };
    let hook = |url: &str| PerscomWebhook::new(url, "s3cret");
    let e = sandbox
        .try_register_perscom_webhook(hook("http://127.0.0.1:9/").events(["user.craeted"]))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the webhook cannot be registered: "),
        "{e}"
    );
    let e = reason(e);
    assert!(e.starts_with(r#"unknown event "user.craeted"; "#), "{e}");
    assert!(e.contains("user"), "{e}");
    for url in [
        "127.0.0.1:9/hooks",
        "/hooks",
        "ftp://127.0.0.1/hooks",
        "not a url",
    ] {
        let e = sandbox.try_register_perscom_webhook(hook(url)).unwrap_err();
        assert!(reason(e).contains("URL"), "{url}");
        let e = sandbox
            .try_register_permission_assist_catch_hook(url)
            .unwrap_err();
        assert!(reason(e).contains("URL"), "{url}");
    }
    // Events in any case, as PERSCOM's dashboard takes them.
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    sandbox
        .try_register_perscom_webhook(hook(&receiver.uri()).events(["User.Created"]))
        .unwrap();
    sandbox
        .try_register_permission_assist_catch_hook(receiver.uri())
        .unwrap();
    create_pat(&sandbox).await;
    sandbox.webhooks_settled().await;
    let deliveries = sandbox.webhook_deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0].event, "user.created");
    assert!(deliveries[0].succeeded(), "{deliveries:?}");
}

#[tokio::test]
#[should_panic(expected = r#"the webhook cannot be registered: unknown event "user.craeted""#)]
async fn register_panics_on_a_webhook_that_could_never_be_delivered() {
    let sandbox = Sandbox::start().await;
    sandbox.register_perscom_webhook(
        PerscomWebhook::new("http://127.0.0.1:9/", "s").events(["user.craeted"]),
    );
}

#[tokio::test]
async fn faults_count_what_they_caught_and_unfired_ones_are_listed() {
    let sandbox = Sandbox::start().await;
    let client = perscom_client(&sandbox);
    sandbox.fault(Fault::on("list_users").status(503));
    sandbox.fault(Fault::on("get_user").path("/users/7").status(404).times(2));
    sandbox.fault(Fault::on("list_ranks").status(500).nth_call(3));
    let _ = client.list_users().send().await;
    let _ = client.list_users().send().await;
    let _ = client.get_user(7).send().await;
    let _ = client.list_ranks().send().await;

    let faults = sandbox.faults();
    let fired: Vec<(&str, u32)> = faults.iter().map(|(f, n)| (f.operation_id(), *n)).collect();
    assert_eq!(
        fired,
        [("list_users", 2), ("get_user", 1), ("list_ranks", 0)]
    );
    let (get_user, _) = &faults[1];
    assert_eq!(get_user.path_suffix(), Some("/users/7"));
    assert_eq!(get_user.status_code(), Some(404));
    assert_eq!(get_user.call_limit(), Some(2));

    let unfired = sandbox.unfired_faults();
    assert_eq!(unfired.len(), 1);
    assert_eq!(unfired[0].operation_id(), "list_ranks");
    assert_eq!(unfired[0].starts_at_call(), Some(3));

    // A fault that caught all it was for disarms itself.
    let _ = client.get_user(7).send().await;
    assert!(
        !sandbox
            .faults()
            .iter()
            .any(|(f, _)| f.operation_id() == "get_user")
    );
    sandbox.clear_faults();
    assert!(sandbox.unfired_faults().is_empty());
}

/// Run by [`dropping_a_sandbox_reports_its_unfired_faults`] in a child process, whose stderr
/// it reads: one sandbox dropped with an unfired fault, one dropped while its thread panics.
#[test]
fn drop_report_child() {
    let Ok(mode) = std::env::var("PERMKIT_SANDBOX_DROP_CHILD") else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if mode == "plain" {
        runtime.block_on(async {
            let sandbox = Sandbox::start().await;
            sandbox.fault(Fault::on("list_identities").status(503));
            sandbox.fault(Fault::on("getUser").status(404).nth_call(2));
        });
    } else {
        let result = std::panic::catch_unwind(|| {
            runtime.block_on(async {
                let sandbox = Sandbox::start().await;
                sandbox.fault(Fault::on("list_identities").status(503));
                panic!("the test failed for its own reasons");
            })
        });
        assert!(result.is_err());
    }
}

#[test]
fn dropping_a_sandbox_reports_its_unfired_faults() {
    let child = |mode: &str| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "control::drop_report_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("PERMKIT_SANDBOX_DROP_CHILD", mode)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = child("plain");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("permkit-sandbox:"))
        .collect();
    assert_eq!(
        lines,
        [
            "permkit-sandbox: fault on list_identities never fired (armed after the calls it targets?)",
            "permkit-sandbox: fault on get_user never fired (armed after the calls it targets?)",
        ],
        "{stderr}"
    );
    let stderr = child("panicking");
    assert!(
        stderr.contains("the test failed for its own reasons"),
        "{stderr}"
    );
    assert!(!stderr.contains("never fired"), "{stderr}");
}

// ---- Webhooks a test can wait for ----

#[tokio::test]
async fn webhooks_settled_waits_for_a_slow_receiver() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    let receiver = MockServer::start().await;
    Mock::given(matchers::method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_millis(400)))
        .mount(&receiver)
        .await;
    let sandbox = Sandbox::start().await;
    sandbox.register_permission_assist_catch_hook(format!("{}/hooks", receiver.uri()));
    sandbox.register_perscom_webhook(PerscomWebhook::new(
        format!("{}/perscom", receiver.uri()),
        "s3cret",
    ));

    let start = (Utc::now() + Duration::days(2)).date_naive();
    pa_client(&sandbox)
        .create_onboard_event()
        .body(
            pa::OnboardRequest::builder()
                .identity(
                    pa::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace"),
                )
                .effective_date(permkit::Timestamp::from_date(start)),
        )
        .send()
        .await
        .unwrap();
    create_pat(&sandbox).await;

    let waited = Instant::now();
    sandbox.webhooks_settled().await;
    assert!(waited.elapsed() >= std::time::Duration::from_millis(700));
    let deliveries = sandbox.webhook_deliveries();
    let events: Vec<(&str, bool)> = deliveries
        .iter()
        .map(|d| (d.event.as_str(), d.succeeded()))
        .collect();
    assert_eq!(
        events,
        [("AccessRequestCreated", true), ("user.created", true)]
    );
    // Nothing queued since: at once.
    let again = Instant::now();
    sandbox.webhooks_settled().await;
    assert!(again.elapsed() < std::time::Duration::from_millis(200));
}

#[tokio::test]
async fn webhooks_settled_waits_for_the_last_retry() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    let receiver = MockServer::start().await;
    Mock::given(matchers::method("POST"))
        .respond_with(ResponseTemplate::new(500).set_delay(std::time::Duration::from_millis(100)))
        .mount(&receiver)
        .await;
    let sandbox = Sandbox::start().await;
    sandbox.register_perscom_webhook(PerscomWebhook::new(receiver.uri(), "s3cret"));
    let new: permkit::perscom::types::UserCreate =
        serde_json::from_value(json!({"name": "Lee", "email": "lee@example.mil"})).unwrap();
    perscom_client(&sandbox)
        .create_user()
        .body(new)
        .send()
        .await
        .unwrap();
    sandbox.webhooks_settled().await;
    let tries: Vec<(u32, Option<u16>)> = sandbox
        .webhook_deliveries()
        .iter()
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(tries, [(1, Some(500)), (2, Some(500)), (3, Some(500))]);
}

// ---- B. Workflow steps that say why they refuse ----

#[tokio::test]
async fn workflow_setters_name_what_they_refuse() {
    let sandbox = Sandbox::start().await;
    let client = pa_client(&sandbox);
    let import = client
        .list_application_imports()
        .send()
        .await
        .unwrap()
        .items[0]
        .id;
    let event = client.list_personnel_events().send().await.unwrap().items[0].id;
    let request = client.list_access_requests().send().await.unwrap().items[0].id;

    sandbox
        .set_import_status(import, ImportStatus::Running)
        .unwrap();
    sandbox.set_import_status(import, "Canceling").unwrap();
    sandbox
        .set_personnel_event_status(event, WorkflowStatus::Snoozed)
        .unwrap();
    sandbox.set_access_request_status(request, "Open").unwrap();
    let got = client.get_access_request(request).send().await.unwrap();
    assert_eq!(got.status, WorkflowStatus::Open);

    let err = sandbox.set_import_status(import, "Done").unwrap_err();
    match &err {
        SandboxError::UnknownValue {
            schema,
            value,
            allowed,
            ..
        } => {
            assert_eq!((*schema, value.as_str()), ("ImportStatus", "Done"));
            assert_eq!(
                allowed,
                &[
                    "Pending",
                    "Running",
                    "Finished",
                    "Failed",
                    "Canceled",
                    "Canceling"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        r#""Done" is not in the spec's ImportStatus (Pending, Running, Finished, Failed, Canceled, Canceling)"#
    );
    assert_eq!(err.http_status(), 400);
    // An import status is not a workflow status.
    let err = sandbox
        .set_personnel_event_status(event, ImportStatus::Running)
        .unwrap_err();
    assert!(matches!(
        err,
        SandboxError::UnknownValue {
            schema: "WorkflowStatus",
            ..
        }
    ));

    let nil = uuid::Uuid::nil();
    let err = sandbox
        .set_access_request_status(nil, WorkflowStatus::Open)
        .unwrap_err();
    assert!(
        matches!(&err, SandboxError::NotFound { what: "access request", id, .. } if *id == nil.to_string()),
        "{err:?}"
    );
    assert_eq!(err.http_status(), 404);
    assert_eq!(
        err.to_string(),
        format!("the sandbox has no access request {nil}")
    );
    assert!(matches!(
        sandbox.set_personnel_event_status(nil, WorkflowStatus::Open),
        Err(SandboxError::NotFound {
            what: "personnel event",
            ..
        })
    ));
    assert!(matches!(
        sandbox.set_import_status(nil, ImportStatus::Failed),
        Err(SandboxError::NotFound { what: "import", .. })
    ));
}

// ---- C. The clock ----

#[tokio::test]
async fn a_pinned_clock_makes_the_seed_reproducible() {
    let a = Sandbox::builder().now(pinned()).start().await.unwrap();
    let b = Sandbox::builder().now(pinned()).start().await.unwrap();
    assert_eq!(a.now(), pinned());
    assert_ne!(a.uri(), b.uri());
    let (ra, rb) = (rank_records(&a).await, rank_records(&b).await);
    assert!(ra.len() >= Sandbox::PERSCOM_USERS as usize);
    assert_eq!(
        serde_json::to_string(&ra).unwrap(),
        serde_json::to_string(&rb).unwrap()
    );
    let (ia, ib) = (imports(&a).await, imports(&b).await);
    assert_eq!(ia.len(), 60);
    assert_eq!(
        serde_json::to_string(&ia).unwrap(),
        serde_json::to_string(&ib).unwrap()
    );
    let (aa, ab) = (intacct_audits(&a).await, intacct_audits(&b).await);
    assert_eq!(aa.len(), 48);
    assert_eq!(
        serde_json::to_string(&aa).unwrap(),
        serde_json::to_string(&ab).unwrap()
    );
    // The same seed an hour later the same day; another day, other dates.
    let later = Sandbox::builder()
        .now(pinned() + Duration::hours(1))
        .start()
        .await
        .unwrap();
    assert_eq!(rank_records(&later).await, ra);
    let next_day = Sandbox::builder()
        .now(pinned() + Duration::days(1))
        .start()
        .await
        .unwrap();
    let moved = rank_records(&next_day).await;
    assert_eq!(
        at(&moved[0]["created_at"]) - at(&ra[0]["created_at"]),
        Duration::days(1)
    );
}

/// Every seeded date lies in the three years before `now`, the newest in the last month.
fn assert_seeded_before(now: DateTime<Utc>, dates: &[DateTime<Utc>], what: &str) {
    let newest = *dates.iter().max().unwrap();
    let oldest = *dates.iter().min().unwrap();
    assert!(newest < now, "{what}: {newest} is not before {now}");
    assert!(
        now - newest <= Duration::days(31),
        "{what}: the newest, {newest}, is not in the month before {now}"
    );
    assert!(
        now - oldest <= Duration::days(3 * 366),
        "{what}: the oldest, {oldest}, is more than 3 years before {now}"
    );
}

#[tokio::test]
async fn seeded_dates_are_placed_before_now() {
    for now in [pinned(), Utc::now()] {
        let sandbox = Sandbox::builder().now(now).start().await.unwrap();
        let records = rank_records(&sandbox).await;
        let dates: Vec<_> = records.iter().map(|r| at(&r["created_at"])).collect();
        assert_seeded_before(now, &dates, "PERSCOM rank records");
        let last_year = dates
            .iter()
            .filter(|d| now - **d <= Duration::days(365))
            .count();
        assert!(
            last_year > 50,
            "{last_year} promotions in the last 12 months"
        );

        let imports = imports(&sandbox).await;
        let starts: Vec<_> = imports.iter().map(|i| at(&i["buildStart"])).collect();
        assert_seeded_before(now, &starts, "Permission Assist imports");
        for i in &imports {
            assert!(at(&i["buildEnd"]) > at(&i["buildStart"]), "{i}");
        }
        // Newest first.
        assert_eq!(imports[0]["number"], 1059);
        assert_eq!(starts.iter().max(), starts.first());

        let audits = intacct_audits(&sandbox).await;
        let created: Vec<_> = audits
            .iter()
            .map(|a| at(&a["audit.createdDateTime"]))
            .collect();
        assert!(
            created
                .iter()
                .all(|c| *c < now && now - *c <= Duration::days(3 * 366))
        );
        for a in &audits {
            assert!(at(&a["audit.modifiedDateTime"]) >= at(&a["audit.createdDateTime"]));
        }
    }
}

#[tokio::test]
async fn the_mocks_stamp_the_sandbox_clock() {
    let sandbox = Sandbox::start().await;
    let now = Utc.with_ymd_and_hms(2030, 2, 3, 4, 5, 6).unwrap();
    sandbox.set_now(now);
    assert_eq!(sandbox.now(), now);

    // PERSCOM: created_at and updated_at.
    let (status, user) = post(
        format!("{}/v2/users", sandbox.perscom_url()),
        Sandbox::PERSCOM_API_KEY,
        json!({"name": "Pat", "email": "pat@example.mil"}),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["data"]["created_at"], "2030-02-03T04:05:06.000000Z");

    // Permission Assist: buildEnd, and "today" for an effective date.
    let client = pa_client(&sandbox);
    let staged = client
        .stage_application_import()
        .body(pa::StageImportRequest {
            application_id: Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION,
        })
        .send()
        .await
        .unwrap();
    sandbox
        .set_import_status(staged.id, ImportStatus::Finished)
        .unwrap();
    let url = format!(
        "{}/application-imports/{}",
        sandbox.permission_assist_url(),
        staged.id
    );
    let done = get(url, Sandbox::PERMISSION_ASSIST_TOKEN).await;
    assert_eq!(done["buildEnd"], "2030-02-03T04:05:06");
    let today_by_the_wall_clock = Utc::now().date_naive() + Duration::days(1);
    let (status, body) = post(
        format!(
            "{}/personnel-events/onboard",
            sandbox.permission_assist_url()
        ),
        Sandbox::PERMISSION_ASSIST_TOKEN,
        json!({"identity": {"firstName": "A", "lastName": "B"},
               "effectiveDate": format!("{today_by_the_wall_clock}T00:00:00Z")}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["message"], "must be today or later");

    // Intacct: a created record's audit.
    let (status, body) = post(
        format!(
            "{}/objects/company-config/user-group",
            sandbox.intacct_url()
        ),
        Sandbox::INTACCT_TOKEN,
        json!({"id": "AUDITORS", "description": "Auditors"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let key = body["ia::result"]["key"].as_str().unwrap().to_string();
    let url = format!(
        "{}/objects/company-config/user-group/{key}",
        sandbox.intacct_url()
    );
    let group = get(url, Sandbox::INTACCT_TOKEN).await;
    assert_eq!(
        group["ia::result"]["audit"]["createdDateTime"],
        "2030-02-03T04:05:06Z"
    );
}

#[tokio::test]
async fn reset_puts_the_sandbox_back_before_the_new_now() {
    let sandbox = Sandbox::builder().now(pinned()).start().await.unwrap();
    let before = rank_records(&sandbox).await;
    let client = perscom_client(&sandbox);
    sandbox.register_perscom_webhook(PerscomWebhook::new("http://127.0.0.1:9/", "s"));
    sandbox.register_permission_assist_catch_hook("http://127.0.0.1:9/");
    create_pat(&sandbox).await;
    sandbox.fault(Fault::on("list_users").status(503).nth_call(5));
    sandbox.expire_intacct_tokens();
    sandbox.webhooks_settled().await;
    let deliveries = sandbox.webhook_deliveries();
    assert!(!deliveries.is_empty());
    // Nothing listens on port 9: each attempt says why it got no answer.
    assert!(
        deliveries
            .iter()
            .all(|d| d.status.is_none() && d.error == Some("could not connect")),
        "{deliveries:?}"
    );

    let later = pinned() + Duration::days(100);
    sandbox.set_now(later);
    sandbox.reset();
    assert_eq!(sandbox.now(), later);
    assert!(sandbox.faults().is_empty());
    assert!(sandbox.requests().is_empty());
    assert!(sandbox.webhook_deliveries().is_empty());

    let users = client.list_users().send().await.unwrap();
    assert_eq!(users.total_count, Some(Sandbox::PERSCOM_USERS));
    // The seed again, 100 days on.
    let after = rank_records(&sandbox).await;
    assert_eq!(after.len(), before.len());
    assert_eq!(
        at(&after[0]["created_at"]) - at(&before[0]["created_at"]),
        Duration::days(100)
    );
    // Intacct's token is valid again; no webhook is registered any more.
    assert_eq!(intacct_audits(&sandbox).await.len(), 48);
    let new: permkit::perscom::types::UserCreate =
        serde_json::from_value(json!({"name": "Lee", "email": "lee@example.mil"})).unwrap();
    client.create_user().body(new).send().await.unwrap();
    sandbox.webhooks_settled().await;
    assert!(sandbox.webhook_deliveries().is_empty());
}

#[tokio::test]
async fn the_builder_listens_on_the_port_asked_for() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = Sandbox::builder().port(port).start().await.unwrap();
    assert_eq!(sandbox.uri(), format!("http://127.0.0.1:{port}"));
    let taken = Sandbox::builder().port(port).start().await;
    assert!(taken.is_err());
}
