//! Permission Assist personnel events: filter, get, and (in the sandbox or with
//! `PERMKIT_TOUR_WRITES=1`) create an offboarding event.
//!
//! ```text
//! cargo run --example permission_assist_personnel_events
//! ```

use futures::TryStreamExt;
use permkit::permission_assist::{Client, ClientBuilder, types};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let (client, real) = match ClientBuilder::from_env() {
        Some(builder) => (builder.build()?, true),
        None => (
            Client::builder(sandbox.permission_assist_url())
                .token(Sandbox::PERMISSION_ASSIST_TOKEN)
                .build()?,
            false,
        ),
    };
    let pending: Vec<types::PersonnelEvent> = client
        .list_personnel_events()
        .status(types::WorkflowStatus::Pending)
        .stream()
        .try_collect()
        .await?;
    println!("{} pending events", pending.len());
    for e in pending.iter().take(5) {
        let who = e
            .affected_identity
            .as_ref()
            .map(|i| format!("{} {}", i.first_name, i.last_name))
            .unwrap_or_default();
        println!(
            "  #{} {} for {who}, needed on {:?}",
            e.number,
            e.type_,
            e.needed_on.map(|t| t.to_string())
        );
    }
    if let Some(e) = pending.first() {
        let detail = client.get_personnel_event(e.id).send().await?;
        println!(
            "event #{}: {} stages, {} activity entries",
            detail.number,
            detail.stages.len(),
            detail.activity.len()
        );
    }
    if real && std::env::var("PERMKIT_TOUR_WRITES").as_deref() != Ok("1") {
        println!("(read-only: set PERMKIT_TOUR_WRITES=1 to create an event)");
        return Ok(());
    }
    let identity = client
        .list_identities()
        .send()
        .await?
        .items
        .into_iter()
        .next()
        .ok_or("no identities")?;
    let when = chrono::Utc::now().date_naive() + chrono::Days::new(14);
    let created = client
        .create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: identity.id,
            effective_date: permkit::Timestamp::from_date(when),
            comment: Some("Offboarded by a permkit example".into()),
        })
        .send()
        .await?;
    println!(
        "created offboard event #{} ({}) for {} {}",
        created.number, created.status, identity.first_name, identity.last_name
    );
    Ok(())
}
