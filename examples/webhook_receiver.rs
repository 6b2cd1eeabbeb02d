//! A webhook receiver (axum): PERSCOM's signed deliveries verified and typed, Permission
//! Assist's catch hooks read and answered through the client; every event printed.
//!
//! ```text
//! cargo run --example webhook_receiver
//! ```
//!
//! By default it listens on a free loopback port, registers itself with the sandbox, makes
//! changes through the sandbox's clients (a user created, promoted, renamed and deleted; an
//! identity onboarded) and prints what the sandbox delivers, including a `GET` delivery it
//! refuses, then exits.
//!
//! To receive real deliveries, set `WEBHOOK_LISTEN` (`0.0.0.0:8080`) and
//! `PERSCOM_WEBHOOK_SECRET` (the webhook's secret in the PERSCOM dashboard); PERSCOM posts to
//! `/perscom`, Permission Assist to `/permission-assist`. Catch hooks are answered when
//! `PERMISSION_ASSIST_URL` and `PERMISSION_ASSIST_TOKEN` are set. It then serves until stopped.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use permkit::permission_assist::webhooks as pa_hooks;
use permkit::perscom::webhooks::{self as perscom_hooks, EventData};
use permkit::{ErrorKind, Secret, permission_assist, perscom};
use permkit_sandbox::{PerscomWebhook, Sandbox, WebhookMethod};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the handlers share.
struct Receiver {
    perscom_secret: Secret,
    /// Answers catch hooks, when there is a Permission Assist to answer.
    permission_assist: Option<permission_assist::Client>,
    /// The dedup keys of the PERSCOM events handled so far (a retried delivery repeats one).
    seen: Mutex<HashSet<String>>,
    /// One line per delivery, for the sandbox run to know when it has seen enough.
    printed: mpsc::UnboundedSender<String>,
}

impl Receiver {
    fn print(&self, line: String) {
        println!("{line}");
        let _ = self.printed.send(line);
    }
}

