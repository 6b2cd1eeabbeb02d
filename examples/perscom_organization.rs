//! PERSCOM organisation: ranks, positions, specialties, units, statuses, awards and
//! qualifications, each streamed over every page.
//!
//! ```text
//! cargo run --example perscom_organization
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise. Read-only.

use futures::TryStreamExt;
use permkit::perscom::{Client, ClientBuilder};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) => builder.build()?,
        None => Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_API_KEY)
            .build()?,
    };

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
    let awards: Vec<_> = client
        .list_awards()
        .stream()
        .map_ok(|a| a.name)
        .try_collect()
        .await?;
    println!("awards: {}", names(awards));
    let qualifications: Vec<_> = client
        .list_qualifications()
        .stream()
        .map_ok(|q| q.name)
        .try_collect()
        .await?;
    println!("qualifications: {}", names(qualifications));
    Ok(())
}
