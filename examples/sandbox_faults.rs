//! Testing your error handling on the sandbox: inject a 503 and a 429 into a stream and read
//! the retries back from the sandbox's request log, then show the vendor error bodies the
//! sandbox writes for you, a dropped connection and added latency.
//!
//! Runs on the sandbox only (no credentials): `cargo run --example sandbox_faults`.

use futures::TryStreamExt;
use permkit::{ErrorKind, RetryPolicy};
use permkit_sandbox::{Fault, Sandbox};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sandbox = Sandbox::start().await;
    let retrying = RetryPolicy::default().with_initial_backoff(Duration::from_millis(20));
    let client = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .retry(retrying)
        .build()?;

    // 1. A 503 and then a 429 on page 2 of a stream: the client retries both.
    sandbox.fault(Fault::on("list_identities").nth_call(2).status(503));
    sandbox.fault(
        Fault::on("list_identities")
            .nth_call(3)
            .status(429)
            .retry_after(Duration::from_secs(1)),
    );
    let started = Instant::now();
    let identities: Vec<_> = client.list_identities().stream().try_collect().await?;
    println!(
        "streamed {} identities in {:.1?}; the sandbox saw:",
        identities.len(),
        started.elapsed()
    );
    for r in sandbox.requests() {
        println!(
            "  {} {}?{} -> {:?}{}",
            r.method,
            r.operation_id.unwrap_or("?"),
            r.query.as_deref().unwrap_or(""),
            r.status,
            if r.fault { " (injected)" } else { "" }
        );
    }

    // 2. Each API's own error body, written by the sandbox.
    let once = RetryPolicy::none();
    let perscom = permkit::perscom::Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .retry(once.clone())
        .build()?;
    sandbox.fault(
        Fault::on("list_users")
            .status(429)
            .retry_after(Duration::from_secs(30))
            .times(1),
    );
    let e = perscom.list_users().send().await.unwrap_err();
    println!(
        "PERSCOM:  {:?} {:?} retry after {:?}: {}",
        e.kind(),
        e.status(),
        e.retry_after(),
        e.message()
    );

    let intacct = permkit::intacct::Client::builder(sandbox.intacct_url())
        .token(Sandbox::INTACCT_TOKEN)
        .retry(once.clone())
        .build()?;
    sandbox.fault(Fault::on("list_roles").status(503).times(1));
    let e = intacct.list_roles().send().await.unwrap_err();
    println!(
        "Intacct:  {:?} {:?} code {:?}: {}",
        e.kind(),
        e.status(),
        e.code(),
        e.message()
    );

    let strict = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .retry(once)
        .build()?;
    sandbox.fault(
        Fault::on("get_identity")
            .path(Sandbox::PERMISSION_ASSIST_IDENTITY.to_string())
            .status(404)
            .times(1),
    );
    let e = strict
        .get_identity(Sandbox::PERMISSION_ASSIST_IDENTITY)
        .send()
        .await
        .unwrap_err();
    println!(
        "Permission Assist: {:?} code {:?}, correlation id {:?}",
        e.kind(),
        e.code(),
        e.correlation_id()
    );

    // 3. A connection dropped half-way through the body, then one dropped before any answer.
    sandbox.fault(Fault::on("list_applications").drop_mid_body().times(1));
    let e = strict.list_applications().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    println!("dropped mid-body: {e}");
    sandbox.fault(Fault::on("list_applications").drop_connection().times(1));
    let apps = client.list_applications().send().await?;
    println!("dropped once, retried: {} applications", apps.items.len());

    // 4. Latency against a client timeout.
    sandbox.fault(
        Fault::on("list_access_requests")
            .latency(Duration::from_millis(500))
            .times(1),
    );
    let impatient = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()?;
    let e = impatient.list_access_requests().send().await.unwrap_err();
    println!("slow answer: {:?}", e.kind());
    sandbox.clear_faults();
    Ok(())
}