/// `POST /perscom` (and `GET`, which is refused): verify, then print.
async fn perscom_delivery(
    State(rx): State<Arc<Receiver>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get(perscom_hooks::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let event = match perscom_hooks::verify_request(
        method.as_str(),
        &body,
        signature,
        &rx.perscom_secret,
    ) {
        Ok(event) => event,
        Err(e) => {
            rx.print(format!("perscom: refused {method} delivery: {e}"));
            return match e.kind() {
                ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
                ErrorKind::Validation => StatusCode::PAYLOAD_TOO_LARGE,
                ErrorKind::Decode => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
        }
    };
    if let Some(key) = event.dedup_key()
        && !rx.seen.lock().unwrap().insert(key)
    {
        rx.print(format!(
            "perscom: {} again (a retry), dropped",
            event.name()
        ));
        return StatusCode::NO_CONTENT;
    }
    let about = match event.data() {
        EventData::User(user) => format!("user #{} {} <{}>", user.id, user.name, user.email),
        EventData::RankRecord(r) => {
            format!(
                "rank record #{}: user #{} now rank #{} ({})",
                r.id, r.user_id, r.rank_id, r.type_
            )
        }
        EventData::AssignmentRecord(r) => {
            format!("assignment record #{} of user #{}", r.id, r.user_id)
        }
        EventData::AwardRecord(r) => format!(
            "award record #{}: award #{} to user #{}",
            r.id, r.award_id, r.user_id
        ),
        other => format!("{other:?}"),
    };
    let changed: Vec<&str> = event.changes().keys().map(String::as_str).collect();
    rx.print(format!(
        "perscom: {} {about}{} [request {}]",
        event.name(),
        if changed.is_empty() {
            String::new()
        } else {
            format!(", changed {}", changed.join(", "))
        },
        event.request_id().unwrap_or("-"),
    ));
    StatusCode::NO_CONTENT
}

/// `POST /permission-assist`: read the catch hook, print it, answer its callback.
async fn catch_hook(State(rx): State<Arc<Receiver>>, body: Bytes) -> StatusCode {
    let hook = match pa_hooks::parse(&body) {
        Ok(hook) => hook,
        Err(e) => {
            rx.print(format!("permission assist: refused catch hook: {e}"));
            return StatusCode::BAD_REQUEST;
        }
    };
    let request = &hook.event.request;
    let target = request
        .target
        .as_ref()
        .map(|t| t.name.as_str())
        .unwrap_or("-");
    rx.print(format!(
        "permission assist: {} access request #{} {} {target} ({})",
        hook.event.name, request.number, request.action, request.status
    ));
    // Answer after this delivery has had its 2xx.
    if let Some(client) = rx.permission_assist.clone() {
        let rx = rx.clone();
        tokio::spawn(async move {
            let answer = serde_json::json!({"received": true, "hook": hook.id});
            match client.answer_catch_hook(&hook, answer).send().await {
                Ok(reply) => rx.print(format!("permission assist: callback answered ({reply})")),
                Err(e) => rx.print(format!("permission assist: callback failed: {e}")),
            }
        });
    }
    StatusCode::NO_CONTENT
}

fn router(receiver: Arc<Receiver>) -> Router {
    Router::new()
        .route("/perscom", post(perscom_delivery).get(perscom_delivery))
        .route("/permission-assist", post(catch_hook))
        // Let the SDK's documented limit be the one that answers.
        .layer(DefaultBodyLimit::max(perscom_hooks::MAX_BODY_BYTES + 1))
        .with_state(receiver)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (printed, mut lines) = mpsc::unbounded_channel();
    if let Ok(listen) = std::env::var("WEBHOOK_LISTEN") {
        let secret = std::env::var("PERSCOM_WEBHOOK_SECRET")
            .map_err(|_| "set PERSCOM_WEBHOOK_SECRET to the webhook's secret")?;
        let receiver = Arc::new(Receiver {
            perscom_secret: Secret::new(secret),
            permission_assist: permission_assist::ClientBuilder::from_env()
                .map(|b| b.build())
                .transpose()?,
            seen: Mutex::new(HashSet::new()),
            printed,
        });
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        println!("listening on {listen}: POST /perscom, POST /permission-assist");
        tokio::spawn(async move { while lines.recv().await.is_some() {} });
        axum::serve(listener, router(receiver)).await?;
        return Ok(());
    }

    let sandbox = Sandbox::start().await;
    let secret = "example-webhook-secret";
    let pa = permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .build()?;
    let receiver = Arc::new(Receiver {
        perscom_secret: Secret::new(secret),
        permission_assist: Some(pa.clone()),
        seen: Mutex::new(HashSet::new()),
        printed,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router(receiver)).await });
    println!("receiver on {base}");

    sandbox.register_perscom_webhook(PerscomWebhook::new(format!("{base}/perscom"), secret));
    // A GET webhook cannot be verified: the receiver refuses it (and the sandbox retries).
    sandbox.register_perscom_webhook(
        PerscomWebhook::new(format!("{base}/perscom"), secret)
            .events(["user.deleted"])
            .method(WebhookMethod::Get),
    );
    sandbox.register_permission_assist_catch_hook(format!("{base}/permission-assist"));

    let pc = perscom::Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .build()?;
    let new: perscom::types::UserCreate = serde_json::from_value(
        serde_json::json!({"name": "Pat Recruit", "email": "pat.recruit@example.mil", "rank_id": 1}),
    )?;
    let user = pc.create_user().body(new).send().await?;
    let promotion: perscom::types::RankRecordCreateNested =
        serde_json::from_value(serde_json::json!({"rank_id": 2, "type": 0, "text": "Promoted"}))?;
    pc.create_user_rank_record(user.id)
        .body(promotion)
        .send()
        .await?;
    let rename = perscom::types::UserUpdate {
        name: Some("Pat Private".into()),
        rank_id: Some(2),
        ..Default::default()
    };
    pc.patch_user(user.id).body(rename).send().await?;
    pc.delete_user(user.id).send().await?;

    let start = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    pa.create_onboard_event()
        .body(
            permission_assist::types::OnboardRequest::builder()
                .identity(
                    permission_assist::types::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace"),
                )
                .effective_date(permkit::Timestamp::from_date(start)),
        )
        .send()
        .await?;

    // 4 PERSCOM events, 3 refused GET tries, 1 catch hook and its answer.
    let mut count = 0;
    while count < 9 {
        match tokio::time::timeout(Duration::from_secs(10), lines.recv()).await {
            Ok(Some(_)) => count += 1,
            _ => return Err("the sandbox's deliveries did not all arrive".into()),
        }
    }
    let deliveries = sandbox.webhook_deliveries();
    let ok = deliveries.iter().filter(|d| d.succeeded()).count();
    println!("{} delivery attempts, {ok} answered 2xx", deliveries.len());
    Ok(())
}
