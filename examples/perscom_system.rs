//! PERSCOM system: the health check (no key needed), the authenticated user, the organisation's
//! settings, and (on the sandbox, or a real server with `PERMKIT_TOUR_WRITES=1`) the API cache
//! cleared.
//!
//! ```text
//! cargo run --example perscom_system
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    match client.get_health().send().await? {
        Some(checks) => println!("health: {checks}"),
        None => println!("health: no checks reported (204)"),
    }
    let me = client.get_me().send().await?;
    if let Some(me) = me.items.first() {
        println!("authenticated as #{} {} <{}>", me.id, me.name, me.email);
    }
    let settings = client.list_settings().send().await?;
    for s in &settings.items {
        println!(
            "setting {}.{} = {}",
            s.group.as_deref().unwrap_or("-"),
            s.name.as_deref().unwrap_or("-"),
            s.payload
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default()
        );
    }
    if run.creates("clearing the API cache") {
        let cleared = client.clear_cache().send().await?;
        println!("cache cleared: {}", cleared.status);
    }
    Ok(())
}
