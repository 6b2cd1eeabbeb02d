//! PERSCOM organisation: ranks, positions, specialties, units and statuses, each streamed over
//! every page, and the groups, slots and roster.
//!
//! ```text
//! cargo run --example perscom_organization
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise. Read-only.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let ranks: Vec<_> = client
        .list_ranks()
        .limit(100u64)
        .stream()
        .try_collect()
        .await?;
    println!("{} ranks:", ranks.len());
    for r in &ranks {
        println!(
            "  {:<5} {:<24} {}",
            r.abbreviation.as_deref().unwrap_or("-"),
            r.name,
            r.paygrade.as_deref().unwrap_or("")
        );
    }
    let names = |items: Vec<String>| items.join(", ");
    let positions: Vec<_> = client
        .list_positions()
        .stream()
        .map_ok(|p| p.name)
        .try_collect()
        .await?;
    println!("positions: {}", names(positions));
    let specialties: Vec<_> = client
        .list_specialties()
        .stream()
        .map_ok(|s| s.name)
        .try_collect()
        .await?;
    println!("specialties: {}", names(specialties));
    let units: Vec<_> = client
        .list_units()
        .stream()
        .map_ok(|u| {
            format!(
                "{}{}",
                u.name,
                if u.hidden == Some(true) {
                    " (hidden)"
                } else {
                    ""
                }
            )
        })
        .try_collect()
        .await?;
    println!("units: {}", names(units));
    let statuses: Vec<_> = client
        .list_statuses()
        .stream()
        .map_ok(|s| format!("{} {}", s.name, s.color))
        .try_collect()
        .await?;
    println!("statuses: {}", names(statuses));
    // Groups, slots and the roster: the sandbox does not serve these yet.
    if let Some(groups) = run.served(client.list_groups().send().await, "groups")? {
        let names: Vec<String> = groups.items.into_iter().map(|g| g.name).collect();
        println!("groups: {}", names.join(", "));
    }
    if let Some(slots) = run.served(client.list_slots().send().await, "slots")? {
        println!("{:?} slots", slots.total_count);
    }
    if let Some(roster) = run.served(client.list_roster().send().await, "the roster")? {
        println!("roster: {} groups", roster.items.len());
    }
    Ok(())
}
