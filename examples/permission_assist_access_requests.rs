//! Permission Assist access requests: filter by action and status, then get one.
//!
//! ```text
//! cargo run --example permission_assist_access_requests
//! ```

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::permission_assist::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _run) = common::permission_assist(&sandbox)?;
    let removals: Vec<types::AccessRequest> = client
        .list_access_requests()
        .type_(types::AccessAction::Remove)
        .stream()
        .try_collect()
        .await?;
    println!("{} removal requests", removals.len());
    for r in removals.iter().take(5) {
        let target = r
            .target
            .as_ref()
            .map(|t| format!("{} {}", t.type_, t.name))
            .unwrap_or_default();
        println!("  #{} {} {target}", r.number, r.status);
    }
    if let Some(r) = removals.first() {
        let detail = client.get_access_request(r.id).send().await?;
        println!(
            "request #{}: {} privileges",
            detail.number,
            detail.privileges.len()
        );
    }
    Ok(())
}
