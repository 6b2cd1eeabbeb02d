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
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _) = common::perscom(&sandbox)?;

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
    let groups = client.list_groups().send().await?;
    let group_names: Vec<String> = groups.items.into_iter().map(|g| g.name).collect();
    println!("groups: {}", group_names.join(", "));
    let slots = client.list_slots().send().await?;
    println!("{:?} slots", slots.total_count);
    let roster = client.list_roster().send().await?;
    println!("roster: {} groups", roster.items.len());
    for group in &roster.items {
        let units: Vec<String> = group
            .units
            .iter()
            .map(|u| format!("{} ({})", u.name, u.users.len()))
            .collect();
        println!("  {}: {}", group.name, units.join(", "));
    }
    Ok(())
}
